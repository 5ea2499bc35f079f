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

// defaultSigchld sets SIGCHLD's disposition to SIG_DFL and returns a function that puts the
// previous one back.
func defaultSigchld() (restore func()) {
	var old sigaction
	dfl := sigaction{}
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGCHLD),
		uintptr(unsafe.Pointer(&dfl)), uintptr(unsafe.Pointer(&old)), unsafe.Sizeof(dfl.mask), 0, 0)
	if e != 0 {
		return func() {}
	}
	return func() {
		unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGCHLD),
			uintptr(unsafe.Pointer(&old)), 0, unsafe.Sizeof(old.mask), 0, 0)
	}
}

// setDefaultAction sets sig's disposition to SIG_DFL behind the Go runtime's back: the
// launcher does it just before its execve, for the signals the tracer ignores.
func setDefaultAction(sig unix.Signal) {
	dfl := sigaction{}
	unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&dfl)), 0, unsafe.Sizeof(dfl.mask), 0, 0)
}
