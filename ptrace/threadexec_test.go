package ptrace

import (
	"fmt"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// threadExecProgram: the leader maps and unmaps as fast as it can while a thread runs execve
// of the program again, which then maps and unmaps 60001 bytes and exits 42. The execve
// carries 1.6 MB of environment: copying it, before the execve kills the leader, leaves the
// leader time to stop again once the thread has entered execve.
const threadExecProgram = `
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
static char big[100000];
static void *execer(void *arg) {
	char **argv = arg;
	char *args[] = {argv[0], "after", 0};
	char *env[17] = {0};
	memset(big, 'x', sizeof big - 1);
	memcpy(big, "BIG=", 4);
	for (int i = 0; i < 16; i++) env[i] = big;
	usleep(20000);
	execve("/proc/self/exe", args, env);
	return 0;
}
int main(int argc, char **argv) {
	if (argc == 2 && strcmp(argv[1], "after") == 0) {
		munmap(mmap(0, 60001, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0), 60001);
		return 42;
	}
	pthread_t t;
	pthread_create(&t, 0, execer, argv);
	for (;;) munmap(mmap(0, 20001, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0), 20001);
}`

// TestThreadExecTakesLeaderTid: a thread's execve takes over the leader's tid. A stop of the
// old leader waited for just before the execve killed it can come in the same batch as the
// new program's exec event, under the same tid (see Tracer.collect). Acting on the stale stop
// resumed the new program past its exec event: the event and the execve's return were lost,
// and the new program's first call was reported twice. The test provokes it: once the thread
// has entered execve, the tracer is held for 50 ms after it collects a stop of the leader,
// long enough for the execve to end and its exec event to be collected next. The leader does
// not always stop while the thread is in execve, so each mode runs until that happened twice.
func TestThreadExecTakesLeaderTid(t *testing.T) {
	requireFull(t, "traces a command")
	prog := buildC(t, threadExecProgram)
	nrs := []uint64{unix.SYS_MMAP, unix.SYS_MUNMAP, unix.SYS_EXECVE}
	defer func() { testHookCollected = nil }()
	for _, seccomp := range []bool{true, false} {
		t.Run(fmt.Sprintf("seccomp=%v", seccomp), func(t *testing.T) {
			const maxRuns, wantHeld = 20, 2
			heldRuns := 0
			for run := 0; run < maxRuns && heldRuns < wantHeld; run++ {
				var events []Event
				leader, execer, held := 0, 0, false
				testHookCollected = func(tid int, ws unix.WaitStatus) {
					if execer != 0 && !held && tid == leader && ws.Stopped() && int(ws)>>16&0xff != eventExec {
						held = true
						time.Sleep(50 * time.Millisecond)
					}
				}
				tr := New(Options{Syscalls: map[uint32][]uint64{nativeAudit: nrs}, Seccomp: seccomp}, func(ev *Event) {
					events = append(events, *ev)
					switch {
					case ev.Kind == TaskStart && leader == 0:
						leader = ev.Tid
					case ev.Kind == SyscallEntry && ev.Nr == unix.SYS_EXECVE && ev.Tid != ev.Pid:
						execer = ev.Tid
					case ev.Kind == Exec:
						execer = 0
					}
				})
				st, err := tr.Run(Command{Path: prog, Argv: []string{"prog"}, Env: os.Environ()})
				if err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
				if held {
					heldRuns++
				}
				if st.Code != 42 {
					t.Errorf("run %d: exit status %+v, want code 42", run, st)
				}
				checkThreadExec(t, run, events)
			}
			if heldRuns == 0 {
				t.Fatalf("in %d runs the leader never stopped while the thread was in execve: the race was not provoked", maxRuns)
			}
		})
	}
}

// checkThreadExec checks the events of one run: the thread's execve reported as an exec event
// that names it and as a successful return under the leader's tid, and each task's calls in
// entry-exit pairs.
func checkThreadExec(t *testing.T, run int, events []Event) {
	t.Helper()
	leader, execer, execAt := 0, 0, -1
	for i, ev := range events {
		if ev.Kind == SyscallEntry && ev.Nr == unix.SYS_EXECVE {
			if ev.Tid == ev.Pid && leader == 0 {
				leader = ev.Tid
			} else if ev.Tid != ev.Pid {
				execer = ev.Tid
			}
		}
		if ev.Kind == Exec && ev.FormerTid != ev.Tid {
			if ev.Tid != leader || ev.FormerTid != execer {
				t.Errorf("run %d: exec event of %d from %d, want %d from %d", run, ev.Tid, ev.FormerTid, leader, execer)
			}
			execAt = i
		}
	}
	if execer == 0 || execAt < 0 {
		t.Fatalf("run %d: no execve by a thread (execer %d) or no exec event for it", run, execer)
	}
	returned := false
	for _, ev := range events[execAt+1:] {
		if ev.Tid == leader && ev.Kind == SyscallExit {
			returned = ev.Nr == unix.SYS_EXECVE && ev.Ret == 0
			break
		}
	}
	if !returned {
		t.Errorf("run %d: the leader's first call exit after the exec event is not execve's = 0", run)
	}
	inCall := map[int]bool{}
	for i, ev := range events {
		switch ev.Kind {
		case SyscallEntry:
			if inCall[ev.Tid] {
				t.Errorf("run %d: event %d: task %d enters %d inside another call", run, i, ev.Tid, ev.Nr)
			}
			inCall[ev.Tid] = true
		case SyscallExit:
			inCall[ev.Tid] = false
		case Exec:
			inCall[ev.Tid] = inCall[ev.FormerTid]
			delete(inCall, ev.FormerTid)
		case Exited, Killed:
			delete(inCall, ev.Tid)
		}
	}
}
