package procmaps

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"unsafe"

	"golang.org/x/sys/unix"
)

const fixtures = "../testdata/maps/"

func TestParseHeader(t *testing.T) {
	tests := []struct {
		line string
		want Region
	}{
		{
			"7f0e09f20000-7f0e09f24000 rw-s 00000000 fe:00 9978228                    /tmp/kd/shared  two spaces ",
			Region{Start: 0x7f0e09f20000, End: 0x7f0e09f24000, Perms: PermRead | PermWrite | PermShared,
				Dev: Dev{0xfe, 0}, Inode: 9978228, Name: "/tmp/kd/shared  two spaces "},
		},
		{
			"7f0e09f1c000-7f0e09f20000 rw-p 00000000 fe:00 9978229                    /tmp/kd/private\\012newline",
			Region{Start: 0x7f0e09f1c000, End: 0x7f0e09f20000, Perms: PermRead | PermWrite,
				Dev: Dev{0xfe, 0}, Inode: 9978229, Name: "/tmp/kd/private\nnewline"},
		},
		{
			"7f0e09d2d000-7f0e09d31000 r--p 00000000 fe:00 9978230                    /tmp/kd/gone (deleted) (deleted)",
			Region{Start: 0x7f0e09d2d000, End: 0x7f0e09d31000, Perms: PermRead,
				Dev: Dev{0xfe, 0}, Inode: 9978230, Name: "/tmp/kd/gone (deleted)", Deleted: true},
		},
		{
			// Anonymous: no name, with and without the trailing space some kernels write.
			"7f0e09d21000-7f0e09d25000 ---p 00000000 00:00 0 ",
			Region{Start: 0x7f0e09d21000, End: 0x7f0e09d25000},
		},
		{
			"7f0e09d21000-7f0e09d25000 rwxp 00001000 00:00 0",
			Region{Start: 0x7f0e09d21000, End: 0x7f0e09d25000, Perms: PermRead | PermWrite | PermExec, Offset: 0x1000},
		},
		{
			// A long inode leaves no padding: exactly one space before the name.
			"ffffffffff600000-ffffffffff601000 --xp 00000000 103:05 123456789012345678 /x",
			Region{Start: 0xffffffffff600000, End: 0xffffffffff601000, Perms: PermExec,
				Dev: Dev{0x103, 5}, Inode: 123456789012345678, Name: "/x"},
		},
	}
	for _, tt := range tests {
		var got Region
		if msg := parseHeader([]byte(tt.line), &got, interner{}); msg != "" {
			t.Errorf("parseHeader(%q): %s", tt.line, msg)
			continue
		}
		if got != tt.want {
			t.Errorf("parseHeader(%q)\n got %+v\nwant %+v", tt.line, got, tt.want)
		}
	}
}

func TestParseMapsErrors(t *testing.T) {
	good := "00400000-00401000 r-xp 00000000 fe:00 1 /bin/x\n"
	tests := []struct {
		text string
		want string // in the error
	}{
		{good + "zz-00402000 r--p 00000000 fe:00 1 /bin/x\n", "line 2: bad start address"},
		{good + "00401000-00402000 rw 00000000 fe:00 1 /bin/x\n", "line 2: bad permissions"},
		{good + "00401000-00402000 rwzp 00000000 fe:00 1 /bin/x\n", "line 2: bad permissions"},
		{good + "00401000-00402000 r--p 0000g000 fe:00 1 /bin/x\n", "line 2: bad offset"},
		{good + "00401000-00402000 r--p 00000000 fe00 1 /bin/x\n", "line 2: bad device"},
		{good + "00401000-00402000 r--p 00000000 fe:00 x /bin/x\n", "line 2: bad inode"},
		{good + "00401000-00402000 r--p 00000000 fe:00 1x /bin/x\n", "line 2: bad inode"},
		{good + "00402000-00401000 r--p 00000000 fe:00 1 /bin/x\n", "line 2: end address before start"},
		{good + "00400800-00402000 r--p 00000000 fe:00 1 /bin/x\n", "line 2: region overlaps"},
		{good + good + "x", "line 2: region overlaps"},
		{"00400000-00401000 r-xp 00000000 fe:00 1 /bin/x\nRss: 4 kB\n", "line 2: bad start address"},
		{"00400000-10000000000000000 r-xp 00000000 fe:00 1 /bin/x\n", "line 1: bad end address"},
	}
	for _, tt := range tests {
		_, err := ParseMaps(strings.NewReader(tt.text))
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseMaps(%q) = %v, want a ParseError with %q", tt.text, err, tt.want)
		}
	}
}

// The fixtures hold every kind of name; each must come back exactly, in order.
func TestParseMapsFixtures(t *testing.T) {
	for _, name := range []string{"kinds.maps", "tricky.maps"} {
		text, err := os.ReadFile(fixtures + name)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := ParseMaps(strings.NewReader(string(text)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
		if len(rs) != len(lines) {
			t.Fatalf("%s: %d regions from %d lines", name, len(rs), len(lines))
		}
		for i, r := range rs {
			if got := formatMapsLine(&r); got != lines[i] {
				t.Errorf("%s line %d: reformatted\n got %q\nwant %q", name, i+1, got, lines[i])
			}
		}
	}
}

// A name longer than the first read, so the reader must grow its buffer mid-line.
func TestParseMapsLongLine(t *testing.T) {
	long := "/" + strings.Repeat("d", 3*readSize)
	text := "00400000-00401000 r-xp 00000000 fe:00 1 " + long + "\n00401000-00402000 r--p 00000000 00:00 0\n"
	rs, err := ParseMaps(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Name != long || rs[1].Name != "" {
		t.Fatalf("got %d regions, first name %d bytes", len(rs), len(rs[0].Name))
	}
}

// A text bigger than the first read, read in short pieces: it goes on into the mapped read
// areas, and every region comes out as it was.
func TestParseMapsBigText(t *testing.T) {
	var b strings.Builder
	const n = 20000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%08x-%08x rw-p 00000000 00:00 0                          /some/file/%d\n", 0x10000+i*0x2000, 0x11000+i*0x2000, i)
	}
	if b.Len() <= readSize {
		t.Fatalf("the text is %d bytes, not more than one read of %d", b.Len(), readSize)
	}
	rs, err := ParseMaps(iotest.HalfReader(strings.NewReader(b.String())))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != n {
		t.Fatalf("%d regions from %d lines", len(rs), n)
	}
	for i, r := range rs {
		if r.Start != uint64(0x10000+i*0x2000) || r.Name != fmt.Sprintf("/some/file/%d", i) {
			t.Fatalf("region %d: %#x %q", i, r.Start, r.Name)
		}
	}
}

// A text of many reads: the regions, the line numbers of errors and the order check hold in
// its middle as at its start.
func TestParseMapsManyLines(t *testing.T) {
	const n = 3 * 8192
	lines := make([]string, n)
	for i := range lines {
		// As the kernel writes it, name column and all, so that a region formats back to it.
		one, err := ParseMaps(strings.NewReader(fmt.Sprintf("%08x-%08x r--p 00000000 fe:00 %d /lib/f%d", 0x10000+i*0x2000, 0x11000+i*0x2000, i, i%7)))
		if err != nil {
			t.Fatal(err)
		}
		lines[i] = formatMapsLine(&one[0])
	}
	text := func(ls []string) string { return strings.Join(ls, "\n") + "\n" }
	with := func(i int, line string) []string {
		ls := slices.Clone(lines)
		ls[i] = line
		return ls
	}
	if size := len(text(lines)); size < parallelParseSize {
		t.Fatalf("the text is %d bytes, too small to be parsed in two halves (%d)", size, parallelParseSize)
	}
	// A line in the middle, for errors there.
	meet := n / 2
	overlap := fmt.Sprintf("%08x-%08x r--p 00000000 fe:00 1 /x", 0x10000+(meet-1)*0x2000+0x800, 0x11000+meet*0x2000)
	// The first line of the second half, which is checked against the first half's last
	// only once both are parsed.
	cutText := func(ls []string) int {
		a, _ := splitAtLine([][]byte{[]byte(text(ls))})
		return strings.Count(string(a[len(a)-1]), "\n") // lines before the cut: a is one chunk
	}
	cut := cutText(lines)
	// As long as the line it replaces, so that the cut stays where it was.
	over, err := ParseMaps(strings.NewReader(fmt.Sprintf("%08x-%08x r--p 00000000 fe:00 %d /lib/f%d", 0x10000+(cut-1)*0x2000, 0x11000+cut*0x2000, cut, cut%7)))
	if err != nil {
		t.Fatal(err)
	}
	atCut := with(cut, formatMapsLine(&over[0]))
	if cutText(atCut) != cut {
		t.Fatalf("the text with an overlap at line %d is cut elsewhere", cut+1)
	}

	tests := []struct {
		name string
		text string
		want string // in the error; "" for none
		n    int    // regions, without an error
	}{
		{"whole", text(lines), "", n},
		{"no last newline", strings.TrimSuffix(text(lines), "\n"), "", n},
		{"blank lines in the first half", "\n\n" + text(lines[:100]) + "\n" + text(lines[100:]) + "\n", "", n},
		{"error in the first half", text(with(10, "zz")), "line 11: bad start address", 0},
		{"error in the second half", text(with(n-10, "zz")), fmt.Sprintf("line %d: bad start address", n-9), 0},
		{"errors early and late", text(with(n-10, "zz")[:10]) + "zz\n" + text(lines[11:n-10]), "line 11: bad start address", 0},
		{"overlap in the middle", text(with(meet, overlap)), fmt.Sprintf("line %d: region overlaps", meet+1), 0},
		{"overlap just after", text(with(meet+1, overlap)), fmt.Sprintf("line %d: region overlaps", meet+2), 0},
		{"overlap at the cut", text(atCut), fmt.Sprintf("line %d: region overlaps", cut+1), 0},
		{"error at the cut", text(with(cut, "zz")), fmt.Sprintf("line %d: bad start address", cut+1), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := ParseMaps(iotest.HalfReader(strings.NewReader(tt.text)))
			if tt.want != "" {
				var pe *ParseError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error %v, want a ParseError with %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != tt.n {
				t.Fatalf("%d regions, want %d", len(rs), tt.n)
			}
			for i := range rs {
				if got := formatMapsLine(&rs[i]); got != lines[i] {
					t.Fatalf("region %d reformatted: %q, want %q", i, got, lines[i])
				}
			}
		})
	}
}

func TestRegionsFind(t *testing.T) {
	rs := Regions{{Start: 0x1000, End: 0x3000}, {Start: 0x5000, End: 0x6000}, {Start: 0x6000, End: 0x8000}}
	tests := []struct {
		addr uint64
		want int
	}{
		{0, -1}, {0xfff, -1}, {0x1000, 0}, {0x2fff, 0}, {0x3000, -1}, {0x4fff, -1},
		{0x5000, 1}, {0x5fff, 1}, {0x6000, 2}, {0x7fff, 2}, {0x8000, -1}, {1<<64 - 1, -1},
	}
	for _, tt := range tests {
		if got := rs.Index(tt.addr); got != tt.want {
			t.Errorf("Index(%#x) = %d, want %d", tt.addr, got, tt.want)
		}
	}
}

// Lines come out whole wherever the chunks split them.
func TestForEachLineSplits(t *testing.T) {
	text := []byte("a\nbc\n\ndef\nlast")
	want := []string{"a", "bc", "", "def", "last"}
	for i := 0; i <= len(text); i++ {
		for j := i; j <= len(text); j++ {
			var got []string
			forEachLine([][]byte{text[:i], text[i:j], text[j:]}, func(l []byte) bool {
				got = append(got, string(l))
				return true
			})
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("split at %d, %d: %q", i, j, got)
			}
		}
	}
}

// TestPrepareRegionMemory checks on fresh anonymous memory, none of it mapped in, that
// prepareRegionMemory maps all of it in, and leaves a small allocation alone.
func TestPrepareRegionMemory(t *testing.T) {
	const page = 4096
	for _, tt := range []struct {
		size   int
		mapped bool
	}{
		{16 * page, true},
		{3 << 20, true}, // a whole huge page in it, wherever it starts
		{15 * page, false},
	} {
		m, err := unix.Mmap(-1, 0, tt.size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
		if err != nil {
			t.Fatal(err)
		}
		resident := func() int {
			vec := make([]byte, tt.size/page)
			if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(tt.size), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
				t.Fatalf("mincore: %v", e)
			}
			n := 0
			for _, v := range vec {
				n += int(v & 1)
			}
			return n
		}
		if n := resident(); n != 0 {
			t.Fatalf("%d bytes: %d pages mapped in before", tt.size, n)
		}
		prepareRegionMemory(unsafe.Pointer(&m[0]), uintptr(tt.size))
		want := 0
		if tt.mapped {
			want = tt.size / page
		}
		if n := resident(); n != want {
			t.Errorf("%d bytes: %d of %d pages mapped in, want %d", tt.size, n, tt.size/page, want)
		}
		unix.Munmap(m)
	}
}
