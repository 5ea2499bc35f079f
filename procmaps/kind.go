package procmaps

import (
	"fmt"
	"strings"
)

// Kind is the two-by-two classification of a mapping: backed by a file or anonymous,
// shared or private.
//
// A region is anonymous when the kernel made zero-filled memory up for it: MAP_ANONYMOUS
// (shared anonymous memory lives in a shmem file the process never sees), brk, stacks,
// private /dev/zero (which the kernel turns into plain anonymous memory), SysV segments
// attached by shmat, and MAP_HUGETLB anonymous huge pages. It is file-backed when its pages
// come from a file the process named or was handed: a path, a memfd, a POSIX shm object, a
// device, an anon_inode. Shared means mapped MAP_SHARED (the 's' in maps).
type Kind uint8

const (
	FileShared Kind = iota
	FilePrivate
	AnonShared
	AnonPrivate
)

// Kinds lists the four kinds in the order tables show them.
var Kinds = [...]Kind{FileShared, FilePrivate, AnonShared, AnonPrivate}

var kindNames = [...]string{"file-shared", "file-private", "anon-shared", "anon-private"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// File reports whether the kind is backed by a file.
func (k Kind) File() bool { return k == FileShared || k == FilePrivate }

// Shared reports whether the kind is a shared mapping.
func (k Kind) Shared() bool { return k == FileShared || k == AnonShared }

// MarshalText makes a Kind its name in JSON.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// ParseKind parses "file-shared", "file-private", "anon-shared" or "anon-private".
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown kind %q (want one of %s)", s, strings.Join(kindNames[:], ", "))
}

// Role says what a region is used for, beyond its kind.
type Role uint8

const (
	RoleFile      Role = iota // an ordinary file
	RoleAnon                  // ordinary anonymous memory (malloc arenas, thread stacks, MAP_ANONYMOUS)
	RoleHeap                  // [heap]: the initial brk area
	RoleStack                 // [stack]: the main thread's stack
	RoleVDSO                  // [vdso]
	RoleVVar                  // [vvar], [vvar_vclock]: the vdso's data pages
	RoleVsyscall              // [vsyscall]
	RoleSpecial               // another [name] the kernel provides, such as [uprobes]
	RoleMemfd                 // memfd_create: /memfd:NAME (deleted)
	RoleSysVShm               // shmat: /SYSV<key> (deleted), inode = shmid
	RolePOSIXShm              // shm_open: a file under /dev/shm
	RoleHugetlb               // huge pages from hugetlbfs (MAP_HUGETLB, SHM_HUGETLB, MFD_HUGETLB, files)
	RoleDeleted               // a file that has been unlinked
	RoleDevice                // a device node under /dev
	RoleAnonInode             // anon_inode:[perf_event], [io_uring], ...
	RoleGuard                 // no access at all: guard pages, reserved address space
)

var roleNames = [...]string{
	RoleFile: "file", RoleAnon: "anon", RoleHeap: "heap", RoleStack: "stack",
	RoleVDSO: "vdso", RoleVVar: "vvar", RoleVsyscall: "vsyscall", RoleSpecial: "special",
	RoleMemfd: "memfd", RoleSysVShm: "sysv-shm", RolePOSIXShm: "posix-shm",
	RoleHugetlb: "hugetlb", RoleDeleted: "deleted", RoleDevice: "device",
	RoleAnonInode: "anon-inode", RoleGuard: "guard",
}

// Roles lists every role.
func Roles() []Role {
	rs := make([]Role, len(roleNames))
	for i := range rs {
		rs[i] = Role(i)
	}
	return rs
}

func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("Role(%d)", r)
}

// MarshalText makes a Role its name in JSON.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// ParseRole parses a role name such as "heap" or "sysv-shm".
func ParseRole(s string) (Role, error) {
	for i, n := range roleNames {
		if n == s {
			return Role(i), nil
		}
	}
	return 0, fmt.Errorf("unknown role %q (want one of %s)", s, strings.Join(roleNames[:], ", "))
}

// Classify sets Kind and Role of every region. shmem is the device of the kernel's internal
// shmem file system (see ShmemDevice and InferShmemDevice): shared anonymous memory, memfd
// and SysV segments are files on it, and it is what tells them from ordinary files that
// happen to have similar names.
func (rs Regions) Classify(shmem Dev) {
	for i := range rs {
		rs[i].Classify(shmem)
	}
}

// Classify sets r.Kind and r.Role; see Regions.Classify.
func (r *Region) Classify(shmem Dev) {
	file, role := r.backing(shmem)
	shared := r.Perms.Shared()
	switch {
	case file && shared:
		r.Kind = FileShared
	case file:
		r.Kind = FilePrivate
	case shared:
		r.Kind = AnonShared
	default:
		r.Kind = AnonPrivate
	}
	// A region nobody may touch is a guard whatever maps it, unless its role says more
	// than "file" or "anon" (a hole in a memfd is still the memfd).
	if r.Perms.None() && (role == RoleFile || role == RoleAnon) {
		role = RoleGuard
	}
	r.Role = role
}

// backing decides whether r is file-backed and what it is, from its device and name.
func (r *Region) backing(shmem Dev) (file bool, role Role) {
	name := r.Name
	if r.Dev.IsZero() && r.Inode == 0 {
		// No file at all: anonymous memory or a page set up by the kernel.
		switch {
		case name == "[heap]":
			return false, RoleHeap
		case name == "[stack]" || strings.HasPrefix(name, "[stack:"):
			return false, RoleStack
		case name == "[vdso]":
			return false, RoleVDSO
		case name == "[vvar]" || name == "[vvar_vclock]":
			return false, RoleVVar
		case name == "[vsyscall]":
			return false, RoleVsyscall
		case name == "" || strings.HasPrefix(name, "[anon:"):
			return false, RoleAnon
		case strings.HasPrefix(name, "[") && strings.HasSuffix(name, "]"):
			return false, RoleSpecial
		}
		return false, RoleAnon
	}
	if strings.HasPrefix(name, "anon_inode:") {
		return true, RoleAnonInode
	}
	huge := r.Usage != nil && r.Usage.hugetlb()
	pseudo := r.Dev.Major == 0 // shmem, hugetlbfs and anon_inodefs have no real device
	if pseudo && r.Deleted {
		switch {
		case strings.HasPrefix(name, "/memfd:"):
			// memfd is a file the process holds an fd for, even on hugetlbfs.
			return true, RoleMemfd
		case isSysVName(name):
			return false, RoleSysVShm
		case name == "/anon_hugepage":
			return false, RoleHugetlb
		}
	}
	if r.Dev == shmem || strings.HasPrefix(name, "[anon_shmem:") {
		// Anything else on the internal shmem mount is shared anonymous memory, shown as
		// "/dev/zero (deleted)" whether it came from MAP_SHARED|MAP_ANONYMOUS or /dev/zero.
		return false, RoleAnon
	}
	if name == "/dev/zero" && !r.Perms.Shared() {
		// mmap of /dev/zero with MAP_PRIVATE makes plain anonymous memory; the kernel
		// keeps the file only for the name.
		return false, RoleAnon
	}
	switch {
	case huge:
		return true, RoleHugetlb
	case strings.HasPrefix(name, "/dev/shm/"):
		// Still POSIX shared memory after shm_unlink: the name says more than "deleted".
		return true, RolePOSIXShm
	case r.Deleted:
		return true, RoleDeleted
	case strings.HasPrefix(name, "/dev/"):
		return true, RoleDevice
	}
	return true, RoleFile
}

// isSysVName reports whether name is "/SYSV" and eight hex digits, the name the kernel
// gives a SysV shared memory segment (the digits are its key).
func isSysVName(name string) bool {
	if len(name) != 13 || !strings.HasPrefix(name, "/SYSV") {
		return false
	}
	for i := 5; i < 13; i++ {
		if !isHex(name[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f'
}
