package decode

import (
	"encoding/binary"
	"testing"
)

// TestConstStyles: calls in each -X style, as strace 6.1 printed them for
// testdata/trace/consts.c (strace -X raw, -X verbose, and the default).
func TestConstStyles(t *testing.T) {
	ensureTables()
	b := newBuilder(8)
	status := b.bytes(le32(0, -2))
	mode := b.bytes(le32(0))
	const a = 0x7f85ca4cc000
	for _, c := range []struct {
		name  string
		args  [6]uint64
		ret   int64
		isErr bool
		style ConstStyle
		want  string
	}{
		{"mmap", [6]uint64{0, 8192, 3, 0x22, ^uint64(0), 0}, 0x7f4ac8da9000, false, ConstRaw,
			"mmap(NULL, 8192, 0x3, 0x22, -1, 0) = 0x7f4ac8da9000"},
		{"mmap", [6]uint64{0, 163840, 0, 0x4022, ^uint64(0), 0}, 0x7fa912ded000, false, ConstRaw,
			"mmap(NULL, 163840, 0, 0x4022, -1, 0) = 0x7fa912ded000"},
		{"mmap", [6]uint64{0, 163840, 0, 0x4022, ^uint64(0), 0}, 0x7f85ca4cc000, false, ConstVerbose,
			"mmap(NULL, 163840, 0 /* PROT_NONE */, 0x4022 /* MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE */, -1, 0) = 0x7f85ca4cc000"},
		{"mmap", [6]uint64{0, 4096, 0x80000001, 0x22, ^uint64(0), 0}, 0x7f85ca6e3000, false, ConstVerbose,
			"mmap(NULL, 4096, 0x80000001 /* PROT_READ|0x80000000 */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0) = 0x7f85ca6e3000"},
		{"mmap", [6]uint64{0, 2097152, 3, 0x54840022, ^uint64(0), 0}, -12, true, ConstVerbose,
			"mmap(NULL, 2097152, 0x3 /* PROT_READ|PROT_WRITE */, 0x54840022 /* MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|0x800000|21<<MAP_HUGE_SHIFT */, -1, 0) = -1 ENOMEM (Cannot allocate memory)"},
		{"mprotect", [6]uint64{a, 4096, 0x40}, -22, true, ConstVerbose,
			"mprotect(0x7f85ca4cc000, 4096, 0x40 /* PROT_??? */) = -1 EINVAL (Invalid argument)"},
		{"mprotect", [6]uint64{a, 4096, 0x40}, -22, true, ConstRaw,
			"mprotect(0x7f85ca4cc000, 4096, 0x40) = -1 EINVAL (Invalid argument)"},
		{"madvise", [6]uint64{a, 4096, 999}, -22, true, ConstRaw,
			"madvise(0x7f85ca4cc000, 4096, 0x3e7) = -1 EINVAL (Invalid argument)"},
		{"madvise", [6]uint64{a, 4096, 4}, 0, false, ConstVerbose,
			"madvise(0x7f85ca4cc000, 4096, 0x4 /* MADV_DONTNEED */) = 0"},
		{"msync", [6]uint64{a, 4096, 0}, 0, false, ConstVerbose, "msync(0x7f85ca4cc000, 4096, 0) = 0"},
		{"mlock2", [6]uint64{a, 8192, 1}, 0, false, ConstVerbose, "mlock2(0x7f85ca4cc000, 8192, 0x1 /* MLOCK_ONFAULT */) = 0"},
		{"remap_file_pages", [6]uint64{a, 4096, 0, 2, 0}, 0, false, ConstVerbose,
			"remap_file_pages(0x7f85ca4cc000, 4096, 0 /* PROT_NONE */, 2, 0 /* MAP_FILE */) = 0"},
		{"remap_file_pages", [6]uint64{a, 4096, 0, 2, 0}, 0, false, ConstRaw,
			"remap_file_pages(0x7f85ca4cc000, 4096, 0, 2, 0) = 0"},
		{"mbind", [6]uint64{a, 4096, 0x1234, 0, 0, 0x80}, -22, true, ConstVerbose,
			"mbind(0x7f85ca4cc000, 4096, 0x1234 /* MPOL_??? */, NULL, 0, 0x80 /* MPOL_??? */) = -1 EINVAL (Invalid argument)"},
		{"mbind", [6]uint64{a, 4096, 0x8002, 0, 0, 1}, 0, false, ConstVerbose,
			"mbind(0x7f85ca4cc000, 4096, 0x8002 /* MPOL_BIND|MPOL_F_STATIC_NODES */, NULL, 0, 0x1 /* MPOL_MF_STRICT */) = 0"},
		{"mbind", [6]uint64{a, 4096, 0x8002, 0, 0, 1}, 0, false, ConstRaw,
			"mbind(0x7f85ca4cc000, 4096, 0x8002, NULL, 0, 0x1) = 0"},
		{"set_mempolicy", [6]uint64{0x7000, 0, 0}, -22, true, ConstVerbose,
			"set_mempolicy(0x7000 /* MPOL_F_RELATIVE_NODES|MPOL_F_NUMA_BALANCING|0x1000 */, NULL, 0) = -1 EINVAL (Invalid argument)"},
		{"set_mempolicy", [6]uint64{0, 0, 0}, 0, false, ConstRaw, "set_mempolicy(0, NULL, 0) = 0"},
		{"get_mempolicy", [6]uint64{mode, 0, 0, 0, 0}, 0, false, ConstVerbose,
			"get_mempolicy([0 /* MPOL_DEFAULT */], NULL, 0, NULL, 0) = 0"},
		{"move_pages", [6]uint64{0, 2, 0, 0, status, 0}, 0, false, ConstVerbose,
			"move_pages(0, 2, NULL, NULL, [0, -2 /* -ENOENT */], 0) = 0"},
		{"move_pages", [6]uint64{0, 2, 0, 0, status, 0}, 0, false, ConstRaw,
			"move_pages(0, 2, NULL, NULL, [0, -2], 0) = 0"},
		{"clone", [6]uint64{0x1200011, 0, 0, 0x7f286d199a10}, 14904, false, ConstRaw,
			"clone(child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f286d199a10) = 14904"},
		{"clone", [6]uint64{0x1200011, 0, 0, 0x7f9afad38a10}, 14912, false, ConstVerbose,
			"clone(child_stack=NULL, flags=0x1200000 /* CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */|17 /* SIGCHLD */, child_tidptr=0x7f9afad38a10) = 14912"},
		{"clone", [6]uint64{17}, 3759, false, ConstRaw, "clone(child_stack=NULL, flags=17) = 3759"},
		{"kill", [6]uint64{4511, 9}, 0, false, ConstVerbose, "kill(4511, 9 /* SIGKILL */) = 0"},
		{"kill", [6]uint64{4504, 0}, 0, false, ConstVerbose, "kill(4504, 0) = 0"},
		{"kill", [6]uint64{4504, 100}, -22, true, ConstVerbose, "kill(4504, 100) = -1 EINVAL (Invalid argument)"},
		{"tgkill", [6]uint64{27968, 27968, 37}, 0, false, ConstVerbose, "tgkill(27968, 27968, 37 /* SIGRT_5 */) = 0"},
		{"tgkill", [6]uint64{27903, 27903, 37}, 0, false, ConstRaw, "tgkill(27903, 27903, 37) = 0"},
		{"pidfd_send_signal", [6]uint64{^uint64(0), 10, 0, 0x10}, -22, true, ConstVerbose,
			"pidfd_send_signal(-1, 10 /* SIGUSR1 */, NULL, 0x10) = -1 EINVAL (Invalid argument)"},
	} {
		o := &Options{StringLimit: DefaultStringLimit, Consts: c.style}
		if got := line(ArchX86_64, c.name, c.args, c.ret, c.isErr, b.f, o); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
}

// TestConstStylesSiginfo: siginfo in each -X style, in a call and in a signal line, as
// strace 6.1 printed them. The signal line's leading name stays a name.
func TestConstStylesSiginfo(t *testing.T) {
	ensureTables()
	b := newBuilder(8)
	var own, killed [128]byte
	binary.LittleEndian.PutUint32(own[0:], 12) // SIGUSR2
	binary.LittleEndian.PutUint32(own[4:], 12) // ENOMEM
	binary.LittleEndian.PutUint32(own[8:], 0x1234)
	binary.LittleEndian.PutUint32(killed[0:], 17)
	binary.LittleEndian.PutUint32(killed[8:], 2) // CLD_KILLED
	binary.LittleEndian.PutUint32(killed[16:], 27984)
	binary.LittleEndian.PutUint32(killed[24:], 9)
	binary.LittleEndian.PutUint64(killed[40:], 15) // si_stime
	ownAddr, killedAddr := b.bytes(own[:]), b.bytes(killed[:])
	for _, c := range []struct {
		style      ConstStyle
		call, line string
	}{
		{ConstRaw,
			"rt_sigqueueinfo(27903, 12, {si_signo=12, si_code=0x1234, si_errno=12}) = 0",
			"SIGCHLD {si_signo=17, si_code=0x2, si_pid=27984, si_uid=0, si_status=9, si_utime=0, si_stime=15}"},
		{ConstVerbose,
			"rt_sigqueueinfo(27903, 12 /* SIGUSR2 */, {si_signo=12 /* SIGUSR2 */, si_code=0x1234, si_errno=12 /* ENOMEM */}) = 0",
			"SIGCHLD {si_signo=17 /* SIGCHLD */, si_code=0x2 /* CLD_KILLED */, si_pid=27984, si_uid=0, si_status=9 /* SIGKILL */, si_utime=0, si_stime=15 /* 0.15 s */}"},
		{ConstAbbrev,
			"rt_sigqueueinfo(27903, SIGUSR2, {si_signo=SIGUSR2, si_code=0x1234, si_errno=ENOMEM}) = 0",
			"SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=27984, si_uid=0, si_status=SIGKILL, si_utime=0, si_stime=15 /* 0.15 s */}"},
	} {
		o := &Options{StringLimit: DefaultStringLimit, Consts: c.style}
		if got := line(ArchX86_64, "rt_sigqueueinfo", [6]uint64{27903, 12, ownAddr}, 0, false, b.f, o); got != c.call {
			t.Errorf("\n got %s\nwant %s", got, c.call)
		}
		if got := string(AppendSiginfo(nil, 17, &killed, o)); got != c.line {
			t.Errorf("\n got %s\nwant %s", got, c.line)
		}
		want := "waitid(" + map[ConstStyle]string{ConstRaw: "0x1", ConstVerbose: "0x1 /* P_PID */", ConstAbbrev: "P_PID"}[c.style] +
			", 27984, " + c.line[len("SIGCHLD "):] + ", " +
			map[ConstStyle]string{ConstRaw: "0x4", ConstVerbose: "0x4 /* WEXITED */", ConstAbbrev: "WEXITED"}[c.style] + ", NULL) = 0"
		if got := line(ArchX86_64, "waitid", [6]uint64{1, 27984, killedAddr, 4, 0}, 0, false, b.f, o); got != want {
			t.Errorf("\n got %s\nwant %s", got, want)
		}
	}
}

// TestSyscallNrStyles: si_syscall of SIGSYS in each style (strace's PRINT_FIELD_SYSCALL_NAME).
func TestSyscallNrStyles(t *testing.T) {
	const auditX86_64, auditI386 = 0xc000003e, 0x40000003
	for _, c := range []struct {
		arch  uint32
		nr    int32
		style ConstStyle
		want  string
	}{
		{auditX86_64, 39, ConstAbbrev, "__NR_getpid"},
		{auditX86_64, 39, ConstRaw, "39"},
		{auditX86_64, 39, ConstVerbose, "39 /* __NR_getpid */"},
		{auditI386, 20, ConstAbbrev, "20 /* getpid */"},
		{auditI386, 20, ConstRaw, "20"},
		{auditI386, 20, ConstVerbose, "20 /* getpid */"},
		{auditX86_64, 9999, ConstVerbose, "9999"},
	} {
		if got := string(appendSyscallNr(nil, c.arch, c.nr, c.style)); got != c.want {
			t.Errorf("si_syscall %d of %#x in style %d: got %s, want %s", c.nr, c.arch, c.style, got, c.want)
		}
	}
}

// TestNoAbbrevAndStringLimit: -v (whole environment, arrays and struct rusage) and -s at its
// edges, as strace 6.1 printed them for testdata/trace/consts.c.
func TestNoAbbrevAndStringLimit(t *testing.T) {
	ensureTables()
	b := newBuilder(8)
	argv := b.argv("", "a", "ab", "abcd", "abcde")
	envp := b.argv("X=1", "")
	path := b.str("/bin/true")
	st := b.bytes(le32(0))
	ru := rusage64(0, 941, 0, 0)
	for i, v := range []uint64{456, 0, 0, 0, 15, 0, 0, 0, 0, 0, 0, 0, 1, 0} {
		binary.LittleEndian.PutUint64(ru[32+8*i:], v)
	}
	ruAddr := b.bytes(ru)
	vec := b.bytes(make([]byte, 40))
	env := hex(envp) + " /* 2 vars */"
	for _, c := range []struct {
		name     string
		args     [6]uint64
		ret      int64
		limit    int
		noAbbrev bool
		want     string
	}{
		{"execve", [6]uint64{path, argv, envp}, 0, 0, false, `execve("/bin/true", [...], ` + env + ") = 0"},
		{"execve", [6]uint64{path, argv, envp}, 0, 0, true, `execve("/bin/true", ["", ""..., ""..., ""..., ""...], [""..., ""]) = 0`},
		{"execve", [6]uint64{path, argv, envp}, 0, 1, false, `execve("/bin/true", ["", ...], ` + env + ") = 0"},
		{"execve", [6]uint64{path, argv, envp}, 0, 1, true, `execve("/bin/true", ["", "a", "a"..., "a"..., "a"...], ["X"..., ""]) = 0`},
		{"execve", [6]uint64{path, argv, envp}, 0, 4, false, `execve("/bin/true", ["", "a", "ab", "abcd", ...], ` + env + ") = 0"},
		{"execve", [6]uint64{path, argv, envp}, 0, 5, false, `execve("/bin/true", ["", "a", "ab", "abcd", "abcde"], ` + env + ") = 0"},
		{"execve", [6]uint64{path, argv, envp}, 0, 4, true, `execve("/bin/true", ["", "a", "ab", "abcd", "abcd"...], ["X=1", ""]) = 0`},
		{"wait4", [6]uint64{29012, st, 0, ruAddr}, 29012, 32, true,
			"wait4(29012, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, {ru_utime={tv_sec=0, tv_usec=941}, ru_stime={tv_sec=0, tv_usec=0}, ru_maxrss=456, ru_ixrss=0, ru_idrss=0, ru_isrss=0, ru_minflt=15, ru_majflt=0, ru_nswap=0, ru_inblock=0, ru_oublock=0, ru_msgsnd=0, ru_msgrcv=0, ru_nsignals=0, ru_nvcsw=1, ru_nivcsw=0}) = 29012"},
		{"mincore", [6]uint64{0x7f0fb0d12000, 3 * 4096, vec}, 0, 0, false, "mincore(0x7f0fb0d12000, 12288, [...]) = 0"},
		{"mincore", [6]uint64{0x7f0fb0d12000, 3 * 4096, vec}, 0, 2, false, "mincore(0x7f0fb0d12000, 12288, [0, 0, ...]) = 0"},
		{"mincore", [6]uint64{0x7f0fb0d12000, 3 * 4096, vec}, 0, 0, true, "mincore(0x7f0fb0d12000, 12288, [0, 0, 0]) = 0"},
	} {
		o := &Options{StringLimit: c.limit, NoAbbrev: c.noAbbrev}
		if got := line(ArchX86_64, c.name, c.args, c.ret, false, b.f, o); got != c.want {
			t.Errorf("-s %d, -v %v:\n got %s\nwant %s", c.limit, c.noAbbrev, got, c.want)
		}
	}
}
