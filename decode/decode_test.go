package decode

import (
	"bufio"
	"encoding/binary"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fakeTracee is an in-memory Tracee: a few mapped segments and an fd
// table. Reads stop short at the end of a segment, as process_vm_readv
// does at an unmapped page.
type fakeTracee struct {
	segs []seg
	fds  map[int]string
}

type seg struct {
	addr uint64
	data []byte
}

func (f *fakeTracee) ReadMemory(addr uint64, p []byte) (int, error) {
	for _, s := range f.segs {
		if addr >= s.addr && addr < s.addr+uint64(len(s.data)) {
			n := copy(p, s.data[addr-s.addr:])
			if n < len(p) {
				return n, errors.New("EFAULT")
			}
			return n, nil
		}
	}
	return 0, errors.New("EFAULT")
}

func (f *fakeTracee) FdPath(fd int) (string, error) {
	if p, ok := f.fds[fd]; ok {
		return p, nil
	}
	return "", errors.New("EBADF")
}

// mem adds a segment and returns its address.
func (f *fakeTracee) mem(addr uint64, data []byte) uint64 {
	f.segs = append(f.segs, seg{addr, data})
	return addr
}

// builder lays out strings, pointer arrays and structs in a fake tracee.
type builder struct {
	f    *fakeTracee
	next uint64
	ws   int
}

func newBuilder(ws int) *builder {
	return &builder{f: &fakeTracee{fds: map[int]string{}}, next: 0x10000, ws: ws}
}

func (b *builder) bytes(p []byte) uint64 {
	a := b.f.mem(b.next, p)
	b.next += (uint64(len(p)) + 0xfff) &^ 0xfff
	b.next += 0x1000 // leave a hole after every object
	return a
}

func (b *builder) str(s string) uint64 { return b.bytes(append([]byte(s), 0)) }

func (b *builder) words(ws ...uint64) uint64 {
	p := make([]byte, len(ws)*b.ws)
	for i, w := range ws {
		if b.ws == 4 {
			binary.LittleEndian.PutUint32(p[i*4:], uint32(w))
		} else {
			binary.LittleEndian.PutUint64(p[i*8:], w)
		}
	}
	return b.bytes(p)
}

func (b *builder) argv(ss ...string) uint64 {
	ptrs := make([]uint64, 0, len(ss)+1)
	for _, s := range ss {
		ptrs = append(ptrs, b.str(s))
	}
	return b.words(append(ptrs, 0)...)
}

func le32(vs ...int32) []byte {
	p := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint32(p[4*i:], uint32(v))
	}
	return p
}

// errnoByName finds an errno by strace's name.
func errnoByName(t testing.TB, name string) int64 {
	for e := uint64(0); e < 600; e++ {
		if ErrnoName(e) == name {
			return int64(e)
		}
	}
	t.Fatalf("no errno %s", name)
	return 0
}

var retRE = regexp.MustCompile(`^(.*) = (\?|-1 (E\w+) \(.*\)|0x[0-9a-f]+|-?\d+)$`)

// parseRet splits "name(...) = ret" and turns ret back into what
// PTRACE_GET_SYSCALL_INFO reports.
func parseRet(t testing.TB, line string) (call string, ret int64, isErr bool) {
	m := retRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("cannot parse %q", line)
	}
	switch {
	case m[2] == "?":
		return m[1], 0, false
	case m[3] != "":
		return m[1], -errnoByName(t, m[3]), true
	case strings.HasPrefix(m[2], "0x"):
		v, err := strconv.ParseUint(m[2][2:], 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		return m[1], int64(v), false
	}
	v, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return m[1], v, false
}

func parseArgs(t testing.TB, fields []string) (nr uint64, args [6]uint64) {
	for i, f := range fields {
		var v uint64
		var err error
		if strings.HasPrefix(f, "-") {
			var s int64
			s, err = strconv.ParseInt(f, 0, 64)
			v = uint64(s)
		} else {
			v, err = strconv.ParseUint(f, 0, 64)
		}
		if err != nil {
			t.Fatalf("arg %q: %v", f, err)
		}
		if i == 0 {
			nr = v
		} else {
			args[i-1] = v
		}
	}
	return nr, args
}

func archByName(t testing.TB, s string) Arch {
	for a := ArchX86_64; a < numArch; a++ {
		if a.String() == s || (a == ArchARM64 && s == "arm64") {
			return a
		}
	}
	t.Fatalf("arch %q", s)
	return ArchUnknown
}

// TestStraceRunner replays calls made by a syscall(2) runner under real
// strace 6.1 (testdata/strace_runner.txt) and compares whole lines.
func TestStraceRunner(t *testing.T) {
	f, err := os.Open("testdata/strace_runner.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := &fakeTracee{fds: map[int]string{4: "/etc/hostname"}}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) != 4 {
			t.Fatalf("bad line %q", line)
		}
		a := archByName(t, parts[0])
		o := &Options{StringLimit: DefaultStringLimit, DecorateFds: parts[1] == "y"}
		nr, args := parseArgs(t, strings.Fields(parts[2]))
		want := parts[3]
		_, ret, isErr := parseRet(t, want)
		s := Lookup(a, nr)
		if s == nil {
			t.Errorf("%s: no syscall %d", a, nr)
			continue
		}
		got := string(s.AppendCall(nil, &args, ret, isErr, tr, o))
		if got != want {
			t.Errorf("%s %s %s\n got %s\nwant %s", parts[0], parts[1], parts[2], got, want)
		}
		n++
	}
	if n < 400 {
		t.Fatalf("only %d cases", n)
	}
}

// line formats a whole call.
func line(a Arch, name string, args [6]uint64, ret int64, isErr bool, t Tracee, o *Options) string {
	ensureTables()
	for nr := range tables[a] {
		if sc := tables[a][nr]; sc != nil && sc.Name == name {
			return string(sc.AppendCall(nil, &args, ret, isErr, t, o))
		}
	}
	return "no " + name
}

// readRecorder is a Tracee that notes whether the decoder read its memory.
type readRecorder struct {
	randomTracee
	read bool
}

func (r *readRecorder) ReadMemory(addr uint64, p []byte) (int, error) {
	r.read = true
	return r.randomTracee.ReadMemory(addr, p)
}

// TestReadsMemoryAtEntry holds ReadsMemoryAtEntry to what the decoders do: a call whose entry
// is printed after its task was resumed (ptrace.Options.ResumeFirst) must not read memory
// there, and a call said to read it must, given pointers to readable memory.
func TestReadsMemoryAtEntry(t *testing.T) {
	argSets := [][6]uint64{
		{0x2000, 0x2000, 0x2000, 0x2000, 0x2000, 0x2000},
		{0x3000, 8, 0x4000, 64, 0x5000, 0x6000},
		{1, 0x2000, 0x3000, 0x4000, 16, 0x5000},
	}
	for a := ArchX86_64; a < numArch; a++ {
		for nr := uint64(0); nr < 1024; nr++ {
			sc := Lookup(a, nr)
			if sc == nil || !sc.Decoded() {
				continue
			}
			read := false
			for _, args := range argSets {
				r := &readRecorder{randomTracee: randomTracee{seed: nr}}
				sc.AppendEntry(nil, &args, r, &Options{StringLimit: DefaultStringLimit, DecorateFds: true})
				read = read || r.read
			}
			if read != sc.ReadsMemoryAtEntry() {
				t.Errorf("%s (%v): reads memory at entry: %v, ReadsMemoryAtEntry says %v", sc.Name, a, read, sc.ReadsMemoryAtEntry())
			}
		}
	}
}

// TestTablesNameTheirArch checks that every decoded call names the architecture of its table:
// buildTables does not set it, so that the tables stay unwritten.
func TestTablesNameTheirArch(t *testing.T) {
	for a, list := range archSyscalls {
		for _, sc := range list {
			if sc.arch != Arch(a) {
				t.Errorf("%s (nr %#x) in the %v table says arch %v", sc.Name, sc.Nr, Arch(a), sc.arch)
			}
		}
	}
}

// TestArgTypesIgnoreUpperHalves: the kernel reads an int or unsigned int argument from the low
// half of its register, and strace prints what the kernel reads. For every decoded call of
// every ABI whose registers are 64 bits, garbage in the upper half of such an argument changes
// nothing printed, at entry or exit, and neither does a register past the call's arguments:
// the tables give every argument's type, and the decoders print from what the types keep.
func TestArgTypesIgnoreUpperHalves(t *testing.T) {
	argSets := [][6]uint64{
		{0x2000, 0x2000, 0x2000, 0x2000, 0x2000, 0x2000},
		{0x3000, 8, 0x4000, 64, 0x5000, 0x6000},
		{1, 0x2000, 0x3000, 0x4000, 16, 0x5000},
		{3, 0xffffffff, 2, 0x80000001, 0x7fffffff, 7},
	}
	text := func(sc *Syscall, args [6]uint64, ret int64, isErr bool) string {
		tr := randomTracee{seed: sc.Nr}
		o := &Options{DecorateFds: true}
		b := sc.AppendEntry(nil, &args, tr, o)
		b = append(b, " | "...)
		return string(sc.AppendExit(b, &args, ret, isErr, tr, o))
	}
	ensureTables()
	checked := 0
	for _, a := range []Arch{ArchX86_64, ArchX32, ArchARM64} {
		for _, sc := range tables[a] {
			if sc == nil {
				continue
			}
			for _, args := range argSets {
				dirty := args
				for i, typ := range sc.args {
					switch typ {
					case tInt, tUint:
						dirty[i] |= 0xdeadbeef << 32
						checked++
					case tNone:
						dirty[i] = 0xfacefeed12345678
					}
				}
				for _, r := range []struct {
					ret   int64
					isErr bool
				}{{0, false}, {1, false}, {-14, true}} {
					want := text(sc, args, r.ret, r.isErr)
					if got := text(sc, dirty, r.ret, r.isErr); got != want {
						t.Errorf("%s (%v) with garbage upper halves %#x:\n got %s\nwant %s", sc.Name, a, dirty, got, want)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no call has an int or unsigned int argument")
	}
}
