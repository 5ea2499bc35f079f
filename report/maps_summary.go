package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mmtrace/mmtrace/procmaps"
)

// WriteMapsTables writes the region table, a blank line, and the summary. For a big process
// the summary is made on another goroutine while the table is written: both only read the
// regions, and on a second CPU the summary's few milliseconds disappear in the table's.
func WriteMapsTables(w io.Writer, rs []procmaps.Region, o MapsOptions) error {
	if len(rs) <= mapsTablewriterRows {
		if err := WriteRegionTable(w, rs, o); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
		return WriteMapsSummary(w, rs, o)
	}
	var summary bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- WriteMapsSummary(&summary, rs, o) }()
	err := WriteRegionTable(w, rs, o)
	if serr := <-done; err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	_, err = summary.WriteTo(w)
	return err
}

// WriteMapsSummary writes the two-by-two table of the regions (shared or private by file
// or anonymous, with totals), each cell with the count, size, and, from smaps, RSS, PSS,
// dirty and swap; then the files that use the most memory.
func WriteMapsSummary(w io.Writer, rs []procmaps.Region, o MapsOptions) error {
	bw := bufio.NewWriter(w)
	writeKindTable(bw, procmaps.Summarize(rs), mapsHasUsage(rs), &o)
	if o.TopFiles > 0 {
		if files := procmaps.TopFiles(rs, o.TopFiles); len(files) > 0 {
			bw.WriteString("\n")
			if err := writeTopFiles(bw, files, mapsHasUsage(rs), &o); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// writeKindTable writes the two-by-two table to w, whose first failed write the caller sees
// when it flushes.
func writeKindTable(w *bufio.Writer, s procmaps.Summary, usage bool, o *MapsOptions) {
	labels := []string{"regions", "size"}
	if usage {
		labels = append(labels, "rss", "pss", "dirty", "swap")
	}
	cell := func(t procmaps.Totals) string {
		v := []string{strconv.Itoa(t.Regions), MapsSize(t.Size, o.Bytes)}
		if usage {
			v = append(v, MapsSize(t.Rss, o.Bytes), MapsSize(t.Pss, o.Bytes), MapsSize(t.Dirty, o.Bytes), MapsSize(t.Swap, o.Bytes))
		}
		return strings.Join(v, "\n")
	}
	sum := func(a, b procmaps.Totals) procmaps.Totals {
		return procmaps.Totals{Regions: a.Regions + b.Regions, Size: a.Size + b.Size, Rss: a.Rss + b.Rss,
			Pss: a.Pss + b.Pss, Dirty: a.Dirty + b.Dirty, Swap: a.Swap + b.Swap}
	}
	k := &s.ByKind
	fs, fp := k[procmaps.FileShared], k[procmaps.FilePrivate]
	as, ap := k[procmaps.AnonShared], k[procmaps.AnonPrivate]
	rows := [][]string{
		{"SHARED", strings.Join(labels, "\n"), cell(fs), cell(as), cell(sum(fs, as))},
		{"PRIVATE", strings.Join(labels, "\n"), cell(fp), cell(ap), cell(sum(fp, ap))},
		{"TOTAL", strings.Join(labels, "\n"), cell(sum(fs, fp)), cell(sum(as, ap)), cell(s.Total)},
	}
	t := newBoxedTable(w, []string{"", "", "FILE", "ANONYMOUS", "TOTAL"}, []bool{false, false, true, true, true})
	t.AppendBulk(rows)
	t.Render()
}

func writeTopFiles(w io.Writer, files []procmaps.FileUsage, usage bool, o *MapsOptions) error {
	header := []string{"SIZE", "REGIONS", "PATH"}
	right := []bool{true, true, false}
	title := "Top files by size"
	if usage {
		header = []string{"RSS", "PSS", "DIRTY", "SWAP", "SIZE", "REGIONS", "PATH"}
		right = []bool{true, true, true, true, true, true, false}
		title = "Top files by RSS"
	}
	fmt.Fprintf(w, "%s:\n", title)
	rows := make([][]string, 0, len(files))
	for _, f := range files {
		name := string(appendMapsName(nil, f.Name))
		if f.Deleted {
			name += " (deleted)"
		}
		row := []string{MapsSize(f.Size, o.Bytes), strconv.Itoa(f.Regions), name}
		if usage {
			row = append([]string{MapsSize(f.Rss, o.Bytes), MapsSize(f.Pss, o.Bytes), MapsSize(f.Dirty, o.Bytes), MapsSize(f.Swap, o.Bytes)}, row...)
		}
		rows = append(rows, row)
	}
	return writePlainTable(w, header, right, rows)
}
