package decode

// Flag and value tables, {value, name} in strace 6.1's order. A table's
// order is the order strace prints the names of a flag set in.

var protFlags = []xlat{
	{0, "PROT_NONE"},
	{0x1, "PROT_READ"},
	{0x2, "PROT_WRITE"},
	{0x4, "PROT_EXEC"},
	{0x8, "PROT_SEM"},
	{0x1000000, "PROT_GROWSDOWN"},
	{0x2000000, "PROT_GROWSUP"},
}

// protFlagsARM64 adds arm64's PROT_BTI and PROT_MTE.
var protFlagsARM64 = []xlat{
	{0, "PROT_NONE"},
	{0x1, "PROT_READ"},
	{0x2, "PROT_WRITE"},
	{0x4, "PROT_EXEC"},
	{0x8, "PROT_SEM"},
	{0x10, "PROT_BTI"},
	{0x20, "PROT_MTE"},
	{0x1000000, "PROT_GROWSDOWN"},
	{0x2000000, "PROT_GROWSUP"},
}

const (
	mapType       = 0xf
	mapHugeShift  = 26
	mapHugeMask   = 0x3f
	mremapMayMove = 0x1
	mremapFixed   = 0x2
)

// mmapFlagsX86 is strace's mmap_flags for x86 (MAP_32BIT exists there).
// The type values come first: the type (flags & 0xf) is looked up in the
// same table. MAP_UNINITIALIZED overlaps the huge page size field and is
// never printed.
var mmapFlagsX86 = []xlat{
	{0x1, "MAP_SHARED"},
	{0x2, "MAP_PRIVATE"},
	{0x3, "MAP_SHARED_VALIDATE"},
	{0x10, "MAP_FIXED"},
	{0x20, "MAP_ANONYMOUS"},
	{0x40, "MAP_32BIT"},
	{0x4000, "MAP_NORESERVE"},
	{0x8000, "MAP_POPULATE"},
	{0x10000, "MAP_NONBLOCK"},
	{0x100, "MAP_GROWSDOWN"},
	{0x800, "MAP_DENYWRITE"},
	{0x1000, "MAP_EXECUTABLE"},
	{0, "MAP_FILE"},
	{0x2000, "MAP_LOCKED"},
	{0x20000, "MAP_STACK"},
	{0x40000, "MAP_HUGETLB"},
	{0x80000, "MAP_SYNC"},
	{0x4000000, "MAP_UNINITIALIZED"},
	{0x100000, "MAP_FIXED_NOREPLACE"},
}

// mmapFlagsGeneric is mmap_flags for arm64 (no MAP_32BIT).
var mmapFlagsGeneric = []xlat{
	{0x1, "MAP_SHARED"},
	{0x2, "MAP_PRIVATE"},
	{0x3, "MAP_SHARED_VALIDATE"},
	{0x10, "MAP_FIXED"},
	{0x20, "MAP_ANONYMOUS"},
	{0x4000, "MAP_NORESERVE"},
	{0x8000, "MAP_POPULATE"},
	{0x10000, "MAP_NONBLOCK"},
	{0x100, "MAP_GROWSDOWN"},
	{0x800, "MAP_DENYWRITE"},
	{0x1000, "MAP_EXECUTABLE"},
	{0, "MAP_FILE"},
	{0x2000, "MAP_LOCKED"},
	{0x20000, "MAP_STACK"},
	{0x40000, "MAP_HUGETLB"},
	{0x80000, "MAP_SYNC"},
	{0x4000000, "MAP_UNINITIALIZED"},
	{0x100000, "MAP_FIXED_NOREPLACE"},
}

var mremapFlags = []xlat{
	{0x1, "MREMAP_MAYMOVE"},
	{0x2, "MREMAP_FIXED"},
	{0x4, "MREMAP_DONTUNMAP"},
}

var msyncFlags = []xlat{
	{0x4, "MS_SYNC"},
	{0x1, "MS_ASYNC"},
	{0x2, "MS_INVALIDATE"},
}

var madviseAdvice = []xlat{
	{0, "MADV_NORMAL"},
	{1, "MADV_RANDOM"},
	{2, "MADV_SEQUENTIAL"},
	{3, "MADV_WILLNEED"},
	{4, "MADV_DONTNEED"},
	{8, "MADV_FREE"},
	{9, "MADV_REMOVE"},
	{10, "MADV_DONTFORK"},
	{11, "MADV_DOFORK"},
	{12, "MADV_MERGEABLE"},
	{13, "MADV_UNMERGEABLE"},
	{14, "MADV_HUGEPAGE"},
	{15, "MADV_NOHUGEPAGE"},
	{16, "MADV_DONTDUMP"},
	{17, "MADV_DODUMP"},
	{18, "MADV_WIPEONFORK"},
	{19, "MADV_KEEPONFORK"},
	{20, "MADV_COLD"},
	{21, "MADV_PAGEOUT"},
	{22, "MADV_POPULATE_READ"},
	{23, "MADV_POPULATE_WRITE"},
	{24, "MADV_DONTNEED_LOCKED"},
	{25, "MADV_COLLAPSE"},
	{100, "MADV_HWPOISON"},
	{101, "MADV_SOFT_OFFLINE"},
}

var mlockallFlags = []xlat{
	{0x1, "MCL_CURRENT"},
	{0x2, "MCL_FUTURE"},
	{0x4, "MCL_ONFAULT"},
}

var mlock2Flags = []xlat{
	{0x1, "MLOCK_ONFAULT"},
}

var shmatFlags = []xlat{
	{0x1000, "SHM_RDONLY"},
	{0x2000, "SHM_RND"},
	{0x4000, "SHM_REMAP"},
	{0x8000, "SHM_EXEC"},
}

var mpolModes = []xlat{
	{0, "MPOL_DEFAULT"},
	{1, "MPOL_PREFERRED"},
	{2, "MPOL_BIND"},
	{3, "MPOL_INTERLEAVE"},
	{4, "MPOL_LOCAL"},
	{5, "MPOL_PREFERRED_MANY"},
}

const mpolModeFlagsMask = 0x8000 | 0x4000 | 0x2000

var mpolModeFlags = []xlat{
	{0x8000, "MPOL_F_STATIC_NODES"},
	{0x4000, "MPOL_F_RELATIVE_NODES"},
	{0x2000, "MPOL_F_NUMA_BALANCING"},
}

var mbindFlags = []xlat{
	{0x1, "MPOL_MF_STRICT"},
	{0x2, "MPOL_MF_MOVE"},
	{0x4, "MPOL_MF_MOVE_ALL"},
}

var getMempolicyFlags = []xlat{
	{0x1, "MPOL_F_NODE"},
	{0x2, "MPOL_F_ADDR"},
	{0x4, "MPOL_F_MEMS_ALLOWED"},
}

var waitOptions = []xlat{
	{0x1, "WNOHANG"},
	{0x2, "WSTOPPED"},
	{0x4, "WEXITED"},
	{0x8, "WCONTINUED"},
	{0x1000000, "WNOWAIT"},
	{0x20000000, "__WNOTHREAD"},
	{0x40000000, "__WALL"},
	{0x80000000, "__WCLONE"},
}

const (
	pPID   = 1
	pPGID  = 2
	pPIDFD = 3
)

var waitidTypes = []xlat{
	{0, "P_ALL"},
	{pPID, "P_PID"},
	{pPGID, "P_PGID"},
	{pPIDFD, "P_PIDFD"},
}

var execveatFlags = []xlat{
	{0x100, "AT_SYMLINK_NOFOLLOW"},
	{0x200, "AT_REMOVEDIR"},
	{0x400, "AT_SYMLINK_FOLLOW"},
	{0x800, "AT_NO_AUTOMOUNT"},
	{0x1000, "AT_EMPTY_PATH"},
	{0x8000, "AT_RECURSIVE"},
}

const atFdCwd = -100

// Clone flags used by the decoders.
const (
	cloneVM            = 0x100
	clonePidfd         = 0x1000
	cloneVfork         = 0x4000
	cloneThread        = 0x10000
	cloneSettls        = 0x80000
	cloneParentSettid  = 0x100000
	cloneChildCleartid = 0x200000
	cloneChildSettid   = 0x1000000
	cloneIntoCgroup    = 0x200000000
	cSignal            = 0xff
)

var cloneFlags = []xlat{
	{0x100, "CLONE_VM"},
	{0x200, "CLONE_FS"},
	{0x400, "CLONE_FILES"},
	{0x800, "CLONE_SIGHAND"},
	{0x1000, "CLONE_PIDFD"},
	{0x2000, "CLONE_PTRACE"},
	{0x4000, "CLONE_VFORK"},
	{0x8000, "CLONE_PARENT"},
	{0x10000, "CLONE_THREAD"},
	{0x20000, "CLONE_NEWNS"},
	{0x40000, "CLONE_SYSVSEM"},
	{0x80000, "CLONE_SETTLS"},
	{0x100000, "CLONE_PARENT_SETTID"},
	{0x200000, "CLONE_CHILD_CLEARTID"},
	{0x800000, "CLONE_UNTRACED"},
	{0x1000000, "CLONE_CHILD_SETTID"},
	{0x2000000, "CLONE_NEWCGROUP"},
	{0x4000000, "CLONE_NEWUTS"},
	{0x8000000, "CLONE_NEWIPC"},
	{0x10000000, "CLONE_NEWUSER"},
	{0x20000000, "CLONE_NEWPID"},
	{0x40000000, "CLONE_NEWNET"},
	{0x80000000, "CLONE_IO"},
	{0x80, "CLONE_NEWTIME"},
}

// clone3Flags is cloneFlags followed by the flags only clone3 takes.
var clone3Flags = append(append([]xlat(nil), cloneFlags...),
	xlat{0x100000000, "CLONE_CLEAR_SIGHAND"},
	xlat{0x200000000, "CLONE_INTO_CGROUP"},
)

var ptraceEvents = []xlat{
	{1, "PTRACE_EVENT_FORK"},
	{2, "PTRACE_EVENT_VFORK"},
	{3, "PTRACE_EVENT_CLONE"},
	{4, "PTRACE_EVENT_EXEC"},
	{5, "PTRACE_EVENT_VFORK_DONE"},
	{6, "PTRACE_EVENT_EXIT"},
	{7, "PTRACE_EVENT_SECCOMP"},
	{0x80, "PTRACE_EVENT_STOP"},
}

var auditArchs = []xlat{
	{0xc00000b7, "AUDIT_ARCH_AARCH64"},
	{0x40000028, "AUDIT_ARCH_ARM"},
	{0x28, "AUDIT_ARCH_ARMEB"},
	{0x40000003, "AUDIT_ARCH_I386"},
	{0x8, "AUDIT_ARCH_MIPS"},
	{0x40000008, "AUDIT_ARCH_MIPSEL"},
	{0x80000008, "AUDIT_ARCH_MIPS64"},
	{0xc0000008, "AUDIT_ARCH_MIPSEL64"},
	{0x14, "AUDIT_ARCH_PPC"},
	{0x80000015, "AUDIT_ARCH_PPC64"},
	{0xc0000015, "AUDIT_ARCH_PPC64LE"},
	{0x400000f3, "AUDIT_ARCH_RISCV32"},
	{0xc00000f3, "AUDIT_ARCH_RISCV64"},
	{0x16, "AUDIT_ARCH_S390"},
	{0x80000016, "AUDIT_ARCH_S390X"},
	{0xc000003e, "AUDIT_ARCH_X86_64"},
}
