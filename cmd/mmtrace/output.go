package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/mmtrace/mmtrace/report"
)

// createOutput opens a file to write mmtrace's output to. Write-only: os.Create opens
// read-write, and on -o /dev/stdout (a pipe) mmtrace would hold the pipe's read end itself
// and block for ever once the pipe's reader has gone.
func createOutput(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
}

// colourMode is --color: auto, always or never.
type colourMode string

func (c *colourMode) String() string {
	if *c == "" {
		return "auto"
	}
	return string(*c)
}

func (c *colourMode) Set(v string) error {
	*c = colourMode(v)
	return c.check()
}

func (c *colourMode) Type() string { return "WHEN" }

func (c *colourMode) check() error {
	switch *c {
	case "", "auto", "always", "never":
		return nil
	}
	return fmt.Errorf("--color %s: want auto, always or never", string(*c))
}

// enabled decides: always and never as said; auto on a terminal, unless NO_COLOR is set to
// anything (no-color.org).
func (c *colourMode) enabled(terminal bool) bool {
	switch *c {
	case "always":
		return true
	case "never":
		return false
	}
	_, noColour := os.LookupEnv("NO_COLOR")
	return terminal && !noColour
}

// taskFiles is the output of -ff: one file per task, NAME.TID, opened when the task starts
// and closed when it ends.
type taskFiles struct {
	base  string
	opts  report.StraceOptions
	files map[int]*taskFile
	err   error // the first file that could not be opened
}

type taskFile struct {
	file  *os.File
	lines *report.Strace
}

// open starts the file of a new task.
func (t *taskFiles) open(tid int) *report.Strace {
	if f := t.files[tid]; f != nil {
		return f.lines
	}
	file, err := createOutput(t.base + "." + strconv.Itoa(tid))
	if err != nil {
		if t.err == nil {
			t.err = fmt.Errorf("open output: %w", err)
		}
		return nil
	}
	f := &taskFile{file: file, lines: report.NewStrace(file, t.opts)}
	t.files[tid] = f
	return f.lines
}

// lines returns the writer of a task's file, opening it if the task was not seen start.
func (t *taskFiles) lines(tid int) *report.Strace {
	if f := t.files[tid]; f != nil {
		return f.lines
	}
	return t.open(tid)
}

// close ends a task's file.
func (t *taskFiles) close(tid int) {
	if f := t.files[tid]; f != nil {
		f.lines.Flush()
		f.file.Close()
		delete(t.files, tid)
	}
}

// rename moves a task's file to another tid: a thread that ran execve takes the leader's.
func (t *taskFiles) rename(from, to int) {
	if f := t.files[from]; f != nil {
		t.close(to)
		t.files[to] = f
		delete(t.files, from)
	}
}

// Flush writes every open file's buffer.
func (t *taskFiles) Flush() error {
	var errs []error
	for _, f := range t.files {
		errs = append(errs, f.lines.Flush())
	}
	return errors.Join(errs...)
}

// Buffered is how much all open files hold.
func (t *taskFiles) Buffered() int {
	n := 0
	for _, f := range t.files {
		n += f.lines.Buffered()
	}
	return n
}

// closeAll ends every file still open.
func (t *taskFiles) closeAll() {
	for tid := range t.files {
		t.close(tid)
	}
}
