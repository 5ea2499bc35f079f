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

// Clock says how a line starts with the wall-clock time of its event, after the task's prefix
// (strace's -t, --timestamps=FORMAT).
type Clock uint8

const (
	NoClock   Clock = iota
	TimeOfDay       // "19:03:08" (-t, --timestamps=time)
	UnixTime        // "1795460588" (-ttt, --timestamps=unix)
)

// StraceOptions are strace's output options. A time shows Digits of the fraction of a second:
// 0, 3, 6 or 9 (strace's precisions s, ms, us, ns).
type StraceOptions struct {
	Prefix          Prefix
	Column          int   // -a; 0 means DefaultColumn
	Clock           Clock // -t, -tt, -ttt, --timestamps
	ClockDigits     int
	Relative        bool // -r: the time since the previous line, "     0.003246 "
	RelativeDigits  int
	CallTimes       bool // -T: " <0.000013>", the time spent in each call
	CallTimeDigits  int
	QuietExits      bool // -qq, --quiet=exit: no "+++ exited with N +++" lines (deaths by signal stay)
	QuietSuperseded bool // -qqq, --quiet=thread-execve: no "+++ superseded by execve +++" lines
	Colour          bool // errors and kinds in colour, for a terminal
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

	tasks   int            // tasks traced now, for PrefixBracket
	comms   map[int]string // -Y: each task's command name, printed after its id
	openTid int            // the task whose call's line is open, 0 if none
	openCol int            // how many columns the open line has
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
	return s.opts.Clock != NoClock || s.opts.Relative || s.opts.CallTimes
}

// SetClock sets the time of the event about to be written.
func (s *Strace) SetClock(now time.Time) { s.now = now }

// SetComm sets the command name that tid's lines show after its id from now on (-Y):
// "1234<sh> " with PrefixPid, "[pid  1234<sh>] " with PrefixBracket.
func (s *Strace) SetComm(tid int, comm string) {
	if s.comms == nil {
		s.comms = map[int]string{}
	}
	s.comms[tid] = comm
}

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
			s.line = appendSeconds(s.line, s.now.Sub(start), 0, s.opts.CallTimeDigits)
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

// appendSeconds appends d as strace's "%*ld.%0*ld": the seconds padded to width, then digits
// of the fraction (none, without the dot, for 0).
func appendSeconds(b []byte, d time.Duration, width, digits int) []byte {
	if d < 0 {
		d = 0
	}
	sec := strconv.AppendInt(nil, int64(d/time.Second), 10)
	for i := len(sec); i < width; i++ {
		b = append(b, ' ')
	}
	b = append(b, sec...)
	return appendFraction(b, int64(d%time.Second), digits)
}

// appendFraction appends ".DIGITS" of ns nanoseconds, cut (not rounded) as strace does.
func appendFraction(b []byte, ns int64, digits int) []byte {
	if digits <= 0 {
		return b
	}
	for i := digits; i < 9; i++ {
		ns /= 10
	}
	frac := strconv.AppendInt(nil, ns, 10)
	b = append(b, '.')
	for i := len(frac); i < digits; i++ {
		b = append(b, '0')
	}
	return append(b, frac...)
}

// appendTimestamp appends the time of the line being begun: the wall clock (-t, -tt, -ttt,
// --timestamps), the time since the previous line (-r), or both as strace writes them,
// "19:03:08 (+     0.000120) ".
func (s *Strace) appendTimestamp(b []byte) []byte {
	switch s.opts.Clock {
	case TimeOfDay:
		b = s.now.AppendFormat(b, "15:04:05")
	case UnixTime:
		b = strconv.AppendInt(b, s.now.Unix(), 10)
	}
	if s.opts.Clock != NoClock {
		b = appendFraction(b, int64(s.now.Nanosecond()), s.opts.ClockDigits)
		b = append(b, ' ')
	}
	if s.opts.Relative {
		var d time.Duration
		if !s.last.IsZero() {
			d = s.now.Sub(s.last)
		}
		s.last = s.now
		if s.opts.Clock != NoClock {
			b = append(b, "(+"...)
		}
		b = appendSeconds(b, d, 6, s.opts.RelativeDigits)
		if s.opts.Clock != NoClock {
			b = append(b, ')')
		}
		b = append(b, ' ')
	}
	return b
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

// Message writes text as it is, where the output is, without ending an open line: a message of
// the tracer's that shares the output, as strace's "Process N attached" does.
func (s *Strace) Message(text string) { s.out.WriteString(text) }

// Ended stops counting a task whose end is not written (killed by a signal left out by
// -e signal=).
func (s *Strace) Ended(tid int) { s.taskEnded(tid) }

// Superseded is written when a non-leader thread (former) ran execve and took over the
// leader's tid: an open execve line of former's ends with "<pid changed to TID ...>", the
// vanished leader gets "+++ superseded by execve in pid FORMER +++" (unless QuietSuperseded),
// and the execve's exit follows as a resumed line of tid. One task fewer is traced.
func (s *Strace) Superseded(tid, former int) {
	var b [20]byte
	if s.openTid == former {
		s.out.WriteString(" <pid changed to ")
		s.out.Write(strconv.AppendInt(b[:0], int64(tid), 10))
		s.out.WriteString(" ...>\n")
		s.openTid = 0
	}
	if !s.opts.QuietSuperseded {
		s.whole(tid, "+++ superseded by execve in pid ", strconv.AppendInt(b[:0], int64(former), 10), " +++")
	}
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
	if s.opts.Clock != NoClock || s.opts.Relative {
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
	comm := ""
	if s.comms != nil {
		comm = s.comms[tid]
	}
	switch {
	case s.opts.Prefix == PrefixPid && comm != "":
		// strace pads the id only when no name follows it.
		s.line = strconv.AppendInt(s.line, int64(tid), 10)
		s.line = appendComm(s.line, comm)
		s.line = append(s.line, ' ')
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
		s.line = appendComm(s.line, comm)
		s.line = append(s.line, "] "...)
	}
}

// appendComm appends a task's command name as -Y shows it, "<sh>"; nothing for "".
func appendComm(b []byte, comm string) []byte {
	if comm == "" {
		return b
	}
	b = append(b, '<')
	b = append(b, comm...)
	return append(b, '>')
}
