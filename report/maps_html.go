package report

import (
	"io"
	"strconv"
	"strings"
)

// mapsHTMLData is what a maps page embeds. Regions carry the fields of maps --json, so the
// page and the JSON never disagree on what a region is.
type mapsHTMLData struct {
	Mode  string          `json:"mode"` // "maps"
	Procs []mapsHTMLProcs `json:"procs"`
}

type mapsHTMLProcs struct {
	PID     int              `json:"pid"`
	Command string           `json:"command"`
	Source  string           `json:"source"`
	Regions []mapsRegionJSON `json:"regions"`
}

// WriteMapsHTML writes one self-contained HTML page that draws the address space of each
// process as a map: a box per region, coloured by kind (heap and stack have their own
// colours), its height growing with the logarithm of its size so that a single page stays
// visible next to a gigabyte, and the gaps between regions collapsed. Hovering over a region
// shows its details: range, size, permissions, kind, role, path, and memory when read from
// smaps.
func WriteMapsHTML(w io.Writer, procs []MapsProcess) error {
	d := mapsHTMLData{Mode: "maps", Procs: make([]mapsHTMLProcs, 0, len(procs))}
	var names []string
	for _, p := range procs {
		hp := mapsHTMLProcs{PID: p.PID, Command: p.Command, Source: p.Source,
			Regions: make([]mapsRegionJSON, 0, len(p.Regions))}
		for i := range p.Regions {
			hp.Regions = append(hp.Regions, newMapsRegionJSON(&p.Regions[i]))
		}
		d.Procs = append(d.Procs, hp)
		if p.PID != 0 {
			names = append(names, strconv.Itoa(p.PID))
		} else {
			names = append(names, p.Source)
		}
	}
	return writeHTMLPage(w, "mmtrace maps "+strings.Join(names, " "), d)
}
