package ptrace

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The kernel sends the tracer a SIGCHLD for every stop of every tracee. The Go runtime has a
// handler for SIGCHLD (for os/signal), so each stop would also deliver a signal to some
// thread of the tracer: a signal frame, an FPU save and restore, often the wakeup of an idle
// thread; measured here, that made each stop cost about twice what it costs strace. With the
// default disposition the kernel drops SIGCHLD when it is generated. It is not SIG_IGN, which
// would reap children automatically and take their exit statuses away from wait4.
//
// sigaction is the kernel's struct sigaction (handler, flags, restorer, mask).
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// rtSigaction sets sig's disposition to act (nil: leaves it) and stores the former one in old
// (nil: not wanted), with the raw system call, behind the Go runtime's back.
func rtSigaction(sig unix.Signal, act, old *sigaction) unix.Errno {
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(act)),
		uintptr(unsafe.Pointer(old)), unsafe.Sizeof(sigaction{}.mask), 0, 0)
	return e
}

// defaultSigchld sets SIGCHLD's disposition to SIG_DFL and returns a function that puts the
// previous one back.
func defaultSigchld() (restore func()) {
	var old sigaction
	if rtSigaction(unix.SIGCHLD, &sigaction{}, &old) != 0 {
		return func() {}
	}
	return func() { rtSigaction(unix.SIGCHLD, &old, nil) }
}

// SetDefaultAction sets sig's disposition to SIG_DFL behind the Go runtime's back, which
// keeps handlers of its own for some signals: for a process about to execve (the launcher,
// for the signals the tracer ignores) or to kill itself by sig.
func SetDefaultAction(sig unix.Signal) { rtSigaction(sig, &sigaction{}, nil) }
