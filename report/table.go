package report

import (
	"bufio"
	"io"

	"github.com/olekukonko/tablewriter"
)

// mmtrace uses tablewriter v0.0.5, not v1: v1's package init allocates an 8,192-entry width
// cache, about 150 page faults and 2-3 ms on every run of every mmtrace command (start-up is
// part of what a traced program's slowdown is measured by, bench/run.sh). v0.0.5 lays a
// table out from the same settings with one dependency, go-runewidth.

// newTable returns a table that keeps each cell on its lines, its header as written, aligned
// per column. header becomes the first row, so that it is aligned with its column (v0.0.5
// aligns a real header all one way).
func newTable(w io.Writer, header []string, right []bool) *tablewriter.Table {
	t := tablewriter.NewWriter(w)
	t.SetAutoWrapText(false) // before the first Append, which wraps
	t.SetAutoFormatHeaders(false)
	t.SetColumnAlignment(alignments(right))
	t.Append(header)
	return t
}

// newPlainTable returns a borderless table: columns two spaces apart, like ps and pmap, no
// padding before the first column. Each line ends in padding: write through a trimWriter.
func newPlainTable(w io.Writer, header []string, right []bool) *tablewriter.Table {
	t := newTable(w, header, right)
	t.SetBorder(false)
	t.SetNoWhiteSpace(true)
	t.SetTablePadding("  ")
	return t
}

// writePlainTable writes rows under header in a plain table, and returns the first failed
// write.
func writePlainTable(w io.Writer, header []string, right []bool, rows [][]string) error {
	tw := &trimWriter{w: bufio.NewWriter(w)}
	t := newPlainTable(tw, header, right)
	t.AppendBulk(rows)
	t.Render()
	return tw.flush()
}

// newBoxedTable returns a table drawn in ASCII, with a line under the header and between
// rows: for cells of several lines each.
func newBoxedTable(w io.Writer, header []string, right []bool) *tablewriter.Table {
	t := newTable(w, header, right)
	t.SetRowLine(true)
	return t
}

func alignments(right []bool) []int {
	aligns := make([]int, len(right))
	for i, r := range right {
		aligns[i] = tablewriter.ALIGN_LEFT
		if r {
			aligns[i] = tablewriter.ALIGN_RIGHT
		}
	}
	return aligns
}
