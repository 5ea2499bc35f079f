package procmaps

import (
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ShmemDevice returns the device of the kernel's internal shmem mount on this machine: the
// device that shared anonymous memory, memfd and SysV segments show in maps (00:01 on many
// kernels, but nothing promises it). It is learned once, by mapping a page of shared
// anonymous memory and asking the kernel where that page lives.
func ShmemDevice() (Dev, error) {
	return shmemOnce()
}

var shmemOnce = sync.OnceValues(probeShmemDevice)

func probeShmemDevice() (Dev, error) {
	page := os.Getpagesize()
	b, err := unix.Mmap(-1, 0, page, unix.PROT_READ, unix.MAP_SHARED|unix.MAP_ANONYMOUS)
	if err != nil {
		return Dev{}, fmt.Errorf("probe shmem device: %w", err)
	}
	defer unix.Munmap(b)
	addr := uint64(uintptr(unsafe.Pointer(&b[0])))
	q, err := openQuerier("/proc/self/maps", Dev{})
	if err != nil {
		return Dev{}, fmt.Errorf("probe shmem device: %w", err)
	}
	defer q.Close()
	r, ok, err := q.RegionAt(addr)
	if err != nil {
		return Dev{}, fmt.Errorf("probe shmem device: %w", err)
	}
	if !ok || r.Dev.IsZero() {
		return Dev{}, fmt.Errorf("probe shmem device: shared anonymous page at %#x not found in /proc/self/maps", addr)
	}
	return r.Dev, nil
}

// InferShmemDevice finds the shmem device in regions read elsewhere (a saved maps file from
// another machine) from the regions only shmem can hold: shared anonymous memory
// ("/dev/zero (deleted)", shared), then memfd and SysV segments not on hugetlbfs.
func InferShmemDevice(rs Regions) (Dev, bool) {
	for i := range rs {
		r := &rs[i]
		if r.Name == "/dev/zero" && r.Deleted && r.Perms.Shared() && r.Dev.Major == 0 && !r.Dev.IsZero() {
			return r.Dev, true
		}
	}
	for i := range rs {
		r := &rs[i]
		if r.Deleted && r.Dev.Major == 0 && !r.Dev.IsZero() &&
			(len(r.Name) > 7 && r.Name[:7] == "/memfd:" || isSysVName(r.Name)) &&
			(r.Usage == nil || !r.Usage.hugetlb()) {
			return r.Dev, true
		}
	}
	return Dev{}, false
}
