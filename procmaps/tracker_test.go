package procmaps

import (
	"slices"
	"testing"
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
