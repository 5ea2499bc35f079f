package seccomp

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Install loads prog for the calling thread only (no TSYNC) with
// seccomp(SECCOMP_SET_MODE_FILTER). The filter is inherited by the threads and
// processes the thread creates afterwards and survives execve, which is the
// point: the stub calls Install and then execve on the same locked OS thread.
//
// PR_SET_NO_NEW_PRIVS is set only when the calling thread lacks CAP_SYS_ADMIN
// in its user namespace: the kernel demands one or the other, and
// NO_NEW_PRIVS would make setuid programs in the traced tree run without their
// privileges, which root does not need to pay for.
//
// Install does not allocate once the filter is live: everything it needs is
// computed before the seccomp call, which is its last action on success, and
// prog's memory is the caller's. The caller must hold the thread
// (runtime.LockOSThread), or the filter lands on whichever thread the
// goroutine happens to run on. Errors wrap their cause.
func Install(prog []unix.SockFilter) error {
	if len(prog) == 0 {
		return errors.New("seccomp: empty filter")
	}
	if len(prog) > unix.BPF_MAXINSNS {
		return fmt.Errorf("%w: %d instructions", ErrTooLong, len(prog))
	}
	admin, err := HasSysAdmin()
	if err != nil {
		return err
	}
	if !admin {
		// Raw: no scheduler hooks between here and execve on the stub's
		// path, and prctl never blocks.
		_, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0)
		if e != 0 {
			return fmt.Errorf("seccomp: prctl(PR_SET_NO_NEW_PRIVS): %w", e)
		}
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0,
		uintptr(unsafe.Pointer(&fprog)))
	if e != 0 {
		// The filter was refused, so allocating the error is safe.
		return fmt.Errorf("seccomp: seccomp(SECCOMP_SET_MODE_FILTER): %w", e)
	}
	return nil
}

// HasSysAdmin reports whether the calling thread has CAP_SYS_ADMIN in its
// effective set, in its own user namespace: the test the kernel applies to
// decide whether a filter may be loaded without PR_SET_NO_NEW_PRIVS.
// Capabilities are per thread, so call it from the thread that will install
// the filter.
func HasSysAdmin() (bool, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3} // Pid 0: this thread
	var data [2]unix.CapUserData                                        // version 3 uses two words
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false, fmt.Errorf("seccomp: capget: %w", err)
	}
	const bit = unix.CAP_SYS_ADMIN
	return data[bit/32].Effective&(1<<(bit%32)) != 0, nil
}
