package report

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"

	"github.com/mmtrace/mmtrace/procmaps"
)

// TraceJSON writes a trace as JSON lines: one object per event, so that jq and other tools
// read it a line at a time. The README lists the fields; their names never change meaning.
type TraceJSON struct {
	out *bufio.Writer
	enc *json.Encoder
}

// NewTraceJSON returns a writer of JSON lines to w.
func NewTraceJSON(w io.Writer) *TraceJSON {
	out := bufio.NewWriterSize(w, 64<<10)
	return &TraceJSON{out: out, enc: json.NewEncoder(out)}
}

// CallEvent is a traced call, written when it ends (or when its task ends inside it).
type CallEvent struct {
	Type       string   `json:"type"` // "call"
	Seq        uint64   `json:"seq"`  // the call's number in the trace, from 1
	Time       float64  `json:"time"` // seconds since the trace began, at the call's end
	Pid        int      `json:"pid"`
	Tid        int      `json:"tid"`
	Syscall    string   `json:"syscall"`
	Args       []string `json:"args"`    // the raw argument registers, in hex
	Decoded    string   `json:"decoded"` // the arguments as strace prints them
	Return     string   `json:"return"`  // the return value as strace prints it
	Retval     int64    `json:"retval"`  // the raw return value; -errno on error
	Errno      string   `json:"errno,omitempty"`
	Unfinished bool     `json:"unfinished,omitempty"` // the task ended inside the call
	Injected   bool     `json:"injected,omitempty"`   // tampered with (-e inject=): not run, its result made up
	Delayed    bool     `json:"delayed,omitempty"`    // held for delay_enter= or delay_exit=
	// What the call did to the address space (absent with --strace-only): the model's
	// regions over the call's range before it, the regions it made or changed as the kernel
	// shows them after it, and the parts it removed.
	Before  []RegionJSON `json:"before,omitempty"`
	After   []RegionJSON `json:"after,omitempty"`
	Removed []RegionJSON `json:"removed,omitempty"`
}

// TaskEvent is anything else that happens to a task: "signal", "stopped", "exec",
// "exited", "killed", "detached".
type TaskEvent struct {
	Type   string  `json:"type"`
	Time   float64 `json:"time"`
	Pid    int     `json:"pid"`
	Tid    int     `json:"tid"`
	Signal string  `json:"signal,omitempty"`
	Info   string  `json:"info,omitempty"`   // a signal's siginfo, as strace prints it
	Status *int    `json:"status,omitempty"` // an exit code
	Core   bool    `json:"core_dumped,omitempty"`
}

// RegionJSON is a region in a trace's JSON: the fields of mmtrace maps --json, and what made
// the region.
type RegionJSON struct {
	mapsRegionJSON
	Origin string `json:"origin,omitempty"`
}

// Regions converts regions for an event.
func Regions(rs procmaps.Regions) []RegionJSON {
	if len(rs) == 0 {
		return nil
	}
	out := make([]RegionJSON, len(rs))
	for i := range rs {
		out[i] = RegionJSON{mapsRegionJSON: newMapsRegionJSON(&rs[i])}
		if o := rs[i].MadeBy(); o != (procmaps.Origin{}) {
			out[i].Origin = o.String()
		}
	}
	return out
}

// RawArgs formats argument registers for CallEvent.Args.
func RawArgs(args *[6]uint64) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = "0x" + strconv.FormatUint(a, 16)
	}
	return out
}

// Write writes one event as a line.
func (t *TraceJSON) Write(event any) error { return t.enc.Encode(event) }

// Flush writes what is buffered.
func (t *TraceJSON) Flush() error { return t.out.Flush() }

// Buffered tells how many bytes wait for Flush.
func (t *TraceJSON) Buffered() int { return t.out.Buffered() }
