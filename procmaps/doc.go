// Package procmaps reads and classifies the address space of a Linux process: the regions of
// /proc/PID/maps, the memory each one uses from /proc/PID/smaps, the sums of smaps_rollup, and
// the one region that holds an address (the PROCMAP_QUERY ioctl where the kernel has it).
//
// Every region gets one of the four kinds of mapping that mmap's documentation is built on: a
// mapping is backed by a file or anonymous, and shared (MAP_SHARED) or private (MAP_PRIVATE),
// giving file-shared, file-private, anon-shared and anon-private. A Role then says what the
// region is used for: heap, stack, vdso, memfd, SysV or POSIX shared memory, hugetlb, a deleted
// file, a device, a guard area, and so on.
//
// The kernel's text is ambiguous in places and this package resolves it the same way every
// time: names are the rest of the line (they may hold spaces), "\012" is a newline, a trailing
// " (deleted)" marks an unlinked file, and shared anonymous memory is recognized by the device
// of the kernel's internal shmem file system, which is learned at run time, never assumed.
//
// Regions is sorted by address, so a region is found by binary search; it is the snapshot
// type and also the natural base for a model of an address space kept up to date by applying
// mmap, munmap, mprotect, mremap and brk.
//
// The package reads and computes; it never prints or exits.
package procmaps
