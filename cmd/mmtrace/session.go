package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mmtrace/mmtrace/decode"
	"github.com/mmtrace/mmtrace/procmaps"
	"github.com/mmtrace/mmtrace/ptrace"
	"github.com/mmtrace/mmtrace/report"
)

// traceSession hands each event from the tracer through decode and procmaps to report. It
// runs on the tracer's thread while the task is stopped, so it keeps its buffers and
// allocates nothing per event on the strace path.
type traceSession struct {
	set      *decode.Set // what the user asked to see
	file     *outputFile // the -o file, or stderr
	messages io.Writer   // stderr, for what strace says there (attached, detached)
	lost     lostOutput  // the outputs that lost part of the trace
	lines    *report.Strace
	decode   decode.Options
	terminal bool
	// injections are the -e inject= and -e fault= expressions, in order.
	injections []*decode.Injection

	// model follows every traced process's address space; nil with --strace-only.
	model *procmaps.Tracker
	// regionTables: print each process's regions at its exit and execve (--regions).
	regionTables bool
	started      time.Time
	calls        uint64 // traced calls so far, numbering the origins of regions
	agreement    modelAgreement
	// exitTables wait for their process's last "+++ exited" line.
	exitTables map[int]*procmaps.Comparison

	// summary counts calls and memory for -c and -C; summaryOnly (-c) prints nothing else.
	summary      *report.TraceSummary
	summaryOnly  bool
	summaryBytes bool
	// json writes events as JSON lines (--json) instead of strace's lines; a call's entry
	// text and number wait in pendingEntry and pendingSeq for its end.
	json         *report.TraceJSON
	pendingEntry map[int][]byte
	pendingSeq   map[int]uint64
	pendingTime  map[int]time.Time

	// html records the trace for --html, written at the end to htmlFile.
	html     *report.TraceHTML
	htmlFile *outputFile

	// perTask holds the files of -ff; nil otherwise.
	perTask *taskFiles
	// quietAttach (-q): no messages about attaching and detaching.
	quietAttach bool
	// signals are those whose lines are printed (-e signal=SET).
	signals numberSet
	// failedOnly (-Z) and succeedOnly (-z) print only the calls that failed, or succeeded.
	failedOnly, succeedOnly bool

	// terminating: mmtrace was told to end (SIGTERM, SIGHUP) and follows the command to its
	// end: each event is written at once, so that nothing is lost if it is killed next.
	terminating atomic.Bool

	output    outputBuffer // lines or json: what idle flushes
	lastFlush time.Time
	args, ret []byte
}

// outputBuffer is the buffered output of a session.
type outputBuffer interface {
	Flush() error
	Buffered() int
}

// modelAgreement counts, over the whole trace, how the models matched the kernel's maps.
type modelAgreement struct {
	snapshots, regions, agreed, grown, unseen, stale int
}

var unfinishedReturn = []byte("?")

// close flushes and closes the outputs, for a trace that ends early; finish does it too.
func (s *traceSession) close() {
	s.output.Flush()
	s.file.Close()
	if s.htmlFile != nil {
		s.htmlFile.Close()
	}
}

// tracedNumbers is what the tracer must stop at: what the user asked to see, and what the
// models need.
func (s *traceSession) tracedNumbers() (map[uint32][]uint64, error) {
	sets := []*decode.Set{s.set}
	if s.model != nil {
		modelSet, err := decode.ParseSet(procmaps.ModelCalls)
		if err != nil {
			return nil, fmt.Errorf("model calls: %w", err)
		}
		sets = append(sets, modelSet)
	}
	m := map[uint32][]uint64{}
	for _, arch := range runnableArches() {
		seen := map[uint64]bool{}
		var nrs []uint64
		for _, set := range sets {
			for _, nr := range set.Numbers(arch) {
				if !seen[nr] {
					seen[nr] = true
					nrs = append(nrs, nr)
				}
			}
		}
		if len(nrs) > 0 {
			m[arch.Audit()] = nrs
		}
	}
	return m, nil
}

// runnableArches are the system call ABIs a traced program on this machine may use: its own,
// and i386 on x86_64. The filter has a branch for each, so none is listed in vain.
func runnableArches() []decode.Arch {
	if native := decode.NativeArch(); native != decode.ArchX86_64 {
		return []decode.Arch{native}
	}
	return []decode.Arch{decode.ArchX86_64, decode.ArchI386}
}

func (s *traceSession) handle(ev *ptrace.Event) {
	s.report(ev)
	if s.terminal || s.terminating.Load() {
		// On a terminal the trace is read as it happens, interleaved with the command's own
		// output: written before the task runs on, as strace does.
		s.output.Flush()
	}
}

func (s *traceSession) report(ev *ptrace.Event) {
	var sc *decode.Syscall
	shown := false
	if ev.Kind == ptrace.SyscallEntry || ev.Kind == ptrace.SyscallExit || ev.InSyscall {
		sc = lookupSyscall(ev.Arch, ev.Nr)
		shown = s.set.Has(sc.Arch(), sc.Nr)
	}
	if ev.Kind == ptrace.SyscallEntry {
		s.calls++
		if shown && s.pendingEntry != nil {
			// Kept for the call's end: -Z and -z decide then, JSON and HTML write it then.
			s.pendingEntry[ev.Tid] = sc.AppendEntry(s.pendingEntry[ev.Tid][:0], &ev.Args, &ev.Task, &s.decode)
			s.pendingSeq[ev.Tid] = s.calls
			s.pendingTime[ev.Tid] = time.Now()
		}
	}
	var update procmaps.Update
	if s.model != nil {
		origin := procmaps.Origin{Kind: procmaps.OriginCall, Seq: s.calls, Time: time.Since(s.started)}
		if sc != nil {
			origin.Syscall = sc.Name
		}
		update = s.model.Follow(ev, sc, origin)
		if update.Snapshot != nil {
			// Before the execve's line: the table is of the program being replaced.
			s.snapshot(ev.Pid, update.When, update.Snapshot)
		}
		if update.Changed && s.summary != nil {
			s.summary.Change(ev.Pid, &update.Change, s.model.Space(ev.Pid).Peak())
		}
	}
	if s.summary != nil && shown && (ev.Kind == ptrace.SyscallExit || ev.InSyscall) {
		s.summary.Call(ev.Pid, sc.Name, ev.IsError, ev.Injected)
	}
	var call *report.CallEvent
	ended := ev.Kind == ptrace.SyscallExit || ev.InSyscall && (ev.Kind == ptrace.Exited || ev.Kind == ptrace.Killed)
	if (s.json != nil || s.html != nil) && shown && ended {
		call = s.callEvent(ev, sc, &update)
	}
	if s.html != nil {
		s.recordHTML(ev, call, &update)
	}
	switch {
	case s.json != nil:
		s.reportJSON(ev, call)
	case s.summaryOnly:
		if c := s.exitTables[ev.Pid]; c != nil && (ev.Kind == ptrace.Exited || ev.Kind == ptrace.Killed) && ev.Tid == ev.Pid {
			delete(s.exitTables, ev.Pid)
			s.writeRegionTable(ev.Pid, "exit", c)
		}
	default:
		s.reportLines(ev, sc, shown, &update)
	}
	s.announce(ev)
}

// recordHTML keeps what --html draws: each call, and the whole address space where a
// process's replay starts (its execve, the attach) or is checked (its exit).
func (s *traceSession) recordHTML(ev *ptrace.Event, call *report.CallEvent, update *procmaps.Update) {
	now := time.Since(s.started).Seconds()
	if update.Snapshot != nil && update.When == "exit" {
		s.html.Snapshot(ev.Pid, now, "exit", update.Snapshot.Kernel)
	}
	attached := ev.Kind == ptrace.TaskStart && ev.ParentTid == 0 && ev.Tid == ev.Pid
	if ev.Kind == ptrace.Exec || attached {
		if space := s.model.Space(ev.Pid); space != nil {
			why := "exec"
			if attached {
				why = "attach"
			}
			s.html.Snapshot(ev.Pid, now, why, space.Regions())
		}
	}
	if call != nil {
		s.html.Call(call)
	}
}

// reportLines writes an event in strace's syntax, with mmtrace's annotations.
func (s *traceSession) reportLines(ev *ptrace.Event, sc *decode.Syscall, shown bool, update *procmaps.Update) {
	if ev.Kind == ptrace.TaskStart && s.perTask != nil {
		s.perTask.open(ev.Tid)
	}
	lines := s.linesOf(ev.Tid)
	if lines == nil {
		return // its -ff file could not be opened; said once at the end
	}
	now := time.Time{}
	if lines.WantsClock() {
		now = time.Now()
		lines.SetClock(now)
	}
	switch ev.Kind {
	case ptrace.TaskStart:
		lines.TaskStarted(ev.Tid)
		if s.decode.Comm != nil {
			// -Y: a task's name is read when it is first seen and at its execve, as strace
			// reads it. The command is the tracer's child until its execve.
			comm := "mmtrace"
			if ev.ParentTid != os.Getpid() {
				comm = s.decode.Comm(ev.Tid)
			}
			lines.SetComm(ev.Tid, comm)
		}
		// A task followed from its parent is announced as strace -f announces it; the
		// command that mmtrace itself starts is not, and attached processes are announced
		// once all their threads are (announce).
		if !s.quietAttach && !ev.Seized && ev.ParentTid != 0 && ev.ParentTid != os.Getpid() {
			s.message(lines, fmt.Sprintf("mmtrace: Process %d attached\n", ev.Tid))
		}
	case ptrace.SyscallEntry:
		if !shown {
			break
		}
		if s.failedOnly || s.succeedOnly {
			break // whether the call is printed is known only at its end
		}
		s.args = sc.AppendEntry(s.args[:0], &ev.Args, &ev.Task, &s.decode)
		lines.Entry(ev.Tid, sc.Name, s.args)
	case ptrace.SyscallExit:
		if !shown {
			break
		}
		if s.failedOnly || s.succeedOnly {
			if ev.IsError != s.failedOnly {
				break
			}
			lines.SetClock(s.pendingTime[ev.Tid])
			lines.Entry(ev.Tid, sc.Name, s.pendingEntry[ev.Tid])
			lines.SetClock(now)
		}
		s.args = sc.AppendExit(s.args[:0], &ev.Args, ev.Ret, ev.IsError, &ev.Task, &s.decode)
		s.ret = s.appendReturn(s.ret[:0], sc, ev)
		lines.Exit(ev.Tid, sc.Name, s.args, s.ret)
		if update.Changed {
			lines.Annotate(ev.Tid, &update.Change)
		}
	case ptrace.Signal:
		if s.signals.has(ev.Signal) {
			s.args = decode.AppendSiginfo(s.args[:0], ev.Signal, ev.Siginfo, &s.decode)
			lines.Signal(ev.Tid, s.args)
		}
	case ptrace.GroupStop:
		if s.signals.has(ev.Signal) {
			lines.Stopped(ev.Tid, decode.SignalName(ev.Signal))
		}
	case ptrace.Exec:
		if ev.FormerTid != ev.Tid {
			lines.Superseded(ev.Tid, ev.FormerTid)
			if s.perTask != nil {
				s.perTask.rename(ev.FormerTid, ev.Tid)
			}
		}
		if s.decode.Comm != nil {
			lines.SetComm(ev.Tid, s.decode.Comm(ev.Tid)) // after the superseded line, as strace
		}
	case ptrace.Detached:
		lines.Detached(ev.Tid)
		s.endTask(ev.Tid)
	case ptrace.Exited, ptrace.Killed:
		// A call that never returned: unless -Z or -z hid its entry (it neither failed nor
		// succeeded), its line ends with "= ?".
		if ev.InSyscall && shown && !s.failedOnly && !s.succeedOnly {
			lines.Exit(ev.Tid, sc.Name, nil, unfinishedReturn)
		}
		switch {
		case ev.Kind == ptrace.Exited:
			lines.Exited(ev.Tid, ev.Status)
		case s.signals.has(ev.Signal):
			lines.Killed(ev.Tid, decode.SignalName(ev.Signal), ev.CoreDumped)
		default:
			lines.Ended(ev.Tid) // its signal is not printed (-e signal=), as strace leaves it out
		}
		if c := s.exitTables[ev.Tid]; c != nil {
			delete(s.exitTables, ev.Tid)
			s.writeRegionTable(ev.Tid, "exit", c)
		}
		s.endTask(ev.Tid)
	}
}

// announce says, as strace -p does, that a process was attached (with its threads as strace
// counts them) or that a task was let go of (a line for each thread).
func (s *traceSession) announce(ev *ptrace.Event) {
	if s.quietAttach || ev.Kind != ptrace.Attached && ev.Kind != ptrace.Detached || s.json != nil && s.messages == s.file {
		return
	}
	switch {
	case ev.Kind == ptrace.Detached:
		s.message(s.lines, fmt.Sprintf("mmtrace: Process %d detached\n", ev.Tid))
	case ev.Threads > 1:
		s.message(s.lines, fmt.Sprintf("mmtrace: Process %d attached with %d threads\n", ev.Tid, ev.Threads))
	default:
		s.message(s.lines, fmt.Sprintf("mmtrace: Process %d attached\n", ev.Tid))
	}
}

// message writes one of mmtrace's messages to stderr. When the trace goes there too, it goes
// in the trace's buffer, where it happens, even in the middle of a call's line, as strace's.
func (s *traceSession) message(lines *report.Strace, text string) {
	if lines != nil && s.file.file == os.Stderr && s.perTask == nil && s.json == nil {
		lines.Message(text)
		return
	}
	io.WriteString(s.messages, text)
}

// linesOf is where a task's lines go: the one output, or its own file with -ff.
func (s *traceSession) linesOf(tid int) *report.Strace {
	if s.perTask != nil {
		return s.perTask.lines(tid)
	}
	return s.lines
}

// endTask forgets what was kept for a task that is gone.
func (s *traceSession) endTask(tid int) {
	if s.pendingEntry != nil {
		delete(s.pendingEntry, tid)
		delete(s.pendingSeq, tid)
		delete(s.pendingTime, tid)
	}
	if s.perTask != nil {
		s.perTask.close(tid)
	}
}

// reportJSON writes an event as a JSON line (--json). A call is written when it ends, with
// the arguments decoded at its entry (execve's, read before the exec replaced them).
func (s *traceSession) reportJSON(ev *ptrace.Event, call *report.CallEvent) {
	if call != nil {
		s.json.Write(call)
	}
	e := report.TaskEvent{Time: time.Since(s.started).Seconds(), Pid: ev.Pid, Tid: ev.Tid}
	switch ev.Kind {
	case ptrace.Signal:
		if !s.signals.has(ev.Signal) {
			return
		}
		e.Type, e.Signal = "signal", decode.SignalName(ev.Signal)
		e.Info = string(decode.AppendSiginfo(s.args[:0], ev.Signal, ev.Siginfo, &s.decode))
	case ptrace.GroupStop:
		if !s.signals.has(ev.Signal) {
			return
		}
		e.Type, e.Signal = "stopped", decode.SignalName(ev.Signal)
	case ptrace.Exec:
		e.Type = "exec"
	case ptrace.Detached:
		e.Type = "detached"
		s.endTask(ev.Tid)
	case ptrace.Exited, ptrace.Killed:
		s.endTask(ev.Tid)
		if ev.Kind == ptrace.Exited {
			status := ev.Status
			e.Type, e.Status = "exited", &status
		} else {
			e.Type, e.Signal, e.Core = "killed", decode.SignalName(ev.Signal), ev.CoreDumped
		}
	default:
		return
	}
	s.json.Write(e)
}

// callEvent describes a call that ended (or whose task ended inside it) for JSON and HTML.
func (s *traceSession) callEvent(ev *ptrace.Event, sc *decode.Syscall, update *procmaps.Update) *report.CallEvent {
	c := &report.CallEvent{
		Type: "call", Seq: s.pendingSeq[ev.Tid], Time: time.Since(s.started).Seconds(),
		Pid: ev.Pid, Tid: ev.Tid, Syscall: sc.Name, Args: report.RawArgs(&ev.Args),
	}
	if ev.Kind != ptrace.SyscallExit {
		c.Decoded, c.Return, c.Unfinished = string(s.pendingEntry[ev.Tid]), "?", true
		return c
	}
	c.Decoded = string(sc.AppendExit(append(s.args[:0], s.pendingEntry[ev.Tid]...), &ev.Args, ev.Ret, ev.IsError, &ev.Task, &s.decode))
	c.Return = string(s.appendReturn(s.ret[:0], sc, ev))
	c.Retval, c.Injected, c.Delayed = ev.Ret, ev.Injected, ev.Delayed
	if ev.IsError {
		c.Errno = decode.ErrnoName(uint64(-ev.Ret))
	}
	if update.Changed {
		c.Before = report.Regions(update.Change.Before)
		c.After = report.Regions(append(update.Change.Made, update.Change.Changed...))
		c.Removed = report.Regions(update.Change.Removed)
	}
	return c
}

// snapshot counts how the model agreed with the kernel and, with --regions, prints the
// process's regions with what made each.
func (s *traceSession) snapshot(pid int, when string, c *procmaps.Comparison) {
	a := &s.agreement
	a.snapshots++
	a.regions += len(c.Kernel)
	a.agreed += c.Agreed
	a.grown += len(c.Grown)
	a.unseen += len(c.Unseen)
	a.stale += len(c.Stale)
	if s.summary != nil && when == "exit" {
		s.summary.Ended(pid, c.Kernel)
	}
	if !s.regionTables {
		return
	}
	if when == "exit" {
		if s.exitTables == nil {
			s.exitTables = map[int]*procmaps.Comparison{}
		}
		s.exitTables[pid] = c
		return
	}
	s.writeRegionTable(pid, when, c)
}

// writeRegionTable prints a process's regions as the kernel showed them, with what made each.
func (s *traceSession) writeRegionTable(pid int, when string, c *procmaps.Comparison) {
	lines := s.linesOf(pid)
	if lines == nil {
		return
	}
	w := lines.Block()
	fmt.Fprintf(w, "\nmmtrace: regions of process %d at %s: %d, the model had %d as traced", pid, when, len(c.Kernel), c.Agreed)
	if len(c.Grown) > 0 {
		fmt.Fprintf(w, ", %d stacks grown by the kernel", len(c.Grown))
	}
	if len(c.Unseen) > 0 {
		fmt.Fprintf(w, ", %d made without a traced call", len(c.Unseen))
	}
	if len(c.Stale) > 0 {
		fmt.Fprintf(w, ", %d gone without a traced call", len(c.Stale))
	}
	fmt.Fprintln(w)
	if err := report.WriteComparison(w, c); err != nil {
		fmt.Fprintf(w, "mmtrace: region table: %v\n", err)
	}
	fmt.Fprintln(w)
}

// appendReturn appends a call's return value as strace prints it, then " (INJECTED)" when
// the call was tampered with and " (DELAYED)" when it was delayed.
func (s *traceSession) appendReturn(b []byte, sc *decode.Syscall, ev *ptrace.Event) []byte {
	switch {
	case !ev.Injected:
		b = sc.AppendReturnPids(b, ev.Ret, ev.IsError, &s.decode)
	case sc.NeverReturns() && ev.IsError:
		// exit_group made to fail returns after all: its result, as strace prints it.
		b = decode.AppendErrno(b, uint64(-ev.Ret))
	case sc.NeverReturns():
		b = strconv.AppendInt(b, ev.Ret, 10)
	default:
		b = sc.AppendReturnPids(b, ev.Ret, ev.IsError, &s.decode)
	}
	if ev.Injected {
		b = append(b, injectedMark...)
	}
	if ev.Delayed {
		b = append(b, delayedMark...)
	}
	return b
}

func lookupSyscall(auditArch uint32, nr uint64) *decode.Syscall {
	arch := decode.ArchOf(auditArch, nr)
	if sc := decode.Lookup(arch, nr); sc != nil {
		return sc
	}
	return decode.Unknown(arch, nr)
}

// resumeFirst tells the tracer which events it may report after resuming the task: those
// whose printing reads none of the task's memory. The model needs no stopped task for
// any of them: what it asks the kernel at a call's exit (PROCMAP_QUERY) no traced call can
// change before the tracer has seen it, and execve, whose entry it compares with the
// kernel's maps, reads its arguments from memory anyway.
func (s *traceSession) resumeFirst(arch uint32, nr uint64, exit bool) bool {
	if s.decode.Comm != nil {
		return false // -Y names processes as they are when the call is printed
	}
	sc := lookupSyscall(arch, nr)
	if exit {
		return !sc.HasExitArgs() // mincore's vector, wait4's status, clone's parent_tid
	}
	return !sc.ReadsMemoryAtEntry()
}

// idle flushes the output before the tracer waits, at most every flushInterval, so that a
// file gets large writes and a pipe still sees progress.
func (s *traceSession) idle() {
	if s.output.Buffered() == 0 {
		return
	}
	if now := time.Now(); now.Sub(s.lastFlush) >= flushInterval || s.terminating.Load() {
		s.output.Flush()
		s.lastFlush = now
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// finish writes what waits for the end: the HTML page, the agreement line, the summary, and
// closes the outputs. What could not be written is told by then (lost).
func (s *traceSession) finish() {
	s.output.Flush()
	if s.html != nil {
		s.writeHTML()
	}
	if s.perTask != nil {
		s.perTask.closeAll()
	}
	if a := s.agreement; a.snapshots > 0 && (s.regionTables || s.summary != nil) {
		w := s.lines.Block()
		fmt.Fprintf(w, "mmtrace: at %d exits and execs the models agreed with the kernel on %d of %d regions (%.2f%%): %d as traced, %d stacks grown by the kernel; %d made and %d gone without a traced call\n",
			a.snapshots, a.agreed+a.grown, a.regions, 100*float64(a.agreed+a.grown)/float64(max(a.regions, 1)), a.agreed, a.grown, a.unseen, a.stale)
		s.lines.Flush()
	}
	if s.summary != nil {
		s.summary.Write(s.lines.Block(), s.summaryBytes)
		s.lines.Flush()
	}
	s.file.Close()
}

// writeHTML writes the page into the file opened for it at the start. A write error is told
// by the file itself; any other is told here.
func (s *traceSession) writeHTML() {
	if err := s.html.Write(s.htmlFile, "mmtrace trace"); err != nil && s.htmlFile.err == nil {
		s.lost.report(fmt.Errorf("write html %s: %w", s.htmlFile.file.Name(), err))
	}
	s.htmlFile.Close()
}
