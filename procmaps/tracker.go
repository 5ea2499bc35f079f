package procmaps

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/mmtrace/mmtrace/decode"
)

// Call is a traced call that returned successfully, as the Tracker needs it.
type Call struct {
	Syscall *decode.Syscall
	Args    [6]uint64
	Ret     uint64
	Origin  Origin // the call as the origin of what it makes
}

// Change is what a call did to the address space, as the kernel shows it afterwards.
type Change struct {
	Before  Regions // what the model had over the call's range before it, clipped to the range
	Made    Regions // regions the call made, whole, as maps shows them now
	Changed Regions // regions whose permissions or flags it changed, whole, as maps shows them now
	Removed Regions // the parts of regions it unmapped
	Touched Regions // for calls that change no layout (msync, mincore): the parts they covered
}

// Tracker keeps the Space of every traced process, by pid.
type Tracker struct {
	spaces   map[int]*Space
	queriers map[int]*Querier
	// through is the task whose /proc files show a process's memory, where it is not the
	// process's leader: one that ended (pthread_exit) keeps its pid but shows no regions.
	through map[int]int
	shmem   Dev

	// was holds the regions a call of the mprotect family covered before it, from call to
	// call: to tell whether it changed them.
	was Regions

	groupExit   map[int]bool // processes in exit_group: snapshot at the first task's exit
	snapshotted map[int]bool // processes compared with the kernel since their last execve

	// Snapshots: compare each model with the kernel's maps at each exit and execve (Follow).
	// A full read of maps a process: only worth it when someone reads the comparison.
	Snapshots bool
}

// NewTracker returns a Tracker with no process.
func NewTracker() *Tracker {
	shmem, _ := ShmemDevice()
	return &Tracker{
		spaces:      map[int]*Space{},
		queriers:    map[int]*Querier{},
		through:     map[int]int{},
		shmem:       shmem,
		groupExit:   map[int]bool{},
		snapshotted: map[int]bool{},
	}
}

// Space returns the model of process pid, nil if it has none.
func (t *Tracker) Space(pid int) *Space { return t.spaces[pid] }

// Start (re)seeds the model of pid from a snapshot of its maps, read through its task tid:
// when tracing begins, and after each execve (which replaces the address space whole).
func (t *Tracker) Start(pid, tid int, origin Origin) error {
	t.closeQuerier(pid)
	delete(t.through, pid)
	if tid != pid {
		t.through[pid] = tid
	}
	rs, err := NewProc(tid).Maps()
	if err != nil {
		delete(t.spaces, pid)
		return err
	}
	t.spaces[pid] = NewSpace(rs, origin)
	return nil
}

// Fork gives child the model of parent: shared when they share one address space (vfork,
// clone with CLONE_VM), copied otherwise.
func (t *Tracker) Fork(parent, child int, sharesVM bool) {
	s := t.spaces[parent]
	if s == nil {
		return
	}
	if sharesVM {
		t.spaces[child] = s
	} else {
		t.spaces[child] = s.Clone()
	}
}

// Forget drops the model of a process that has ended.
func (t *Tracker) Forget(pid int) {
	delete(t.spaces, pid)
	delete(t.through, pid)
	t.closeQuerier(pid)
}

func (t *Tracker) closeQuerier(pid int) {
	if q := t.queriers[pid]; q != nil {
		q.Close()
		delete(t.queriers, pid)
	}
}

func (t *Tracker) querier(pid int) (*Querier, error) {
	if q := t.queriers[pid]; q != nil {
		return q, nil
	}
	task := pid
	if tid, ok := t.through[pid]; ok {
		task = tid
	}
	q, err := OpenQuerier(task)
	if err != nil {
		return nil, err
	}
	t.queriers[pid] = q
	return q, nil
}

// Bits of the calls' arguments that change what they do to the layout.
const (
	mremapDontUnmap = 4
	pageSize        = 4096
)

func pageUp(n uint64) uint64 { return (n + pageSize - 1) &^ (pageSize - 1) }

// Apply changes the model of pid by a call that succeeded, reads from the kernel what the
// call made, and returns the change. Calls that change no layout return what they touched.
func (t *Tracker) Apply(pid int, c *Call) (Change, error) {
	s := t.spaces[pid]
	if s == nil {
		return Change{}, fmt.Errorf("no model of process %d", pid)
	}
	var before Regions
	if start, end := callRange(c); start < end {
		before = s.overlapping(start, end)
	}
	ch, err := t.apply(pid, s, c)
	ch.Before = before
	s.notePeak()
	return ch, err
}

// callRange is the range of addresses a call names: what it may change.
func callRange(c *Call) (start, end uint64) {
	a := &c.Args
	switch c.Syscall.Name {
	case "mmap", "mmap2":
		if c.Syscall.Name == "mmap2" || c.Syscall.Arch() != decode.ArchI386 {
			return c.Ret, c.Ret + pageUp(a[1])
		}
	case "munmap", "mprotect", "pkey_mprotect", "madvise", "mlock", "munlock", "mlock2",
		"remap_file_pages", "mremap", "msync", "mincore":
		return a[0], a[0] + pageUp(a[1])
	}
	return 0, 0
}

func (t *Tracker) apply(pid int, s *Space, c *Call) (Change, error) {
	var ch Change
	a := &c.Args
	switch name := c.Syscall.Name; name {
	case "mmap", "mmap2", "shmat":
		length := a[1]
		if name != "mmap2" && (name == "shmat" || c.Syscall.Arch() == decode.ArchI386) {
			length = 0 // shmat, and i386's old mmap (arguments in memory): the kernel tells
		}
		return t.remake(pid, s, c.Ret, c.Ret+pageUp(length), c.Origin)
	case "munmap":
		ch.Removed = s.cut(a[0], a[0]+pageUp(a[1]))
	case "shmdt":
		if r, ok := s.regions.Find(a[0]); ok && r.Start == a[0] {
			// A segment may have been split by mprotect: remove all of it.
			end := r.End
			for i := s.regions.Index(a[0]) + 1; i < len(s.regions) && s.regions[i].Start == end && s.regions[i].Inode == r.Inode; i++ {
				end = s.regions[i].End
			}
			ch.Removed = s.cut(a[0], end)
		}
	case "mprotect", "pkey_mprotect", "madvise", "mlock", "munlock", "mlock2", "remap_file_pages":
		// Each may split or merge regions (vm_flags change), none makes a new one.
		start, end := a[0], a[0]+pageUp(a[1])
		t.was = s.appendCovering(t.was[:0], start, end)
		ch, err := t.remake(pid, s, start, end, Origin{})
		if err != nil {
			return ch, err
		}
		if changesHiddenFlags(c) || !sameLayouts(t.was, ch.Made) {
			ch.Made, ch.Changed = nil, ch.Made
		} else {
			// A hint (MADV_DONTNEED, MADV_WILLNEED, an mlock of whole regions): no region
			// changed as maps shows it.
			ch.Made, ch.Touched = nil, s.overlapping(start, end)
		}
		return ch, nil
	case "mremap":
		oldStart, oldEnd := a[0], a[0]+pageUp(a[1])
		newStart, newEnd := c.Ret, c.Ret+pageUp(a[2])
		var removed Regions
		if a[3]&mremapDontUnmap == 0 {
			removed = s.cut(oldStart, oldEnd)
		} else if _, err := t.remake(pid, s, oldStart, oldEnd, Origin{}); err != nil {
			return ch, err
		}
		made, err := t.remake(pid, s, newStart, newEnd, c.Origin)
		for _, r := range removed {
			if r.End <= newStart || r.Start >= newEnd {
				made.Removed = append(made.Removed, r)
			}
		}
		return made, err
	case "brk":
		old := s.brk
		s.brk = c.Ret
		switch {
		case a[0] == 0 || old == 0 || c.Ret == old:
			// brk(NULL) asks; the first answer is where the heap starts.
		case c.Ret > old:
			return t.remake(pid, s, pageUp(old), pageUp(c.Ret), c.Origin)
		default:
			ch.Removed = s.cut(pageUp(c.Ret), pageUp(old))
		}
	case "msync", "mincore":
		// The layout stays; name what the call covered.
		ch.Touched = s.overlapping(a[0], a[0]+pageUp(a[1]))
	}
	return ch, nil
}

// Advice values of madvise (asm-generic/mman-common.h, the same on every architecture) that
// set or clear a flag of the regions they cover.
const (
	madvNormal       = 0  // clears VM_RAND_READ, VM_SEQ_READ
	madvRandom       = 1  // VM_RAND_READ, smaps' "rr"
	madvSequential   = 2  // VM_SEQ_READ, "sr"
	madvDontFork     = 10 // VM_DONTCOPY, "dc"
	madvDoFork       = 11
	madvMergeable    = 12 // VM_MERGEABLE, "mg"
	madvUnmergeable  = 13
	madvHugePage     = 14 // VM_HUGEPAGE, "hg"
	madvNoHugePage   = 15 // VM_NOHUGEPAGE, "nh"
	madvDontDump     = 16 // VM_DONTDUMP, "dd"
	madvDoDump       = 17
	madvWipeOnFork   = 18 // VM_WIPEONFORK, "wf"
	madvKeepOnFork   = 19
	madvGuardInstall = 102 // VM_MAYBE_GUARD, "gu" where the kernel has it (6.18 here); GUARD_REMOVE leaves it
)

// changesHiddenFlags reports whether a call sets or clears a flag of the regions it covers
// that maps does not show, so that it changes them even where their lines stay the same.
// The other advice values of madvise are hints about the pages (drop, free, read ahead, populate,
// page out) that leave the regions as they were (mm/madvise.c; smaps' VmFlags before and
// after each advice tell the same). mlock's VM_LOCKED is not counted: the model does not
// follow it (mlockall, MAP_LOCKED and MCL_FUTURE set it too), so an mlock changes a region
// only where it splits or merges it.
func changesHiddenFlags(c *Call) bool {
	switch c.Syscall.Name {
	case "pkey_mprotect":
		return true // the protection key (smaps' ProtectionKey)
	case "remap_file_pages":
		return true // other pages of the file, where the range may stay one region
	case "madvise":
		switch c.Args[2] {
		case madvNormal, madvRandom, madvSequential, madvDontFork, madvDoFork, madvMergeable,
			madvUnmergeable, madvHugePage, madvNoHugePage, madvDontDump, madvDoDump,
			madvWipeOnFork, madvKeepOnFork, madvGuardInstall:
			return true
		}
	}
	return false
}

// remake reads from the kernel the regions over [start, end) (the whole region at start
// when end is not after it), puts them in the model and returns them as made.
func (t *Tracker) remake(pid int, s *Space, start, end uint64, origin Origin) (Change, error) {
	q, err := t.querier(pid)
	if err != nil {
		return Change{}, err
	}
	var actual Regions
	addr := start
	for {
		r, ok, err := q.RegionAt(addr)
		if err != nil {
			return Change{}, err
		}
		if !ok {
			break
		}
		actual = append(actual, r)
		addr = r.End
		if addr >= end {
			break
		}
	}
	if len(actual) > 0 && end <= start {
		end = actual[0].End
	}
	s.reconcile(actual, start, end, origin)
	return Change{Made: actual}, nil
}

// Comparison is how the model of a process agreed with the kernel's maps at a snapshot.
type Comparison struct {
	// Kernel is the kernel's regions, each with the origin the model gave it; a region the
	// model lacked has OriginKernel.
	Kernel Regions
	Agreed int     // kernel regions the model had exactly
	Grown  Regions // stacks the kernel grew down, with no call: the model had them smaller
	Unseen Regions // kernel regions the model lacked or had otherwise
	Stale  Regions // model regions the kernel does not have
}

// Snapshot reads the maps of process pid through task tid (at a task's exit, the process's
// leader may already be gone), compares the model with it, and makes the model the kernel's
// from then on, keeping the origins it knew.
func (t *Tracker) Snapshot(pid, tid int) (Comparison, error) {
	s := t.spaces[pid]
	if s == nil {
		return Comparison{}, fmt.Errorf("no model of process %d", pid)
	}
	kernel, err := NewProc(tid).Maps()
	if err != nil {
		return Comparison{}, err
	}
	c := compare(s.regions, kernel)
	s.regions = c.Kernel
	return c, nil
}

// compare matches the model's regions with the kernel's by start address.
func compare(model, kernel Regions) Comparison {
	c := Comparison{Kernel: kernel}
	byStart := make(map[uint64]*Region, len(model))
	byEnd := make(map[uint64]*Region, len(model))
	for i := range model {
		byStart[model[i].Start] = &model[i]
		byEnd[model[i].End] = &model[i]
	}
	seen := make(map[uint64]bool, len(kernel))
	for i := range kernel {
		k := &kernel[i]
		k.Usage = nil
		if m := byStart[k.Start]; m != nil && sameLayout(m, k) {
			c.Agreed++
			k.Origin = m.Origin
			seen[m.Start] = true
			continue
		}
		if m := byEnd[k.End]; m != nil && k.Start < m.Start && m.Perms == k.Perms && m.Name == k.Name {
			// A stack the kernel grew on a page fault.
			c.Grown = append(c.Grown, *k)
			k.Origin = m.Origin
			seen[m.Start] = true
			continue
		}
		k.Origin = kernelOrigin
		if j := model.Index(k.Start); j >= 0 {
			k.Origin = model[j].Origin
		}
		c.Unseen = append(c.Unseen, *k)
	}
	for i := range model {
		if !seen[model[i].Start] {
			c.Stale = append(c.Stale, model[i])
		}
	}
	return c
}

// SharesAddressSpace reports whether two processes share one address space (vfork, clone
// with CLONE_VM), by kcmp(KCMP_VM).
func SharesAddressSpace(a, b int) (bool, error) {
	const kcmpVM = 1
	r, _, errno := unix.Syscall6(unix.SYS_KCMP, uintptr(a), uintptr(b), kcmpVM, 0, 0, 0)
	if errno != 0 {
		return false, fmt.Errorf("kcmp %d %d: %w", a, b, errno)
	}
	return r == 0, nil
}
