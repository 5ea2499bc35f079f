package ptrace

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tracerEnv makes the test binary a tracer instead of running the tests (TestMain): it
// traces the command its arguments name and exits with the command's status. Its value says
// how: "seccomp" or "no-seccomp", then ",reexec" for the re-exec launcher.
const tracerEnv = "MMTRACE_PTRACE_TEST_TRACER"

// runTracer is the test binary's life as a tracer (tracerEnv).
func runTracer(mode string, argv []string) int {
	seccomp, launcher, _ := strings.Cut(mode, ",")
	reexecLauncher = launcher == "reexec"
	tr := New(Options{Syscalls: map[uint32][]uint64{nativeAudit: {}}, Seccomp: seccomp == "seccomp"}, func(*Event) {})
	st, err := tr.Run(Command{Path: argv[0], Argv: argv, Env: os.Environ()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 127
	}
	if st.Signal != 0 {
		return 128 + st.Signal
	}
	return st.Code
}

// TestCommandInheritsFds: the command inherits the descriptors its tracer was started with,
// at their numbers, as it does without a tracer, and none of the launcher's (its start pipe
// and the image's memfd), whichever launcher starts it, with and without the seccomp filter.
// The tracer (the test binary, tracerEnv) starts with descriptors 3 and 9 open on files of
// its own and 4 to 8 closed; the command (testdata/trace/fds.c) writes through 3 and 9 and
// lists its descriptors, which must be those of the same command started untraced.
func TestCommandInheritsFds(t *testing.T) {
	requireFull(t, "traces a command")
	src, err := os.ReadFile("../testdata/trace/fds.c")
	if err != nil {
		t.Fatal(err)
	}
	prog := buildC(t, string(src))
	dir := t.TempDir()
	// run runs the command, under a tracer in mode (untraced if mode is empty), and returns
	// the descriptors it listed.
	run := func(t *testing.T, name, mode string) string {
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
		cmd := exec.Command(prog, list, "3", "9")
		if mode != "" {
			cmd = exec.Command(os.Args[0], prog, list, "3", "9")
			cmd.Env = append(os.Environ(), tracerEnv+"="+mode)
		}
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
	want := run(t, "untraced", "")
	for _, mode := range []string{"seccomp", "no-seccomp", "seccomp,reexec", "no-seccomp,reexec"} {
		t.Run(mode, func(t *testing.T) {
			if got := run(t, strings.ReplaceAll(mode, ",", "-"), mode); got != want {
				t.Errorf("the command's descriptors:\n%s\nwant, as untraced:\n%s", got, want)
			}
		})
	}
}
