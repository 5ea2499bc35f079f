package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/mmtrace/mmtrace/procmaps"
)

// TraceSummary counts, per process and in total, what a trace saw: calls and errors per
// syscall, bytes mapped and unmapped per kind, the peak mapped per kind, and what was still
// mapped when the process ended (the leak view). It is mmtrace trace -c.
type TraceSummary struct {
	processes []*ProcessSummary // in the order they were first seen
	byPid     map[int]*ProcessSummary
	// injected: some call was tampered with (-e inject=): the call tables get an INJECTED
	// column.
	injected bool
}

// ProcessSummary is one process's part of a TraceSummary.
type ProcessSummary struct {
	Pid      int
	Calls    map[string]*CallCount
	Mapped   [len(procmaps.Kinds)]uint64 // bytes made by mmap, mremap, brk, shmat, by kind
	Unmapped [len(procmaps.Kinds)]uint64 // bytes removed, by kind
	Peak     [len(procmaps.Kinds)]uint64 // the most mapped at once, by kind
	// AtExit is what was mapped when the process ended, by kind; Ended tells whether it did
	// while traced.
	AtExit procmaps.Summary
	Ended  bool
}

// CallCount is how often one syscall was made, how often it failed, and how often it was
// tampered with (-e inject=: not run, its result made up; counted in Calls and, when made to
// fail, in Errors).
type CallCount struct {
	Calls, Errors, Injected int
}

// NewTraceSummary returns an empty summary.
func NewTraceSummary() *TraceSummary {
	return &TraceSummary{byPid: map[int]*ProcessSummary{}}
}

func (t *TraceSummary) process(pid int) *ProcessSummary {
	p := t.byPid[pid]
	if p == nil {
		p = &ProcessSummary{Pid: pid, Calls: map[string]*CallCount{}}
		t.byPid[pid] = p
		t.processes = append(t.processes, p)
	}
	return p
}

// Call counts one call's end.
func (t *TraceSummary) Call(pid int, name string, failed, injected bool) {
	c := t.process(pid).Calls[name]
	if c == nil {
		c = &CallCount{}
		t.process(pid).Calls[name] = c
	}
	c.Calls++
	if failed {
		c.Errors++
	}
	if injected {
		c.Injected++
		t.injected = true
	}
}

// Change counts what a call did to the address space; peak is the model's peak after it.
func (t *TraceSummary) Change(pid int, ch *procmaps.Change, peak [len(procmaps.Kinds)]uint64) {
	p := t.process(pid)
	for _, r := range ch.Made {
		// Only what the call added: the kernel may show it merged with what was there.
		added := r.Size()
		for _, b := range ch.Before {
			if b.Start < r.End && b.End > r.Start {
				added -= min(b.End, r.End) - max(b.Start, r.Start)
			}
		}
		p.Mapped[r.Kind] += added
	}
	for _, r := range ch.Removed {
		p.Unmapped[r.Kind] += r.Size()
	}
	p.Peak = peak
}

// Ended records what a process still had mapped when it ended.
func (t *TraceSummary) Ended(pid int, regions procmaps.Regions) {
	p := t.process(pid)
	p.AtExit = procmaps.Summarize(regions)
	p.Ended = true
}

// Write prints the summary: for each process, then in total, a table of calls and a table
// of memory by kind.
func (t *TraceSummary) Write(w io.Writer, exact bool) error {
	total := &ProcessSummary{Calls: map[string]*CallCount{}}
	for _, p := range t.processes {
		if err := t.writeProcessSummary(w, fmt.Sprintf("process %d", p.Pid), p, exact); err != nil {
			return err
		}
		for name, c := range p.Calls {
			tc := total.Calls[name]
			if tc == nil {
				tc = &CallCount{}
				total.Calls[name] = tc
			}
			tc.Calls += c.Calls
			tc.Errors += c.Errors
			tc.Injected += c.Injected
		}
		for k := range procmaps.Kinds {
			total.Mapped[k] += p.Mapped[k]
			total.Unmapped[k] += p.Unmapped[k]
			total.Peak[k] += p.Peak[k]
		}
		if p.Ended {
			total.Ended = true
			for k := range procmaps.Kinds {
				total.AtExit.ByKind[k].Regions += p.AtExit.ByKind[k].Regions
				total.AtExit.ByKind[k].Size += p.AtExit.ByKind[k].Size
			}
		}
	}
	if len(t.processes) > 1 {
		return t.writeProcessSummary(w, "total", total, exact)
	}
	return nil
}

func (t *TraceSummary) writeProcessSummary(w io.Writer, title string, p *ProcessSummary, exact bool) error {
	fmt.Fprintf(w, "\n%s: calls\n", title)
	names := make([]string, 0, len(p.Calls))
	for name := range p.Calls {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		if d := p.Calls[b].Calls - p.Calls[a].Calls; d != 0 {
			return d
		}
		if a < b {
			return -1
		}
		return 1
	})
	var total CallCount
	var rows [][]string
	row := func(name string, c *CallCount) []string {
		r := []string{name, strconv.Itoa(c.Calls), strconv.Itoa(c.Errors)}
		if t.injected {
			r = append(r, strconv.Itoa(c.Injected))
		}
		return r
	}
	for _, name := range names {
		c := p.Calls[name]
		total.Calls += c.Calls
		total.Errors += c.Errors
		total.Injected += c.Injected
		rows = append(rows, row(name, c))
	}
	rows = append(rows, row("total", &total))
	header, right := []string{"SYSCALL", "CALLS", "ERRORS"}, []bool{false, true, true}
	if t.injected {
		header, right = append(header, "INJECTED"), append(right, true)
	}
	if err := writePlainTable(w, header, right, rows); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n%s: memory by kind\n", title)
	rows = rows[:0]
	for _, k := range procmaps.Kinds {
		row := []string{k.String(), MapsSize(p.Mapped[k], exact), MapsSize(p.Unmapped[k], exact), MapsSize(p.Peak[k], exact)}
		if p.Ended {
			row = append(row, strconv.Itoa(p.AtExit.ByKind[k].Regions), MapsSize(p.AtExit.ByKind[k].Size, exact))
		} else {
			row = append(row, "-", "-")
		}
		rows = append(rows, row)
	}
	return writePlainTable(w, []string{"KIND", "MAPPED", "UNMAPPED", "PEAK", "REGIONS AT EXIT", "SIZE AT EXIT"},
		[]bool{false, true, true, true, true, true}, rows)
}
