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

// outputFile is a file the trace goes to: -o, an -ff file, --html, or stderr. Its first
// write error is reported at once, in one line naming the file and the reason, and what comes
// after is dropped: a full disk or a closed pipe must neither stop the trace (the command runs
// on to its end, followed, as it would untraced) nor go unsaid (lostOutput decides the exit
// status).
type outputFile struct {
	file    *os.File
	written int64 // bytes written before the error
	err     error
	closed  bool
	lost    *lostOutput
}

func newOutputFile(f *os.File, lost *lostOutput) *outputFile {
	return &outputFile{file: f, lost: lost}
}

func (o *outputFile) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.file.Write(p)
	o.written += int64(n)
	if err != nil {
		o.fail(err)
	}
	return n, err
}

func (o *outputFile) fail(err error) {
	o.err = err
	o.lost.report(fmt.Errorf("%w; the trace written there is cut after %d bytes", err, o.written))
}

// Close closes the file; an error there loses the trace too (a file system may report a
// failed write only at close). stderr is left open for mmtrace's last words.
func (o *outputFile) Close() {
	if o.file == os.Stderr || o.closed {
		return
	}
	o.closed = true
	if err := o.file.Close(); err != nil && o.err == nil {
		o.fail(err)
	}
}

// lostOutput counts the outputs that lost part of the trace, each told once on stderr.
type lostOutput struct {
	count int
}

func (l *lostOutput) report(err error) {
	l.count++
	fmt.Fprintf(os.Stderr, "mmtrace: %v\n", err)
}

// exitStatus is mmtrace's exit status once the command ended with code: the command's own,
// unless part of the trace was lost and the command succeeded, which must not read as a
// success: then 1, saying so.
func (l *lostOutput) exitStatus(code int) error {
	switch {
	case l.count > 0 && code == 0:
		return &exitError{code: 1, err: errors.New("exit status 1: the command exited with 0, but its trace could not be written whole (said above)")}
	case code != 0:
		return &exitError{code: code}
	}
	return nil
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
	lost  *lostOutput
}

type taskFile struct {
	file  *outputFile
	lines *report.Strace
}

// open starts the file of a new task. A task whose file could not be opened keeps a nil
// entry, so that the failure is told once.
func (t *taskFiles) open(tid int) *report.Strace {
	if f, ok := t.files[tid]; ok {
		return f.strace()
	}
	file, err := createOutput(t.base + "." + strconv.Itoa(tid))
	if err != nil {
		t.lost.report(fmt.Errorf("open output: %w; the trace of task %d is lost", err, tid))
		t.files[tid] = nil
		return nil
	}
	out := newOutputFile(file, t.lost)
	f := &taskFile{file: out, lines: report.NewStrace(out, t.opts)}
	t.files[tid] = f
	return f.lines
}

func (f *taskFile) strace() *report.Strace {
	if f == nil {
		return nil
	}
	return f.lines
}

// lines returns the writer of a task's file, opening it if the task was not seen start.
func (t *taskFiles) lines(tid int) *report.Strace {
	return t.open(tid)
}

// close ends a task's file.
func (t *taskFiles) close(tid int) {
	if f := t.files[tid]; f != nil {
		f.lines.Flush()
		f.file.Close()
	}
	delete(t.files, tid)
}

// rename moves a task's file to another tid: a thread that ran execve takes the leader's.
func (t *taskFiles) rename(from, to int) {
	if f, ok := t.files[from]; ok {
		t.close(to)
		t.files[to] = f
		delete(t.files, from)
	}
}

// Flush writes every open file's buffer.
func (t *taskFiles) Flush() error {
	var errs []error
	for _, f := range t.files {
		if f != nil {
			errs = append(errs, f.lines.Flush())
		}
	}
	return errors.Join(errs...)
}

// Buffered is how much all open files hold.
func (t *taskFiles) Buffered() int {
	n := 0
	for _, f := range t.files {
		if f != nil {
			n += f.lines.Buffered()
		}
	}
	return n
}

// closeAll ends every file still open.
func (t *taskFiles) closeAll() {
	for tid := range t.files {
		t.close(tid)
	}
}
