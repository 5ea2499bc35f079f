package ptrace

import (
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// Injection tampers with one traced call, as strace's -e inject= and -e fault= do: at the
// chosen invocations the call is not run (Skip: its number is replaced by -1 at its entry,
// which the kernel skips, failing it with ENOSYS, and its result is replaced at its exit),
// or a signal is sent to the task, or both.
type Injection struct {
	Arch uint32 // AUDIT_ARCH_* of the call
	Nr   uint64
	// Skip: the call is not run; it fails with Errno if not 0, else returns Retval.
	Skip   bool
	Errno  uint64
	Retval int64
	// RunInstead, if not 0, is the number of a call without effects the kernel runs in place
	// of the skipped one (strace's syscall=), whose result is then replaced all the same.
	RunInstead uint64
	// Signal, if not 0, is sent as the task resumes from the call's entry stop, as strace
	// sends it (the kernel queues it with si_code SI_KERNEL), so it is pending while the call
	// runs. A signal given at a seccomp stop is lost, so with the seccomp filter it is sent
	// at the call's exit instead: strace 6.1 --seccomp-bpf loses it.
	Signal int
	// Delayed: the task is held, stopped, for DelayEnter at the call's entry and DelayExit at
	// its exit (strace's delay_enter= and delay_exit=), while the others run on; the events
	// say so even of delays of 0.
	Delayed               bool
	DelayEnter, DelayExit time.Duration
	// First, Last, Step choose the invocations, counted from 1 per task: First, then every
	// Step-th one after it up to Last (0: no end). Step 0: First alone.
	First, Last, Step uint64
}

// chooses tells whether the task's n-th invocation of the call is tampered with.
func (inj *Injection) chooses(n uint64) bool {
	switch {
	case n < inj.First, inj.Last != 0 && n > inj.Last:
		return false
	case inj.Step == 0:
		return n == inj.First
	}
	return (n-inj.First)%inj.Step == 0
}

// result is what the tampered call returns, as the event reports it.
func (inj *Injection) result() (ret int64, isError bool) {
	if inj.Errno != 0 {
		return -int64(inj.Errno), true
	}
	return inj.Retval, false
}

type injectKey struct {
	arch uint32
	nr   uint64
}

// tamper counts the call the task entered at a stop of kind op (opEntry or opSeccomp) and,
// if it is one to tamper with, keeps the kernel from running it or readies the signal to
// send. It tells whether the call is skipped.
func (t *Tracer) tamper(tk *task, op uint8) bool {
	i, ok := t.injections[injectKey{tk.arch, tk.nr}]
	if !ok {
		return false
	}
	if tk.invocations == nil {
		tk.invocations = make([]uint64, len(t.opts.Inject))
	}
	tk.invocations[i]++
	inj := &t.opts.Inject[i]
	if !inj.chooses(tk.invocations[i]) {
		return false
	}
	if inj.Signal != 0 {
		tk.injectSignal, tk.injectSignalAtExit = inj.Signal, op != opEntry
	}
	if inj.Delayed {
		tk.delayed, tk.delayEnter, tk.delayExit = true, inj.DelayEnter, inj.DelayExit
	}
	if !inj.Skip {
		return false
	}
	nr := ^uint64(0) // -1: no call
	if inj.RunInstead != 0 {
		nr = inj.RunInstead
	}
	if err := setSyscallNr(tk.tid, nr); err != nil {
		return false // gone (ESRCH): the call's end is never seen
	}
	tk.injection = inj
	return true
}

// takeInjectSignal returns the signal to resume the task with from a traced call's entry
// (exit false) or exit stop, once: 0 if none.
func (tk *task) takeInjectSignal(exit bool) int {
	sig := tk.injectSignal
	if sig == 0 || tk.injectSignalAtExit != exit {
		return 0
	}
	tk.injectSignal = 0
	return sig
}

// takeDelay returns how long to hold the task at a traced call's entry (exit false) or exit
// stop, once: 0 if not at all.
func (tk *task) takeDelay(exit bool) time.Duration {
	d := &tk.delayEnter
	if exit {
		d = &tk.delayExit
	}
	delay := *d
	*d = 0
	return delay
}

// heldTask is a task held stopped for a delay, to be resumed with sig at the time at.
type heldTask struct {
	tk  *task
	sig int
	at  time.Time
}

// hold keeps the task stopped for d, then resumes it with sig (see wait).
func (t *Tracer) hold(tk *task, sig int, d time.Duration) {
	h := heldTask{tk, sig, time.Now().Add(d)}
	i, _ := slices.BinarySearchFunc(t.heldTasks, h.at, func(h heldTask, at time.Time) int { return h.at.Compare(at) })
	t.heldTasks = slices.Insert(t.heldTasks, i, h)
}

// resumeHeld resumes the held tasks whose time has come, or all of them.
func (t *Tracer) resumeHeld(all bool) {
	now := time.Now()
	n := 0
	for ; n < len(t.heldTasks) && (all || !t.heldTasks[n].at.After(now)); n++ {
		if h := t.heldTasks[n]; t.tasks[h.tk.tid] == h.tk { // not ended meanwhile
			t.resume(h.tk, h.sig)
		}
	}
	t.heldTasks = slices.Delete(t.heldTasks, 0, n)
}

// heldPoll is how often the tracer looks for stops while it holds a task for a delay: wait4
// cannot wait with a time limit.
const heldPoll = time.Millisecond

// wait waits for the next stop of any task. While tasks are held for a delay it polls,
// resuming each when its time comes; Stop cuts the delays short.
func (t *Tracer) wait(ws *unix.WaitStatus) (int, error) {
	for len(t.heldTasks) > 0 {
		t.resumeHeld(t.stopping.Load())
		if len(t.heldTasks) == 0 {
			break
		}
		if tid, err := unix.Wait4(-1, ws, unix.WALL|unix.WNOHANG, nil); err != nil || tid > 0 {
			return tid, err
		}
		time.Sleep(min(heldPoll, time.Until(t.heldTasks[0].at)))
	}
	return unix.Wait4(-1, ws, unix.WALL, nil)
}

// injectResult sets the result of the tampered call the task is leaving and returns it.
func (t *Tracer) injectResult(tk *task) (ret int64, isError bool) {
	ret, isError = tk.injection.result()
	tk.injection = nil
	setReturn(tk.tid, ret) // ESRCH: killed at the exit stop, nothing will read it
	return ret, isError
}
