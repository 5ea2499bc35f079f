package main

import (
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
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

// endingSignal catches the signals that end a trace, for mmtrace to act on them and then die
// of the first one received, as strace does.
type endingSignal struct {
	ch   chan os.Signal
	done chan struct{}
	sig  atomic.Int32
}

// catch calls act for each of sigs received until stop, on a goroutine of its own.
func (e *endingSignal) catch(act func(unix.Signal), sigs ...os.Signal) {
	e.ch, e.done = make(chan os.Signal, 1), make(chan struct{})
	signal.Notify(e.ch, sigs...)
	go func() {
		defer close(e.done)
		for sig := range e.ch {
			s := sig.(unix.Signal)
			e.sig.CompareAndSwap(0, int32(s))
			act(s)
		}
	}()
}

// stop stops catching; received is then final.
func (e *endingSignal) stop() {
	signal.Stop(e.ch)
	close(e.ch)
	<-e.done
}

// received is the first signal caught, 0 if none.
func (e *endingSignal) received() unix.Signal { return unix.Signal(e.sig.Load()) }
