package report

import (
	"bufio"
	"io"
	"math/bits"
	"strconv"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/mmtrace/mmtrace/procmaps"
)

// MapsOptions says how the maps tables are written.
type MapsOptions struct {
	Bytes    bool // exact byte counts instead of "4.0K"
	TopFiles int  // files listed in the summary; 0 lists none
	Origin   bool // a column for what made each region (traced processes' models)

	// disagree marks the ORIGIN cell of the regions (by start) where a model disagreed
	// with the kernel: WriteComparison.
	disagree map[uint64]string
}

// A regionColumn is one column of the region table.
type regionColumn struct {
	header string
	right  bool // numbers are right-aligned; only the last column (PATH) may be wider than its bytes
	usage  bool // needs smaps
	cell   func(dst []byte, r *procmaps.Region, o *MapsOptions) []byte
	// width measures the cell without formatting it, for the big tables; nil to measure
	// the formatted cell.
	width func(r *procmaps.Region) int
}

var regionColumns = []regionColumn{
	{"START", true, false, func(d []byte, r *procmaps.Region, _ *MapsOptions) []byte { return appendAddr(d, r.Start) },
		func(r *procmaps.Region) int { return max(8, hexDigits(r.Start)) }},
	{"END", true, false, func(d []byte, r *procmaps.Region, _ *MapsOptions) []byte { return appendAddr(d, r.End) },
		func(r *procmaps.Region) int { return max(8, hexDigits(r.End)) }},
	{"SIZE", true, false, func(d []byte, r *procmaps.Region, o *MapsOptions) []byte {
		return appendMapsSize(d, r.Size(), o.Bytes)
	}, nil},
	{"PERM", false, false, func(d []byte, r *procmaps.Region, _ *MapsOptions) []byte { return appendPerms(d, r.Perms) },
		func(*procmaps.Region) int { return 4 }},
	{"KIND", false, false, func(d []byte, r *procmaps.Region, _ *MapsOptions) []byte { return append(d, r.Kind.String()...) },
		func(r *procmaps.Region) int { return len(r.Kind.String()) }},
	{"WHAT", false, false, func(d []byte, r *procmaps.Region, _ *MapsOptions) []byte { return append(d, r.Role.String()...) },
		func(r *procmaps.Region) int { return len(r.Role.String()) }},
	{"RSS", true, true, func(d []byte, r *procmaps.Region, o *MapsOptions) []byte {
		return appendMapsSize(d, r.Usage.Rss, o.Bytes)
	}, nil},
	{"PSS", true, true, func(d []byte, r *procmaps.Region, o *MapsOptions) []byte {
		return appendMapsSize(d, r.Usage.Pss, o.Bytes)
	}, nil},
	{"DIRTY", true, true, func(d []byte, r *procmaps.Region, o *MapsOptions) []byte {
		return appendMapsSize(d, r.Usage.Dirty(), o.Bytes)
	}, nil},
	{"SWAP", true, true, func(d []byte, r *procmaps.Region, o *MapsOptions) []byte {
		return appendMapsSize(d, r.Usage.Swap, o.Bytes)
	}, nil},
	{"OFFSET", true, false, func(d []byte, r *procmaps.Region, _ *MapsOptions) []byte {
		return appendHex(d, r.Offset, 1)
	}, func(r *procmaps.Region) int { return hexDigits(r.Offset) }},
	{"DEV:INODE", false, false, func(d []byte, r *procmaps.Region, _ *MapsOptions) []byte {
		d = appendHex2(d, r.Dev.Major)
		d = append(d, ':')
		d = appendHex2(d, r.Dev.Minor)
		d = append(d, ':')
		return strconv.AppendUint(d, r.Inode, 10)
	}, func(r *procmaps.Region) int {
		return max(2, hexDigits(uint64(r.Dev.Major))) + 1 + max(2, hexDigits(uint64(r.Dev.Minor))) + 1 + decDigits(r.Inode)
	}},
	{"PATH", false, false, func(d []byte, r *procmaps.Region, _ *MapsOptions) []byte {
		d = appendMapsName(d, r.Name)
		if r.Deleted {
			d = append(d, " (deleted)"...)
		}
		return d
	}, nil},
}

var originColumn = regionColumn{"ORIGIN", false, false, func(d []byte, r *procmaps.Region, o *MapsOptions) []byte {
	d = append(d, r.MadeBy().String()...)
	if mark, ok := o.disagree[r.Start]; ok {
		d = append(d, mark...)
	}
	return d
}, nil}

// The marks of the ORIGIN cell where a model disagreed with the kernel.
const (
	markNotInModel   = " [not in model]" // the model had no region over any of it
	markModelDiffers = " [model differs]"
)

// WriteComparison writes how the model of a traced process agreed with the kernel at a
// snapshot: the kernel's regions with what made each, those the model lacked or had
// otherwise marked in the ORIGIN column, then the model's regions the kernel did not have.
func WriteComparison(w io.Writer, c *procmaps.Comparison) error {
	o := MapsOptions{Origin: true, disagree: make(map[uint64]string, len(c.Unseen))}
	for i := range c.Unseen {
		u := &c.Unseen[i]
		o.disagree[u.Start] = markNotInModel
		for j := range c.Stale {
			if s := &c.Stale[j]; s.Start < u.End && u.Start < s.End {
				o.disagree[u.Start] = markModelDiffers
				break
			}
		}
	}
	if err := WriteRegionTable(w, c.Kernel, o); err != nil {
		return err
	}
	if len(c.Stale) == 0 {
		return nil
	}
	if _, err := io.WriteString(w, "mmtrace: in the model, not in the kernel (gone without a traced call):\n"); err != nil {
		return err
	}
	return WriteRegionTable(w, c.Stale, MapsOptions{Origin: true})
}

// appendAddr writes an address like maps does: lowercase hex, at least 8 digits.
func appendAddr(d []byte, a uint64) []byte { return appendHex(d, a, 8) }

func appendHex2(d []byte, v uint32) []byte { return appendHex(d, uint64(v), 2) }

// appendHex writes v in lowercase hex with at least min digits. It is strconv.AppendUint
// without the generality: a table of 60,000 regions has 200,000 hex numbers.
func appendHex(d []byte, v uint64, min int) []byte {
	const digits = "0123456789abcdef"
	var buf [16]byte
	n := max(min, hexDigits(v))
	for i := n - 1; i >= 0; i-- {
		buf[i] = digits[v&15]
		v >>= 4
	}
	return append(d, buf[:n]...)
}

func hexDigits(a uint64) int {
	return max(1, (bits.Len64(a)+3)/4)
}

func decDigits(v uint64) int {
	n := 1
	for ; v >= 10; v /= 10 {
		n++
	}
	return n
}

func appendPerms(d []byte, p procmaps.Perms) []byte {
	b := [4]byte{'-', '-', '-', 'p'}
	if p&procmaps.PermRead != 0 {
		b[0] = 'r'
	}
	if p&procmaps.PermWrite != 0 {
		b[1] = 'w'
	}
	if p&procmaps.PermExec != 0 {
		b[2] = 'x'
	}
	if p.Shared() {
		b[3] = 's'
	}
	return append(d, b[:]...)
}

// appendMapsName writes a region's name so that it stays on one line and its end is
// visible: control bytes, invalid UTF-8 and trailing spaces become \ooo, the kernel's own
// escape for the newline ("\012").
func appendMapsName(d []byte, name string) []byte {
	end := len(name)
	for end > 0 && name[end-1] == ' ' {
		end--
	}
	for i := 0; i < len(name); {
		c := name[i]
		if c >= 0x20 && c < 0x7f && i < end {
			d = append(d, c)
			i++
			continue
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(name[i:])
			if r != utf8.RuneError || size > 1 {
				d = append(d, name[i:i+size]...)
				i += size
				continue
			}
		}
		d = append(d, '\\', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
		i++
	}
	return d
}

// displayWidth is the number of terminal columns s takes, as tablewriter counts them (cells
// hold no escape sequences: appendMapsName escapes control characters).
func displayWidth(s []byte) int {
	for _, c := range s {
		if c >= 0x80 {
			return runewidth.StringWidth(string(s))
		}
	}
	return len(s)
}

// mapsTablewriterRows is the largest region table tablewriter lays out. It costs about
// 7 us a row (BenchmarkRegionTableTablewriter), 0.45 s for a process with 60,000 regions,
// against 0.1 s for pmap -x: bigger tables are written by writeAligned, which produces the
// same bytes (a test holds it to that) in one pass over the regions, with no string per cell.
const mapsTablewriterRows = 2000

// WriteRegionTable writes one row per region: addresses, size, permissions, kind, role,
// memory (when the regions come from smaps), offset, device:inode and the full name.
func WriteRegionTable(w io.Writer, rs []procmaps.Region, o MapsOptions) error {
	cols := regionTableColumns(mapsHasUsage(rs))
	if o.Origin {
		// Before the path, which is last because it is the only column of any width.
		cols = append(cols[:len(cols)-1:len(cols)-1], originColumn, cols[len(cols)-1])
	}
	if len(rs) <= mapsTablewriterRows {
		return writeTablewriter(w, cols, rs, &o)
	}
	return writeAligned(w, cols, rs, &o)
}

// mapsHasUsage reports whether the regions were read from smaps.
func mapsHasUsage(rs []procmaps.Region) bool { return len(rs) > 0 && rs[0].Usage != nil }

func regionTableColumns(usage bool) []regionColumn {
	var cols []regionColumn
	for _, c := range regionColumns {
		if usage || !c.usage {
			cols = append(cols, c)
		}
	}
	return cols
}

func writeTablewriter(w io.Writer, cols []regionColumn, rs []procmaps.Region, o *MapsOptions) error {
	right := make([]bool, len(cols))
	header := make([]string, len(cols))
	for i, c := range cols {
		right[i], header[i] = c.right, c.header
	}
	rows := make([][]string, len(rs))
	var buf []byte
	for i := range rs {
		rows[i] = make([]string, len(cols))
		for j, c := range cols {
			buf = c.cell(buf[:0], &rs[i], o)
			rows[i][j] = string(buf)
		}
	}
	return writePlainTable(w, header, right, rows)
}

// writeAligned lays the table out the way writeTablewriter does, in two passes over the
// regions: the first measures the columns (formatting only what cannot be measured
// otherwise, into a scratch buffer), the second formats each line once, into the output.
func writeAligned(w io.Writer, cols []regionColumn, rs []procmaps.Region, o *MapsOptions) error {
	last := len(cols) - 1
	widths := make([]int, len(cols))
	// Measure.
	for j, c := range cols {
		widths[j] = displayWidth([]byte(c.header))
	}
	// A left-aligned last column (the path) is never padded: its width is not needed.
	measured := cols
	if !cols[last].right {
		measured = cols[:last]
	}
	var scratch [64]byte
	for i := range rs {
		for j, c := range measured {
			var n int
			if c.width != nil {
				n = c.width(&rs[i])
			} else {
				n = len(c.cell(scratch[:0], &rs[i], o)) // every column but the name is ASCII
			}
			widths[j] = max(widths[j], n)
		}
	}
	// Format a batch of rows at a time into one buffer, allocated once, and write it out. A
	// buffer grown by doubling would touch twice the memory, page by page, and page faults
	// are most of the cost of memory on a virtual machine.
	const batch = 256
	buf := make([]byte, 0, 64<<10) // 256 rows of 250 bytes
	buf = formatRows(buf, cols, widths, rs[:0], o, true)
	for k := 0; k < len(rs); k += batch {
		buf = formatRows(buf, cols, widths, rs[k:min(k+batch, len(rs))], o, false)
		if _, err := w.Write(buf); err != nil {
			return err
		}
		buf = buf[:0]
	}
	if len(buf) > 0 { // the header of an empty table
		_, err := w.Write(buf)
		return err
	}
	return nil
}

// formatRows appends the lines of rs (after the header line, with header) to d.
func formatRows(d []byte, cols []regionColumn, widths []int, rs []procmaps.Region, o *MapsOptions, header bool) []byte {
	last := len(cols) - 1
	var scratch [64]byte
	from := 0
	if header {
		from = -1
	}
	for i := from; i < len(rs); i++ {
		for j, c := range cols {
			if j > 0 {
				d = append(d, ' ', ' ')
			}
			switch {
			case i < 0 && c.right:
				d = appendSpaces(d, widths[j]-len(c.header))
				d = append(d, c.header...)
			case i < 0:
				d = append(d, c.header...)
				if j < last {
					d = appendSpaces(d, widths[j]-len(c.header))
				}
			case c.right && c.width != nil:
				// Measure, pad, then format in place.
				d = appendSpaces(d, widths[j]-c.width(&rs[i]))
				d = c.cell(d, &rs[i], o)
			case c.right:
				cell := c.cell(scratch[:0], &rs[i], o)
				d = appendSpaces(d, widths[j]-len(cell))
				d = append(d, cell...)
			default:
				start := len(d)
				d = c.cell(d, &rs[i], o)
				if j < last { // the last column is left-aligned and nothing follows it
					d = appendSpaces(d, widths[j]-(len(d)-start))
				}
			}
		}
		for len(d) > 0 && d[len(d)-1] == ' ' {
			d = d[:len(d)-1] // an empty name leaves the padding of the column before
		}
		d = append(d, '\n')
	}
	return d
}

const mapsSpaces = "                                                                "

func appendSpaces(d []byte, n int) []byte {
	for n > len(mapsSpaces) {
		d = append(d, mapsSpaces...)
		n -= len(mapsSpaces)
	}
	if n > 0 {
		d = append(d, mapsSpaces[:n]...)
	}
	return d
}

// trimWriter drops the spaces tablewriter pads the last column with at the end of every
// line. Names cannot lose spaces of their own this way: appendMapsName escapes trailing
// ones.
type trimWriter struct {
	w      *bufio.Writer
	spaces int // spaces held back until we know whether the line goes on
}

func (t *trimWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		switch c {
		case ' ':
			t.spaces++
			continue
		case '\n':
			t.spaces = 0
		default:
			for ; t.spaces > 0; t.spaces-- {
				t.w.WriteByte(' ')
			}
		}
		t.w.WriteByte(c)
	}
	return len(p), nil
}

func (t *trimWriter) flush() error { return t.w.Flush() }
