package ptrace

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// task is the tracer's state for one traced thread.
type task struct {
	tid int
	pid int // thread group id

	// inSyscall: the entry of a traced call was reported and its exit not yet; arch, nr and
	// args are that call's, repeated in its SyscallExit event.
	inSyscall bool
	arch      uint32
	nr        uint64
	args      [6]uint64

	// launching: the task is still mmtrace's own launcher, before it runs the command's
	// execve; nothing it does is reported.
	launching bool
	// commandExec: the launcher's execve of the command is under way; execFailed: it failed,
	// and the task is mmtrace's launcher again, on its way out. Only its end is reported then,
	// as strace reports the end of its child that could not run the command.
	commandExec, execFailed bool

	// listening: in a group-stop, left stopped with PTRACE_LISTEN.
	listening bool
	// held: a new child kept in its first stop until its creator's fork event is seen.
	held bool
	// ownFilter: the task runs under a seccomp filter of its own (it installed one, or
	// inherited it), which may refuse a call (ERRNO, TRAP, KILL, USER_NOTIF take precedence
	// over mmtrace's TRACE) before mmtrace's filter would stop it: such a task is stopped at
	// every call with PTRACE_SYSCALL, whose entry stop comes before any filter runs.
	ownFilter bool

	// invocations counts the task's calls of each Options.Inject entry, by index (nil until
	// the first); injection is the one its current call is tampered by, nil if none.
	invocations []uint64
	injection   *Injection
	// injectSignal is a signal to send as the task resumes from its current call's entry
	// stop, or its exit stop when injectSignalAtExit (Injection.Signal).
	injectSignal       int
	injectSignalAtExit bool
	// delayed: the current call is delayed (Injection.Delayed); delayEnter and delayExit are
	// what is still to be held at its entry and exit stops.
	delayed               bool
	delayEnter, delayExit time.Duration
}

// isThreadOf tells whether task tid is a thread of process pid: one stat of /proc, where
// reading a status file costs ten times more.
func isThreadOf(pid, tid int) bool {
	var st unix.Stat_t
	return unix.Stat("/proc/"+strconv.Itoa(pid)+"/task/"+strconv.Itoa(tid), &st) == nil
}

// readIDs returns the thread group id and parent pid of a task, from /proc/TID/status.
func readIDs(tid int) (pid, ppid int, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return 0, 0, fmt.Errorf("read status of task %d: %w", tid, err)
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		key, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		switch string(key) {
		case "Tgid":
			pid, _ = strconv.Atoi(string(bytes.TrimSpace(value)))
		case "PPid":
			ppid, _ = strconv.Atoi(string(bytes.TrimSpace(value)))
		}
	}
	if pid == 0 {
		return 0, 0, fmt.Errorf("status of task %d has no Tgid", tid)
	}
	return pid, ppid, nil
}
