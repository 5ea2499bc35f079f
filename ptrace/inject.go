package ptrace

// Injection tampers with one traced call, as strace's -e inject= and -e fault= do: at the
// chosen invocations the call is not run (its number is replaced by -1 at its entry, which
// the kernel skips, failing it with ENOSYS) and its result is replaced at its exit.
type Injection struct {
	Arch uint32 // AUDIT_ARCH_* of the call
	Nr   uint64
	// Errno, when not 0, is the error the call fails with; otherwise it returns Retval.
	Errno  uint64
	Retval int64
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

// tamper counts the call the task entered and, if it is one to tamper with, keeps the kernel
// from running it. It tells whether it did.
func (t *Tracer) tamper(tk *task) bool {
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
	if err := skipSyscall(tk.tid); err != nil {
		return false // gone (ESRCH): the call's end is never seen
	}
	tk.injection = inj
	return true
}

// injectResult sets the result of the tampered call the task is leaving and returns it.
func (t *Tracer) injectResult(tk *task) (ret int64, isError bool) {
	ret, isError = tk.injection.result()
	tk.injection = nil
	setReturn(tk.tid, ret) // ESRCH: killed at the exit stop, nothing will read it
	return ret, isError
}
