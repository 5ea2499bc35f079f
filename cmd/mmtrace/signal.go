package main

import (
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/mmtrace/mmtrace/ptrace"
)

// dieBySignal ends mmtrace by the signal that killed the traced command, as strace does, so
// that a shell or a supervisor sees the command's own death. The Go runtime keeps handlers
// for some signals (SIGSEGV, SIGBUS, ...), so the default action is restored with a raw
// rt_sigaction (ptrace.SetDefaultAction). No core is dumped: the command's core, if any, is
// the one that matters.
func dieBySignal(sig int) {
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	runtime.LockOSThread()
	ptrace.SetDefaultAction(unix.Signal(sig))
	set := uint64(1) << (sig - 1)
	unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_UNBLOCK, uintptr(unsafe.Pointer(&set)), 0, 8, 0, 0)
	unix.Tgkill(os.Getpid(), unix.Gettid(), unix.Signal(sig))
	// Signals whose default is to be ignored (SIGCHLD, SIGWINCH, ...) cannot kill: report the
	// shell's 128+N instead.
	os.Exit(128 + sig)
}
