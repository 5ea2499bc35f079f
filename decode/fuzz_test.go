package decode

import (
	"encoding/binary"
	"strings"
	"testing"
)

// randomTracee serves deterministic pseudo-random bytes for addresses in
// [0x1000, 0x100000) and faults elsewhere, so pointers in fuzzed arguments
// sometimes lead somewhere and sometimes do not.
type randomTracee struct{ seed uint64 }

func (r randomTracee) ReadMemory(addr uint64, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		a := addr + uint64(n)
		if a < 0x1000 || a >= 0x100000 {
			break
		}
		x := (a ^ r.seed) * 0x9e3779b97f4a7c15
		x ^= x >> 29
		// Mostly small values (NUL-terminated strings, short arrays).
		if x%5 == 0 {
			p[n] = 0
		} else {
			p[n] = byte(x >> 8)
		}
		n++
	}
	if n < len(p) {
		return n, errFault
	}
	return n, nil
}

func (randomTracee) FdPath(fd int) (string, error) {
	if fd%2 == 0 {
		return "/dev/<\x01>", nil
	}
	return "", errFault
}

type faultError struct{}

func (faultError) Error() string { return "EFAULT" }

var errFault error = faultError{}

// balanced reports whether (), [] and {} nest properly outside quoted
// strings and /* comments */.
func balanced(s string) bool {
	var stack []byte
	inStr := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inStr {
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '/':
			if i+1 < len(s) && s[i+1] == '*' {
				end := strings.Index(s[i+2:], "*/")
				if end < 0 {
					return false
				}
				i += end + 3
			}
		case '(', '[', '{':
			stack = append(stack, c)
		case ')', ']', '}':
			if len(stack) == 0 {
				return false
			}
			open := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if open != map[byte]byte{')': '(', ']': '[', '}': '{'}[c] {
				return false
			}
		}
	}
	return !inStr && len(stack) == 0
}

// decodedCalls lists every decoded call of every architecture.
func decodedCalls() []*Syscall {
	ensureTables()
	var out []*Syscall
	for a := ArchX86_64; a < numArch; a++ {
		for _, sc := range tables[a] {
			if sc != nil {
				out = append(out, sc)
			}
		}
	}
	return out
}

// FuzzDecode feeds random architectures, numbers and arguments to every
// decoder: it must not panic and must produce strace-shaped text.
func FuzzDecode(f *testing.F) {
	f.Add(uint8(1), uint16(9), uint64(0), uint64(4096), uint64(3), uint64(0x22), uint64(0xffffffffffffffff), uint64(0), int64(0x7f0000000000), false, uint8(0), uint64(1))
	f.Add(uint8(2), uint16(90), uint64(0x2000), uint64(0), uint64(0), uint64(0), uint64(0), uint64(0), int64(-14), true, uint8(5), uint64(7))
	f.Add(uint8(1), uint16(59), uint64(0x3000), uint64(0x4000), uint64(0x5000), uint64(0), uint64(0), uint64(0), int64(0), false, uint8(3), uint64(9))
	f.Add(uint8(4), uint16(435), uint64(0x3000), uint64(88), uint64(0), uint64(0), uint64(0), uint64(0), int64(100), false, uint8(0), uint64(11))
	f.Add(uint8(3), uint16(27), uint64(0x7000), uint64(1<<20), uint64(0x9000), uint64(0), uint64(0), uint64(0), int64(0), false, uint8(1), uint64(13))
	calls := decodedCalls()
	f.Fuzz(func(t *testing.T, arch uint8, pick uint16, a0, a1, a2, a3, a4, a5 uint64, ret int64, isErr bool, slimit uint8, seed uint64) {
		args := [6]uint64{a0, a1, a2, a3, a4, a5}
		var sc *Syscall
		if arch%8 < 4 {
			sc = calls[int(pick)%len(calls)]
		} else {
			sc = Unknown(Arch(arch%5), uint64(pick))
		}
		if isErr {
			ret = -int64(uint64(ret) % 600)
		}
		o := &Options{StringLimit: int(slimit % 40), DecorateFds: seed%3 == 0, Consts: ConstStyle(seed / 3 % 3), NoAbbrev: seed%5 == 0}
		tr := randomTracee{seed}
		b := append([]byte(sc.Name), '(')
		b = sc.AppendEntry(b, &args, tr, o)
		b = sc.AppendExit(b, &args, ret, isErr, tr, o)
		b = append(b, ')')
		s := string(b)
		if !strings.HasPrefix(s, sc.Name+"(") || !strings.HasSuffix(s, ")") || !balanced(s) {
			t.Fatalf("not strace-shaped: %q", s)
		}
		r := string(sc.AppendReturn(nil, ret, isErr))
		if r == "" || strings.ContainsAny(r, "\n") {
			t.Fatalf("bad return %q", r)
		}
	})
}

// FuzzSiginfo feeds random siginfo_t to the signal printer.
func FuzzSiginfo(f *testing.F) {
	f.Add(17, []byte{17, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0})
	f.Add(11, []byte{11, 0, 0, 0, 0, 0, 0, 0, 2})
	f.Fuzz(func(t *testing.T, sig int, raw []byte) {
		var si [128]byte
		copy(si[:], raw)
		if len(raw) > 12 {
			binary.LittleEndian.PutUint32(si[8:], uint32(raw[12])-3)
		}
		s := string(AppendSiginfo(nil, sig, &si, &Options{Consts: ConstStyle(sig & 3 % 3)}))
		if !balanced(s) || !strings.HasSuffix(s, "}") {
			t.Fatalf("not strace-shaped: %q", s)
		}
	})
}
