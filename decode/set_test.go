package decode

import (
	"errors"
	"reflect"
	"sort"
	"testing"
)

func TestArch(t *testing.T) {
	for _, c := range []struct {
		audit uint32
		nr    uint64
		want  Arch
	}{
		{0xc000003e, 9, ArchX86_64},
		{0xc000003e, 0x40000009, ArchX32},
		{0x40000003, 192, ArchI386},
		{0xc00000b7, 222, ArchARM64},
		{0x1234, 1, ArchUnknown},
	} {
		if got := ArchOf(c.audit, c.nr); got != c.want {
			t.Errorf("ArchOf(%#x, %#x) = %v, want %v", c.audit, c.nr, got, c.want)
		}
		if c.want != ArchUnknown && c.want.Audit() != c.audit {
			t.Errorf("%v.Audit() = %#x", c.want, c.want.Audit())
		}
	}
	if ArchFromAudit(0xc000003e) != ArchX86_64 || ArchI386.String() != "i386" || ArchARM64.String() != "aarch64" {
		t.Error("ArchFromAudit/String")
	}
	if NativeArch() == ArchUnknown {
		t.Error("NativeArch unknown")
	}
}

// TestTables checks every decoded call's number against the uapi name
// tables, and the class lists against strace 6.1's %memory and %process.
func TestTables(t *testing.T) {
	for a := ArchX86_64; a < numArch; a++ {
		for nr, sc := range tables[a] {
			if sc == nil {
				continue
			}
			if a.syscallName(sc.Nr) != sc.Name || uint64(nr) != sc.Nr&^x32BitNr {
				t.Errorf("%v: %s has number %d, uapi says %q", a, sc.Name, sc.Nr, a.syscallName(sc.Nr))
			}
		}
	}
	var mem, proc []string
	for _, sc := range tables[ArchX86_64] {
		if sc == nil {
			continue
		}
		if sc.IsMemory() {
			mem = append(mem, sc.Name)
		}
		if sc.IsProcess() {
			proc = append(proc, sc.Name)
		}
	}
	sort.Strings(mem)
	sort.Strings(proc)
	// strace 6.1, x86_64: syscallent.h's TM and TP flags.
	wantMem := []string{"brk", "get_mempolicy", "io_destroy", "io_setup", "madvise", "mbind", "migrate_pages", "mincore", "mlock", "mlock2", "mlockall", "mmap", "move_pages", "mprotect", "mremap", "msync", "munlock", "munlockall", "munmap", "pkey_mprotect", "remap_file_pages", "set_mempolicy", "set_mempolicy_home_node", "shmat", "shmdt"}
	wantProc := []string{"clone", "clone3", "execve", "execveat", "exit", "exit_group", "fork", "kill", "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "tgkill", "tkill", "vfork", "wait4", "waitid"}
	if !reflect.DeepEqual(mem, wantMem) {
		t.Errorf("%%memory = %v\nwant %v", mem, wantMem)
	}
	if !reflect.DeepEqual(proc, wantProc) {
		t.Errorf("%%process = %v\nwant %v", proc, wantProc)
	}
}

func TestParseSet(t *testing.T) {
	names := func(expr string) []string {
		s, err := ParseSet(expr)
		if err != nil {
			t.Fatalf("ParseSet(%q): %v", expr, err)
		}
		return s.Names()
	}
	if got := names("mmap,munmap"); !reflect.DeepEqual(got, []string{"mmap", "munmap"}) {
		t.Errorf("mmap,munmap: %v", got)
	}
	if got := names("%process"); len(got) != 17 { // + waitpid on i386
		t.Errorf("%%process: %v", got)
	}
	if got := names("memory"); len(got) != 26 { // + mmap2 on i386
		t.Errorf("memory: %v", got)
	}
	s, _ := ParseSet("!mmap")
	if s.Has(ArchX86_64, 9) || !s.Has(ArchX86_64, 11) || !s.Has(ArchI386, 192) || s.Has(ArchI386, 90) {
		t.Error("!mmap")
	}
	s, _ = ParseSet("mmap,,brk")
	if !reflect.DeepEqual(s.Numbers(ArchX86_64), []uint64{9, 12}) || !reflect.DeepEqual(s.Numbers(ArchARM64), []uint64{214, 222}) {
		t.Errorf("numbers %v %v", s.Numbers(ArchX86_64), s.Numbers(ArchARM64))
	}
	if !reflect.DeepEqual(s.Numbers(ArchX32), []uint64{0x40000009, 0x4000000c}) || !s.Has(ArchX32, 0x40000009) || !s.Has(ArchX32, 9) {
		t.Errorf("x32 numbers %#x", s.Numbers(ArchX32))
	}
	if got := names("none"); len(got) != 0 {
		t.Errorf("none: %v", got)
	}
	if got := names("all"); len(got) != 43 {
		t.Errorf("all: %d %v", len(got), got)
	}
	if got := names("?bogus,/^mm"); !reflect.DeepEqual(got, []string{"mmap", "mmap2"}) {
		t.Errorf("regex: %v", got)
	}
	for expr, want := range map[string]string{
		"bogus":       "invalid system call 'bogus'",
		"mmap,%bogus": "invalid system call '%bogus'",
		"":            "invalid system call ''",
		" mmap":       "invalid system call ' mmap'",
		"read":        "syscall 'read' is not traced by mmtrace (it traces the %memory and %process classes)",
		"%file":       "syscall '%file' is not traced by mmtrace (it traces the %memory and %process classes)",
	} {
		_, err := ParseSet(expr)
		if err == nil || err.Error() != want {
			t.Errorf("ParseSet(%q) error %v, want %q", expr, err, want)
		}
	}
	if _, err := ParseSet("bogus"); !errors.Is(err, ErrUnknownSyscall) {
		t.Error("not ErrUnknownSyscall")
	}
	if _, err := ParseSet("read"); !errors.Is(err, ErrNotTraced) {
		t.Error("not ErrNotTraced")
	}
	if _, err := ParseSet("/("); err == nil {
		t.Error("bad regexp accepted")
	}
}

func TestDefaultSet(t *testing.T) {
	d := DefaultSet()
	want := []string{"brk", "clone", "clone3", "execve", "execveat", "exit", "exit_group", "fork", "madvise", "mincore", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mremap", "msync", "munlock", "munlockall", "munmap", "remap_file_pages", "vfork"}
	if got := d.Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if !d.Has(ArchI386, 90) || !d.Has(ArchI386, 192) || !d.Has(ArchARM64, 222) || d.Has(ArchX86_64, 0) || d.Has(ArchX86_64, 30) {
		t.Error("Has")
	}
}
