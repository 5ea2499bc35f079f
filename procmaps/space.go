package procmaps

import (
	"slices"
	"strconv"
	"time"
)

// OriginKind says what made a region of a traced process.
type OriginKind uint8

const (
	// OriginKernel: the region appeared with no traced call (the kernel made it: stack
	// growth, vdso, an aio ring, or a call that was not traced).
	OriginKernel OriginKind = iota
	// OriginBefore: the region was there when tracing began (mmtrace attach).
	OriginBefore
	// OriginExec: made by execve: the kernel's program loader (the program, its interpreter,
	// the stack, vdso).
	OriginExec
	// OriginCall: made or last changed in its layout by a traced call.
	OriginCall
)

// Origin is what made a region: a kind and, for a call, which one and when.
type Origin struct {
	Kind    OriginKind
	Syscall string        // the call's name, for OriginCall
	Seq     uint64        // the call's number in the trace, counting from 1
	Time    time.Duration // since the trace began
}

// kernelOrigin is the origin of regions the kernel made on its own; shared, never changed.
var kernelOrigin = &Origin{Kind: OriginKernel}

// String is the origin as tables print it: "mmap #12 +0.004512s", "exec", "kernel",
// "before attach".
func (o Origin) String() string {
	switch o.Kind {
	case OriginBefore:
		return "before attach"
	case OriginExec:
		return "exec"
	case OriginCall:
		return o.Syscall + " #" + strconv.FormatUint(o.Seq, 10) + " +" + strconv.FormatFloat(o.Time.Seconds(), 'f', 6, 64) + "s"
	}
	return "kernel"
}

// MarshalText makes an Origin a string in JSON.
func (o Origin) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// Space is the model of one process's address space, kept from the calls a tracer sees:
// seeded from a snapshot of /proc/PID/maps, changed by each call the way the kernel changes
// it, and corrected from what the kernel shows for the addresses a call touched. Threads
// share one Space; a forked child gets a copy.
type Space struct {
	regions Regions
	brk     uint64 // the program break as last returned by brk, 0 before the first brk

	sizes [len(Kinds)]uint64 // bytes mapped now, by kind
	peak  [len(Kinds)]uint64 // the most bytes mapped at once, by kind
}

// NewSpace returns a model that starts as the regions of a snapshot, each given origin.
func NewSpace(snapshot Regions, origin Origin) *Space {
	s := &Space{regions: slices.Clone(snapshot)}
	made := &origin
	for i := range s.regions {
		s.regions[i].Origin = made
		s.regions[i].Usage = nil
		s.sizes[s.regions[i].Kind] += s.regions[i].Size()
	}
	s.peak = s.sizes
	return s
}

// Regions returns the model's regions, sorted; the caller must not change them.
func (s *Space) Regions() Regions { return s.regions }

// Clone returns a copy for a forked child.
func (s *Space) Clone() *Space {
	c := *s
	c.regions = slices.Clone(s.regions)
	return &c
}

// Sizes returns the bytes mapped now, indexed by Kind.
func (s *Space) Sizes() [len(Kinds)]uint64 { return s.sizes }

// Peak returns the most bytes that were mapped at once, by Kind, since the model began.
func (s *Space) Peak() [len(Kinds)]uint64 { return s.peak }

func (s *Space) notePeak() {
	for k, n := range s.sizes {
		s.peak[k] = max(s.peak[k], n)
	}
}

// cut removes [start, end) from the model, splitting the regions at its edges, and returns
// the removed pieces.
func (s *Space) cut(start, end uint64) Regions {
	if start >= end {
		return nil
	}
	i := s.firstEndingAfter(start)
	j := i
	var removed, kept Regions
	for ; j < len(s.regions) && s.regions[j].Start < end; j++ {
		r := s.regions[j]
		if r.Start < start {
			kept = append(kept, r.slice(r.Start, start))
		}
		removed = append(removed, r.slice(max(r.Start, start), min(r.End, end)))
		if r.End > end {
			kept = append(kept, r.slice(end, r.End))
		}
	}
	s.regions = slices.Replace(s.regions, i, j, kept...)
	for _, r := range removed {
		s.sizes[r.Kind] -= r.Size()
	}
	return removed
}

// slice returns the part [start, end) of r, with the file offset moved along.
func (r Region) slice(start, end uint64) Region {
	part := r
	part.Start, part.End = start, end
	if r.Inode != 0 {
		part.Offset += start - r.Start
	}
	part.Usage = nil
	return part
}

// insert adds a region where the model has nothing.
func (s *Space) insert(r Region) {
	i, _ := slices.BinarySearchFunc(s.regions, r.Start, func(x Region, a uint64) int {
		if x.Start < a {
			return -1
		}
		return 1
	})
	s.regions = slices.Insert(s.regions, i, r)
	s.sizes[r.Kind] += r.Size()
}

// overlapping returns the model's regions that overlap [start, end), clipped to it.
func (s *Space) overlapping(start, end uint64) Regions {
	var out Regions
	for i := s.firstEndingAfter(start); i < len(s.regions) && s.regions[i].Start < end; i++ {
		r := &s.regions[i]
		out = append(out, r.slice(max(r.Start, start), min(r.End, end)))
	}
	return out
}

// firstEndingAfter is the index of the first region that ends after addr.
func (s *Space) firstEndingAfter(addr uint64) int {
	i, _ := slices.BinarySearchFunc(s.regions, addr, func(r Region, a uint64) int {
		if r.End <= a {
			return -1
		}
		return 1
	})
	return i
}

// reconcile replaces what the model has where the kernel shows actual (sorted, contiguous
// or not). Parts of actual within made [start, end) get origin when it is a call's; other
// parts keep the origin the model had at their start, or become the kernel's.
func (s *Space) reconcile(actual Regions, madeStart, madeEnd uint64, origin Origin) {
	made := &origin
	for _, a := range actual {
		old := s.cut(a.Start, a.End)
		switch {
		case origin.Kind == OriginCall && a.Start < madeEnd && a.End > madeStart:
			a.Origin = made
		case len(old) > 0:
			a.Origin = old[0].Origin
		default:
			a.Origin = kernelOrigin
		}
		a.Usage = nil
		s.insert(a)
	}
}

// appendCovering appends to dst the model's regions that overlap [start, end), whole.
func (s *Space) appendCovering(dst Regions, start, end uint64) Regions {
	for i := s.firstEndingAfter(start); i < len(s.regions) && s.regions[i].Start < end; i++ {
		dst = append(dst, s.regions[i])
	}
	return dst
}

// sameLayout reports whether two regions are the same mapping: the same range, permissions,
// offset and backing. The name of a file may differ: a file renamed or unlinked while mapped
// (sem_open links its temporary file to the semaphore's name, then unlinks it) shows in maps
// by its new name or with " (deleted)", with no mapping call. Memory with no file ([heap],
// [stack], anonymous) keeps its name.
func sameLayout(a, b *Region) bool {
	same := a.Start == b.Start && a.End == b.End && a.Perms == b.Perms && a.Offset == b.Offset &&
		a.Dev == b.Dev && a.Inode == b.Inode
	if a.Inode != 0 {
		return same
	}
	return same && a.Name == b.Name && a.Deleted == b.Deleted
}

// sameLayouts reports whether two lists of regions are the same mappings, one for one.
func sameLayouts(a, b Regions) bool {
	return slices.EqualFunc(a, b, func(x, y Region) bool { return sameLayout(&x, &y) })
}
