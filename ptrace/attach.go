package ptrace

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Attach traces running processes (every thread of each, and what they start from now on)
// until Stop is called or they have all ended, then detaches from whatever is left so that
// the processes run on as if never traced. A pid may name any thread of a process.
//
// Attached processes run without the seccomp filter (only the process itself could install
// one) and without PTRACE_O_EXITKILL: if mmtrace dies, the kernel detaches and they run on.
func (t *Tracer) Attach(pids []int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer defaultSigchld()()
	t.opts.Seccomp = false

	w, err := startWaker()
	if err != nil {
		return err
	}
	t.waker = w
	defer w.close()

	for _, pid := range pids {
		if err := t.attachProcess(pid); err != nil {
			// Let go of what was attached before the failure, from wherever it stopped.
			t.detachAll()
			if lerr := t.loop(); lerr != nil {
				return errors.Join(err, lerr)
			}
			return err
		}
	}
	return t.loop()
}

// Stop asks an Attach to detach and return. It may be called from any goroutine, any number
// of times.
func (t *Tracer) Stop() {
	if t.stopping.CompareAndSwap(false, true) && t.waker != nil {
		t.waker.wake()
	}
}

// Terminate asks a Run to pass sig on to every traced process, as strace does with the
// processes it started when it is told to end: each takes the signal as it would untraced
// (ends, or handles it), and the tracer follows them to their end. It may be called from
// any goroutine, any number of times.
func (t *Tracer) Terminate(sig unix.Signal) {
	t.terminate.Store(int32(sig))
	// wait4 is not interrupted by a signal (the Go runtime's handlers restart it), but the end
	// of a child wakes it: a waker reading /dev/null exits at once, and the tracer's wait4
	// reaps it as a child it does not know.
	if null, err := os.Open(os.DevNull); err == nil {
		forkWaker(null)
		null.Close()
	}
}

// signalAll sends sig to every traced process.
func (t *Tracer) signalAll(sig unix.Signal) {
	sent := map[int]bool{}
	for _, tk := range t.tasks {
		if !sent[tk.pid] {
			sent[tk.pid] = true
			unix.Kill(tk.pid, sig)
		}
	}
}

// attachProcess seizes every thread of pid's process, rescanning /proc/PID/task until no new
// thread appears, and asks each to stop so that it can be resumed into syscall tracing.
func (t *Tracer) attachProcess(pid int) error {
	tgid, _, err := readIDs(pid)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("attach %d: no such process", pid)
		}
		return fmt.Errorf("attach %d: %w", pid, err)
	}
	if err := checkAttachable(tgid); err != nil {
		return fmt.Errorf("attach %d: %w", pid, err)
	}
	// Why the last thread that is ending could not be seized; ESRCH if all were gone.
	var endingErr error = unix.ESRCH
	for {
		tids, err := threads(tgid)
		if err != nil {
			return fmt.Errorf("attach %d: %w", pid, err)
		}
		added := 0
		for _, tid := range tids {
			if t.tasks[tid] != nil {
				continue
			}
			if err := seize(tid, t.attachOptions()); err != nil {
				// ESRCH: a thread that ended meanwhile; EPERM for one that is exiting, such as a
				// main thread that called pthread_exit while the others run on.
				if err == unix.ESRCH || (err == unix.EPERM && isExiting(tgid, tid)) {
					endingErr = err
					continue
				}
				return fmt.Errorf("attach %d: %w", pid, explainSeizeError(tgid, err))
			}
			added++
			tk := &task{tid: tid, pid: tgid}
			t.tasks[tid] = tk
			t.ev = Event{Kind: TaskStart, Tid: tid, Pid: tgid, Seized: true, Task: Task{tid}}
			if tid != tgid {
				t.ev.ParentTid = tgid
			}
			t.handler(&t.ev)
			// A stop is needed to resume the thread with PTRACE_SYSCALL. A thread that is
			// already group-stopped reports that stop instead and stays stopped.
			if err := interrupt(tid); err != nil && err != unix.ESRCH {
				return fmt.Errorf("attach %d: interrupt thread %d: %w", pid, tid, err)
			}
		}
		if added > 0 {
			continue
		}
		seized := 0
		for _, tk := range t.tasks {
			if tk.pid == tgid {
				seized++
			}
		}
		if seized == 0 {
			return fmt.Errorf("attach %d: the process is exiting: %w", pid, endingErr)
		}
		t.ev = Event{Kind: Attached, Tid: pid, Pid: tgid, Threads: seized, Task: Task{pid}}
		t.handler(&t.ev)
		return nil
	}
}

func (t *Tracer) attachOptions() uintptr {
	opts := uintptr(optTraceSysGood | optTraceExec | optTraceFork | optTraceVfork | optTraceClone)
	if t.opts.ExitStops {
		opts |= optTraceExit
	}
	return opts
}

// threads lists the thread ids of a process.
func threads(pid int) ([]int, error) {
	entries, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		return nil, err
	}
	tids := make([]int, 0, len(entries))
	for _, e := range entries {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	slices.Sort(tids)
	return tids, nil
}

// checkAttachable refuses what must not or cannot be traced: mmtrace itself or one of its
// ancestors (tracing them would deadlock), and kernel threads (no address space).
func checkAttachable(pid int) error {
	for p := os.Getpid(); p > 0; {
		if p == pid {
			if p == os.Getpid() {
				return errors.New("that is mmtrace's own process")
			}
			return errors.New("that is an ancestor of mmtrace; tracing it would stop mmtrace itself")
		}
		_, ppid, err := readIDs(p)
		if err != nil {
			break
		}
		p = ppid
	}
	if isKernelThread(pid) {
		return errors.New("a kernel thread has no user address space to trace")
	}
	return nil
}

// Bits of a task's flags (/proc/PID/stat's ninth field, the kernel's PF_*).
const (
	pfExiting = 0x00000004
	pfKthread = 0x00200000
)

// isKernelThread tells kernel threads, which have no user address space.
func isKernelThread(pid int) bool {
	flags, ok := taskFlags("/proc/" + strconv.Itoa(pid) + "/stat")
	return ok && flags&pfKthread != 0
}

// isExiting tells a task that has begun to exit, which PTRACE_SEIZE refuses with EPERM; one
// already gone counts as exiting.
func isExiting(pid, tid int) bool {
	flags, ok := taskFlags("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid) + "/stat")
	return !ok || flags&pfExiting != 0
}

// taskFlags reads the flags field of a stat file.
func taskFlags(statPath string) (uint64, bool) {
	data, err := os.ReadFile(statPath)
	if err != nil {
		return 0, false
	}
	// The fields after the command name, which is in parentheses and may hold anything.
	end := strings.LastIndexByte(string(data), ')')
	if end < 0 {
		return 0, false
	}
	fields := strings.Fields(string(data[end+1:]))
	// fields[0] is the state (field 3); flags is field 9.
	if len(fields) < 7 {
		return 0, false
	}
	flags, err := strconv.ParseUint(fields[6], 10, 64)
	return flags, err == nil
}

// explainSeizeError says why PTRACE_SEIZE was refused, in the terms a user can act on.
func explainSeizeError(pid int, err error) error {
	if err != unix.EPERM {
		return err
	}
	status, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	var tracer, uid string
	for _, line := range strings.Split(string(status), "\n") {
		key, value, _ := strings.Cut(line, ":")
		fields := strings.Fields(value)
		switch {
		case key == "TracerPid" && len(fields) > 0:
			tracer = fields[0]
		case key == "Uid" && len(fields) > 0:
			uid = fields[0]
		}
	}
	if tracer != "" && tracer != "0" {
		return fmt.Errorf("already traced by process %s: %w", tracer, err)
	}
	if uid != "" && uid != strconv.Itoa(os.Getuid()) && os.Geteuid() != 0 {
		return fmt.Errorf("the process belongs to user %s: %w", uid, err)
	}
	if scope, e := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope"); e == nil && strings.TrimSpace(string(scope)) != "0" {
		return fmt.Errorf("ptrace is restricted (kernel.yama.ptrace_scope = %s): %w", strings.TrimSpace(string(scope)), err)
	}
	return fmt.Errorf("ptrace refused (a setuid program, or missing CAP_SYS_PTRACE): %w", err)
}

// detachAll asks every task to stop and detaches each from the stop it reports: a task in
// the middle of a call goes on with it, a signal on its way is delivered, a task stopped by
// job control stays stopped, and new children announced meanwhile are detached as they appear.
func (t *Tracer) detachAll() {
	t.detaching = true
	t.resumeHeld(true) // a task held for a delay would never report another stop
	for _, tk := range t.tasks {
		if (tk.listening || tk.held) && detach(tk.tid, 0) == nil {
			// Not running (group-stopped, or held in its first stop): detached at once, it
			// stays as it was.
			delete(t.tasks, tk.tid)
			continue
		}
		if err := interrupt(tk.tid); err != nil {
			delete(t.tasks, tk.tid) // gone
		}
	}
}

func (t *Tracer) detachTask(tk *task, sig int) {
	detach(tk.tid, sig)
	delete(t.tasks, tk.tid)
}

// waker is an untraced child of mmtrace whose exit wakes the tracer's wait4, which a signal
// cannot do: the Go runtime installs its handlers with SA_RESTART.
type waker struct {
	pid  int
	pipe *os.File
}

const wakerArg = "__mmtrace_waker"

// IsWaker tells whether the process was started as the tracer's waker; it must then call
// RunWaker.
func IsWaker(args []string) bool {
	return len(args) > 1 && args[1] == wakerArg
}

// RunWaker waits for its standard input to close, then returns: the process should exit.
func RunWaker() {
	var b [1]byte
	for {
		if _, err := unix.Read(0, b[:]); err != unix.EINTR {
			return
		}
	}
}

func startWaker() (*waker, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start waker: %w", err)
	}
	defer r.Close()
	pid, err := forkWaker(r)
	if err != nil {
		w.Close()
		return nil, err
	}
	return &waker{pid: pid, pipe: w}, nil
}

// forkWaker starts a waker reading in: it exits when in ends.
func forkWaker(in *os.File) (int, error) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 0, fmt.Errorf("start waker: %w", err)
	}
	defer null.Close()
	pid, err := syscall.ForkExec(selfExe, []string{launchName, wakerArg}, &syscall.ProcAttr{
		Files: []uintptr{in.Fd(), null.Fd(), null.Fd()},
	})
	if err != nil {
		return 0, fmt.Errorf("start waker: %w", err)
	}
	return pid, nil
}

func (w *waker) wake() { w.pipe.Close() }

// close ends the waker and reaps it, unless the tracer's loop already did.
func (w *waker) close() {
	w.pipe.Close()
	if w.pid != 0 {
		var ws unix.WaitStatus
		unix.Wait4(w.pid, &ws, 0, nil)
		w.pid = 0
	}
}
