package procmaps

import (
	"os"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/mmtrace/mmtrace/decode"
)

// fileRegion is a one-page-aligned region of a file, as maps shows it.
func fileRegion(start, end uint64, perms Perms, inode uint64, name string, deleted bool) Region {
	return Region{Start: start, End: end, Perms: perms, Dev: Dev{0xfe, 0}, Inode: inode, Name: name, Deleted: deleted}
}

func anonRegion(start, end uint64, perms Perms, name string) Region {
	return Region{Start: start, End: end, Perms: perms, Name: name}
}

// TestCompare holds the model's agreement with the kernel to what maps can and cannot tell
// apart: a file renamed or unlinked under its mapping is the same region; anything else
// that differs is a region the model lacked (Unseen) or had wrong (Stale).
func TestCompare(t *testing.T) {
	const (
		rw  = PermRead | PermWrite
		rws = PermRead | PermWrite | PermShared
	)
	origin := &Origin{Kind: OriginCall, Syscall: "mmap", Seq: 7}
	withOrigin := func(r Region) Region { r.Origin = origin; return r }
	tests := []struct {
		name          string
		model, kernel Regions
		agreed, grown int
		unseen, stale []uint64 // starts
	}{
		{
			name:   "file renamed",
			model:  Regions{fileRegion(0x1000, 0x2000, rws, 12, "/tmp/from.dat", false)},
			kernel: Regions{fileRegion(0x1000, 0x2000, rws, 12, "/tmp/to.dat", false)},
			agreed: 1,
		},
		{
			name:   "file unlinked",
			model:  Regions{fileRegion(0x1000, 0x2000, rws, 12, "/tmp/gone.dat", false)},
			kernel: Regions{fileRegion(0x1000, 0x2000, rws, 12, "/tmp/gone.dat", true)},
			agreed: 1,
		},
		{
			name:   "sem_open: a temporary name, then deleted",
			model:  Regions{fileRegion(0x1000, 0x2000, rws, 12, "/dev/shm/sem.JjpISv", false)},
			kernel: Regions{fileRegion(0x1000, 0x2000, rws, 12, "/dev/shm/sem.JjpISv", true)},
			agreed: 1,
		},
		{
			name:   "another file at the same place",
			model:  Regions{fileRegion(0x1000, 0x2000, rws, 12, "/tmp/a.dat", false)},
			kernel: Regions{fileRegion(0x1000, 0x2000, rws, 13, "/tmp/a.dat", false)},
			unseen: []uint64{0x1000}, stale: []uint64{0x1000},
		},
		{
			name:   "anonymous memory that became the heap",
			model:  Regions{anonRegion(0x1000, 0x2000, rw, "")},
			kernel: Regions{anonRegion(0x1000, 0x2000, rw, "[heap]")},
			unseen: []uint64{0x1000}, stale: []uint64{0x1000},
		},
		{
			name:   "the model lacks a region",
			model:  Regions{anonRegion(0x1000, 0x2000, rw, "")},
			kernel: Regions{anonRegion(0x1000, 0x2000, rw, ""), anonRegion(0x5000, 0x6000, rw, "")},
			agreed: 1, unseen: []uint64{0x5000},
		},
		{
			name:   "the model has a region too many",
			model:  Regions{anonRegion(0x1000, 0x2000, rw, ""), anonRegion(0x5000, 0x6000, rw, "")},
			kernel: Regions{anonRegion(0x1000, 0x2000, rw, "")},
			agreed: 1, stale: []uint64{0x5000},
		},
		{
			name:   "permissions differ",
			model:  Regions{fileRegion(0x1000, 0x2000, rws, 12, "/tmp/a.dat", false)},
			kernel: Regions{fileRegion(0x1000, 0x2000, PermRead|PermShared, 12, "/tmp/a.dat", false)},
			unseen: []uint64{0x1000}, stale: []uint64{0x1000},
		},
		{
			name:   "a stack grown down",
			model:  Regions{anonRegion(0x8000, 0x9000, rw, "[stack]")},
			kernel: Regions{anonRegion(0x7000, 0x9000, rw, "[stack]")},
			grown:  1,
		},
	}
	starts := func(rs Regions) []uint64 {
		var out []uint64
		for _, r := range rs {
			out = append(out, r.Start)
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model := make(Regions, len(tt.model))
			for i, r := range tt.model {
				model[i] = withOrigin(r)
			}
			c := compare(model, tt.kernel)
			if c.Agreed != tt.agreed || len(c.Grown) != tt.grown ||
				!slices.Equal(starts(c.Unseen), tt.unseen) || !slices.Equal(starts(c.Stale), tt.stale) {
				t.Errorf("agreed %d, grown %d, unseen %x, stale %x; want %d, %d, %x, %x",
					c.Agreed, len(c.Grown), starts(c.Unseen), starts(c.Stale), tt.agreed, tt.grown, tt.unseen, tt.stale)
			}
			for _, k := range c.Kernel {
				if k.Origin == nil {
					t.Errorf("kernel region %x has no origin", k.Start)
				}
			}
			if tt.agreed == 1 && c.Kernel[0].Origin != origin {
				t.Errorf("an agreed region's origin is %v, want the model's", c.Kernel[0].MadeBy())
			}
		})
	}
}

// TestChangesHiddenFlags: the advice that set or clear a VmFlag (checked against smaps on
// Linux 6.18) change a region without a line of maps to show it; hints do not.
func TestChangesHiddenFlags(t *testing.T) {
	madvise := decode.Lookup(decode.NativeArch(), unix.SYS_MADVISE)
	for _, tt := range []struct {
		advice uint64
		name   string
		want   bool
	}{
		{0, "MADV_NORMAL", true},
		{1, "MADV_RANDOM", true},
		{2, "MADV_SEQUENTIAL", true},
		{3, "MADV_WILLNEED", false},
		{4, "MADV_DONTNEED", false},
		{8, "MADV_FREE", false},
		{9, "MADV_REMOVE", false},
		{10, "MADV_DONTFORK", true},
		{11, "MADV_DOFORK", true},
		{12, "MADV_MERGEABLE", true},
		{13, "MADV_UNMERGEABLE", true},
		{14, "MADV_HUGEPAGE", true},
		{15, "MADV_NOHUGEPAGE", true},
		{16, "MADV_DONTDUMP", true},
		{17, "MADV_DODUMP", true},
		{18, "MADV_WIPEONFORK", true},
		{19, "MADV_KEEPONFORK", true},
		{20, "MADV_COLD", false},
		{21, "MADV_PAGEOUT", false},
		{22, "MADV_POPULATE_READ", false},
		{23, "MADV_POPULATE_WRITE", false},
		{24, "MADV_DONTNEED_LOCKED", false},
		{25, "MADV_COLLAPSE", false},
		{100, "MADV_HWPOISON", false},
		{101, "MADV_SOFT_OFFLINE", false},
		{102, "MADV_GUARD_INSTALL", true},
		{103, "MADV_GUARD_REMOVE", false},
	} {
		c := &Call{Syscall: madvise, Args: [6]uint64{0x1000, 4096, tt.advice}}
		if got := changesHiddenFlags(c); got != tt.want {
			t.Errorf("madvise %s: changesHiddenFlags %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct {
		nr   uint64
		want bool
	}{
		{unix.SYS_MPROTECT, false}, {unix.SYS_PKEY_MPROTECT, true}, {unix.SYS_MLOCK, false},
		{unix.SYS_MUNLOCK, false}, {unix.SYS_MLOCK2, false}, {unix.SYS_REMAP_FILE_PAGES, true},
	} {
		sc := decode.Lookup(decode.NativeArch(), tt.nr)
		if got := changesHiddenFlags(&Call{Syscall: sc}); got != tt.want {
			t.Errorf("%s: changesHiddenFlags %v, want %v", sc.Name, got, tt.want)
		}
	}
}

// TestApplyTellsChangesFromHints applies calls made by this very process to a model of it:
// a call that split, merged or re-flagged a region reports it as changed (the "~ now" line),
// one that left the regions as they were reports what it covered ("~ covers").
func TestApplyTellsChangesFromHints(t *testing.T) {
	const page = 4096
	// Four read-write pages between two inaccessible ones, so that the kernel cannot merge
	// them with a mapping of the Go runtime's.
	mem, err := unix.Mmap(-1, 0, 6*page, unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	if err := unix.Mprotect(mem[page:5*page], unix.PROT_READ|unix.PROT_WRITE); err != nil {
		t.Fatal(err)
	}
	body := mem[page : 5*page]
	addr := uint64(uintptr(unsafe.Pointer(&body[0])))
	whole, part := [2]uint64{addr, 4 * page}, [2]uint64{addr + page, page}

	pid := os.Getpid()
	tr := NewTracker()
	if err := tr.Start(pid, pid, Origin{Kind: OriginBefore}); err != nil {
		t.Fatal(err)
	}
	defer tr.Forget(pid)

	type call struct {
		nr    uint64
		span  [2]uint64
		third uint64 // advice, prot or flags
	}
	for _, tt := range []struct {
		name string
		call call
		now  bool // changed; else covered
	}{
		{"MADV_DONTNEED, whole", call{unix.SYS_MADVISE, whole, unix.MADV_DONTNEED}, false},
		{"MADV_WILLNEED, part", call{unix.SYS_MADVISE, part, unix.MADV_WILLNEED}, false},
		{"MADV_FREE, whole", call{unix.SYS_MADVISE, whole, unix.MADV_FREE}, false},
		{"MADV_DONTDUMP, whole: flags, no split", call{unix.SYS_MADVISE, whole, unix.MADV_DONTDUMP}, true},
		{"MADV_DODUMP, whole", call{unix.SYS_MADVISE, whole, unix.MADV_DODUMP}, true},
		{"MADV_RANDOM, part: split", call{unix.SYS_MADVISE, part, unix.MADV_RANDOM}, true},
		{"MADV_NORMAL, part: merged back", call{unix.SYS_MADVISE, part, unix.MADV_NORMAL}, true},
		{"mprotect to the same permissions", call{unix.SYS_MPROTECT, whole, unix.PROT_READ | unix.PROT_WRITE}, false},
		{"mprotect of a part: split", call{unix.SYS_MPROTECT, part, unix.PROT_READ}, true},
		{"mprotect of the part back: merged", call{unix.SYS_MPROTECT, part, unix.PROT_READ | unix.PROT_WRITE}, true},
		{"mlock, whole: no split", call{unix.SYS_MLOCK, whole, 0}, false},
		{"munlock, whole", call{unix.SYS_MUNLOCK, whole, 0}, false},
		{"mlock, part: split", call{unix.SYS_MLOCK, part, 0}, true},
		{"munlock, part: merged", call{unix.SYS_MUNLOCK, part, 0}, true},
		{"msync", call{unix.SYS_MSYNC, whole, unix.MS_ASYNC}, false},
	} {
		args := [6]uint64{tt.call.span[0], tt.call.span[1], tt.call.third}
		if _, _, errno := unix.Syscall(uintptr(tt.call.nr), uintptr(args[0]), uintptr(args[1]), uintptr(args[2])); errno != 0 {
			t.Fatalf("%s: %v", tt.name, errno)
		}
		sc := decode.Lookup(decode.NativeArch(), tt.call.nr)
		ch, err := tr.Apply(pid, &Call{Syscall: sc, Args: args})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(ch.Made) != 0 || len(ch.Removed) != 0 {
			t.Errorf("%s: made %d and removed %d regions, want none", tt.name, len(ch.Made), len(ch.Removed))
		}
		if got := len(ch.Changed) > 0; got != tt.now || got == (len(ch.Touched) > 0) {
			t.Errorf("%s: changed %d regions and covered %d; want it changed: %v", tt.name, len(ch.Changed), len(ch.Touched), tt.now)
		}
		for _, r := range append(ch.Changed, ch.Touched...) {
			if r.End <= args[0] || r.Start >= args[0]+args[1] {
				t.Errorf("%s: region %x-%x is outside the call's range", tt.name, r.Start, r.End)
			}
		}
	}
}
