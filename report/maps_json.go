package report

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/mmtrace/mmtrace/procmaps"
)

// MapsProcess is what mmtrace maps shows of one process or saved file.
type MapsProcess struct {
	PID      int               // 0 for a saved file
	Command  string            // the command line, or ""
	Source   string            // the file read: /proc/PID/smaps, /proc/PID/maps, or the saved file
	Regions  []procmaps.Region // in the order to show them
	Unmapped []uint64          // addresses asked for (-A) that no region holds
}

// The JSON document is an array with one object per process; docs/maps.md describes every
// field. Names are snake_case and never change meaning; sizes are bytes; addresses are hex
// strings, because JSON numbers lose precision above 2^53.

type mapsProcessJSON struct {
	PID      int                 `json:"pid"`
	Command  string              `json:"command"`
	Source   string              `json:"source"`
	Smaps    bool                `json:"smaps"`
	Regions  []mapsRegionJSON    `json:"regions"`
	Summary  map[string]mapsCell `json:"summary"`
	TopFiles []mapsFileJSON      `json:"top_files"`
	Unmapped []string            `json:"unmapped,omitempty"`
}

type mapsRegionJSON struct {
	Start   string         `json:"start"`
	End     string         `json:"end"`
	Size    uint64         `json:"size"`
	Perms   string         `json:"perms"`
	Kind    procmaps.Kind  `json:"kind"`
	Role    procmaps.Role  `json:"role"`
	Offset  uint64         `json:"offset"`
	Dev     string         `json:"dev"`
	Inode   uint64         `json:"inode"`
	Name    string         `json:"name"`
	Deleted bool           `json:"deleted"`
	ShmID   *int           `json:"shmid,omitempty"`
	Usage   *mapsUsageJSON `json:"usage,omitempty"`
}

type mapsUsageJSON struct {
	Rss            uint64           `json:"rss"`
	Pss            uint64           `json:"pss"`
	PssDirty       uint64           `json:"pss_dirty"`
	SharedClean    uint64           `json:"shared_clean"`
	SharedDirty    uint64           `json:"shared_dirty"`
	PrivateClean   uint64           `json:"private_clean"`
	PrivateDirty   uint64           `json:"private_dirty"`
	Referenced     uint64           `json:"referenced"`
	Anonymous      uint64           `json:"anonymous"`
	KSM            uint64           `json:"ksm"`
	LazyFree       uint64           `json:"lazy_free"`
	AnonHugePages  uint64           `json:"anon_huge_pages"`
	ShmemPmdMapped uint64           `json:"shmem_pmd_mapped"`
	FilePmdMapped  uint64           `json:"file_pmd_mapped"`
	SharedHugetlb  uint64           `json:"shared_hugetlb"`
	PrivateHugetlb uint64           `json:"private_hugetlb"`
	Swap           uint64           `json:"swap"`
	SwapPss        uint64           `json:"swap_pss"`
	Locked         uint64           `json:"locked"`
	KernelPageSize uint64           `json:"kernel_page_size"`
	MMUPageSize    uint64           `json:"mmu_page_size"`
	THPEligible    bool             `json:"thp_eligible"`
	ProtectionKey  int              `json:"protection_key"`
	VMFlags        []string         `json:"vm_flags"`
	Other          []procmaps.Field `json:"other,omitempty"`
}

// mapsCell is one cell of the two-by-two table; the memory fields are absent without smaps.
type mapsCell struct {
	Regions int     `json:"regions"`
	Size    uint64  `json:"size"`
	Rss     *uint64 `json:"rss,omitempty"`
	Pss     *uint64 `json:"pss,omitempty"`
	Dirty   *uint64 `json:"dirty,omitempty"`
	Swap    *uint64 `json:"swap,omitempty"`
}

type mapsFileJSON struct {
	Name    string `json:"name"`
	Deleted bool   `json:"deleted"`
	Dev     string `json:"dev"`
	Inode   uint64 `json:"inode"`
	mapsCell
}

func newMapsCell(t procmaps.Totals, usage bool) mapsCell {
	c := mapsCell{Regions: t.Regions, Size: t.Size}
	if usage {
		c.Rss, c.Pss, c.Dirty, c.Swap = &t.Rss, &t.Pss, &t.Dirty, &t.Swap
	}
	return c
}

// WriteMapsJSON writes the processes as a JSON array, one object each.
func WriteMapsJSON(w io.Writer, procs []MapsProcess, o MapsOptions) error {
	out := make([]mapsProcessJSON, 0, len(procs))
	for _, p := range procs {
		usage := mapsHasUsage(p.Regions)
		j := mapsProcessJSON{PID: p.PID, Command: p.Command, Source: p.Source, Smaps: usage,
			Regions: make([]mapsRegionJSON, 0, len(p.Regions)), Summary: map[string]mapsCell{},
			TopFiles: []mapsFileJSON{}}
		for i := range p.Regions {
			j.Regions = append(j.Regions, newMapsRegionJSON(&p.Regions[i]))
		}
		s := procmaps.Summarize(p.Regions)
		for _, k := range procmaps.Kinds {
			j.Summary[k.String()] = newMapsCell(s.ByKind[k], usage)
		}
		j.Summary["total"] = newMapsCell(s.Total, usage)
		for _, f := range procmaps.TopFiles(p.Regions, o.TopFiles) {
			j.TopFiles = append(j.TopFiles, mapsFileJSON{Name: f.Name, Deleted: f.Deleted, Dev: f.Dev.String(),
				Inode: f.Inode, mapsCell: newMapsCell(f.Totals, usage)})
		}
		for _, a := range p.Unmapped {
			j.Unmapped = append(j.Unmapped, "0x"+strconv.FormatUint(a, 16))
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func newMapsRegionJSON(r *procmaps.Region) mapsRegionJSON {
	j := mapsRegionJSON{
		Start: "0x" + strconv.FormatUint(r.Start, 16), End: "0x" + strconv.FormatUint(r.End, 16),
		Size: r.Size(), Perms: r.Perms.String(), Kind: r.Kind, Role: r.Role, Offset: r.Offset,
		Dev: r.Dev.String(), Inode: r.Inode, Name: r.Name, Deleted: r.Deleted,
	}
	if id, ok := r.ShmID(); ok {
		j.ShmID = &id
	}
	if u := r.Usage; u != nil {
		j.Usage = &mapsUsageJSON{
			Rss: u.Rss, Pss: u.Pss, PssDirty: u.PssDirty, SharedClean: u.SharedClean,
			SharedDirty: u.SharedDirty, PrivateClean: u.PrivateClean, PrivateDirty: u.PrivateDirty,
			Referenced: u.Referenced, Anonymous: u.Anonymous, KSM: u.KSM, LazyFree: u.LazyFree,
			AnonHugePages: u.AnonHugePages, ShmemPmdMapped: u.ShmemPmdMapped, FilePmdMapped: u.FilePmdMapped,
			SharedHugetlb: u.SharedHugetlb, PrivateHugetlb: u.PrivateHugetlb, Swap: u.Swap,
			SwapPss: u.SwapPss, Locked: u.Locked, KernelPageSize: u.KernelPageSize,
			MMUPageSize: u.MMUPageSize, THPEligible: u.THPEligible, ProtectionKey: u.ProtectionKey,
			VMFlags: strings.Fields(u.VMFlags), Other: u.Other,
		}
		if j.Usage.VMFlags == nil {
			j.Usage.VMFlags = []string{}
		}
	}
	return j
}
