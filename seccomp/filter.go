package seccomp

import (
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sys/unix"
)

// Offsets into struct seccomp_data, the only input a seccomp filter sees:
// int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
const (
	offsetNr   = 0
	offsetArch = 4
)

// x32Bit marks an x32 syscall: x32 calls arrive with AUDIT_ARCH_X86_64 but
// their own numbering, so a number from the x86_64 table must never be
// matched against them.
const x32Bit = 0x40000000

// The low 16 bits of a RET_TRACE verdict reach the tracer through
// PTRACE_GETEVENTMSG at the PTRACE_EVENT_SECCOMP stop; they let it tell a
// call it asked for from one that was caught only because its ABI was not in
// the traced set.
const (
	// DataListed is the event message of a call whose number was listed
	// for its architecture.
	DataListed = 0
	// DataUnexpectedABI is the event message of a call from an
	// architecture absent from the traced set, or an x32 call.
	DataUnexpectedABI = 1
)

const (
	retTrace      = unix.SECCOMP_RET_TRACE | DataListed
	retTraceOther = unix.SECCOMP_RET_TRACE | DataUnexpectedABI
	retAllow      = unix.SECCOMP_RET_ALLOW
)

// leafRanges is the most ranges tested one after another before the search
// splits in two: a short chain beats a tree for the ~15 ranges of a typical
// traced set, and a tree keeps the hundreds-of-numbers case at a few dozen
// instructions a syscall.
const leafRanges = 4

// maxJump is the farthest a conditional jump reaches (jt and jf are bytes);
// anything farther goes through an unconditional BPF_JA, whose offset is 32
// bits.
const maxJump = 255

// ErrTooLong is returned when the traced set needs more instructions than the
// kernel accepts in one filter (BPF_MAXINSNS).
var ErrTooLong = errors.New("seccomp: filter longer than BPF_MAXINSNS")

// Filter returns a classic BPF program for seccomp: for each architecture in
// traced (keyed by AUDIT_ARCH value: AUDIT_ARCH_X86_64 0xc000003e,
// AUDIT_ARCH_I386 0x40000003, AUDIT_ARCH_AARCH64 0xc00000b7),
// SECCOMP_RET_TRACE for the listed syscall numbers and SECCOMP_RET_ALLOW for
// the rest; any architecture not in traced, and x32 calls (AUDIT_ARCH_X86_64
// with nr & 0x40000000), get RET_TRACE so nothing of an unexpected ABI
// escapes. Listed calls carry DataListed in the verdict's data bits, the
// catch-all ones DataUnexpectedABI.
//
// Numbers are sorted and merged into ranges, tested by a binary search over
// the ranges, so a set of hundreds of numbers still costs a handful of
// instructions a syscall. Numbers must fit in 32 bits (seccomp_data.nr is an
// int). An architecture listed with no numbers allows all of its calls.
func Filter(traced map[uint32][]uint64) ([]unix.SockFilter, error) {
	arches := make([]uint32, 0, len(traced))
	for a := range traced {
		arches = append(arches, a)
	}
	// Map order is random; a sorted dispatch makes the program reproducible.
	slices.Sort(arches)

	blocks := make([][]unix.SockFilter, len(arches))
	for i, a := range arches {
		rs, err := toRanges(traced[a])
		if err != nil {
			return nil, fmt.Errorf("seccomp: arch %#x: %w", a, err)
		}
		b := []unix.SockFilter{stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offsetNr)}
		if a == unix.AUDIT_ARCH_X86_64 {
			// x32 shares the x86_64 audit arch; only this bit tells them apart.
			b = append(b,
				jump(unix.BPF_JSET, x32Bit, 0, 1),
				stmt(unix.BPF_RET|unix.BPF_K, retTraceOther))
		}
		blocks[i] = append(b, search(rs)...)
	}

	// Dispatch on the architecture: a pair (jeq; ja) per architecture, so
	// that the jump to a block of any size is a 32-bit BPF_JA.
	prog := []unix.SockFilter{stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offsetArch)}
	dispatch := 2*len(arches) + 1 // the pairs and the catch-all return
	start := dispatch             // offset of block i from the first pair
	for i, a := range arches {
		// The ja sits at index 2i+1 within the dispatch; it jumps to
		// start, counted from the instruction after it.
		prog = append(prog,
			jump(unix.BPF_JEQ, a, 0, 1),
			stmt(unix.BPF_JMP|unix.BPF_JA, uint32(start-(2*i+2))))
		start += len(blocks[i])
	}
	prog = append(prog, stmt(unix.BPF_RET|unix.BPF_K, retTraceOther))
	for _, b := range blocks {
		prog = append(prog, b...)
	}
	if len(prog) > unix.BPF_MAXINSNS {
		return nil, fmt.Errorf("%w: %d instructions", ErrTooLong, len(prog))
	}
	return prog, nil
}

// span is an inclusive range of syscall numbers.
type span struct{ lo, hi uint32 }

// toRanges sorts and deduplicates nrs and merges runs of consecutive numbers.
func toRanges(nrs []uint64) ([]span, error) {
	s := slices.Clone(nrs)
	slices.Sort(s)
	s = slices.Compact(s)
	var rs []span
	for _, n := range s {
		if n > 0xffffffff {
			return nil, fmt.Errorf("syscall number %#x does not fit seccomp_data.nr", n)
		}
		v := uint32(n)
		if len(rs) > 0 && rs[len(rs)-1].hi+1 == v {
			rs[len(rs)-1].hi = v
			continue
		}
		rs = append(rs, span{v, v})
	}
	return rs, nil
}

// search returns code that, with the syscall number in the accumulator,
// returns retTrace if it lies in one of rs (sorted, disjoint) and retAllow
// otherwise. Every jump in it lands inside it, so pieces can be concatenated
// without relocation.
func search(rs []span) []unix.SockFilter {
	if len(rs) <= leafRanges {
		return chain(rs)
	}
	mid := len(rs) / 2
	left, right := search(rs[:mid]), search(rs[mid:])
	pivot := rs[mid-1].hi // numbers above it can only be in the right half
	var node []unix.SockFilter
	if len(left) <= maxJump {
		node = []unix.SockFilter{jump(unix.BPF_JGT, pivot, uint8(len(left)), 0)}
	} else {
		node = []unix.SockFilter{
			jump(unix.BPF_JGT, pivot, 0, 1),
			stmt(unix.BPF_JMP|unix.BPF_JA, uint32(len(left))),
		}
	}
	node = append(node, left...)
	return append(node, right...)
}

// chain tests a few ranges one after another, ending in its own pair of
// returns so that no jump leaves it: [tests...] ret ALLOW; ret TRACE.
func chain(rs []span) []unix.SockFilter {
	n := 0
	for _, r := range rs {
		n += cost(r)
	}
	code := make([]unix.SockFilter, 0, n+2)
	// From instruction i, the ALLOW return is at n and the TRACE one at
	// n+1; a jump offset counts from i+1.
	for _, r := range rs {
		i := len(code)
		toAllow, toTrace := uint8(n-i-1), uint8(n-i)
		if r.lo == r.hi {
			code = append(code, jump(unix.BPF_JEQ, r.lo, toTrace, 0))
			continue
		}
		// Ranges are ascending: below r.lo means below all that follow.
		code = append(code,
			jump(unix.BPF_JGE, r.lo, 0, toAllow),
			jump(unix.BPF_JGT, r.hi, 0, toTrace-1))
	}
	return append(code,
		stmt(unix.BPF_RET|unix.BPF_K, retAllow),
		stmt(unix.BPF_RET|unix.BPF_K, retTrace))
}

func cost(r span) int {
	if r.lo == r.hi {
		return 1
	}
	return 2
}

func stmt(code uint16, k uint32) unix.SockFilter {
	return unix.SockFilter{Code: code, K: k}
}

func jump(op uint16, k uint32, jt, jf uint8) unix.SockFilter {
	return unix.SockFilter{Code: unix.BPF_JMP | op | unix.BPF_K, Jt: jt, Jf: jf, K: k}
}
