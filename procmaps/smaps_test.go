package procmaps

import (
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseSmapsTricky(t *testing.T) {
	maps := readFixture(t, "tricky.maps", parseMapsString)
	smaps := readFixture(t, "tricky.smaps", parseSmapsString)
	if len(maps) != len(smaps) {
		t.Fatalf("%d regions in maps, %d in smaps", len(maps), len(smaps))
	}
	for i := range maps {
		if smaps[i].Usage == nil {
			t.Fatalf("region %d has no Usage", i)
		}
		if smaps[i].Usage.Size != smaps[i].Size() {
			t.Errorf("region %d: Size field %d, range %d", i, smaps[i].Usage.Size, smaps[i].Size())
		}
		s := smaps[i]
		s.Usage = nil
		if s != maps[i] {
			t.Errorf("region %d: smaps %+v, maps %+v", i, s, maps[i])
		}
	}
	heap, _ := smaps.Find(0x55d0c1000000)
	if u := heap.Usage; u.Rss != 132<<10 || u.PrivateDirty != 132<<10 || u.Anonymous != 132<<10 || u.Dirty() != 132<<10 {
		t.Errorf("heap usage %+v", *u)
	}
	db, _ := smaps.Find(0x7f100081b000)
	wantOther := []Field{{Key: "Hugetlb_Future", Value: 12 << 10, Bytes: true}, {Key: "Mystery", Value: 3}}
	if !reflect.DeepEqual(db.Usage.Other, wantOther) {
		t.Errorf("unknown fields kept as %+v, want %+v", db.Usage.Other, wantOther)
	}
	if db.Usage.VMFlags != "rd wr sh mr mw me" || !db.Usage.HasFlag("sh") || db.Usage.HasFlag("ht") || db.Usage.HasFlag("s") {
		t.Errorf("VmFlags %q", db.Usage.VMFlags)
	}
	huge, _ := smaps.Find(0x7f1000400000)
	if huge.Usage.KernelPageSize != 2<<20 || !huge.Usage.hugetlb() {
		t.Errorf("anon_hugepage usage %+v", *huge.Usage)
	}
}

func TestParseSmapsErrors(t *testing.T) {
	head := "00400000-00401000 r-xp 00000000 fe:00 1 /bin/x\nSize: 4 kB\n"
	tests := []struct {
		text, want string
	}{
		{"Rss: 4 kB\n", "line 1: field before the first region"},
		{head + "Rss: x kB\n", "line 3: bad number"},
		{head + "Rss: 4 MB\n", "line 3: want a number of kB"},
		{head + "Rss 4 kB\n", "line 3: want \"Key: value\""},
		{head + "Rss: 99999999999999999999 kB\n", "line 3: bad number"},
		{head + "Rss: 18014398509481984 kB\n", "line 3: number too large"},
		{head + "00400000-00401000 r-xp 00000000 fe:00 1 /bin/x\n", "line 3: region overlaps"},
		{head + "0040g000-00401000 r-xp 00000000 fe:00 1 /bin/x\n", "line 3: bad start address"},
	}
	for _, tt := range tests {
		_, err := ParseSmaps(strings.NewReader(tt.text))
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSmaps(%q) = %v, want %q", tt.text, err, tt.want)
		}
	}
}

func TestParseRollup(t *testing.T) {
	f, err := os.Open(fixtures + "kinds.smaps_rollup")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u, err := ParseRollup(f)
	if err != nil {
		t.Fatal(err)
	}
	want := Usage{Rss: 1552 << 10, Pss: 373 << 10, PssDirty: 260 << 10, PssAnon: 152 << 10, PssFile: 141 << 10,
		PssShmem: 80 << 10, SharedClean: 1288 << 10, PrivateClean: 4 << 10, PrivateDirty: 260 << 10,
		Referenced: 1552 << 10, Anonymous: 152 << 10}
	if !reflect.DeepEqual(u, want) {
		t.Errorf("got  %+v\nwant %+v", u, want)
	}
	for _, bad := range []string{"Rss: 4 kB\n", "00400000-00401000 ---p 00000000 00:00 0 [rollup]\nRss: 4 kB\n00400000-00401000 ---p 00000000 00:00 0 [rollup]\n"} {
		if _, err := ParseRollup(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseRollup(%q) did not fail", bad)
		}
	}
}

// pmapTotals reads the last line of pmap -X or -XX output: the totals, in kB, by column name.
func pmapTotals(t *testing.T, out string) map[string]uint64 {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) < 4 {
		t.Fatalf("pmap output too short:\n%s", out)
	}
	header := strings.Fields(lines[1])
	totals := strings.Fields(lines[len(lines)-1])
	i := 0
	for i < len(header) && header[i] != "Size" {
		i++
	}
	cols := header[i:]
	for len(cols) > 0 && (cols[len(cols)-1] == "Mapping" || cols[len(cols)-1] == "VmFlags") {
		cols = cols[:len(cols)-1] // columns with no total
	}
	if len(totals) != len(cols)+1 || totals[len(totals)-1] != "KB" {
		t.Fatalf("pmap totals %q do not match columns %q", totals, cols)
	}
	m := map[string]uint64{}
	for j, c := range cols {
		n, err := strconv.ParseUint(totals[j], 10, 64)
		if err != nil {
			t.Fatalf("pmap total %q: %v", totals[j], err)
		}
		m[c] = n
	}
	return m
}

// The captured fixtures agree with each other: smaps summed is what pmap -X and
// smaps_rollup showed at the same moment (Pss aside: pmap itself maps libc and so shares
// the process's libc pages while it reads).
func TestSmapsFixtureTotals(t *testing.T) {
	rs := readFixture(t, "kinds.smaps", parseSmapsString)
	rs.Classify(Dev{0, 1})
	s := Summarize(rs)
	var sum Usage
	for _, r := range rs {
		sum.Add(r.Usage)
	}
	pm, err := os.ReadFile(fixtures + "kinds.pmap-X")
	if err != nil {
		t.Fatal(err)
	}
	p := pmapTotals(t, string(pm))
	if s.Total.Size != p["Size"]<<10 || s.Total.Rss != p["Rss"]<<10 || s.Total.Swap != p["Swap"]<<10 {
		t.Errorf("totals %+v, pmap -X %v", s.Total, p)
	}
	f, err := os.Open(fixtures + "kinds.smaps_rollup")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	roll, err := ParseRollup(f)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rss != roll.Rss || sum.Dirty() != roll.Dirty() || sum.Anonymous != roll.Anonymous || sum.Swap != roll.Swap {
		t.Errorf("smaps sums %+v\nrollup %+v", sum, roll)
	}
	var cells Totals
	for _, c := range s.ByKind {
		cells.Regions += c.Regions
		cells.Size += c.Size
		cells.Rss += c.Rss
		cells.Pss += c.Pss
		cells.Dirty += c.Dirty
		cells.Swap += c.Swap
	}
	if cells != s.Total {
		t.Errorf("the four cells add up to %+v, total is %+v", cells, s.Total)
	}
}
