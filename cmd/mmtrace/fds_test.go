package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCommandInheritsFds: the command inherits the descriptors mmtrace was started with, at
// their numbers, as it does without a tracer and under strace, and none of mmtrace's own (its
// -o and --html files, its start pipe, the launcher image), with and without the seccomp
// filter. Each run starts with descriptors 3 and 9 open on files of its own and 4 to 8 closed;
// the command (testdata/trace/fds.c) writes through 3 and 9 and lists its descriptors, which
// must be the untraced run's. (ptrace's TestCommandInheritsFds covers the re-exec launcher.)
func TestCommandInheritsFds(t *testing.T) {
	prog := buildC(t, "trace/fds.c")
	strace := needTool(t, "strace")
	dir := t.TempDir()
	// run runs the command under the tracer (none if tracer is empty) and returns the
	// descriptors it listed.
	run := func(t *testing.T, name string, tracer ...string) string {
		t.Helper()
		files := map[int]string{3: filepath.Join(dir, name+".3"), 9: filepath.Join(dir, name+".9")}
		extra := make([]*os.File, 7) // descriptors 3 to 9; nil is closed
		for fd, path := range files {
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			extra[fd-3] = f
		}
		list := filepath.Join(dir, name+".list")
		argv := append(tracer, prog, list, "3", "9")
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		cmd.ExtraFiles = extra
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stderr.String())
		}
		for fd, path := range files {
			if got, err := os.ReadFile(path); err != nil || string(got) != fmt.Sprintf("fd %d\n", fd) {
				t.Errorf("%s: the command's write through descriptor %d gave %q (%v)", name, fd, got, err)
			}
		}
		got, err := os.ReadFile(list)
		if err != nil {
			t.Fatalf("%s: the command listed no descriptors: %v", name, err)
		}
		return string(got)
	}
	want := run(t, "untraced")
	for _, tc := range []struct {
		name   string
		tracer []string
	}{
		{"strace", []string{strace, "-f", "-o", filepath.Join(dir, "strace.trace"), "--"}},
		{"seccomp", []string{mmtraceBin, "trace", "--seccomp=true", "-o", filepath.Join(dir, "seccomp.trace"), "--html", filepath.Join(dir, "seccomp.html"), "--"}},
		{"no-seccomp", []string{mmtraceBin, "trace", "--seccomp=false", "-o", filepath.Join(dir, "no-seccomp.trace"), "--html", filepath.Join(dir, "no-seccomp.html"), "--"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, tc.name, tc.tracer...); got != want {
				t.Errorf("the command's descriptors:\n%s\nwant, as untraced:\n%s", got, want)
			}
		})
	}
}
