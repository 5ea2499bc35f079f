package decode

import (
	"strings"
	"testing"
)

// TestReferenceExamples are REFERENCE.md's real strace lines, verbatim.
func TestReferenceExamples(t *testing.T) {
	tr := &fakeTracee{}
	for _, c := range []struct {
		name  string
		args  [6]uint64
		ret   int64
		isErr bool
		want  string
	}{
		{"mmap", [6]uint64{0, 8192, 3, 1, 3, 0}, 0x7f445e70a000, false,
			"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f445e70a000"},
		{"mmap", [6]uint64{0, 2097152, 3, 0x54040022, ^uint64(0), 0}, -12, true,
			"mmap(NULL, 2097152, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|21<<MAP_HUGE_SHIFT, -1, 0) = -1 ENOMEM (Cannot allocate memory)"},
		{"mremap", [6]uint64{0x7f445e512000, 16384, 16384, 3, 0x7f455e516000}, 0x7f455e516000, false,
			"mremap(0x7f445e512000, 16384, 16384, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f455e516000) = 0x7f455e516000"},
		{"msync", [6]uint64{0x7f445e70a000, 8192, 6}, 0, false,
			"msync(0x7f445e70a000, 8192, MS_SYNC|MS_INVALIDATE) = 0"},
		{"madvise", [6]uint64{0x7f445e516000, 32768, 4}, 0, false,
			"madvise(0x7f445e516000, 32768, MADV_DONTNEED) = 0"},
		{"clone", [6]uint64{0x1200011, 0, 0, 0x7f445e51ea10}, 5729, false,
			"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f445e51ea10) = 5729"},
		{"exit_group", [6]uint64{0}, 0, false, "exit_group(0) = ?"},
	} {
		if got := line(ArchX86_64, c.name, c.args, c.ret, c.isErr, tr, nil); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
	o := &Options{StringLimit: DefaultStringLimit, DecorateFds: true}
	tr.fds = map[int]string{3: "/usr/lib/x86_64-linux-gnu/libc.so.6"}
	got := line(ArchX86_64, "mmap", [6]uint64{0, 8192, 1, 0x802, 3, 0}, 0x7f445e70a000, false, tr, o)
	want := "mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3</usr/lib/x86_64-linux-gnu/libc.so.6>, 0) = 0x7f445e70a000"
	if got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

// TestMemoryPointers covers the %memory calls that read tracee memory,
// against strace 6.1's output of a C program making them.
func TestMemoryPointers(t *testing.T) {
	b := newBuilder(8)
	vec := b.bytes([]byte{1, 0, 1, 0, 0})
	vec40 := b.bytes(append([]byte{0, 1}, make([]byte, 38)...))
	vecA := b.bytes([]byte{1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	ctx := b.words(0x7f96be4da000)
	mode := b.bytes(le32(0))
	nm := b.words(0, 0)
	nm1 := b.words(1, 0)
	pages := b.words(0x7f96be4df000, 0x7f96be4e0000)
	nodes := b.bytes(le32(0, 0))
	status := b.bytes(le32(0, -2))
	for _, c := range []struct {
		name  string
		args  [6]uint64
		ret   int64
		isErr bool
		want  string
	}{
		{"mincore", [6]uint64{0x7f96be4df000, 20480, vec}, 0, false, "mincore(0x7f96be4df000, 20480, [1, 0, 1, 0, 0]) = 0"},
		{"mincore", [6]uint64{0x7f96be4df000, 12289, vec}, 0, false, "mincore(0x7f96be4df000, 12289, [1, 0, 1, 0]) = 0"},
		{"mincore", [6]uint64{0x7f96be4df000, 163840, vecA}, 0, false, "mincore(0x7f96be4df000, 163840, [1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ...]) = 0"},
		{"mincore", [6]uint64{0x7f96be2cd000, 163840, vec40}, 0, false, "mincore(0x7f96be2cd000, 163840, [0, 1, " + strings.Repeat("0, ", 30) + "...]) = 0"},
		{"mincore", [6]uint64{0x7f96be4df000, 0, vec}, 0, false, "mincore(0x7f96be4df000, 0, []) = 0"},
		{"mincore", [6]uint64{0x7f96be4df000, 4096, 0}, -14, true, "mincore(0x7f96be4df000, 4096, NULL) = -1 EFAULT (Bad address)"},
		{"mincore", [6]uint64{0x7f96be2cd000, 32768, 0x7f96be4ddffc}, -14, true, "mincore(0x7f96be2cd000, 32768, 0x7f96be4ddffc) = -1 EFAULT (Bad address)"},
		{"io_setup", [6]uint64{16, ctx}, 0, false, "io_setup(16, [0x7f96be4da000]) = 0"},
		{"io_setup", [6]uint64{16, 0x10}, -14, true, "io_setup(16, 0x10) = -1 EFAULT (Bad address)"},
		{"io_setup", [6]uint64{0, 0}, -14, true, "io_setup(0, NULL) = -1 EFAULT (Bad address)"},
		{"io_destroy", [6]uint64{0x7f96be4da000}, 0, false, "io_destroy(0x7f96be4da000) = 0"},
		{"get_mempolicy", [6]uint64{mode, nm, 64, 0, 0}, 0, false, "get_mempolicy([MPOL_DEFAULT], [0000000000000000], 64, NULL, 0) = 0"},
		{"get_mempolicy", [6]uint64{mode, nm, 128, 0, 0}, 0, false, "get_mempolicy([MPOL_DEFAULT], [0000000000000000, 0000000000000000], 128, NULL, 0) = 0"},
		{"get_mempolicy", [6]uint64{mode, nm, 129, 0, 0}, 0, false, "get_mempolicy([MPOL_DEFAULT], [0000000000000000, 0000000000000000], 129, NULL, 0) = 0"},
		{"get_mempolicy", [6]uint64{0, 0, 0, 0x7f96be4df000, 2}, 0, false, "get_mempolicy(NULL, NULL, 0, 0x7f96be4df000, MPOL_F_ADDR) = 0"},
		{"get_mempolicy", [6]uint64{0, 0, 0, 0, 1}, -22, true, "get_mempolicy(NULL, NULL, 0, NULL, MPOL_F_NODE) = -1 EINVAL (Invalid argument)"},
		{"mbind", [6]uint64{0x7f96be4df000, 4096, 2, nm1, 64, 0}, 0, false, "mbind(0x7f96be4df000, 4096, MPOL_BIND, [0x00000000000001], 64, 0) = 0"},
		{"mbind", [6]uint64{0x7f96be4df000, 4096, 2, nm1, 2, 0}, 0, false, "mbind(0x7f96be4df000, 4096, MPOL_BIND, [0x00000000000001], 2, 0) = 0"},
		{"mbind", [6]uint64{0x7f96be4df000, 4096, 2, 0x7fff65c9a460, 1, 0}, -22, true, "mbind(0x7f96be4df000, 4096, MPOL_BIND, 0x7fff65c9a460, 1, 0) = -1 EINVAL (Invalid argument)"},
		{"set_mempolicy", [6]uint64{2, nm1, 65}, 0, false, "set_mempolicy(MPOL_BIND, [0x00000000000001], 65) = 0"},
		{"migrate_pages", [6]uint64{6643, 64, nm1, nm1}, 0, false, "migrate_pages(6643, 64, [0x00000000000001], [0x00000000000001]) = 0"},
		{"move_pages", [6]uint64{0, 2, pages, 0, status, 0}, 0, false, "move_pages(0, 2, [0x7f96be4df000, 0x7f96be4e0000], NULL, [0, -ENOENT], 0) = 0"},
		{"move_pages", [6]uint64{0, 2, pages, nodes, status, 2}, 0, false, "move_pages(0, 2, [0x7f96be4df000, 0x7f96be4e0000], [0, 0], [0, -ENOENT], MPOL_MF_MOVE) = 0"},
		{"move_pages", [6]uint64{0, 2, pages, 0, 0, 0}, -14, true, "move_pages(0, 2, [0x7f96be4df000, 0x7f96be4e0000], NULL, NULL, 0) = -1 EFAULT (Bad address)"},
		{"pidfd_send_signal", [6]uint64{3, 0, 0, 0}, -3, true, "pidfd_send_signal(3, 0, NULL, 0) = -1 ESRCH (No such process)"},
		{"pidfd_send_signal", [6]uint64{99, 10, 0, 0}, -9, true, "pidfd_send_signal(99, SIGUSR1, NULL, 0) = -1 EBADF (Bad file descriptor)"},
		{"exit", [6]uint64{300}, 0, false, "exit(300) = ?"},
		{"shmat", [6]uint64{31, 0, 0x1000}, 0x7fd7b6781000, false, "shmat(31, NULL, SHM_RDONLY) = 0x7fd7b6781000"},
		{"shmdt", [6]uint64{0x7fd7b6781000}, 0, false, "shmdt(0x7fd7b6781000) = 0"},
	} {
		if got := line(ArchX86_64, c.name, c.args, c.ret, c.isErr, b.f, nil); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
}

func TestReturn(t *testing.T) {
	mmap := Lookup(ArchX86_64, 9)
	munmap := Lookup(ArchX86_64, 11)
	for _, c := range []struct {
		sc    *Syscall
		ret   int64
		isErr bool
		want  string
	}{
		{mmap, 0x7f445e70a000, false, "0x7f445e70a000"},
		{mmap, -12, true, "-1 ENOMEM (Cannot allocate memory)"},
		{munmap, 0, false, "0"},
		{munmap, -512, true, "? ERESTARTSYS (To be restarted if SA_RESTART is set)"},
		{munmap, -513, true, "? ERESTARTNOINTR (To be restarted)"},
		{munmap, -514, true, "? ERESTARTNOHAND (To be restarted if no handler)"},
		{munmap, -516, true, "? ERESTART_RESTARTBLOCK (Interrupted by signal)"},
		{munmap, -517, true, "-1 EPROBE_DEFER (Unknown error 517)"},
		{munmap, -41, true, "-1 (errno 41)"},
		{munmap, -133, true, "-1 EHWPOISON (Memory page has hardware error)"},
		{munmap, -95, true, "-1 EOPNOTSUPP (Operation not supported)"},
		{Lookup(ArchX86_64, 231), 0, false, "?"},
		{Lookup(ArchI386, 192), 0xf7f25000, false, "0xf7f25000"},
		{Lookup(ArchI386, 91), 0xffffffff, false, "-1"},
	} {
		if got := string(c.sc.AppendReturn(nil, c.ret, c.isErr)); got != c.want {
			t.Errorf("%s ret %d: got %q, want %q", c.sc.Name, c.ret, got, c.want)
		}
	}
}

func TestUnknown(t *testing.T) {
	args := [6]uint64{1, 2, 3, 4, 5, 6}
	sc := Unknown(ArchI386, 500)
	got := string(sc.AppendCall(nil, &args, -38, true, nil, nil))
	want := "syscall_0x1f4(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)"
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if Lookup(ArchI386, 500) != nil || Lookup(ArchX86_64, 1<<20) != nil || Lookup(ArchUnknown, 9) != nil {
		t.Error("Lookup of an unknown number is not nil")
	}
	if Unknown(ArchX86_64, 9).Name != "mmap" {
		t.Error("Unknown(mmap) is not mmap")
	}
	if r := Lookup(ArchX86_64, 0); r == nil || r.Name != "read" || r.Decoded() {
		t.Errorf("Lookup(read) = %+v", r)
	}
}
