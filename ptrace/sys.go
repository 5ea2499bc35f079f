package ptrace

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Requests, options and events that golang.org/x/sys/unix lacks helpers for; the values are
// the kernel's uapi ones (include/uapi/linux/ptrace.h).
const (
	reqSeize          = 0x4206
	reqInterrupt      = 0x4207
	reqListen         = 0x4208
	reqGetEventMsg    = 0x4201
	reqGetSiginfo     = 0x4202
	reqGetSyscallInfo = 0x420e

	optTraceSysGood = 0x1
	optTraceFork    = 0x2
	optTraceVfork   = 0x4
	optTraceClone   = 0x8
	optTraceExec    = 0x10
	optTraceExit    = 0x40
	optTraceSeccomp = 0x80
	optExitKill     = 0x100000

	eventFork    = 1
	eventVfork   = 2
	eventClone   = 3
	eventExec    = 4
	eventExit    = 6
	eventSeccomp = 7
	eventStop    = 128

	syscallStopSig = unix.SIGTRAP | 0x80 // with PTRACE_O_TRACESYSGOOD
)

// The op of struct ptrace_syscall_info.
const (
	opNone    = 0
	opEntry   = 1
	opExit    = 2
	opSeccomp = 3
)

// syscallInfo mirrors struct ptrace_syscall_info (88 bytes on every architecture). The union
// is read through the accessors below: entry and seccomp share nr and args, exit overlays rval
// and is_error on them.
type syscallInfo struct {
	op    uint8
	_     [3]uint8
	arch  uint32
	ip    uint64
	sp    uint64
	union [8]uint64 // nr, args[6], seccomp's ret_data | rval, is_error
}

func (si *syscallInfo) nr() uint64      { return si.union[0] }
func (si *syscallInfo) args() [6]uint64 { return [6]uint64(si.union[1:7]) }
func (si *syscallInfo) rval() int64     { return int64(si.union[0]) }
func (si *syscallInfo) isError() bool   { return si.union[1]&0xff != 0 }

// ptrace makes one request. Every request used here returns at once, so it is made as a raw
// system call, without telling the Go scheduler: that is a few hundred nanoseconds a stop.
func ptrace(req int, tid int, addr, data uintptr) error {
	_, _, e := unix.RawSyscall6(unix.SYS_PTRACE, uintptr(req), uintptr(tid), addr, data, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func seize(tid int, options uintptr) error { return ptrace(reqSeize, tid, 0, options) }
func interrupt(tid int) error              { return ptrace(reqInterrupt, tid, 0, 0) }
func listen(tid int) error                 { return ptrace(reqListen, tid, 0, 0) }
func resumeSyscall(tid, sig int) error     { return ptrace(unix.PTRACE_SYSCALL, tid, 0, uintptr(sig)) }
func resumeCont(tid, sig int) error        { return ptrace(unix.PTRACE_CONT, tid, 0, uintptr(sig)) }
func detach(tid, sig int) error            { return ptrace(unix.PTRACE_DETACH, tid, 0, uintptr(sig)) }

func eventMsg(tid int) (uint64, error) {
	var msg uint64
	err := ptrace(reqGetEventMsg, tid, 0, uintptr(unsafe.Pointer(&msg)))
	return msg, err
}

func getSiginfo(tid int, si *[128]byte) error {
	return ptrace(reqGetSiginfo, tid, 0, uintptr(unsafe.Pointer(si)))
}

func getSyscallInfo(tid int, si *syscallInfo) error {
	return ptrace(reqGetSyscallInfo, tid, unsafe.Sizeof(*si), uintptr(unsafe.Pointer(si)))
}
