package procmaps

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// Seeds for every parser: the captured fixtures and the lines that once broke something.
func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile(fixtures + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		// And the first few lines alone, which the fuzzer mutates more usefully.
		lines := bytes.SplitAfter(b, []byte("\n"))
		f.Add(bytes.Join(lines[:min(3, len(lines))], nil))
	}
	for _, s := range []string{
		"", "\n", "-", "0-0 ---p 0 0:0 0", "0-1 rwxs 0 0:0 0 \\012 (deleted)",
		"ffffffffffffffff-ffffffffffffffff r--p ffffffffffffffff ffffffff:ffffffff 18446744073709551615 x",
		"00400000-00401000 r-xp 00000000 fe:00 1 /bin/x\nSize: 4 kB\nVmFlags: rd ex\nNew: 7\n",
	} {
		f.Add([]byte(s))
	}
}

func FuzzParseMaps(f *testing.F) {
	addSeeds(f, "kinds.maps", "tricky.maps")
	f.Fuzz(func(t *testing.T, text []byte) {
		rs, err := ParseMaps(bytes.NewReader(text))
		if err != nil {
			return
		}
		checkRegions(t, rs)
		rs.Classify(Dev{0, 1})
		// What parses prints back to text that parses to the same regions.
		var b strings.Builder
		for i := range rs {
			b.WriteString(formatMapsLine(&rs[i]))
			b.WriteByte('\n')
		}
		again, err := ParseMaps(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("reformatted text does not parse: %v\n%s", err, b.String())
		}
		again.Classify(Dev{0, 1})
		if len(again) != len(rs) {
			t.Fatalf("%d regions, %d after a round trip", len(rs), len(again))
		}
		for i := range rs {
			if again[i] != rs[i] {
				t.Fatalf("round trip changed region %d:\n%+v\n%+v", i, rs[i], again[i])
			}
		}
	})
}

func FuzzParseSmaps(f *testing.F) {
	addSeeds(f, "kinds.smaps", "tricky.smaps")
	f.Fuzz(func(t *testing.T, text []byte) {
		rs, err := ParseSmaps(bytes.NewReader(text))
		if err != nil {
			return
		}
		checkRegions(t, rs)
		for i := range rs {
			if rs[i].Usage == nil {
				t.Fatalf("region %d has no Usage", i)
			}
		}
		rs.Classify(Dev{0, 1})
		Summarize(rs)
		TopFiles(rs, 3)
	})
}

func FuzzParseRollup(f *testing.F) {
	addSeeds(f, "kinds.smaps_rollup")
	f.Fuzz(func(t *testing.T, text []byte) {
		u, err := ParseRollup(bytes.NewReader(text))
		if err != nil {
			return
		}
		u.HasFlag("rd")
		u.Dirty()
	})
}

func checkRegions(t *testing.T, rs Regions) {
	for i := range rs {
		if rs[i].End < rs[i].Start || i > 0 && rs[i].Start < rs[i-1].End {
			t.Fatalf("region %d out of order: %+v", i, rs[i])
		}
		if r, ok := rs.Find(rs[i].Start); rs[i].Size() > 0 && (!ok || r != &rs[i]) {
			t.Fatalf("Find(%#x) does not return region %d", rs[i].Start, i)
		}
	}
}
