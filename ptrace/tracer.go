package ptrace

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Options configure a Tracer.
type Options struct {
	// Syscalls are the traced system call numbers for each architecture, keyed by its
	// AUDIT_ARCH_* value. Only these produce SyscallEntry and SyscallExit events.
	Syscalls map[uint32][]uint64
	// Seccomp runs the command under a BPF filter that stops it only at the traced calls.
	Seccomp bool
	// ExitStops reports each task's exit (Exiting) before its address space is torn down.
	ExitStops bool
	// Idle, if set, is called before the tracer blocks waiting for the next stop: the moment
	// to flush buffered output without costing a write per event.
	Idle func()
	// ResumeFirst, if set, reports whether the handler reads nothing of the task's memory to
	// take the entry (exit false) or exit of call nr. Such an event is reported after the
	// task is resumed, so that the handler's work (decoding, the address-space model, output)
	// runs while the traced program goes on to its next call instead of adding to the time it
	// spends stopped: 4 to 5% of a trace of nothing but mapping calls. A resumed task runs
	// until its next traced call or a signal stops it, before that call is made or the
	// signal acts: so no traced call changes its address space under the handler, but
	// SIGKILL, which needs no stop, may end it. Without ResumeFirst, every event waits for
	// the handler.
	ResumeFirst func(arch uint32, nr uint64, exit bool) bool
	// Inject tampers with calls, as strace's -e inject=: one Injection per call (a later one
	// for the same call replaces an earlier). Only traced calls are tampered with, and not the
	// command's own first execve. SyscallEntry and SyscallExit events of a tampered call have
	// Injected set, and its exit reports the injected result.
	Inject []Injection
	// DetachOnExec detaches a task at its successful execve (strace's -b execve), but for the
	// command's own first one: a Detached event follows the Exec event. It goes without the
	// seccomp filter, which would fail the filtered calls of a task with no tracer.
	DetachOnExec bool
}

// ExitStatus is how the traced command ended: by exit (Code) or by a signal (Signal != 0).
type ExitStatus struct {
	Code       int
	Signal     int
	CoreDumped bool
	// ExecErr is why the command could not be run at all: the launcher's execve of it failed
	// (Code is then the launcher's).
	ExecErr error
}

// Tracer follows a command and every task it creates. Its methods must be called from one
// goroutine; Run locks that goroutine to its OS thread.
type Tracer struct {
	opts    Options
	handler Handler
	traced  map[uint32][]bool // by arch, indexed by syscall number
	// injections index Options.Inject by call.
	injections map[injectKey]int

	tasks   map[int]*task
	leader  int // the command's pid: its end is the tracer's exit status
	status  ExitStatus
	ev      Event
	siginfo [128]byte
	waited  []waitResult

	// announced are children that a fork, vfork or clone event named and that have not yet
	// reported their first stop: the tracer must wait for them too.
	announced map[int]announcement

	// heldTasks are held stopped for a delay (Injection.Delayed), soonest first.
	heldTasks []heldTask
	// leaderDetached: DetachOnExec let go of the command's own process.
	leaderDetached bool

	stopping  atomic.Bool  // Stop was called
	terminate atomic.Int32 // the signal Terminate was last called with, until passed on
	detaching bool         // detachAll has asked every task to stop
	waker     *waker
}

type waitResult struct {
	tid    int
	status unix.WaitStatus
}

// New returns a Tracer that reports to h.
func New(opts Options, h Handler) *Tracer {
	t := &Tracer{opts: opts, handler: h, traced: map[uint32][]bool{}, tasks: map[int]*task{}, announced: map[int]announcement{}}
	for arch, nrs := range opts.Syscalls {
		if len(nrs) == 0 {
			continue
		}
		bits := make([]bool, slices.Max(nrs)+1)
		for _, nr := range nrs {
			bits[nr] = true
		}
		t.traced[arch] = bits
	}
	if len(opts.Inject) > 0 {
		t.injections = map[injectKey]int{}
		for i, inj := range opts.Inject {
			t.injections[injectKey{inj.Arch, inj.Nr}] = i
		}
	}
	return t
}

func (t *Tracer) isTraced(arch uint32, nr uint64) bool {
	bits := t.traced[arch]
	return nr < uint64(len(bits)) && bits[nr]
}

// Run starts cmd under the tracer, reports every event until the last traced task has ended,
// and returns how the command itself ended.
func (t *Tracer) Run(cmd Command) (ExitStatus, error) {
	if t.opts.DetachOnExec {
		t.opts.Seccomp = false
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer defaultSigchld()()

	pid, err := t.start(cmd)
	if err != nil {
		return ExitStatus{}, err
	}
	t.leader = pid
	if err := t.loop(); err != nil {
		return t.status, err
	}
	if t.leaderDetached {
		// As strace does, wait for the command to end, untraced; its status is not reported.
		var ws unix.WaitStatus
		for {
			if _, err := unix.Wait4(pid, &ws, 0, nil); err != unix.EINTR {
				break
			}
		}
	}
	return t.status, nil
}

// yieldEvery is how often the tracer's goroutine goes through the Go scheduler. A goroutine
// that runs for 10 ms without rescheduling is marked for preemption, and one that is then in
// a system call loses its P: the runtime's monitor thread takes it and, having found work to
// do, wakes every 20 us for a while. A tracer is always in wait4 or ptrace, so without the
// yield that happens every 10 ms, and the monitor's wakeups take CPU time from the traced
// program and the tracer: 10-15% of a busy trace on two CPUs (bench/run.sh).
const yieldEvery = 5 * time.Millisecond

// loop waits for stops until no task is left. It collects every stop already pending before
// handling any, so that one busy task cannot starve the others.
func (t *Tracer) loop() error {
	lastYield := time.Now()
	for len(t.tasks) > 0 || len(t.announced) > 0 {
		if now := time.Now(); now.Sub(lastYield) >= yieldEvery {
			runtime.Gosched()
			lastYield = now
		}
		if t.stopping.Load() && !t.detaching {
			t.detachAll()
			continue
		}
		if sig := t.terminate.Swap(0); sig != 0 {
			t.signalAll(unix.Signal(sig))
		}
		if t.opts.Idle != nil {
			t.opts.Idle()
		}
		var ws unix.WaitStatus
		tid, err := t.wait(&ws)
		if err == unix.EINTR {
			continue
		}
		if err == unix.ECHILD {
			return nil // every task is gone, some without a report (vanished through exec)
		}
		if err != nil {
			return fmt.Errorf("wait for tracees: %w", err)
		}
		t.waited = t.waited[:0]
		t.collect(tid, ws)
		for len(t.tasks) > 1 {
			tid, err := unix.Wait4(-1, &ws, unix.WALL|unix.WNOHANG, nil)
			if err != nil || tid <= 0 {
				break
			}
			t.collect(tid, ws)
		}
		for _, w := range t.waited {
			switch {
			case t.waker != nil && w.tid == t.waker.pid:
				t.waker.pid = 0 // reaped: Stop was called
			case t.detaching:
				t.handleWhileDetaching(w.tid, w.status)
			default:
				t.handle(w.tid, w.status)
			}
		}
	}
	return nil
}

// collect adds a wait status to the batch that the loop handles next.
//
// A thread other than the leader that runs execve takes over the leader's tid (see execStop).
// A stop of the old leader that was waited for before the execve killed it is then stale, and
// its tid names the new program, stopped at its exec event. The kernel refuses ptrace requests
// on that tid until the exec event is waited for, but once it is, as when it comes in the same
// batch, acting on the stale stop would resume the new program past its exec event and lose
// both that event and the execve's return. So an exec event drops the statuses of its tid
// collected before it: they can only be the old leader's, which is gone without a report.
func (t *Tracer) collect(tid int, ws unix.WaitStatus) {
	if testHookCollected != nil {
		testHookCollected(tid, ws)
	}
	if ws.Stopped() && int(ws)>>16&0xff == eventExec {
		t.waited = slices.DeleteFunc(t.waited, func(w waitResult) bool { return w.tid == tid })
	}
	t.waited = append(t.waited, waitResult{tid, ws})
}

// testHookCollected, when set by a test, sees each wait status as it is collected.
var testHookCollected func(tid int, ws unix.WaitStatus)

func (t *Tracer) handle(tid int, ws unix.WaitStatus) {
	tk := t.tasks[tid]
	switch {
	case ws.Exited() || ws.Signaled():
		delete(t.announced, tid)
		if tk != nil {
			t.ended(tk, ws)
		}
		return
	case !ws.Stopped():
		return
	}
	if tk == nil {
		a, ok := t.announced[tid]
		delete(t.announced, tid)
		if tk = t.newTask(tid, a, ok); tk == nil {
			return
		}
		if !ok && int(ws)>>16&0xff == eventStop {
			// The child's first stop came before its creator's fork event: it waits for that
			// event, so that what the child does is never reported before its creation.
			tk.held = true
			return
		}
	}
	tk.listening = false
	sig := ws.StopSignal()
	event := int(ws) >> 16 & 0xff
	switch {
	case sig == syscallStopSig:
		t.syscallStop(tk)
	case event == eventSeccomp:
		t.seccompStop(tk)
	case event == eventStop:
		t.eventStop(tk, sig)
	case event == eventExec:
		t.execStop(tk)
	case event == eventFork || event == eventVfork || event == eventClone:
		t.forkStop(tk, event)
	case event == eventExit:
		t.exitStop(tk)
	case event != 0:
		t.resume(tk, 0)
	default:
		t.signalStop(tk, sig)
	}
}

// handleWhileDetaching detaches each task from the first stop it reports after detachAll:
// a signal on its way is handed back to it, a call in progress goes on.
func (t *Tracer) handleWhileDetaching(tid int, ws unix.WaitStatus) {
	tk := t.tasks[tid]
	delete(t.announced, tid)
	switch {
	case ws.Exited() || ws.Signaled():
		if tk != nil {
			t.ended(tk, ws)
		}
		return
	case !ws.Stopped():
		return
	}
	if tk == nil {
		detach(tid, 0) // a child that appeared while detaching, never reported
		return
	}
	sig := 0
	switch {
	case ws.StopSignal() == syscallStopSig && tk.inSyscall:
		// The exit of a traced call: it was made while attached, so it is reported.
		var si syscallInfo
		if stopInfo(tk.tid, &si) == nil && si.op == opExit {
			t.exit(tk, &si)
			t.handler(&t.ev)
		}
	case int(ws)>>16&0xff == 0 && ws.StopSignal() != syscallStopSig:
		sig = int(ws.StopSignal()) // a signal on its way: handed back at detach
	}
	t.ev = Event{Kind: Detached, Tid: tk.tid, Pid: tk.pid, Task: Task{tk.tid}}
	if tk.inSyscall {
		t.ev.InSyscall, t.ev.Arch, t.ev.Nr, t.ev.Args = true, tk.arch, tk.nr, tk.args
	}
	t.handler(&t.ev)
	t.detachTask(tk, sig)
}

// announcement is what a fork, vfork or clone event told of the task it created.
type announcement struct {
	pid       int  // its process: the creator's for a thread, its own tid otherwise
	parent    int  // the task that created it
	ownFilter bool // it inherits its creator's own seccomp filter
}

// newTask starts following a task seen for the first time: a child or thread the kernel
// attached for us (PTRACE_O_TRACEFORK and friends). Its process is known from the event that
// announced it, or else read from /proc.
func (t *Tracer) newTask(tid int, a announcement, announced bool) *task {
	if !announced {
		pid, ppid, err := readIDs(tid)
		if err != nil {
			// Already gone: its exit will be reported to us, or it was never ours.
			return nil
		}
		a = announcement{pid: pid, parent: ppid}
		if pid != tid {
			a.parent = pid
		}
	}
	tk := &task{tid: tid, pid: a.pid, ownFilter: a.ownFilter}
	t.tasks[tid] = tk
	t.ev = Event{Kind: TaskStart, Tid: tid, Pid: a.pid, ParentTid: a.parent, Task: Task{tid}}
	t.handler(&t.ev)
	return tk
}

func (t *Tracer) syscallStop(tk *task) {
	var si syscallInfo
	if err := stopInfo(tk.tid, &si); err != nil {
		t.resume(tk, 0)
		return
	}
	switch si.op {
	case opEntry:
		t.entry(tk, &si)
		return
	case opExit:
		if tk.inSyscall && !tk.commandExec {
			t.exit(tk, &si)
			t.report(tk, true)
			return
		}
		if tk.inSyscall {
			t.exit(tk, &si)
			t.handler(&t.ev)
		}
		if tk.commandExec {
			t.commandExecEnded(tk, &si)
		}
	}
	t.resume(tk, 0)
}

// stopInfo is PTRACE_GET_SYSCALL_INFO at a syscall or seccomp stop. The kernel was seen to
// answer "none" there now and then (an execve's exit in a freshly forked child, under heavy
// process churn) and the right op at the next request: taken at its word, the call's exit
// was missed and the next call's entry reported twice. So "none" is asked again.
func stopInfo(tid int, si *syscallInfo) error {
	err := getSyscallInfo(tid, si)
	for try := 0; err == nil && si.op == opNone && try < 3; try++ {
		err = getSyscallInfo(tid, si)
	}
	return err
}

func (t *Tracer) seccompStop(tk *task) {
	var si syscallInfo
	if err := stopInfo(tk.tid, &si); err == nil && si.op == opSeccomp {
		if !tk.launching && installsFilter(&si) {
			tk.ownFilter = true // from now on stopped at every call: see task.ownFilter
			if synchronizesThreads(&si) {
				for _, other := range t.tasks {
					if other.pid == tk.pid {
						other.ownFilter = true
					}
				}
			}
		}
		// A task with a filter of its own already reported this call at its entry stop.
		if !(tk.ownFilter && tk.inSyscall) {
			t.entry(tk, &si)
			return
		}
	}
	t.resume(tk, 0)
}

// entry reports the entry of any system call that stopped the task, if it is traced, and
// resumes the task.
func (t *Tracer) entry(tk *task, si *syscallInfo) {
	if !t.enter(tk, si) {
		t.resume(tk, 0)
		return
	}
	// The launcher's execve of the command is the command's start, never tampered with (nor
	// counted), as strace leaves its child's first execve alone.
	injected := t.injections != nil && !tk.commandExec && t.tamper(tk, si.op)
	t.ev = Event{Kind: SyscallEntry, Tid: tk.tid, Pid: tk.pid, Arch: tk.arch, Nr: tk.nr, Args: tk.args,
		Injected: injected, Delayed: tk.delayed, Task: Task{tk.tid}}
	t.report(tk, false)
}

// enter notes the call a task entered and reports whether it is one to report.
func (t *Tracer) enter(tk *task, si *syscallInfo) bool {
	if tk.launching {
		if si.arch != nativeAudit || si.nr() != unix.SYS_EXECVE {
			return false // the launcher's own calls before it runs the command
		}
		tk.launching, tk.commandExec = false, true
		if err := setOptions(tk.tid, t.commandOptions()); err != nil {
			return false
		}
	}
	if tk.execFailed || !t.isTraced(si.arch, si.nr()) {
		return false
	}
	tk.inSyscall = true
	tk.arch, tk.nr, tk.args = si.arch, si.nr(), si.args()
	return true
}

// exit makes the event of a traced call's exit, giving a tampered call its injected result.
func (t *Tracer) exit(tk *task, si *syscallInfo) {
	tk.inSyscall = false
	t.ev = Event{Kind: SyscallExit, Tid: tk.tid, Pid: tk.pid, Arch: tk.arch, Nr: tk.nr, Args: tk.args,
		Ret: si.rval(), IsError: si.isError(), Task: Task{tk.tid}}
	if tk.injection != nil {
		t.ev.Ret, t.ev.IsError = t.injectResult(tk)
		t.ev.Injected = true
	}
	t.ev.Delayed, tk.delayed = tk.delayed, false
}

// report hands the entry or exit event in t.ev to the handler and resumes the task: first,
// where the handler needs nothing of it stopped (Options.ResumeFirst).
func (t *Tracer) report(tk *task, exit bool) {
	sig := tk.takeInjectSignal(exit)
	delay := tk.takeDelay(exit)
	if delay == 0 && t.opts.ResumeFirst != nil && t.opts.ResumeFirst(t.ev.Arch, t.ev.Nr, exit) {
		t.resume(tk, sig)
		t.handler(&t.ev)
		return
	}
	t.handler(&t.ev)
	if delay > 0 {
		t.hold(tk, sig, delay)
		return
	}
	t.resume(tk, sig)
}

// commandExecEnded sees the launcher's execve of the command return, which it does only when it
// failed (a successful one ends at the exec event, see execStop). Its exit is awaited whether or
// not execve is in the traced set (resume stops it there), so a narrow -e trace= still learns
// that the command never ran.
func (t *Tracer) commandExecEnded(tk *task, si *syscallInfo) {
	tk.commandExec = false
	if si.isError() {
		tk.execFailed = true
		t.status.ExecErr = unix.Errno(-si.rval())
	}
}

// eventStop handles PTRACE_EVENT_STOP: a group-stop, or a stop without a signal (the first stop
// of a new task, or one that PTRACE_INTERRUPT asked for).
func (t *Tracer) eventStop(tk *task, sig unix.Signal) {
	// A group-stop reports its stop signal; the other PTRACE_EVENT_STOPs (a new task's first
	// stop, PTRACE_INTERRUPT) report SIGTRAP. (PTRACE_GETSIGINFO no longer tells them apart:
	// recent kernels answer it for group-stops too.)
	isGroupStop := false
	switch sig {
	case unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		isGroupStop = true
	}
	if !isGroupStop {
		t.resume(tk, 0)
		return
	}
	t.ev = Event{Kind: GroupStop, Tid: tk.tid, Pid: tk.pid, Signal: int(sig), Task: Task{tk.tid}}
	t.handler(&t.ev)
	tk.listening = true
	// PTRACE_LISTEN keeps the task stopped, as it would be untraced, while letting the tracer
	// hear of its SIGCONT or of new signals.
	if err := listen(tk.tid); err != nil && err != unix.ESRCH {
		t.resume(tk, 0)
	}
}

// forkStop reports a new task. The child announces itself with its own first stop; until
// then it is waited for.
func (t *Tracer) forkStop(tk *task, event int) {
	if msg, err := eventMsg(tk.tid); err == nil {
		child := int(msg)
		a := announcement{pid: child, parent: tk.tid, ownFilter: tk.ownFilter}
		if event == eventClone && isThreadOf(tk.pid, child) {
			a.pid = tk.pid
		}
		if t.tasks[child] == nil {
			t.announced[child] = a
		}
		t.ev = Event{Kind: Fork, Tid: tk.tid, Pid: tk.pid, Child: child, ChildPid: a.pid, Task: Task{tk.tid}}
		t.handler(&t.ev)
		if c := t.tasks[child]; c != nil && c.held {
			c.held = false
			t.resume(c, 0)
		}
	}
	t.resume(tk, 0)
}

// releaseHeld resumes the children that wait for a fork event which will not come: their
// creator ended first.
func (t *Tracer) releaseHeld() {
	for _, c := range t.tasks {
		if c.held {
			c.held = false
			t.resume(c, 0)
		}
	}
}

func (t *Tracer) exitStop(tk *task) {
	if !tk.launching && !tk.execFailed {
		t.ev = Event{Kind: Exiting, Tid: tk.tid, Pid: tk.pid, LastTask: true, Task: Task{tk.tid}}
		if msg, err := eventMsg(tk.tid); err == nil {
			t.ev.Status = int(msg)
		}
		for _, other := range t.tasks {
			if other.pid == tk.pid && other != tk {
				t.ev.LastTask = false
				break
			}
		}
		t.handler(&t.ev)
	}
	t.resume(tk, 0)
}

func (t *Tracer) execStop(tk *task) {
	if tk.launching {
		// The launcher's own execve of mmtrace can still be finishing when it is seized:
		// fork-exec returns once the close-on-exec descriptors are closed, before the end.
		t.resume(tk, 0)
		return
	}
	former := tk.tid
	if msg, err := eventMsg(tk.tid); err == nil {
		former = int(msg)
	}
	if former != tk.tid {
		// A non-leader thread ran execve: it now has the leader's tid, and the old leader is
		// gone without an exit report.
		if execer := t.tasks[former]; execer != nil {
			delete(t.tasks, former)
			execer.tid = tk.tid
			t.tasks[tk.tid] = execer
			tk = execer
		}
	}
	commandStart := tk.commandExec
	tk.commandExec = false // it ran: nothing more to await of the launcher
	t.ev = Event{Kind: Exec, Tid: tk.tid, Pid: tk.pid, FormerTid: former, Task: Task{tk.tid}}
	t.handler(&t.ev)
	if t.opts.DetachOnExec && !commandStart {
		t.ev = Event{Kind: Detached, Tid: tk.tid, Pid: tk.pid, Task: Task{tk.tid}}
		if tk.inSyscall {
			t.ev.InSyscall, t.ev.Arch, t.ev.Nr, t.ev.Args = true, tk.arch, tk.nr, tk.args
		}
		t.handler(&t.ev)
		t.detachTask(tk, 0)
		t.leaderDetached = t.leaderDetached || tk.tid == t.leader
		return
	}
	t.resume(tk, 0)
}

func (t *Tracer) signalStop(tk *task, sig unix.Signal) {
	if err := getSiginfo(tk.tid, &t.siginfo); err != nil {
		t.resume(tk, int(sig))
		return
	}
	if !tk.launching && !tk.execFailed {
		t.ev = Event{Kind: Signal, Tid: tk.tid, Pid: tk.pid, Signal: int(sig), Siginfo: &t.siginfo, Task: Task{tk.tid}}
		t.handler(&t.ev)
	}
	t.resume(tk, int(sig))
}

func (t *Tracer) ended(tk *task, ws unix.WaitStatus) {
	delete(t.tasks, tk.tid)
	t.releaseHeld()
	t.ev = Event{Tid: tk.tid, Pid: tk.pid, Task: Task{tk.tid}}
	if tk.inSyscall {
		t.ev.InSyscall, t.ev.Arch, t.ev.Nr, t.ev.Args = true, tk.arch, tk.nr, tk.args
	}
	var st ExitStatus
	if ws.Exited() {
		t.ev.Kind, t.ev.Status = Exited, ws.ExitStatus()
		st.Code = ws.ExitStatus()
	} else {
		t.ev.Kind, t.ev.Signal, t.ev.CoreDumped = Killed, int(ws.Signal()), ws.CoreDump()
		st.Signal, st.CoreDumped = int(ws.Signal()), ws.CoreDump()
	}
	if tk.tid == t.leader {
		st.ExecErr = t.status.ExecErr
		t.status = st
	}
	if !tk.launching {
		t.handler(&t.ev)
	}
}

// resume restarts a stopped task. With the seccomp filter a task runs freely (PTRACE_CONT)
// except between a traced call's entry and its exit, or the launcher's execve of the command and
// its exit; without it every call must stop.
func (t *Tracer) resume(tk *task, sig int) {
	var err error
	if t.opts.Seccomp && !tk.inSyscall && !tk.commandExec && !tk.ownFilter {
		err = resumeCont(tk.tid, sig)
	} else {
		err = resumeSyscall(tk.tid, sig)
	}
	if err != nil && !errors.Is(err, unix.ESRCH) {
		// ESRCH: killed while stopped; its end is reported by wait4. Anything else would leave
		// the task stopped for good, so fall back to a plain continue.
		_ = resumeCont(tk.tid, sig)
	}
}
