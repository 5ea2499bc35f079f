package report

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"time"
)

// Prefix says how a line names its task, following strace -f.
type Prefix uint8

const (
	// PrefixPid starts every line with the pid as "%-5d " (strace -f -o FILE).
	PrefixPid Prefix = iota
	// PrefixBracket starts a line with "[pid %5d] " while more than one task is traced
	// (strace -f writing to stderr).
	PrefixBracket
	// PrefixNone never names the task (strace -ff, one file per process).
	PrefixNone
)

// DefaultColumn is where strace aligns " = " (its -a option).
const DefaultColumn = 40

// Timestamps says how a line starts with the time of its event, after the task's prefix.
type Timestamps uint8

const (
	NoTimestamps Timestamps = iota
	Seconds                 // -t: "19:03:08 "
	Microseconds            // -tt: "19:03:08.821225 "
	Epoch                   // -ttt: "1795460588.830333 "
	Relative                // -r: "     0.003246 ", since the previous line
)

// StraceOptions are strace's output options.
type StraceOptions struct {
	Prefix     Prefix
	Column     int        // -a; 0 means DefaultColumn
	Timestamps Timestamps // -t, -tt, -ttt, -r
	CallTimes  bool       // -T: " <0.000013>", the time spent in each call
	QuietExits bool       // -qq: no "+++ exited with N +++" lines (deaths by signal stay)
	Colour     bool       // errors and kinds in colour, for a terminal
}

// Strace writes events in strace's line syntax. A call's entry is written when it happens and
// its line left open; when another task's line must be written first, the open line is ended
// with " <unfinished ...>" and the call's exit later starts a "<... NAME resumed>" line, as
// strace does for interleaved tasks.
type Strace struct {
	out  *bufio.Writer
	opts StraceOptions

	now       time.Time         // the time of the event being written (SetClock)
	last      time.Time         // the time of the previous line, for Relative
	entryTime map[int]time.Time // when each task's open call began, for CallTimes

	tasks   int // tasks traced now, for PrefixBracket
	openTid int // the task whose call's line is open, 0 if none
	openCol int // how many columns the open line has
	line    []byte
}

// NewStrace returns a writer of strace lines to w.
func NewStrace(w io.Writer, o StraceOptions) *Strace {
	if o.Column <= 0 {
		o.Column = DefaultColumn
	}
	return &Strace{
		out:       bufio.NewWriterSize(w, 64<<10),
		opts:      o,
		line:      make([]byte, 0, 512),
		entryTime: map[int]time.Time{},
	}
}

// WantsClock tells whether lines show times, so that the caller needs to SetClock.
func (s *Strace) WantsClock() bool {
	return s.opts.Timestamps != NoTimestamps || s.opts.CallTimes
}

// SetClock sets the time of the event about to be written.
func (s *Strace) SetClock(now time.Time) { s.now = now }

// TaskStarted counts a new task, which decides whether PrefixBracket names tasks.
func (s *Strace) TaskStarted(tid int) { s.tasks++ }

// Entry writes the start of a call: "NAME(" and the arguments known at entry.
func (s *Strace) Entry(tid int, name string, args []byte) {
	s.begin(tid)
	s.line = append(s.line, name...)
	s.line = append(s.line, '(')
	s.line = append(s.line, args...)
	s.out.Write(s.line)
	s.openTid, s.openCol = tid, len(s.line)
	if s.opts.CallTimes {
		s.entryTime[tid] = s.now
	}
}

// Exit ends a call: the arguments known only at exit, ")", the alignment and " = RET".
// ret is "?" for a call that never returned (exit_group, or a task killed inside it).
func (s *Strace) Exit(tid int, name string, args, ret []byte) {
	col := 0
	if s.openTid == tid {
		s.line = s.line[:0]
		col = s.openCol
		s.openTid = 0
	} else {
		s.begin(tid)
		s.line = append(s.line, "<... "...)
		s.line = append(s.line, name...)
		s.line = append(s.line, " resumed>"...)
	}
	s.line = append(s.line, args...)
	s.line = append(s.line, ") "...)
	for pad := s.opts.Column - col - len(s.line); pad > 0; pad-- {
		s.line = append(s.line, ' ')
	}
	s.line = append(s.line, "= "...)
	failed := bytes.HasPrefix(ret, []byte("-1 ")) || bytes.HasPrefix(ret, []byte("? "))
	if failed && s.opts.Colour {
		s.line = append(s.line, colourError...)
		s.line = append(s.line, ret...)
		s.line = append(s.line, colourReset...)
	} else {
		s.line = append(s.line, ret...)
	}
	if start, ok := s.entryTime[tid]; ok && s.opts.CallTimes {
		delete(s.entryTime, tid)
		if !(len(ret) == 1 && ret[0] == '?') {
			s.line = append(s.line, " <"...)
			s.line = appendSeconds(s.line, s.now.Sub(start), 0)
			s.line = append(s.line, '>')
		}
	}
	s.line = append(s.line, '\n')
	s.out.Write(s.line)
}

const (
	colourError = "\x1b[31m"
	colourReset = "\x1b[0m"
)

// appendSeconds appends d as strace's "%Nld.%06ld": seconds padded to width, microseconds.
func appendSeconds(b []byte, d time.Duration, width int) []byte {
	if d < 0 {
		d = 0
	}
	us := d.Microseconds()
	sec := strconv.AppendInt(nil, us/1e6, 10)
	for i := len(sec); i < width; i++ {
		b = append(b, ' ')
	}
	b = append(b, sec...)
	b = append(b, '.')
	frac := strconv.AppendInt(nil, us%1e6, 10)
	for i := len(frac); i < 6; i++ {
		b = append(b, '0')
	}
	return append(b, frac...)
}

// appendTimestamp appends the time of the line being begun, as -t, -tt, -ttt or -r show it.
func (s *Strace) appendTimestamp(b []byte) []byte {
	switch s.opts.Timestamps {
	case Seconds:
		b = s.now.AppendFormat(b, "15:04:05")
	case Microseconds:
		b = s.now.AppendFormat(b, "15:04:05.000000")
	case Epoch:
		b = strconv.AppendInt(b, s.now.Unix(), 10)
		b = append(b, '.')
		frac := strconv.AppendInt(nil, int64(s.now.Nanosecond()/1000), 10)
		for i := len(frac); i < 6; i++ {
			b = append(b, '0')
		}
		b = append(b, frac...)
	case Relative:
		var d time.Duration
		if !s.last.IsZero() {
			d = s.now.Sub(s.last)
		}
		s.last = s.now
		b = appendSeconds(b, d, 6)
	default:
		return b
	}
	return append(b, ' ')
}

// Signal writes "--- SIGNAL {siginfo} ---"; info is decode's text of the signal.
func (s *Strace) Signal(tid int, info []byte) {
	s.whole(tid, "--- ", info, " ---")
}

// Stopped writes a group-stop: "--- stopped by SIGSTOP ---".
func (s *Strace) Stopped(tid int, sig string) {
	s.whole(tid, "--- stopped by ", []byte(sig), " ---")
}

// Exited writes "+++ exited with N +++" and stops counting the task.
func (s *Strace) Exited(tid int, code int) {
	if s.opts.QuietExits {
		s.taskEnded(tid)
		return
	}
	var b [20]byte
	s.whole(tid, "+++ exited with ", strconv.AppendInt(b[:0], int64(code), 10), " +++")
	s.taskEnded(tid)
}

// Killed writes "+++ killed by SIGNAME +++" ("(core dumped)" when it did) and stops counting
// the task.
func (s *Strace) Killed(tid int, sig string, core bool) {
	end := " +++"
	if core {
		end = " (core dumped) +++"
	}
	s.whole(tid, "+++ killed by ", []byte(sig), end)
	s.taskEnded(tid)
}

// Superseded is written when a non-leader thread (former) ran execve and took over the
// leader's tid: an open execve line of former's ends with "<pid changed to TID ...>", the
// vanished leader gets "+++ superseded by execve in pid FORMER +++", and the execve's exit
// follows as a resumed line of tid. One task fewer is traced.
func (s *Strace) Superseded(tid, former int) {
	var b [20]byte
	if s.openTid == former {
		s.out.WriteString(" <pid changed to ")
		s.out.Write(strconv.AppendInt(b[:0], int64(tid), 10))
		s.out.WriteString(" ...>\n")
		s.openTid = 0
	}
	s.whole(tid, "+++ superseded by execve in pid ", strconv.AppendInt(b[:0], int64(former), 10), " +++")
	s.tasks--
}

// Detached ends tid's open line, if any, as strace does when it lets go of a task in the
// middle of a call: " <detached ...>".
func (s *Strace) Detached(tid int) {
	if s.openTid == tid {
		s.out.WriteString(" <detached ...>\n")
		s.openTid = 0
	}
	s.tasks--
}

// Flush writes what is buffered. Its error is the first write error, which sticks: once the
// output is gone (a closed pipe), the tracer goes on without it.
func (s *Strace) Flush() error { return s.out.Flush() }

// Buffered tells how many bytes wait for Flush.
func (s *Strace) Buffered() int { return s.out.Buffered() }

func (s *Strace) taskEnded(tid int) { s.tasks-- }

// whole writes a line of its own for tid: head, body, tail.
func (s *Strace) whole(tid int, head string, body []byte, tail string) {
	s.begin(tid)
	s.line = append(s.line, head...)
	s.line = append(s.line, body...)
	s.line = append(s.line, tail...)
	s.line = append(s.line, '\n')
	s.out.Write(s.line)
}

// begin ends an open line as unfinished and starts s.line with tid's prefix and the time.
func (s *Strace) begin(tid int) {
	s.beginUntimed(tid)
	if s.opts.Timestamps != NoTimestamps {
		s.line = s.appendTimestamp(s.line)
	}
}

// beginUntimed is begin without the time, for mmtrace's lines under a call, which belong to
// the call's moment.
func (s *Strace) beginUntimed(tid int) {
	if s.openTid != 0 {
		s.out.WriteString(" <unfinished ...>\n")
		s.openTid = 0
	}
	s.line = s.line[:0]
	switch {
	case s.opts.Prefix == PrefixPid:
		n := len(s.line)
		s.line = strconv.AppendInt(s.line, int64(tid), 10)
		for len(s.line)-n < 5 {
			s.line = append(s.line, ' ')
		}
		s.line = append(s.line, ' ')
	case s.opts.Prefix == PrefixBracket && s.tasks > 1:
		s.line = append(s.line, "[pid "...)
		var b [20]byte
		id := strconv.AppendInt(b[:0], int64(tid), 10)
		for i := len(id); i < 5; i++ {
			s.line = append(s.line, ' ')
		}
		s.line = append(s.line, id...)
		s.line = append(s.line, "] "...)
	}
}
