package ptrace

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The test binary is its own launcher, as mmtrace is: the tracer re-executes /proc/self/exe.
func init() {
	if IsLauncher(os.Args) {
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	if IsLauncher(os.Args) {
		err := RunLauncher(os.Args)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(127)
	}
	if mode := os.Getenv(tracerEnv); mode != "" {
		os.Exit(runTracer(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// requireFull skips the test in the quick loop (go test -short), which runs only the tests
// that need no root, tracing, C compiler or browser; needs says what this one needs. Such a
// test runs in the full suite.
func requireFull(t *testing.T, needs string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: this test %s; it runs in the full suite (go test without -short)", needs)
	}
}

// record is an event as the tests keep it.
type record struct {
	kind   Kind
	tid    int
	nr     uint64
	ret    int64
	status int
	signal int
	text   string // execve's path, read from the tracee at entry
}

func traceProgram(t *testing.T, seccomp bool, nrs []uint64, path string, argv ...string) ([]record, ExitStatus) {
	t.Helper()
	var got []record
	tr := New(Options{Syscalls: map[uint32][]uint64{nativeAudit: nrs}, Seccomp: seccomp}, func(ev *Event) {
		r := record{kind: ev.Kind, tid: ev.Tid, nr: ev.Nr, ret: ev.Ret, status: ev.Status, signal: ev.Signal}
		if ev.Kind == SyscallEntry && ev.Nr == unix.SYS_EXECVE {
			buf := make([]byte, 256)
			n, err := ev.Task.ReadMemory(ev.Args[0], buf)
			if err != nil {
				t.Errorf("read execve path: %v", err)
			}
			r.text, _, _ = strings.Cut(string(buf[:n]), "\x00")
		}
		got = append(got, r)
	})
	st, err := tr.Run(Command{Path: path, Argv: argv, Env: os.Environ()})
	if err != nil {
		t.Fatalf("trace %s: %v", path, err)
	}
	return got, st
}

func count(records []record, kind Kind, nr uint64) int {
	n := 0
	for _, r := range records {
		if r.kind == kind && r.nr == nr {
			n++
		}
	}
	return n
}

func buildC(t *testing.T, src string) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Fatalf("this test builds a C program and needs cc: %v", err)
	}
	dir := t.TempDir()
	c := filepath.Join(dir, "prog.c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "prog")
	if out, err := exec.Command(cc, "-pthread", "-o", bin, c).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	return bin
}

const forkProgram = `
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
	for (int i = 0; i < 3; i++) {
		pid_t c = fork();
		if (c == 0) {
			for (int j = 0; j < 10; j++) munmap(mmap(0, 4096, 3, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0), 4096);
			_exit(i);
		}
	}
	while (wait(NULL) > 0) ;
	return 5;
}`

// TestEventsOfForkingProgram checks the events of a program that forks three children that
// each map and unmap ten times: every call's entry and exit, each task's start and end, the
// command's exit status, with and without the seccomp filter, started by either launcher
// (the image, and the re-exec of the tracer that architectures without an image use).
func TestEventsOfForkingProgram(t *testing.T) {
	requireFull(t, "traces a command")
	prog := buildC(t, forkProgram)
	for _, tc := range []struct{ seccomp, reexec bool }{{true, false}, {false, false}, {true, true}, {false, true}} {
		seccomp := tc.seccomp
		t.Run(fmt.Sprintf("seccomp=%v,reexec=%v", tc.seccomp, tc.reexec), func(t *testing.T) {
			reexecLauncher = tc.reexec
			defer func() { reexecLauncher = false }()
			nrs := []uint64{unix.SYS_MMAP, unix.SYS_MUNMAP, unix.SYS_EXECVE, unix.SYS_EXIT_GROUP}
			got, st := traceProgram(t, seccomp, nrs, prog, "prog")
			if st != (ExitStatus{Code: 5}) {
				t.Errorf("exit status %+v, want code 5", st)
			}
			if len(got) == 0 || got[0].kind != TaskStart {
				t.Fatalf("first event is not the command's start: %+v", got)
			}
			if got[1].kind != SyscallEntry || got[1].nr != unix.SYS_EXECVE || got[1].text != prog {
				t.Errorf("second event is not the command's execve of %s: %+v", prog, got[1])
			}
			if got[2].kind != Exec || got[3].kind != SyscallExit || got[3].nr != unix.SYS_EXECVE || got[3].ret != 0 {
				t.Errorf("execve did not succeed: %+v %+v", got[2], got[3])
			}
			if n := count(got, TaskStart, 0); n != 4 {
				t.Errorf("%d tasks started, want 4", n)
			}
			// 30 munmaps by the children; the C library's startup adds a few of its own.
			if n := count(got, SyscallExit, unix.SYS_MUNMAP); n < 30 {
				t.Errorf("%d munmap exits, want at least 30", n)
			}
			if e, x := count(got, SyscallEntry, unix.SYS_MMAP), count(got, SyscallExit, unix.SYS_MMAP); e != x || e < 30 {
				t.Errorf("%d mmap entries and %d exits, want equal and at least 30", e, x)
			}
			exits := map[int]bool{}
			for _, r := range got {
				if r.kind == Exited {
					exits[r.status] = true
				}
			}
			for _, code := range []int{0, 1, 2, 5} {
				if !exits[code] {
					t.Errorf("no task exited with %d: %v", code, exits)
				}
			}
			if n := count(got, SyscallEntry, unix.SYS_EXIT_GROUP); n != 4 {
				t.Errorf("%d exit_group entries, want 4", n)
			}
		})
	}
}

// TestDefaultSignals: the command starts with Command.DefaultSignals at their default action
// though the tracer ignores them, whichever launcher starts it, and the image leaves the
// tracer's other ignored signals ignored (the re-exec cannot for SIGQUIT: the Go runtime of
// the launcher catches it, and its execve sets it back to the default). The command writes
// its /proc/self/status SigIgn mask to a file.
func TestDefaultSignals(t *testing.T) {
	requireFull(t, "traces a command")
	defer ignoreSignals(t, unix.SIGINT, unix.SIGQUIT, unix.SIGPIPE)()
	for _, reexec := range []bool{false, true} {
		t.Run(fmt.Sprintf("reexec=%v", reexec), func(t *testing.T) {
			reexecLauncher = reexec
			defer func() { reexecLauncher = false }()
			out := filepath.Join(t.TempDir(), "sigign")
			tr := New(Options{Syscalls: map[uint32][]uint64{nativeAudit: {unix.SYS_EXECVE}}, Seccomp: true}, func(*Event) {})
			_, err := tr.Run(Command{
				Path:           "/bin/sh",
				Argv:           []string{"sh", "-c", `sed -n 's/^SigIgn:[[:space:]]*//p' /proc/self/status >"$0"`, out},
				Env:            os.Environ(),
				DefaultSignals: []unix.Signal{unix.SIGINT, unix.SIGPIPE},
			})
			if err != nil {
				t.Fatal(err)
			}
			text, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			mask, err := strconv.ParseUint(strings.TrimSpace(string(text)), 16, 64)
			if err != nil {
				t.Fatalf("SigIgn %q: %v", text, err)
			}
			for sig, want := range map[unix.Signal]bool{unix.SIGINT: false, unix.SIGQUIT: !reexec, unix.SIGPIPE: false} {
				if got := mask&(1<<(sig-1)) != 0; got != want {
					t.Errorf("the command has %v ignored: %v, want %v (SigIgn %016x)", sig, got, want, mask)
				}
			}
		})
	}
}

// ignoreSignals ignores sigs, through os/signal so that the runtime knows (a fork from Go
// resets every signal it believes it handles), and returns what puts their former handlers
// back: os/signal's Reset does not undo Ignore.
func ignoreSignals(t *testing.T, sigs ...unix.Signal) (restore func()) {
	t.Helper()
	olds := make([]sigaction, len(sigs))
	for i, sig := range sigs {
		if e := rtSigaction(sig, nil, &olds[i]); e != 0 {
			t.Fatalf("sigaction %v: %v", sig, e)
		}
		signal.Ignore(sig)
	}
	return func() {
		for i, sig := range sigs {
			rtSigaction(sig, &olds[i], nil)
		}
	}
}

// TestKilledBySignal checks that a command killed by a signal is reported with that signal.
func TestKilledBySignal(t *testing.T) {
	requireFull(t, "traces a command")
	prog := buildC(t, `#include <signal.h>
#include <unistd.h>
int main(void) { kill(getpid(), SIGTERM); pause(); return 0; }`)
	got, st := traceProgram(t, true, []uint64{unix.SYS_EXECVE}, prog, "prog")
	if st.Signal != int(unix.SIGTERM) {
		t.Errorf("exit status %+v, want killed by SIGTERM", st)
	}
	last := got[len(got)-1]
	if last.kind != Killed || last.signal != int(unix.SIGTERM) {
		t.Errorf("last event %+v, want Killed by SIGTERM", last)
	}
	if count(got, Signal, 0) != 1 {
		t.Errorf("want one signal delivery event: %+v", got)
	}
}

// TestResumeFirst checks that an event Options.ResumeFirst names reaches the handler with the
// task already running, and any other with the task stopped: after each call the program
// spins for a while without a system call, and the handler looks at the task's state in
// /proc during its exit event.
func TestResumeFirst(t *testing.T) {
	requireFull(t, "traces a command")
	prog := buildC(t, `#include <sys/mman.h>
static void spin(void) { for (volatile unsigned long i = 0; i < 1000000000UL; i++) ; }
int main(void) {
	void *p = mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	munmap(p, 4096);
	spin();
	p = mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	mprotect(p, 4096, PROT_READ);
	spin();
	return 0;
}`)
	for _, seccomp := range []bool{true, false} {
		t.Run(fmt.Sprintf("seccomp=%v", seccomp), func(t *testing.T) {
			states := map[uint64]string{}
			opts := Options{
				Syscalls: map[uint32][]uint64{nativeAudit: {unix.SYS_MUNMAP, unix.SYS_MPROTECT}},
				Seccomp:  seccomp,
				ResumeFirst: func(arch uint32, nr uint64, exit bool) bool {
					return nr == unix.SYS_MUNMAP
				},
			}
			tr := New(opts, func(ev *Event) {
				if ev.Kind != SyscallExit {
					return
				}
				time.Sleep(20 * time.Millisecond) // long enough to be back in the loop
				stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", ev.Tid))
				if err != nil {
					t.Errorf("read stat of %d: %v", ev.Tid, err)
					return
				}
				// The state follows the command name, which is in parentheses.
				_, after, _ := strings.Cut(string(stat), ") ")
				states[ev.Nr], _, _ = strings.Cut(after, " ")
			})
			if _, err := tr.Run(Command{Path: prog, Argv: []string{"prog"}, Env: os.Environ()}); err != nil {
				t.Fatal(err)
			}
			if got := states[unix.SYS_MUNMAP]; got != "R" {
				t.Errorf("during munmap's exit event the task's state was %q, want R: resumed first", got)
			}
			if got := states[unix.SYS_MPROTECT]; got != "t" {
				t.Errorf("during mprotect's exit event the task's state was %q, want t: stopped", got)
			}
		})
	}
}
