package ptrace

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Task gives access to a stopped task's memory and file descriptors. Its methods work from
// any thread: process_vm_readv checks ptrace access, not the calling thread.
type Task struct {
	Tid int
}

// ReadMemory copies tracee memory at addr into p. It returns fewer bytes than len(p) when the
// range runs into unmapped memory.
func (t Task) ReadMemory(addr uint64, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := t.readv(addr, p)
	if err == nil {
		return n, nil
	}
	// process_vm_readv fails as a whole when the first page is unreadable, and a range that
	// crosses into an unmapped page may fail too: retry up to the end of the first page so a
	// string that ends just before an unmapped page can still be read.
	pageEnd := (addr | uint64(os.Getpagesize()-1)) + 1
	if uint64(len(p)) > pageEnd-addr {
		if n, err2 := t.readv(addr, p[:pageEnd-addr]); err2 == nil {
			return n, nil
		}
	}
	return 0, err
}

func (t Task) readv(addr uint64, p []byte) (int, error) {
	local := []unix.Iovec{{Base: &p[0]}}
	local[0].SetLen(len(p))
	remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(p)}}
	return unix.ProcessVMReadv(t.Tid, local, remote, 0)
}

// FdPath returns what the task's file descriptor fd refers to, as /proc/PID/fd shows it;
// for AT_FDCWD, its working directory.
func (t Task) FdPath(fd int) (string, error) {
	if fd == unix.AT_FDCWD {
		return os.Readlink("/proc/" + strconv.Itoa(t.Tid) + "/cwd")
	}
	return os.Readlink("/proc/" + strconv.Itoa(t.Tid) + "/fd/" + strconv.Itoa(fd))
}
