package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestPerTaskFiles checks -ff -o NAME against strace -ff: one file per task, NAME.TID, with
// the same lines, and no pid prefix.
func TestPerTaskFiles(t *testing.T) {
	strace := needTool(t, "strace")
	setarch := needTool(t, "setarch")
	prog := buildC(t, "trace/kinds.c")
	dir := t.TempDir()
	runCmd(t, dir, setarch, "-R", strace, "-ff", "-o", filepath.Join(dir, "s"), "-e", "trace="+defaultSet, prog)
	r := runCmd(t, dir, setarch, "-R", mmtraceBin, "trace", "--strace-only", "-ff", "-o", filepath.Join(dir, "m"), "--", prog)
	if r.code != 0 {
		t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
	}
	// Each run's files in the order of their tids: the command, then its child.
	files := func(prefix string) []string {
		matches, _ := filepath.Glob(filepath.Join(dir, prefix+".*"))
		slices.SortFunc(matches, func(a, b string) int {
			x, _ := strconv.Atoi(filepath.Ext(a)[1:])
			y, _ := strconv.Atoi(filepath.Ext(b)[1:])
			return x - y
		})
		return matches
	}
	want, got := files("s"), files("m")
	if len(got) != 2 || len(want) != 2 {
		t.Fatalf("strace wrote %v, mmtrace %v: want two files each", want, got)
	}
	for i := range want {
		w, _ := os.ReadFile(want[i])
		g, _ := os.ReadFile(got[i])
		// The child's pid differs between the runs; mask every number after "pid" or "= ".
		mask := func(b []byte) string {
			s := envPointer.ReplaceAllString(string(b), "ENV")
			s = cpuTimes.ReplaceAllString(s, "T")
			return pidFields.ReplaceAllString(s, "${1}PID")
		}
		if mask(w) != mask(g) {
			t.Errorf("file %d differs:\nstrace:\n%s\nmmtrace:\n%s", i, w, g)
		}
	}
}

// TestColour: --color=always colours errors and kinds; auto writes no colour to a file, nor
// to a terminal when NO_COLOR is set.
func TestColour(t *testing.T) {
	prog := buildC(t, "trace/fail.c")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	runCmd(t, dir, mmtraceBin, "trace", "--color=always", "-o", out, "--", prog)
	text, _ := os.ReadFile(out)
	if !strings.Contains(string(text), "= \x1b[31m-1 EINVAL (Invalid argument)\x1b[0m") {
		t.Errorf("--color=always did not colour an error:\n%s", text)
	}
	if !strings.Contains(string(text), "\x1b[32manon-private\x1b[0m") {
		t.Errorf("--color=always did not colour a kind:\n%s", text)
	}
	runCmd(t, dir, mmtraceBin, "trace", "-o", out, "--", prog)
	if text, _ := os.ReadFile(out); strings.Contains(string(text), "\x1b[") {
		t.Errorf("colour written to a file without --color=always:\n%s", text)
	}
	// On a terminal (script gives the command one), auto colours unless NO_COLOR is set.
	script := needTool(t, "script")
	onTerminal := func(env ...string) string {
		cmdline := mmtraceBin + " trace -e trace=mmap -- " + prog
		// env -u: a NO_COLOR of the test's own environment must not decide.
		cmd := runCmdEnv(t, dir, nil, "env", append(append([]string{"-u", "NO_COLOR"}, env...), script, "-qec", cmdline, "/dev/null")...)
		return cmd.stdout
	}
	if got := onTerminal(); !strings.Contains(got, "\x1b[31m") {
		t.Errorf("no colour on a terminal:\n%q", got)
	}
	if got := onTerminal("NO_COLOR=1"); strings.Contains(got, "\x1b[") {
		t.Errorf("colour on a terminal with NO_COLOR set:\n%q", got)
	}
}
