package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/mmtrace/mmtrace/procmaps"
	"github.com/mmtrace/mmtrace/report"
	"github.com/spf13/cobra"
)

// mapsFlags are the options of mmtrace maps.
type mapsFlags struct {
	json    bool
	noSmaps bool
	bytes   bool
	kinds   []string
	sort    string
	addrs   []string
	files   []string
	top     int
	html    string
}

func newMapsCmd() *cobra.Command {
	var f mapsFlags
	c := &cobra.Command{
		Use:   "maps [flags] PID...",
		Short: "Show the regions of a process, each classified as file or anonymous, shared or private, with its memory",
		Long: `Show the address space of each PID (or of saved maps or smaps files): a table of its
regions with their kind (file-shared, file-private, anon-shared, anon-private), what each is
(heap, stack, memfd, sysv-shm, posix-shm, hugetlb, deleted, device, anon-inode, guard, ...)
and the memory it uses from /proc/PID/smaps; then the two-by-two table of the four kinds with
count, size, RSS, PSS, dirty and swap in each cell, and the files that use the most memory.`,
		Example: `  mmtrace maps 1234
  mmtrace maps --no-smaps --kind anon-shared,memfd 1234
  mmtrace maps --sort rss --top 5 1234
  mmtrace maps -A 0x7f2a1c000000,0x55d0c1000010 1234
  mmtrace maps --json --file saved.smaps
  mmtrace maps --html map.html 1234`,
		RunE: func(c *cobra.Command, args []string) error {
			return runMaps(c.OutOrStdout(), c.ErrOrStderr(), &f, args)
		},
	}
	fl := c.Flags()
	fl.BoolVar(&f.json, "json", false, "write JSON (fields are listed in docs/maps.md)")
	fl.BoolVar(&f.noSmaps, "no-smaps", false, "read maps only: fast, without RSS, PSS, dirty and swap")
	fl.BoolVar(&f.bytes, "bytes", false, "show sizes in bytes instead of 4.0K, 1.2M")
	fl.StringSliceVar(&f.kinds, "kind", nil, "show only regions of these kinds or roles (file-shared, anon-private, heap, memfd, ...)")
	fl.StringVar(&f.sort, "sort", "start", "sort regions by `COLUMN`: "+strings.Join(mapsSortColumns(), ", "))
	fl.StringSliceVarP(&f.addrs, "address", "A", nil, "show only the regions that hold these hex `ADDR`esses")
	fl.StringArrayVar(&f.files, "file", nil, "read a saved maps or smaps `FILE` instead of a live process (- for stdin)")
	fl.IntVar(&f.top, "top", 10, "list this many files in the summary")
	fl.StringVar(&f.html, "html", "", "also write the address space as a map to `FILE`, a self-contained HTML page")
	return c
}

// withoutGC runs fn with the garbage collector off. While one process's regions are read,
// classified and written, nearly all that is allocated stays live until its tables are
// written: a collection then frees almost nothing. Yet with 60,000 regions the first one
// starts as the region list is allocated, and its marking (a write barrier on every name
// stored, assists charged to the parser) made maps --no-smaps about 8% slower
// (bench/maps/run.sh). Between sources the collector runs as usual, so that the garbage
// of many processes does not add up.
func withoutGC(fn func() error) error {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	return fn()
}

// mapsSource is one process or saved file to show.
type mapsSource struct {
	pid  int
	file string
}

func usageError(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

func runMaps(stdout, stderr io.Writer, f *mapsFlags, args []string) error {
	var sources []mapsSource
	for _, a := range args {
		pid, err := strconv.Atoi(a)
		if err != nil || pid <= 0 {
			return usageError("maps: %q is not a process id", a)
		}
		sources = append(sources, mapsSource{pid: pid})
	}
	for _, file := range f.files {
		sources = append(sources, mapsSource{file: file})
	}
	if len(sources) == 0 {
		return usageError("maps: give a PID or --file FILE")
	}
	keep, err := mapsFilter(f.kinds)
	if err != nil {
		return usageError("maps: --kind: %v", err)
	}
	less, usageSort, err := mapsSorter(f.sort)
	if err != nil {
		return usageError("maps: --sort: %v", err)
	}
	if usageSort && f.noSmaps {
		return usageError("maps: --sort %s needs smaps: drop --no-smaps", f.sort)
	}
	var addrs []uint64
	for _, a := range f.addrs {
		v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(a), "0x"), 16, 64)
		if err != nil {
			return usageError("maps: -A: %q is not a hex address", a)
		}
		addrs = append(addrs, v)
	}
	if f.top < 0 {
		return usageError("maps: --top must not be negative")
	}
	opt := report.MapsOptions{Bytes: f.bytes, TopFiles: f.top}

	var shown, pages []report.MapsProcess
	var failed []error
	for i, src := range sources {
		err := withoutGC(func() error {
			p, err := readMapsSource(src, f, addrs)
			if err != nil {
				failed = append(failed, err)
				return nil
			}
			if keep != nil {
				p.Regions = slices.DeleteFunc(p.Regions, func(r procmaps.Region) bool { return !keep(&r) })
			}
			if less != nil {
				slices.SortStableFunc(p.Regions, less)
			}
			if len(p.Unmapped) > 0 {
				failed = append(failed, fmt.Errorf("%s: no region holds %s", sourceName(src), joinAddrs(p.Unmapped)))
			}
			if f.html != "" {
				pages = append(pages, p)
			}
			if f.json {
				shown = append(shown, p)
				return nil
			}
			return writeMapsText(stdout, p, i > 0, addrs != nil, opt)
		})
		if err != nil {
			return err
		}
	}
	if f.json && len(shown) > 0 {
		if err := report.WriteMapsJSON(stdout, shown, opt); err != nil {
			return err
		}
	}
	if f.html != "" && len(pages) > 0 {
		if err := writeMapsHTMLFile(f.html, pages); err != nil {
			return err
		}
	}
	if len(failed) == 0 {
		return nil
	}
	// One line for each failure: all but the last here, the last by run.
	for _, err := range failed[:len(failed)-1] {
		fmt.Fprintf(stderr, "mmtrace: %v\n", err)
	}
	return &exitError{code: 1, err: failed[len(failed)-1]}
}

// writeMapsHTMLFile writes the --html page. The file is written whole or, on error, removed:
// half a page would hide regions without saying so.
func writeMapsHTMLFile(name string, procs []report.MapsProcess) error {
	file, err := createOutput(name)
	if err != nil {
		return fmt.Errorf("maps: --html: %w", err)
	}
	err = report.WriteMapsHTML(file, procs)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("maps: --html: %w", err)
	}
	return nil
}

func sourceName(src mapsSource) string {
	if src.file != "" {
		return src.file
	}
	return "pid " + strconv.Itoa(src.pid)
}

func joinAddrs(as []uint64) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = "0x" + strconv.FormatUint(a, 16)
	}
	return strings.Join(s, ", ")
}

func writeMapsText(w io.Writer, p report.MapsProcess, blank, lookup bool, opt report.MapsOptions) error {
	if lookup && len(p.Regions) == 0 {
		return nil // the error says which addresses no region holds
	}
	if blank {
		fmt.Fprintln(w)
	}
	if p.PID != 0 {
		fmt.Fprintf(w, "%d: %s\n", p.PID, p.Command)
	} else {
		fmt.Fprintf(w, "file: %s\n", p.Source)
	}
	if lookup {
		// A summary of the few regions asked for says nothing new.
		return report.WriteRegionTable(w, p.Regions, opt)
	}
	return report.WriteMapsTables(w, p.Regions, opt)
}

// readMapsSource reads, classifies and, with addrs, narrows down one source.
func readMapsSource(src mapsSource, f *mapsFlags, addrs []uint64) (report.MapsProcess, error) {
	p := report.MapsProcess{PID: src.pid}
	var rs procmaps.Regions
	var err error
	switch {
	case src.file != "":
		p.Source = src.file
		rs, err = readMapsFile(src.file)
		if err == nil && f.noSmaps {
			for i := range rs {
				rs[i].Usage = nil
			}
		}
	case f.noSmaps && addrs != nil:
		// The kernel finds each region directly: no need to read them all.
		p.Source = fmt.Sprintf("/proc/%d/maps", src.pid)
		p.Command = procmaps.NewProc(src.pid).Command()
		return lookupLive(p, src.pid, addrs)
	case f.noSmaps:
		p.Source = fmt.Sprintf("/proc/%d/maps", src.pid)
		rs, err = procmaps.NewProc(src.pid).Maps()
	default:
		p.Source = fmt.Sprintf("/proc/%d/smaps", src.pid)
		rs, err = procmaps.NewProc(src.pid).Smaps()
	}
	if err != nil {
		return p, err
	}
	if src.pid != 0 {
		p.Command = procmaps.NewProc(src.pid).Command()
	}
	if addrs == nil {
		p.Regions = rs
		return p, nil
	}
	seen := map[int]bool{}
	for _, a := range addrs {
		i := rs.Index(a)
		switch {
		case i < 0:
			p.Unmapped = append(p.Unmapped, a)
		case !seen[i]:
			seen[i] = true
			p.Regions = append(p.Regions, rs[i])
		}
	}
	slices.SortFunc(p.Regions, func(a, b procmaps.Region) int { return cmp.Compare(a.Start, b.Start) })
	return p, nil
}

func lookupLive(p report.MapsProcess, pid int, addrs []uint64) (report.MapsProcess, error) {
	q, err := procmaps.OpenQuerier(pid)
	if err != nil {
		return p, err
	}
	defer q.Close()
	for _, a := range addrs {
		r, ok, err := q.RegionAt(a)
		if err != nil {
			return p, err
		}
		if !ok {
			p.Unmapped = append(p.Unmapped, a)
			continue
		}
		if !slices.ContainsFunc(p.Regions, func(x procmaps.Region) bool { return x.Start == r.Start }) {
			p.Regions = append(p.Regions, r)
		}
	}
	if len(p.Regions) == 0 && len(p.Unmapped) == len(addrs) {
		// Nothing found: say why if the process has no address space at all.
		if _, err := procmaps.NewProc(pid).Maps(); errors.Is(err, procmaps.ErrNoAddressSpace) {
			return p, err
		}
	}
	slices.SortFunc(p.Regions, func(a, b procmaps.Region) int { return cmp.Compare(a.Start, b.Start) })
	return p, nil
}

// readMapsFile parses a saved maps or smaps file: smaps if a "Key: value" line follows
// the first region.
func readMapsFile(name string) (procmaps.Regions, error) {
	var text []byte
	var err error
	if name == "-" {
		text, err = io.ReadAll(os.Stdin)
	} else {
		text, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, err // *PathError names the file
	}
	parse := procmaps.ParseMaps
	if isSmapsText(text) {
		parse = procmaps.ParseSmaps
	}
	rs, err := parse(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%s: no regions", name)
	}
	// The file may come from another machine: its own shared anonymous memory says which
	// device is shmem there; failing that, assume this machine's.
	dev, ok := procmaps.InferShmemDevice(rs)
	if !ok {
		dev, _ = procmaps.ShmemDevice()
	}
	rs.Classify(dev)
	return rs, nil
}

func isSmapsText(text []byte) bool {
	_, rest, _ := bytes.Cut(text, []byte("\n"))
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	colon := bytes.IndexByte(line, ':')
	return colon > 0 && bytes.IndexByte(line[:colon], ' ') < 0 && bytes.IndexByte(line[:colon], '-') < 0
}

// mapsFilter returns a test for --kind: any of the kinds or roles named. nil keeps all.
func mapsFilter(names []string) (func(*procmaps.Region) bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	var kinds []procmaps.Kind
	var roles []procmaps.Role
	for _, n := range names {
		if k, err := procmaps.ParseKind(n); err == nil {
			kinds = append(kinds, k)
		} else if r, err := procmaps.ParseRole(n); err == nil {
			roles = append(roles, r)
		} else {
			all := []string{}
			for _, k := range procmaps.Kinds {
				all = append(all, k.String())
			}
			for _, r := range procmaps.Roles() {
				all = append(all, r.String())
			}
			return nil, fmt.Errorf("unknown kind %q (want one of %s)", n, strings.Join(all, ", "))
		}
	}
	return func(r *procmaps.Region) bool {
		return slices.Contains(kinds, r.Kind) || slices.Contains(roles, r.Role)
	}, nil
}

// mapsSortKeys are the --sort columns. Memory sorts largest first; the rest ascending.
var mapsSortKeys = []struct {
	name  string
	usage bool
	cmp   func(a, b *procmaps.Region) int
}{
	{"start", false, func(a, b *procmaps.Region) int { return cmp.Compare(a.Start, b.Start) }},
	{"end", false, func(a, b *procmaps.Region) int { return cmp.Compare(a.End, b.End) }},
	{"size", false, func(a, b *procmaps.Region) int { return cmp.Compare(b.Size(), a.Size()) }},
	{"perm", false, func(a, b *procmaps.Region) int { return cmp.Compare(a.Perms.String(), b.Perms.String()) }},
	{"kind", false, func(a, b *procmaps.Region) int { return cmp.Compare(a.Kind, b.Kind) }},
	{"what", false, func(a, b *procmaps.Region) int { return cmp.Compare(a.Role.String(), b.Role.String()) }},
	{"rss", true, func(a, b *procmaps.Region) int { return cmp.Compare(b.Usage.Rss, a.Usage.Rss) }},
	{"pss", true, func(a, b *procmaps.Region) int { return cmp.Compare(b.Usage.Pss, a.Usage.Pss) }},
	{"dirty", true, func(a, b *procmaps.Region) int { return cmp.Compare(b.Usage.Dirty(), a.Usage.Dirty()) }},
	{"swap", true, func(a, b *procmaps.Region) int { return cmp.Compare(b.Usage.Swap, a.Usage.Swap) }},
	{"offset", false, func(a, b *procmaps.Region) int { return cmp.Compare(a.Offset, b.Offset) }},
	{"inode", false, func(a, b *procmaps.Region) int { return cmp.Compare(a.Inode, b.Inode) }},
	{"path", false, func(a, b *procmaps.Region) int { return cmp.Compare(a.DisplayName(), b.DisplayName()) }},
}

func mapsSortColumns() []string {
	var s []string
	for _, k := range mapsSortKeys {
		s = append(s, k.name)
	}
	return s
}

// mapsSorter returns the comparison for --sort, nil for the kernel's order (by start), and
// whether it needs smaps.
func mapsSorter(name string) (func(a, b procmaps.Region) int, bool, error) {
	name = strings.ToLower(name)
	for _, k := range mapsSortKeys {
		if k.name == name {
			if name == "start" {
				return nil, false, nil
			}
			return func(a, b procmaps.Region) int { return k.cmp(&a, &b) }, k.usage, nil
		}
	}
	return nil, false, fmt.Errorf("unknown column %q (want one of %s)", name, strings.Join(mapsSortColumns(), ", "))
}
