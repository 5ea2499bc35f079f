package ptrace

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

// injectResult sets the result of the tampered call the task is leaving and returns it.
func (t *Tracer) injectResult(tk *task) (ret int64, isError bool) {
	ret, isError = tk.injection.result()
	tk.injection = nil
	setReturn(tk.tid, ret) // ESRCH: killed at the exit stop, nothing will read it
	return ret, isError
}
