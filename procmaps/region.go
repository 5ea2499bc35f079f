package procmaps

import (
	"fmt"
	"sort"
	"strconv"
)

// Region is one line of /proc/PID/maps: a range of virtual addresses with the same
// permissions and backing, with, when it was read from smaps, the memory it uses.
type Region struct {
	Start, End uint64 // [Start, End), page aligned
	Offset     uint64 // offset into the file of Start; 0 for anonymous memory
	Dev        Dev    // device of the file system that holds the backing file; 0:0 if none
	Inode      uint64 // inode of the backing file; for SysV shared memory, the shmid

	// Name is the last field of the maps line: a path, a [special] name, anon_inode:[...],
	// or "" for anonymous memory. A "\012" in the kernel's text is decoded to a newline,
	// and the " (deleted)" suffix of an unlinked file is removed and recorded in Deleted.
	Name string

	// Usage is the region's smaps entry; nil when only maps was read. A pointer keeps
	// maps-only regions small (60,000 regions in a few megabytes) and lets a model of the
	// address space copy regions without copying a snapshot's numbers.
	Usage *Usage

	// Origin is what made the region, as far as a traced process's model knows (Space);
	// nil for regions read from /proc outside a trace. A pointer, shared by the regions one
	// call made, for the same reason as Usage: every page of a big table costs a page fault.
	Origin *Origin

	Perms   Perms
	Deleted bool
	Kind    Kind // file or anonymous, shared or private: set by Classify
	Role    Role // what the region is used for: set by Classify
}

// MadeBy is the region's origin; the zero Origin when it has none.
func (r *Region) MadeBy() Origin {
	if r.Origin == nil {
		return Origin{}
	}
	return *r.Origin
}

// Size is the length of the region in bytes.
func (r *Region) Size() uint64 { return r.End - r.Start }

// Contains reports whether addr lies in the region.
func (r *Region) Contains(addr uint64) bool { return r.Start <= addr && addr < r.End }

// DisplayName is the name as the kernel shows it: with " (deleted)" put back.
func (r *Region) DisplayName() string {
	if r.Deleted {
		return r.Name + " (deleted)"
	}
	return r.Name
}

// ShmID is the SysV shared memory identifier of a RoleSysVShm region (the kernel uses it as
// the inode number), and false for any other region.
func (r *Region) ShmID() (int, bool) {
	if r.Role != RoleSysVShm {
		return 0, false
	}
	return int(r.Inode), true
}

// Perms is the permission field of a maps line as bits.
type Perms uint8

const (
	PermRead Perms = 1 << iota
	PermWrite
	PermExec
	// PermShared is the 's' in "rw-s": the region was mapped MAP_SHARED (the kernel's
	// VM_MAYSHARE). It means "may share": a read-only shared file mapping has it too.
	PermShared
)

// String renders the permissions the way maps does, e.g. "r-xp".
func (p Perms) String() string {
	b := [4]byte{'-', '-', '-', 'p'}
	if p&PermRead != 0 {
		b[0] = 'r'
	}
	if p&PermWrite != 0 {
		b[1] = 'w'
	}
	if p&PermExec != 0 {
		b[2] = 'x'
	}
	if p&PermShared != 0 {
		b[3] = 's'
	}
	return string(b[:])
}

// Shared reports whether the region was mapped MAP_SHARED.
func (p Perms) Shared() bool { return p&PermShared != 0 }

// None reports whether the region can be neither read, written nor executed.
func (p Perms) None() bool { return p&(PermRead|PermWrite|PermExec) == 0 }

// Dev is a device number as maps prints it, "major:minor" in hex.
type Dev struct{ Major, Minor uint32 }

// String renders the device like maps: "fe:00".
func (d Dev) String() string {
	return fmt.Sprintf("%02x:%02x", d.Major, d.Minor)
}

// IsZero reports whether d is 0:0, the device of memory with no file at all.
func (d Dev) IsZero() bool { return d.Major == 0 && d.Minor == 0 }

// ParseDev parses "fe:00".
func ParseDev(s string) (Dev, error) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			maj, err1 := strconv.ParseUint(s[:i], 16, 32)
			min, err2 := strconv.ParseUint(s[i+1:], 16, 32)
			if err1 != nil || err2 != nil {
				break
			}
			return Dev{uint32(maj), uint32(min)}, nil
		}
	}
	return Dev{}, fmt.Errorf("bad device %q: want major:minor in hex", s)
}

// Regions is an address space: regions sorted by Start, not overlapping.
type Regions []Region

// Index returns the index of the region that holds addr, or -1.
func (rs Regions) Index(addr uint64) int {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].End > addr })
	if i < len(rs) && rs[i].Start <= addr {
		return i
	}
	return -1
}

// Find returns the region that holds addr.
func (rs Regions) Find(addr uint64) (*Region, bool) {
	i := rs.Index(addr)
	if i < 0 {
		return nil, false
	}
	return &rs[i], true
}

// Size is the total length of the regions in bytes.
func (rs Regions) Size() uint64 {
	var n uint64
	for i := range rs {
		n += rs[i].Size()
	}
	return n
}

// HasUsage reports whether the regions were read from smaps.
func (rs Regions) HasUsage() bool { return len(rs) > 0 && rs[0].Usage != nil }
