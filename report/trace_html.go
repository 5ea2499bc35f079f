package report

import (
	"io"

	"github.com/mmtrace/mmtrace/procmaps"
)

// TraceHTMLMaxCalls is the most calls a TraceHTML keeps: enough for the traces a person
// reads call by call, while a runaway trace cannot make a page no browser opens. Calls past
// it are counted and the page says how many were left out; snapshots are still kept, so the
// address space at each exec and exit stays right.
const TraceHTMLMaxCalls = 100000

// TraceHTML records a trace for one self-contained HTML page: a timeline of the calls of each
// process beside a map of the address space. Choosing a moment shows the address space of
// that call's process just after it, replayed in the page from the process's latest
// snapshot, with the regions the call touched highlighted and the parts it removed drawn
// dashed.
//
// A TraceHTML is not safe for concurrent use; the tracer calls it from its one loop.
type TraceHTML struct {
	snapshots []traceHTMLSnapshot
	calls     []traceHTMLCall
	dropped   int
}

type traceHTMLSnapshot struct {
	Pid     int          `json:"pid"`
	Time    float64      `json:"time"`
	Why     string       `json:"why"`
	At      int          `json:"at"` // the number of calls recorded before it: it comes before call At
	Regions []RegionJSON `json:"regions"`
}

// traceHTMLCall is a CallEvent without the raw argument registers, which the page does not
// show: a few thousand calls make a page that opens at once.
type traceHTMLCall struct {
	Seq        uint64       `json:"seq"`
	Time       float64      `json:"time"`
	Pid        int          `json:"pid"`
	Tid        int          `json:"tid"`
	Syscall    string       `json:"syscall"`
	Decoded    string       `json:"decoded"`
	Return     string       `json:"return"`
	Retval     int64        `json:"retval"`
	Errno      string       `json:"errno,omitempty"`
	Unfinished bool         `json:"unfinished,omitempty"`
	Before     []RegionJSON `json:"before,omitempty"`
	After      []RegionJSON `json:"after,omitempty"`
	Removed    []RegionJSON `json:"removed,omitempty"`
}

type traceHTMLData struct {
	Mode      string              `json:"mode"` // "trace"
	Snapshots []traceHTMLSnapshot `json:"snapshots"`
	Calls     []traceHTMLCall     `json:"calls"`
	Dropped   int                 `json:"dropped"`
}

// NewTraceHTML returns an empty recorder.
func NewTraceHTML() *TraceHTML { return &TraceHTML{} }

// Snapshot records a process's whole address space at a moment (after execve, at attach, at
// exit), why = "exec"/"attach"/"exit". The page replays a process's calls from its latest
// snapshot; a process with none (a forked child) starts from its parent's space at the fork.
func (h *TraceHTML) Snapshot(pid int, time float64, why string, regions procmaps.Regions) {
	h.snapshots = append(h.snapshots, traceHTMLSnapshot{Pid: pid, Time: time, Why: why,
		At: len(h.calls), Regions: mapsRegionsHTML(regions)})
}

// Call records one traced call, with what it did (Before/After/Removed may be empty).
func (h *TraceHTML) Call(e *CallEvent) {
	if len(h.calls) >= TraceHTMLMaxCalls {
		h.dropped++
		return
	}
	h.calls = append(h.calls, traceHTMLCall{Seq: e.Seq, Time: e.Time, Pid: e.Pid, Tid: e.Tid,
		Syscall: e.Syscall, Decoded: e.Decoded, Return: e.Return, Retval: e.Retval, Errno: e.Errno,
		Unfinished: e.Unfinished, Before: e.Before, After: e.After, Removed: e.Removed})
}

// Write writes the page.
func (h *TraceHTML) Write(w io.Writer, title string) error {
	d := traceHTMLData{Mode: "trace", Snapshots: h.snapshots, Calls: h.calls, Dropped: h.dropped}
	if d.Snapshots == nil {
		d.Snapshots = []traceHTMLSnapshot{}
	}
	if d.Calls == nil {
		d.Calls = []traceHTMLCall{}
	}
	return writeHTMLPage(w, title, d)
}

// mapsRegionsHTML converts regions for a page.
func mapsRegionsHTML(rs procmaps.Regions) []RegionJSON {
	out := Regions(rs)
	if out == nil {
		return []RegionJSON{}
	}
	return out
}
