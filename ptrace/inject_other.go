//go:build !amd64

package ptrace

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// reqSetSyscallInfo is PTRACE_SET_SYSCALL_INFO (Linux 6.16): it changes a stopped call's
// number, arguments or result in the layout PTRACE_GET_SYSCALL_INFO reads, on every
// architecture.
const reqSetSyscallInfo = 0x4212

// setSyscallNr changes the call the task is entering: number -1 is no call, which the
// kernel skips.
func setSyscallNr(tid int, nr uint64) error {
	var si syscallInfo
	if err := getSyscallInfo(tid, &si); err != nil {
		return err
	}
	if si.op != opEntry && si.op != opSeccomp {
		return unix.EINVAL
	}
	si.union[0] = nr
	return setSyscallInfo(tid, &si)
}

// setReturn sets the return value of the call the task is leaving (-errno for a failure).
func setReturn(tid int, ret int64) error {
	var si syscallInfo
	if err := getSyscallInfo(tid, &si); err != nil {
		return err
	}
	if si.op != opExit {
		return unix.EINVAL
	}
	si.union[0] = uint64(ret)
	si.union[1] = 0
	if ret < 0 && ret >= -4095 {
		si.union[1] = 1 // is_error
	}
	return setSyscallInfo(tid, &si)
}

func setSyscallInfo(tid int, si *syscallInfo) error {
	return ptrace(reqSetSyscallInfo, tid, unsafe.Sizeof(*si), uintptr(unsafe.Pointer(si)))
}
