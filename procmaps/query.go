package procmaps

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PROCMAP_QUERY (Linux 6.11) asks the kernel for the one region that holds an address,
// on an open /proc/PID/maps: about 1.4 us, where reading the text of a process with tens
// of thousands of regions takes milliseconds. x/sys/unix does not have it yet.
const procmapQuery = 0xC0686611 // _IOWR('f', 17, struct procmap_query)

// Bits of procmapQueryArg.vmaFlags.
const (
	queryReadable   = 0x01
	queryWritable   = 0x02
	queryExecutable = 0x04
	queryShared     = 0x08
)

// procmapQueryArg is struct procmap_query of <linux/fs.h>: 104 bytes.
type procmapQueryArg struct {
	size        uint64
	queryFlags  uint64
	queryAddr   uint64
	vmaStart    uint64
	vmaEnd      uint64
	vmaFlags    uint64
	vmaPageSize uint64
	vmaOffset   uint64
	inode       uint64
	devMajor    uint32
	devMinor    uint32
	vmaNameSize uint32
	buildIDSize uint32
	vmaNameAddr uint64
	buildIDAddr uint64
}

// Querier finds the region that holds an address in a live process. It keeps
// /proc/PID/maps open, uses PROCMAP_QUERY where the kernel has it, and reads the text
// where it does not.
type Querier struct {
	f       *os.File
	pid     int
	shmem   Dev
	noIoctl bool   // the kernel answered ENOTTY or EINVAL once: use the text from then on
	name    []byte // the ioctl's name buffer, reused
}

// OpenQuerier opens the maps of process pid for lookups.
func OpenQuerier(pid int) (*Querier, error) {
	shmem, _ := ShmemDevice()
	q, err := openQuerier(fmt.Sprintf("/proc/%d/maps", pid), shmem)
	if err != nil {
		return nil, fmt.Errorf("read maps of %d: %w", pid, openError(err))
	}
	q.pid = pid
	return q, nil
}

func openQuerier(path string, shmem Dev) (*Querier, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &Querier{f: f, shmem: shmem, name: make([]byte, 8192)}, nil
}

// Close closes the maps file.
func (q *Querier) Close() error { return q.f.Close() }

// UsesIoctl reports whether lookups go through PROCMAP_QUERY (after at least one lookup).
func (q *Querier) UsesIoctl() bool { return !q.noIoctl }

// RegionAt returns the classified region that holds addr, and false if none does.
func (q *Querier) RegionAt(addr uint64) (Region, bool, error) {
	if !q.noIoctl {
		r, ok, err := q.ioctl(addr)
		if err == nil && !ok && addr >= gateStart {
			// The vsyscall page is the "gate" area, outside the tree of regions the ioctl
			// searches, though maps shows it: ask the text.
			return q.textRegionAt(addr)
		}
		if err == nil {
			r.Classify(q.shmem)
			return r, ok, nil
		}
		if errors.Is(err, unix.ESRCH) && q.pid != 0 {
			// The process has no mm: a kernel thread or a zombie (or it is gone).
			return Region{}, false, NewProc(q.pid).noRegions()
		}
		if !errors.Is(err, unix.ENOTTY) && !errors.Is(err, unix.EINVAL) {
			return Region{}, false, q.wrap(err)
		}
		q.noIoctl = true
	}
	return q.textRegionAt(addr)
}

// gateStart is where the kernel half of the address space begins; no user region lies
// above it, only the gate area.
const gateStart = 1 << 63

func (q *Querier) textRegionAt(addr uint64) (Region, bool, error) {
	// The text: seq files can be re-read from the start on the same descriptor.
	if _, err := q.f.Seek(0, io.SeekStart); err != nil {
		return Region{}, false, q.wrap(err)
	}
	rs, err := ParseMaps(q.f)
	if err != nil {
		return Region{}, false, q.wrap(err)
	}
	r, ok := rs.Find(addr)
	if !ok {
		return Region{}, false, nil
	}
	r.Classify(q.shmem)
	return *r, true, nil
}

func (q *Querier) wrap(err error) error {
	return fmt.Errorf("look up address in maps of %d: %w", q.pid, err)
}

func (q *Querier) ioctl(addr uint64) (Region, bool, error) {
	arg := procmapQueryArg{
		size:        uint64(unsafe.Sizeof(procmapQueryArg{})),
		queryAddr:   addr,
		vmaNameSize: uint32(len(q.name)),
		vmaNameAddr: uint64(uintptr(unsafe.Pointer(&q.name[0]))),
	}
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, q.f.Fd(), procmapQuery, uintptr(unsafe.Pointer(&arg)))
	runtime.KeepAlive(q.name)
	if errno == unix.ENOENT {
		return Region{}, false, nil // no region at addr
	}
	if errno != 0 {
		return Region{}, false, errno
	}
	r := Region{
		Start:  arg.vmaStart,
		End:    arg.vmaEnd,
		Offset: arg.vmaOffset,
		Dev:    Dev{arg.devMajor, arg.devMinor},
		Inode:  arg.inode,
	}
	for _, f := range [...]struct {
		bit  uint64
		perm Perms
	}{{queryReadable, PermRead}, {queryWritable, PermWrite}, {queryExecutable, PermExec}, {queryShared, PermShared}} {
		if arg.vmaFlags&f.bit != 0 {
			r.Perms |= f.perm
		}
	}
	if n := arg.vmaNameSize; n > 0 {
		// The size counts the terminating NUL. Unlike the text, the name is not escaped.
		name := string(q.name[:n-1])
		const deleted = " (deleted)"
		if len(name) > len(deleted) && name[len(name)-len(deleted):] == deleted {
			name, r.Deleted = name[:len(name)-len(deleted)], true
		}
		r.Name = name
	}
	return r, true, nil
}
