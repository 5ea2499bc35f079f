package ptrace

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// setSyscallNr changes the call the task is entering, at its syscall-entry or seccomp stop:
// an orig_rax of -1 is no call, which the kernel skips, leaving rax at -ENOSYS. The registers
// are those of a 64-bit tracer, for an i386 task too.
func setSyscallNr(tid int, nr uint64) error {
	var regs unix.PtraceRegs
	if err := ptrace(unix.PTRACE_GETREGS, tid, 0, uintptr(unsafe.Pointer(&regs))); err != nil {
		return err
	}
	regs.Orig_rax = nr
	return ptrace(unix.PTRACE_SETREGS, tid, 0, uintptr(unsafe.Pointer(&regs)))
}

// setReturn sets the return value of the call the task is leaving (-errno for a failure).
func setReturn(tid int, ret int64) error {
	var regs unix.PtraceRegs
	if err := ptrace(unix.PTRACE_GETREGS, tid, 0, uintptr(unsafe.Pointer(&regs))); err != nil {
		return err
	}
	regs.Rax = uint64(ret)
	return ptrace(unix.PTRACE_SETREGS, tid, 0, uintptr(unsafe.Pointer(&regs)))
}
