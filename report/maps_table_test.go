package report

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/mmtrace/mmtrace/procmaps"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/maps/golden")

const mapsFixtures = "../testdata/maps/"

func readMapsFixture(t testing.TB, name string) procmaps.Regions {
	t.Helper()
	f, err := os.Open(mapsFixtures + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rs procmaps.Regions
	if strings.HasSuffix(name, ".smaps") {
		rs, err = procmaps.ParseSmaps(f)
	} else {
		rs, err = procmaps.ParseMaps(f)
	}
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := procmaps.InferShmemDevice(rs)
	rs.Classify(dev)
	return rs
}

// repeatRegions copies base (all but its last region, [vsyscall], which ends the address
// space) at successive 16 TB offsets until there are at least n regions in address order.
func repeatRegions(base []procmaps.Region, n int) []procmaps.Region {
	var rs []procmaps.Region
	for k := uint64(0); len(rs) < n; k++ {
		for _, r := range base[:len(base)-1] {
			r.Start += k << 44
			r.End += k << 44
			rs = append(rs, r)
		}
	}
	return rs
}

// checkGolden compares got with testdata/maps/golden/NAME, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := mapsFixtures + "golden/" + name
	if *update {
		if err := os.MkdirAll(mapsFixtures+"golden", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestRegionTableGolden(t *testing.T) {
	for _, tt := range []struct {
		fixture string
		opt     MapsOptions
		golden  string
	}{
		{"tricky.smaps", MapsOptions{}, "tricky.smaps.table"},
		{"tricky.smaps", MapsOptions{Bytes: true}, "tricky.smaps.bytes.table"},
		{"tricky.maps", MapsOptions{}, "tricky.maps.table"},
		{"kinds.smaps", MapsOptions{}, "kinds.smaps.table"},
	} {
		var b bytes.Buffer
		if err := WriteRegionTable(&b, readMapsFixture(t, tt.fixture), tt.opt); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, tt.golden, b.Bytes())
	}
}

// Big tables skip tablewriter for speed; what they print must not change.
func TestAlignedMatchesTablewriter(t *testing.T) {
	for _, fixture := range []string{"tricky.smaps", "tricky.maps", "kinds.smaps", "kinds.maps"} {
		rs := readMapsFixture(t, fixture)
		for _, o := range []MapsOptions{{}, {Bytes: true}} {
			cols := regionTableColumns(rs.HasUsage())
			var a, b bytes.Buffer
			if err := writeTablewriter(&a, cols, rs, &o); err != nil {
				t.Fatal(err)
			}
			if err := writeAligned(&b, cols, rs, &o); err != nil {
				t.Fatal(err)
			}
			if a.String() != b.String() {
				t.Errorf("%s bytes=%v: aligned writer differs from tablewriter\ntablewriter:\n%s\naligned:\n%s", fixture, o.Bytes, a.String(), b.String())
			}
		}
	}
}

func TestAppendMapsName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"/usr/lib/libc.so.6", "/usr/lib/libc.so.6"},
		{"/tmp/line\nbreak", `/tmp/line\012break`},
		{"/tmp/two  spaces  ", `/tmp/two  spaces\040\040`},
		{"/tmp/tab\there", `/tmp/tab\011here`},
		{"/tmp/esc\x1b[31m", `/tmp/esc\033[31m`},
		{"/tmp/中文.so", "/tmp/中文.so"},
		{"/tmp/bad\xffutf8", `/tmp/bad\377utf8`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := string(appendMapsName(nil, tt.name)); got != tt.want {
			t.Errorf("appendMapsName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// The big-table writer measures columns without formatting them: the measure must be the
// formatted width, for the fixtures and for extreme values.
func TestRegionColumnWidths(t *testing.T) {
	rs := append(readMapsFixture(t, "tricky.smaps"), readMapsFixture(t, "kinds.smaps")...)
	for _, r := range []procmaps.Region{
		{}, {Start: 1<<64 - 1, End: 1<<64 - 1, Offset: 1<<64 - 1, Dev: procmaps.Dev{Major: 0x103, Minor: 0xfffff}, Inode: 1<<64 - 1},
		{Start: 0xfffffff, End: 0x10000000, Offset: 0xf, Dev: procmaps.Dev{Major: 0xf, Minor: 0x10}, Inode: 9},
	} {
		r.Kind, r.Role = procmaps.FileShared, procmaps.RoleAnonInode
		rs = append(rs, r)
	}
	for _, c := range regionColumns {
		if c.width == nil {
			continue
		}
		for i := range rs {
			if got, want := c.width(&rs[i]), len(c.cell(nil, &rs[i], &MapsOptions{})); got != want {
				t.Errorf("%s of %+v: width %d, formatted %d", c.header, rs[i], got, want)
			}
		}
	}
}

// A table of many of writeAligned's batches (256 rows each) still matches tablewriter's.
func TestAlignedMatchesTablewriterBig(t *testing.T) {
	base := readMapsFixture(t, "tricky.smaps")
	rs := repeatRegions(base, 9000)
	cols := regionTableColumns(true)
	o := MapsOptions{}
	var a, b bytes.Buffer
	if err := writeTablewriter(&a, cols, rs, &o); err != nil {
		t.Fatal(err)
	}
	if err := writeAligned(&b, cols, rs, &o); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		al, bl := strings.Split(a.String(), "\n"), strings.Split(b.String(), "\n")
		for i := range min(len(al), len(bl)) {
			if al[i] != bl[i] {
				t.Fatalf("line %d differs:\ntablewriter %q\naligned     %q", i, al[i], bl[i])
			}
		}
		t.Fatalf("%d lines from tablewriter, %d aligned", len(al), len(bl))
	}
}

// WriteMapsTables makes a big process's summary while it writes the table: the text must be
// the table, a blank line and the summary, as written one after the other, small or big.
func TestMapsTablesInOrder(t *testing.T) {
	base := readMapsFixture(t, "tricky.smaps")
	for _, n := range []int{len(base), 3 * mapsTablewriterRows} {
		rs := repeatRegions(base, n)
		o := MapsOptions{TopFiles: 5}
		var want, got bytes.Buffer
		if err := WriteRegionTable(&want, rs, o); err != nil {
			t.Fatal(err)
		}
		want.WriteString("\n")
		if err := WriteMapsSummary(&want, rs, o); err != nil {
			t.Fatal(err)
		}
		if err := WriteMapsTables(&got, rs, o); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%d regions: WriteMapsTables wrote %d bytes, the table and summary are %d", len(rs), got.Len(), want.Len())
		}
	}
}

// BenchmarkRegionTable writes the table of 60,000 regions, the size of bench/maps's process.
func BenchmarkRegionTable(b *testing.B) {
	base := readMapsFixture(b, "tricky.maps")
	rs := repeatRegions(base, 60000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteRegionTable(io.Discard, rs, MapsOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegionTableTablewriter writes the largest table that tablewriter lays out.
func BenchmarkRegionTableTablewriter(b *testing.B) {
	base := readMapsFixture(b, "tricky.maps")
	rs := repeatRegions(base, mapsTablewriterRows)[:mapsTablewriterRows]
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteRegionTable(io.Discard, rs, MapsOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// failingWriter takes n writes, then fails.
type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

// A write that fails ends the big table and is returned.
func TestAlignedWriteError(t *testing.T) {
	base := readMapsFixture(t, "tricky.maps")
	rs := repeatRegions(base, 20000)
	for _, n := range []int{0, 1, 5} {
		if err := WriteRegionTable(&failingWriter{n: n}, rs, MapsOptions{}); err == nil || err.Error() != "disk full" {
			t.Errorf("after %d writes: error %v, want disk full", n, err)
		}
	}
}

// TestWriteComparisonMarksDisagreement: where a model disagreed with the kernel, the row
// says so in its ORIGIN column (a region the model lacked, one it had otherwise), and the
// model's regions the kernel did not have follow the table; rows that agreed are unmarked.
func TestWriteComparisonMarksDisagreement(t *testing.T) {
	region := func(start, end uint64, perms procmaps.Perms, origin *procmaps.Origin) procmaps.Region {
		return procmaps.Region{Start: start, End: end, Perms: perms, Kind: procmaps.AnonPrivate, Role: procmaps.RoleAnon, Origin: origin}
	}
	const rw = procmaps.PermRead | procmaps.PermWrite
	mmap := &procmaps.Origin{Kind: procmaps.OriginCall, Syscall: "mmap", Seq: 3}
	mprotect := &procmaps.Origin{Kind: procmaps.OriginCall, Syscall: "mprotect", Seq: 5}
	kernel := &procmaps.Origin{Kind: procmaps.OriginKernel}
	agreed := region(0x10000, 0x11000, rw, mmap)
	lacked := region(0x20000, 0x21000, rw, kernel)                     // the model had nothing there
	otherwise := region(0x30000, 0x32000, procmaps.PermRead, mprotect) // the model had it read-write
	stale := region(0x30000, 0x32000, rw, mprotect)
	gone := region(0x40000, 0x41000, rw, mmap) // the model's only
	c := &procmaps.Comparison{
		Kernel: procmaps.Regions{agreed, lacked, otherwise},
		Agreed: 1,
		Unseen: procmaps.Regions{lacked, otherwise},
		Stale:  procmaps.Regions{stale, gone},
	}
	var b bytes.Buffer
	if err := WriteComparison(&b, c); err != nil {
		t.Fatal(err)
	}
	row := func(r procmaps.Region) string { return string(appendAddr(nil, r.Start)) }
	lines := strings.Split(b.String(), "\n")
	find := func(prefix string, from int) (string, int) {
		for i := from; i < len(lines); i++ {
			if strings.HasPrefix(strings.TrimLeft(lines[i], " "), prefix) {
				return lines[i], i
			}
		}
		t.Fatalf("no line starting with %s after line %d:\n%s", prefix, from, b.String())
		return "", 0
	}
	for _, tt := range []struct {
		r    procmaps.Region
		want string
	}{
		{agreed, "mmap #3 +0.000000s"},
		{lacked, "kernel [not in model]"},
		{otherwise, "mprotect #5 +0.000000s [model differs]"},
	} {
		line, _ := find(row(tt.r), 0)
		if !strings.Contains(line, tt.want) {
			t.Errorf("row %q: want %q in it", line, tt.want)
		}
		if tt.r.Start == agreed.Start && strings.Contains(line, "[") {
			t.Errorf("row %q that agreed is marked", line)
		}
	}
	_, at := find("mmtrace: in the model, not in the kernel", 0)
	for _, r := range []procmaps.Region{stale, gone} {
		line, _ := find(row(r), at)
		if !strings.Contains(line, " rw-p ") {
			t.Errorf("the model's region %q: want its own permissions rw-p", line)
		}
	}
	// Nothing after the table when the model agreed on every region.
	b.Reset()
	if err := WriteComparison(&b, &procmaps.Comparison{Kernel: procmaps.Regions{agreed}, Agreed: 1}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "[") || strings.Contains(b.String(), "mmtrace:") {
		t.Errorf("a table of full agreement has marks:\n%s", b.String())
	}
}
