package ptrace

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestInjectionChooses holds when= to strace 6.1's choices: each pattern is what a program
// making twelve madvise calls saw under strace -e inject=madvise:error=ENOMEM:when=EXPR
// (X: the call failed).
func TestInjectionChooses(t *testing.T) {
	for _, c := range []struct {
		expr              string
		first, last, step uint64
		want              string
	}{
		{"3", 3, 0, 0, "..X........."},
		{"2..4", 2, 4, 1, ".XXX........"},
		{"2..8+3", 2, 8, 3, ".X..X..X...."},
		{"3+", 3, 0, 1, "..XXXXXXXXXX"},
		{"3+4", 3, 0, 4, "..X...X...X."},
		{"1..1", 1, 1, 1, "X..........."},
		{"5..5+", 5, 5, 1, "....X......."},
	} {
		inj := Injection{First: c.first, Last: c.last, Step: c.step}
		got := make([]byte, len(c.want))
		for n := range got {
			got[n] = '.'
			if inj.chooses(uint64(n) + 1) {
				got[n] = 'X'
			}
		}
		if string(got) != c.want {
			t.Errorf("when=%s: %s, want %s", c.expr, got, c.want)
		}
	}
}

// injectProgram makes five getpid and two getppid calls and writes what each returned ("e1"
// for a failure with errno 1) to the file argv[1], then how many SIGUSR1 it took.
const injectProgram = `
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
static volatile int usr1;
static void took(int sig) { usr1++; }
int main(int argc, char **argv) {
	signal(SIGUSR1, took);
	FILE *out = fopen(argv[1], "w");
	pid_t self = getpid();
	for (int i = 0; i < 6; i++) {
		long r = syscall(i < 4 ? SYS_getpid : SYS_getppid);
		if (r == -1) fprintf(out, "e%d ", errno);
		else if (r == self) fprintf(out, "self ");
		else fprintf(out, "%ld ", r);
	}
	fprintf(out, "usr1=%d", usr1);
	return fclose(out);
}`

// TestInject tampers with calls at the tracer's level, with and without the seccomp filter:
// the program sees the injected results and signals at exactly the chosen invocations, the
// calls left alone run, and the events of the tampered ones say so and carry the injected
// result; each signal is reported as sent by the kernel (SI_KERNEL), as strace's are.
func TestInject(t *testing.T) {
	prog := buildC(t, injectProgram)
	for _, seccomp := range []bool{true, false} {
		t.Run(fmt.Sprintf("seccomp=%v", seccomp), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			var exits []string
			signals := 0
			tr := New(Options{
				Syscalls: map[uint32][]uint64{nativeAudit: {unix.SYS_GETPID, unix.SYS_GETPPID}},
				Seccomp:  seccomp,
				Inject: []Injection{
					{Arch: nativeAudit, Nr: unix.SYS_GETPID, Skip: true, Retval: 42, Signal: int(unix.SIGUSR1), First: 3, Last: 5, Step: 2},
					{Arch: nativeAudit, Nr: unix.SYS_GETPPID, Skip: true, Errno: 1, First: 2},
				},
			}, func(ev *Event) {
				switch ev.Kind {
				case SyscallEntry:
					exits = append(exits, fmt.Sprintf("%v:", ev.Injected))
				case SyscallExit:
					exits[len(exits)-1] += fmt.Sprintf("%d,%v,%v", ev.Ret, ev.IsError, ev.Injected)
				case Signal:
					const siKernel = 0x80
					if code := int32(binary.LittleEndian.Uint32(ev.Siginfo[8:])); ev.Signal != int(unix.SIGUSR1) || code != siKernel {
						t.Errorf("signal %d with si_code %#x, want SIGUSR1 from the kernel", ev.Signal, code)
					}
					signals++
				}
			})
			st, err := tr.Run(Command{Path: prog, Argv: []string{prog, out}, Env: os.Environ()})
			if err != nil || st.Code != 0 {
				t.Fatalf("trace: %v, status %+v", err, st)
			}
			// getpid: the 1st is the program's own, then 2nd to 5th in the loop: the 3rd and 5th.
			data, _ := os.ReadFile(out)
			if got, want := string(data), "self 42 self 42 "+strconv.Itoa(os.Getpid())+" e1 usr1=2"; got != want {
				t.Errorf("the program saw %q, want %q", got, want)
			}
			if signals != 2 {
				t.Errorf("%d signals reported, want the 2 injected", signals)
			}
			if len(exits) != 7 {
				t.Fatalf("%d traced calls, want 7: %v", len(exits), exits)
			}
			for i, want := range map[int]string{2: "true:42,false,true", 4: "true:42,false,true", 6: "true:-1,true,true"} {
				if exits[i] != want {
					t.Errorf("call %d: entry and exit %q, want %q", i+1, exits[i], want)
				}
			}
			for _, i := range []int{0, 1, 3, 5} {
				if strings.Contains(exits[i], "true") {
					t.Errorf("call %d was not to be tampered with: %q", i+1, exits[i])
				}
			}
		})
	}
}

// delayProgram forks a child that makes twenty getppid calls and notes when it is done, while
// the parent times one getpid call; it writes "held=MS others=1" to argv[1], others=1 when
// the child was done before the parent's getpid returned.
const delayProgram = `
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
int main(int argc, char **argv) {
	double *child_done = mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0);
	if (fork() == 0) {
		for (int i = 0; i < 20; i++) syscall(SYS_getppid);
		*child_done = now();
		_exit(0);
	}
	double start = now();
	syscall(SYS_getpid);
	double end = now();
	wait(NULL);
	FILE *out = fopen(argv[1], "w");
	fprintf(out, "held=%.0f others=%d", end - start, *child_done > 0 && *child_done < end);
	return fclose(out);
}`

// TestInjectDelay: delay_enter= and delay_exit= hold the task for their time, while the
// other tasks run on, with and without the seccomp filter; the call's events say so.
func TestInjectDelay(t *testing.T) {
	prog := buildC(t, delayProgram)
	for _, seccomp := range []bool{true, false} {
		t.Run(fmt.Sprintf("seccomp=%v", seccomp), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			delayed := 0
			tr := New(Options{
				Syscalls: map[uint32][]uint64{nativeAudit: {unix.SYS_GETPID, unix.SYS_GETPPID}},
				Seccomp:  seccomp,
				Inject: []Injection{{Arch: nativeAudit, Nr: unix.SYS_GETPID, Delayed: true,
					DelayEnter: 300 * time.Millisecond, DelayExit: 200 * time.Millisecond, First: 1}},
			}, func(ev *Event) {
				if ev.Kind == SyscallExit && ev.Delayed {
					delayed++
					if ev.Nr != unix.SYS_GETPID || ev.Injected || ev.IsError {
						t.Errorf("delayed call %d: injected %v, error %v; want getpid, run as it is", ev.Nr, ev.Injected, ev.IsError)
					}
				}
			})
			st, err := tr.Run(Command{Path: prog, Argv: []string{prog, out}, Env: os.Environ()})
			if err != nil || st.Code != 0 {
				t.Fatalf("trace: %v, status %+v", err, st)
			}
			data, _ := os.ReadFile(out)
			var held, others int
			if _, err := fmt.Sscanf(string(data), "held=%d others=%d", &held, &others); err != nil || held < 500 || held > 5000 || others != 1 {
				t.Errorf("the program says %q: want getpid held 500 ms or a little more, and the child done meanwhile", data)
			}
			if delayed != 1 {
				t.Errorf("%d delayed calls reported, want 1", delayed)
			}
		})
	}
}
