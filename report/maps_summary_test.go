package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/mmtrace/mmtrace/procmaps"
)

func TestMapsSummaryGolden(t *testing.T) {
	for _, tt := range []struct {
		fixture, golden string
	}{
		{"tricky.smaps", "tricky.smaps.summary"},
		{"tricky.maps", "tricky.maps.summary"},
	} {
		var b bytes.Buffer
		if err := WriteMapsSummary(&b, readMapsFixture(t, tt.fixture), MapsOptions{TopFiles: 5}); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, tt.golden, b.Bytes())
	}
}

func TestWriteMapsJSON(t *testing.T) {
	rs := readMapsFixture(t, "tricky.smaps")
	var b bytes.Buffer
	procs := []MapsProcess{{PID: 42, Command: "tricky --x", Source: "tricky.smaps", Regions: rs, Unmapped: []uint64{0x10}}}
	if err := WriteMapsJSON(&b, procs, MapsOptions{TopFiles: 3}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "tricky.smaps.json", b.Bytes())

	// Whatever the layout, the numbers are the model's.
	var got []struct {
		PID     int `json:"pid"`
		Regions []struct {
			Start, Name, Kind, Role string
			Deleted                 bool
			ShmID                   *int `json:"shmid"`
			Usage                   *struct {
				Rss     uint64   `json:"rss"`
				VMFlags []string `json:"vm_flags"`
			}
		}
		Summary map[string]struct {
			Regions int
			Size    uint64
			Rss     *uint64
		}
		TopFiles []struct{ Name string } `json:"top_files"`
		Unmapped []string
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].PID != 42 || len(got[0].Regions) != len(rs) {
		t.Fatalf("decoded %+v", got)
	}
	s := procmaps.Summarize(rs)
	for _, k := range procmaps.Kinds {
		c := got[0].Summary[k.String()]
		if c.Regions != s.ByKind[k].Regions || c.Size != s.ByKind[k].Size || c.Rss == nil || *c.Rss != s.ByKind[k].Rss {
			t.Errorf("summary[%s] = %+v, want %+v", k, c, s.ByKind[k])
		}
	}
	for i, r := range got[0].Regions {
		if r.Name != rs[i].Name || r.Kind != rs[i].Kind.String() || r.Role != rs[i].Role.String() || r.Usage == nil || r.Usage.Rss != rs[i].Usage.Rss {
			t.Errorf("region %d: %+v", i, r)
		}
	}
	if got[0].Regions[5].ShmID == nil || *got[0].Regions[5].ShmID != 32769 {
		t.Errorf("SysV region has no shmid: %+v", got[0].Regions[5])
	}
	if len(got[0].TopFiles) != 3 || len(got[0].Unmapped) != 1 || got[0].Unmapped[0] != "0x10" {
		t.Errorf("top files %v, unmapped %v", got[0].TopFiles, got[0].Unmapped)
	}

	// Without smaps the memory fields are absent, not zero.
	b.Reset()
	if err := WriteMapsJSON(&b, []MapsProcess{{Regions: readMapsFixture(t, "tricky.maps")}}, MapsOptions{}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte(`"rss"`)) || bytes.Contains(b.Bytes(), []byte(`"usage"`)) {
		t.Errorf("maps-only JSON has memory fields:\n%s", b.Bytes())
	}
}
