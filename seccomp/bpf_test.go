package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// run executes a classic BPF seccomp program over a seccomp_data holding nr
// and arch, the way the kernel would, and returns the verdict and the number
// of instructions executed. It accepts only the instructions Filter emits
// and rejects what the kernel's checker rejects (jumps out of the program,
// loads outside seccomp_data, a program not ending in a return), so a wrong
// program fails the test instead of being interpreted generously.
func run(prog []unix.SockFilter, nr int32, arch uint32) (verdict uint32, steps int, err error) {
	if len(prog) == 0 || len(prog) > unix.BPF_MAXINSNS {
		return 0, 0, fmt.Errorf("bad length %d", len(prog))
	}
	if prog[len(prog)-1].Code != unix.BPF_RET|unix.BPF_K {
		return 0, 0, errors.New("last instruction is not a return")
	}
	var data [64]byte // struct seccomp_data; loads use host byte order
	binary.NativeEndian.PutUint32(data[0:], uint32(nr))
	binary.NativeEndian.PutUint32(data[4:], arch)
	var a uint32
	for pc := 0; ; {
		if pc < 0 || pc >= len(prog) {
			return 0, steps, fmt.Errorf("pc %d outside the program", pc)
		}
		in := prog[pc]
		steps++
		next := pc + 1
		cond := func(ok bool) int {
			if ok {
				return next + int(in.Jt)
			}
			return next + int(in.Jf)
		}
		switch in.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			if in.K%4 != 0 || in.K+4 > uint32(len(data)) {
				return 0, steps, fmt.Errorf("pc %d: load at %d", pc, in.K)
			}
			a = binary.NativeEndian.Uint32(data[in.K:])
		case unix.BPF_JMP | unix.BPF_JA:
			next += int(in.K)
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K:
			next = cond(a == in.K)
		case unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K:
			next = cond(a > in.K)
		case unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K:
			next = cond(a >= in.K)
		case unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			next = cond(a&in.K != 0)
		case unix.BPF_RET | unix.BPF_K:
			return in.K, steps, nil
		default:
			return 0, steps, fmt.Errorf("pc %d: unexpected opcode %#x", pc, in.Code)
		}
		if next >= len(prog) {
			return 0, steps, fmt.Errorf("pc %d: jump to %d past the end", pc, next)
		}
		pc = next
	}
}

const (
	x8664   = unix.AUDIT_ARCH_X86_64
	i386    = unix.AUDIT_ARCH_I386
	aarch64 = unix.AUDIT_ARCH_AARCH64
	trace   = unix.SECCOMP_RET_TRACE | DataListed
	other   = unix.SECCOMP_RET_TRACE | DataUnexpectedABI
	allow   = unix.SECCOMP_RET_ALLOW
)

// The traced set of a typical run: strace's %memory class plus the process
// calls, on x86_64 and i386.
var typical = map[uint32][]uint64{
	x8664: {9, 10, 11, 12, 25, 26, 27, 28, 30, 31, 67, 149, 150, 151, 152, 216, 237, 238, 239,
		256, 279, 325, 329, 449, 56, 57, 58, 59, 60, 231, 322, 435},
	i386: {90, 91, 192, 125, 45, 163, 144, 219, 150, 151, 152, 153, 1, 2, 11, 120, 190, 252,
		358, 435, 257, 274, 275, 276, 317, 380, 397},
}

func TestFilterVerdicts(t *testing.T) {
	prog, err := Filter(typical)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		nr   int32
		arch uint32
		want uint32
	}{
		{"x86_64 mmap", 9, x8664, trace},
		{"x86_64 munmap", 11, x8664, trace},
		{"x86_64 brk", 12, x8664, trace},
		{"x86_64 first of a range (mremap)", 25, x8664, trace},
		{"x86_64 last of a range (madvise)", 28, x8664, trace},
		{"x86_64 exit_group", 231, x8664, trace},
		{"x86_64 highest listed (clone3)", 435, x8664, trace},
		{"x86_64 read", 0, x8664, allow},
		{"x86_64 open, just below mmap", 8, x8664, allow},
		{"x86_64 ioctl, between ranges", 16, x8664, allow},
		{"x86_64 shmget, just above madvise", 29, x8664, allow},
		{"x86_64 getpid", 39, x8664, allow},
		{"x86_64 getppid", 110, x8664, allow},
		{"x86_64 above every number", 436, x8664, allow},
		{"x86_64 huge number", 0x3fffffff, x8664, allow},
		{"x86_64 -1 (skipped syscall)", -1, x8664, other}, // 0xffffffff has the x32 bit
		{"x32 mmap", 0x40000000 | 9, x8664, other},
		{"x32 read, untraced number", 0x40000000, x8664, other},
		{"x32 getppid", 0x40000000 | 110, x8664, other},
		{"i386 mmap", 90, i386, trace},
		{"i386 mmap2", 192, i386, trace},
		{"i386 exit", 1, i386, trace},
		{"i386 clone3", 435, i386, trace},
		{"i386 mmap's x86_64 number is read", 9, i386, allow},
		{"i386 getpid", 20, i386, allow},
		{"i386 getppid", 64, i386, allow},
		{"i386 0", 0, i386, allow},
		{"i386 x32 bit is not special", 0x40000000 | 90, i386, allow},
		{"aarch64 not traced: any number", 222, aarch64, other},
		{"aarch64 not traced: 0", 0, aarch64, other},
		{"unknown arch", 9, 0x12345678, other},
		{"arch 0", 9, 0, other},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _, err := run(prog, c.nr, c.arch)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("nr %#x arch %#x: verdict %#x, want %#x", c.nr, c.arch, got, c.want)
			}
		})
	}
}

func TestFilterSpecialSets(t *testing.T) {
	cases := []struct {
		name   string
		traced map[uint32][]uint64
		nr     int32
		arch   uint32
		want   uint32
	}{
		{"empty set traces every arch", map[uint32][]uint64{}, 0, x8664, other},
		{"nil set traces every arch", nil, 39, i386, other},
		{"arch with no numbers allows", map[uint32][]uint64{x8664: nil}, 9, x8664, allow},
		{"arch with no numbers still catches x32", map[uint32][]uint64{x8664: nil}, 0x40000009, x8664, other},
		{"duplicates", map[uint32][]uint64{aarch64: {222, 222, 215, 222}}, 215, aarch64, trace},
		{"unsorted input", map[uint32][]uint64{aarch64: {226, 222, 215}}, 226, aarch64, trace},
		{"aarch64 alone leaves x86_64 traced", map[uint32][]uint64{aarch64: {222}}, 39, x8664, other},
		{"number 0", map[uint32][]uint64{i386: {0}}, 0, i386, trace},
		{"number 0, neighbour", map[uint32][]uint64{i386: {0}}, 1, i386, allow},
		{"top number", map[uint32][]uint64{i386: {0xffffffff}}, -1, i386, trace},
		{"top range", map[uint32][]uint64{i386: {0xfffffffe, 0xffffffff}}, -2, i386, trace},
		{"below the top range", map[uint32][]uint64{i386: {0xfffffffe, 0xffffffff}}, -3, i386, allow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prog, err := Filter(c.traced)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := run(prog, c.nr, c.arch)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("verdict %#x, want %#x", got, c.want)
			}
		})
	}
}

// TestFilterMatchesSet compares the program with plain set membership for
// every number up to past the largest listed one, over sets shaped to reach
// each code path: short chains, deep trees, trees whose left half is too far
// for a conditional jump, and several architectures. It also bounds the
// instructions run for one syscall, which is what the filter costs.
func TestFilterMatchesSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randomSet := func(n, limit int) []uint64 {
		s := make([]uint64, n)
		for i := range s {
			s[i] = uint64(rng.IntN(limit))
		}
		return s
	}
	every := func(step, from, to int) []uint64 {
		var s []uint64
		for n := from; n < to; n += step {
			s = append(s, uint64(n))
		}
		return s
	}
	cases := []struct {
		name     string
		traced   map[uint32][]uint64
		maxSteps int // instructions executed for any one syscall
		longJump bool
	}{
		{"typical", typical, 17, false},
		{"one number", map[uint32][]uint64{x8664: {9}}, 7, false},
		{"one range", map[uint32][]uint64{x8664: every(1, 100, 200)}, 8, false},
		{"hundreds random", map[uint32][]uint64{x8664: randomSet(300, 460), i386: randomSet(300, 460)}, 20, false},
		{"all of a table", map[uint32][]uint64{x8664: every(1, 0, 460)}, 8, false},
		{"every other number", map[uint32][]uint64{x8664: every(2, 0, 460), aarch64: every(2, 1, 460)}, 16, false},
		{"sparse thousand", map[uint32][]uint64{i386: every(3, 0, 3000)}, 20, true},
		{"three arches, long blocks", map[uint32][]uint64{x8664: every(3, 0, 1800), i386: every(3, 1, 1800), aarch64: every(5, 0, 500)}, 21, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prog, err := Filter(c.traced)
			if err != nil {
				t.Fatal(err)
			}
			if got := hasLongJump(prog, len(c.traced)); got != c.longJump {
				t.Errorf("long jump in a tree: %v, want %v (the case no longer covers that path)", got, c.longJump)
			}
			worst := 0
			for _, arch := range []uint32{x8664, i386, aarch64} {
				nrs, listed := c.traced[arch]
				in := map[uint64]bool{}
				top := uint64(0)
				for _, n := range nrs {
					in[n] = true
					top = max(top, n)
				}
				for nr := uint64(0); nr <= top+2; nr++ {
					want := uint32(allow)
					switch {
					case !listed, arch == x8664 && nr&0x40000000 != 0:
						want = other
					case in[nr]:
						want = trace
					}
					got, steps, err := run(prog, int32(nr), arch)
					if err != nil {
						t.Fatalf("nr %d arch %#x: %v", nr, arch, err)
					}
					if got != want {
						t.Fatalf("nr %d arch %#x: verdict %#x, want %#x", nr, arch, got, want)
					}
					worst = max(worst, steps)
				}
			}
			t.Logf("worst %d steps, %d instructions", worst, len(prog))
			if worst > c.maxSteps {
				t.Errorf("%d instructions for one syscall, want at most %d (program of %d)", worst, c.maxSteps, len(prog))
			}
		})
	}
}

// hasLongJump reports whether a BPF_JA other than the dispatch's appears,
// which happens only when a subtree is too long for a conditional jump.
func hasLongJump(prog []unix.SockFilter, arches int) bool {
	return slices.ContainsFunc(prog[1+2*arches:], func(in unix.SockFilter) bool {
		return in.Code == unix.BPF_JMP|unix.BPF_JA
	})
}

func TestFilterDeterministic(t *testing.T) {
	a, err := Filter(typical)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		b, err := Filter(typical)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) {
			t.Fatal("two programs from one set differ")
		}
	}
}

func TestFilterErrors(t *testing.T) {
	var huge []uint64
	for n := uint64(0); n < 10000; n += 2 { // 5000 isolated numbers
		huge = append(huge, n)
	}
	if _, err := Filter(map[uint32][]uint64{x8664: huge}); !errors.Is(err, ErrTooLong) {
		t.Errorf("5000 isolated numbers: err %v, want ErrTooLong", err)
	}
	if _, err := Filter(map[uint32][]uint64{x8664: {9, 1 << 32}}); err == nil {
		t.Error("a 33-bit number was accepted")
	}
}
