package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"github.com/mmtrace/mmtrace/decode"
	"github.com/mmtrace/mmtrace/procmaps"
	"github.com/mmtrace/mmtrace/ptrace"
	"github.com/mmtrace/mmtrace/report"
)

// traceFlags are mmtrace trace's options, named and spelled as strace's.
type traceFlags struct {
	output      string
	expressions []string
	decorateFds bool
	stringLimit decimal
	column      int
	seccomp     bool
	pids        []int
	duration    time.Duration
	straceOnly  bool
	regions     bool
	summaryOnly bool
	summary     bool
	json        bool
	bytes       bool

	follow         int // -f (always on), -ff (one file per task)
	failedOnly     bool
	successfulOnly bool
	colour         colourMode
	html           string
	constStyle     constStyle // -X
	noAbbrev       bool       // -v

	// The times lines show (qualify.go's times): -t counted, --timestamps's values in turn;
	// -r and -T, counted or with a precision.
	clockCount         int
	clockSpecs         []string
	relativeCount      int
	relativePrecision  string
	callTimesCount     int
	callTimesPrecision string
	// -q counted; --quiet=SET and -e quiet=SET (qualify). quiet is what they leave out.
	quietCount int
	quietSet   *numberSet
	quiet      numberSet
	// -e signal=SET: the signals whose lines are printed.
	signals numberSet
	// -Y, --decode-pids=SET: what is printed beside a pid.
	decodePids numberSet
	env        []string // -E VAR=VAL, -E VAR
	detachOn   string   // -b execve
}

func newTraceCmd() *cobra.Command {
	var f traceFlags
	cmd := &cobra.Command{
		Use:   "trace [flags] -- CMD [ARGS...]",
		Short: "Run a command and print its memory-mapping and process calls, as strace does",
		Long: `Run CMD under ptrace, follow every fork, vfork, clone and execve, and print each
memory-mapping and process system call with its arguments decoded, in strace's own syntax.

By default the traced calls are mmap, munmap, mprotect, mremap, msync, madvise, brk, mlock,
munlock, mlock2, mlockall, munlockall, remap_file_pages, mincore, fork, vfork, clone, clone3,
execve, execveat, exit and exit_group; -e trace= chooses others from strace's %memory and
%process classes. -e trace=!LIST traces every call mmtrace decodes but those in LIST, where
strace's would trace every system call but those. mmtrace exits with the command's exit
status; when the command is killed by a signal, mmtrace kills itself with the same signal, as
strace does. If mmtrace is killed, the command is killed with it.`,
		Example: `  mmtrace trace -- ls -l
  mmtrace trace -o out.txt -e trace=mmap,munmap -y -- python3 -c 'import json'`,
		Args: func(c *cobra.Command, args []string) error {
			if len(f.pids) > 0 {
				if len(args) > 0 {
					return &exitError{code: 2, err: errors.New("trace: give a command or -p PID, not both")}
				}
				return nil
			}
			if len(args) == 0 {
				c.PrintErrln(c.UsageString())
				return &exitError{code: 2, err: errors.New("trace: no command given")}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if len(f.pids) > 0 {
				return runAttach(&f, f.pids)
			}
			return runTrace(&f, args)
		},
	}
	// Flags stop at the command: "mmtrace trace ls -l" passes -l to ls.
	cmd.Flags().SetInterspersed(false)
	f.register(cmd.Flags())
	cmd.Flags().BoolVar(&f.seccomp, "seccomp", true, "stop the command only at traced calls (a seccomp-BPF filter)")
	cmd.Flags().IntSliceVarP(&f.pids, "attach", "p", nil, "trace the running process `PID` instead of a command (as mmtrace attach)")
	cmd.Flags().StringArrayVarP(&f.env, "env", "E", nil, "run the command with `VAR=VAL` in its environment; -E VAR: without VAR")
	return cmd
}

// register adds the options that trace and attach share.
func (f *traceFlags) register(fl *pflag.FlagSet) {
	fl.StringVarP(&f.output, "output", "o", "", "write the trace to `FILE` instead of stderr")
	fl.VarP(qualifierFlag{"", "stringArray", &f.expressions}, "expr", "e", "`trace=LIST`: the calls to trace: names, numbers, %memory, %process, ! for the other calls mmtrace decodes; signal=SET: the signals to print (names, numbers, all, none, !); quiet=SET, decode-pids=SET: as --quiet, --decode-pids")
	fl.Var(qualifierFlag{"signal", "string", &f.expressions}, "signal", "print only the signals in `SET`, as -e signal=SET")
	fl.Var(qualifierFlag{"signal", "string", &f.expressions}, "signals", "")
	fl.MarkHidden("signals")
	fl.VarPF(qualifierFlag{"decode-pids", "comm|pidns", &f.expressions}, "decode-pids", "Y",
		"print pids with their command names, 1234<sh> (comm, -Y); pidns: also as mmtrace's pid namespace numbers them").NoOptDefVal = "comm"
	fl.Var(qualifierFlag{"inject", "string", &f.expressions}, "inject", "tamper with calls, as -e inject=`SPEC`: SET[:error=ERRNO|retval=VALUE][:signal=SIG][:syscall=NAME][:delay_enter=T][:delay_exit=T][:when=first[..last][+[step]]]")
	fl.Var(qualifierFlag{"fault", "string", &f.expressions}, "fault", "fail calls, as -e fault=`SPEC`: SET[:error=ERRNO][:when=EXPR], ENOSYS by default")
	fl.StringVarP(&f.detachOn, "detach-on", "b", "", "detach from a task at its `execve` (the command's own first excepted); turns the seccomp filter off")
	fl.BoolVarP(&f.decorateFds, "decode-fds", "y", false, "print the paths of file descriptors")
	f.stringLimit = decode.DefaultStringLimit
	fl.VarP(&f.stringLimit, "string-limit", "s", "print at most `N` characters of each string, N elements of argv and other arrays")
	fl.IntVarP(&f.column, "columns", "a", report.DefaultColumn, "align return values at `COLUMN`")
	fl.BoolVar(&f.straceOnly, "strace-only", false, "print strace's lines alone, without what each call did to the address space")
	fl.BoolVar(&f.regions, "regions", false, "print each process's regions, with the call that made each, at its exit and execve")
	fl.BoolVarP(&f.summaryOnly, "summary-only", "c", false, "print only a summary at the end: calls and errors, memory mapped, unmapped, peak and left at exit, by kind")
	fl.BoolVarP(&f.summary, "summary", "C", false, "print the summary after the trace")
	fl.BoolVar(&f.json, "json", false, "write one JSON object per event, per line, instead of strace's lines")
	fl.BoolVar(&f.bytes, "bytes", false, "exact byte counts in tables instead of 4.0K")
	fl.CountVarP(&f.follow, "follow-forks", "f", "follow forks (always on); -ff with -o NAME: one file per task, NAME.TID")
	addCountOrValue(fl, countOrValue{&f.clockCount, func(v string) { f.clockSpecs = append(f.clockSpecs, v) }}, "absolute-timestamps", "t",
		"start lines with the time of day (-tt: with microseconds; -ttt: as seconds since the epoch), or as `[=[format:]time|unix|none,[precision:]s|ms|us|ns]` says (also --timestamps=)", "timestamps")
	addCountOrValue(fl, countOrValue{&f.relativeCount, func(v string) { f.relativePrecision = v }}, "relative-timestamps", "r",
		"start lines with the time since the previous line, in the precision `[=s|ms|us|ns]` (default us)")
	addCountOrValue(fl, countOrValue{&f.callTimesCount, func(v string) { f.callTimesPrecision = v }}, "syscall-times", "T",
		"end lines with the time spent in the call, <0.000013>, in the precision `[=s|ms|us|ns]` (default us)")
	addCountOrValue(fl, countOrValue{&f.quietCount, func(v string) { f.expressions = append(f.expressions, "quiet="+v) }}, "quiet", "q",
		"no messages about attaching and detaching (-qq: nor exit status lines; -qqq: nor superseded lines), or none of the messages in `[=SET]`: attach, exit, thread-execve, personality, path-resolution, all, none, ! to negate", "silent", "silence")
	fl.BoolVarP(&f.failedOnly, "failed-only", "Z", false, "print only calls that failed")
	fl.BoolVarP(&f.successfulOnly, "successful-only", "z", false, "print only calls that succeeded")
	fl.StringVar(&f.html, "html", "", "also write the trace as one self-contained HTML page, a map of the address space with a timeline, to `FILE`")
	fl.Var(&f.colour, "color", "colour errors and kinds: `auto` (on a terminal, unless NO_COLOR is set), always, never")
	fl.VarP(&f.constStyle, "const-print-style", "X", "print named constants, flags and signals in `STYLE`: raw (numbers), abbrev (names) or verbose (both)")
	fl.BoolVarP(&f.noAbbrev, "no-abbrev", "v", false, "print execve's environment, arrays and structs in full")
}

func runTrace(f *traceFlags, args []string) error {
	s, err := newTraceSession(f, true)
	if err != nil {
		return err
	}
	defer s.close()
	path, err := lookCommand(args[0])
	if err != nil {
		return err
	}

	defaults := ignoreCommandSignals()

	syscalls, err := s.tracedNumbers()
	if err != nil {
		return err
	}
	tracer := ptrace.New(ptrace.Options{
		Syscalls:     syscalls,
		Seccomp:      f.seccomp,
		ExitStops:    s.model != nil && s.model.Snapshots,
		Idle:         s.idle,
		ResumeFirst:  s.resumeFirst,
		Inject:       s.injectOptions(),
		DetachOnExec: f.detachOn != "",
	}, s.handle)
	// SIGTERM and SIGHUP (a service manager, a closed terminal) end the trace as they end
	// strace's: passed on to the command, which takes them as it would untraced while mmtrace
	// follows it to its end, writing all it traced; then mmtrace dies of the same signal.
	var ended endingSignal
	ended.catch(func(sig unix.Signal) {
		s.terminating.Store(true)
		tracer.Terminate(sig)
	}, unix.SIGTERM, unix.SIGHUP)
	status, err := tracer.Run(ptrace.Command{Path: path, Argv: args, Env: commandEnv(os.Environ(), f.env), DefaultSignals: defaults})
	s.finish()
	ended.stop()
	if err != nil {
		return err
	}
	if sig := ended.received(); sig != 0 {
		dieBySignal(int(sig))
	}
	if status.ExecErr != nil {
		return &exitError{code: execFailureCode(status.ExecErr), err: fmt.Errorf("cannot run %s: %w", path, status.ExecErr)}
	}
	if status.Signal != 0 {
		dieBySignal(status.Signal)
	}
	return s.lost.exitStatus(status.Code)
}

// newTraceSession checks the options shared by trace and attach and opens the output.
func newTraceSession(f *traceFlags, startsCommand bool) (*traceSession, error) {
	set, err := f.parseOptions(startsCommand)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	injections, err := parseInjections(f.expressions)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	warnRetvals(os.Stderr, injections)
	s := &traceSession{
		set:          set,
		injections:   injections,
		decode:       decode.Options{StringLimit: int(f.stringLimit), DecorateFds: f.decorateFds, Consts: decode.ConstStyle(f.constStyle), NoAbbrev: f.noAbbrev},
		regionTables: f.regions,
		started:      time.Now(),
		quietAttach:  f.quiet.has(quietAttach),
		signals:      f.signals,
		failedOnly:   f.failedOnly,
		succeedOnly:  f.successfulOnly,
	}
	if f.decodePids.has(decodePidsComm) {
		s.decode.Comm = processComm
	}
	if !f.straceOnly {
		s.model = procmaps.NewTracker()
		// Exit and execve snapshots feed the region tables and the summary's leak view.
		s.model.Snapshots = f.regions || f.summary || f.summaryOnly
	}
	stderr := newOutputFile(os.Stderr, &s.lost)
	s.file, s.messages = stderr, stderr
	opts := report.StraceOptions{
		Prefix:          report.PrefixBracket,
		Column:          f.column,
		QuietExits:      f.quiet.has(quietExit),
		QuietSuperseded: f.quiet.has(quietThreadExecve),
	}
	if err := f.times(&opts); err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	switch {
	case f.output != "" && f.follow > 1:
		// -ff: one file per task, NAME.TID, its lines without a prefix.
		opts.Prefix = report.PrefixNone
		s.perTask = &taskFiles{base: f.output, opts: opts, files: map[int]*taskFile{}, lost: &s.lost}
	case f.output != "":
		file, err := createOutput(f.output)
		if err != nil {
			return nil, fmt.Errorf("open output: %w", err)
		}
		s.file, opts.Prefix = newOutputFile(file, &s.lost), report.PrefixPid
	}
	s.terminal = isTerminal(s.file.file)
	opts.Colour = f.colour.enabled(s.terminal)
	s.lines = report.NewStrace(s.file, opts)
	s.output = s.lines
	if s.perTask != nil {
		s.output = s.perTask
	}
	if f.json {
		s.json = report.NewTraceJSON(s.file)
		s.output = s.json
	}
	if f.html != "" {
		// Opened now, so that a path that cannot be written fails before the trace.
		file, err := createOutput(f.html)
		if err != nil {
			return nil, fmt.Errorf("open html: %w", err)
		}
		s.html, s.htmlFile = report.NewTraceHTML(), newOutputFile(file, &s.lost)
	}
	if f.json || f.html != "" || f.failedOnly || f.successfulOnly {
		s.pendingEntry, s.pendingSeq, s.pendingTime = map[int][]byte{}, map[int]uint64{}, map[int]time.Time{}
	}
	if f.summary || f.summaryOnly {
		s.summary = report.NewTraceSummary()
		s.summaryOnly = f.summaryOnly
		s.summaryBytes = f.bytes
	}
	return s, nil
}

// maxStringLimit is strace 6.1's largest -s (2^30-1).
const maxStringLimit = 1<<30 - 1

// check refuses options that contradict each other or make no sense.
func (f *traceFlags) check() error {
	switch {
	case f.stringLimit < 0:
		return fmt.Errorf("-s %d: the string limit must not be negative", f.stringLimit)
	case f.stringLimit > maxStringLimit:
		return fmt.Errorf("-s %d: the string limit is at most %d, as strace's", f.stringLimit, maxStringLimit)
	case f.column < 0:
		return fmt.Errorf("-a %d: the column must not be negative", f.column)
	case f.straceOnly && f.regions:
		return errors.New("--regions needs the address-space model, which --strace-only turns off")
	case f.straceOnly && f.html != "":
		return errors.New("--html draws the address-space model, which --strace-only turns off")
	case f.json && (f.summaryOnly || f.regions || f.follow > 1):
		return errors.New("--json writes events only: it goes with neither -c, --regions nor -ff")
	case f.failedOnly && f.successfulOnly:
		return errors.New("-Z (failed calls only) and -z (successful calls only) exclude each other")
	case f.follow > 1 && f.output == "":
		return errors.New("-ff writes one file per process and needs -o NAME")
	case f.follow > 2:
		return errors.New("-f: give -f or -ff")
	case f.detachOn != "" && f.detachOn != "execve":
		return fmt.Errorf("-b %s: only execve is supported (-b execve), as in strace", f.detachOn)
	}
	return f.colour.check()
}

// parseOptions parses the -e options and the others strace spells its own ways, and checks
// them all; it returns the set of calls to print.
func (f *traceFlags) parseOptions(startsCommand bool) (*decode.Set, error) {
	expressions, err := f.qualify()
	if err != nil {
		return nil, err
	}
	if f.quiet, err = f.quietMessages(startsCommand); err != nil {
		return nil, err
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	return traceSet(expressions)
}

// constStyle is -X (--const-print-style): raw, abbrev or verbose, spelled as strace's.
type constStyle decode.ConstStyle

var constStyleNames = [...]string{
	decode.ConstAbbrev:  "abbrev",
	decode.ConstRaw:     "raw",
	decode.ConstVerbose: "verbose",
}

func (c *constStyle) String() string { return constStyleNames[*c] }

func (c *constStyle) Set(v string) error {
	for style, name := range constStyleNames {
		if v == name {
			*c = constStyle(style)
			return nil
		}
	}
	return errors.New("want raw, abbrev or verbose")
}

func (c *constStyle) Type() string { return "STYLE" }

// decimal is a number flag read in base 10 alone, as strace reads -s: pflag's IntVar would
// take -s 010 for 8 and accept -s 0x10.
type decimal int

func (d *decimal) String() string { return strconv.Itoa(int(*d)) }

func (d *decimal) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a decimal number")
	}
	*d = decimal(v)
	return nil
}

func (d *decimal) Type() string { return "N" }

// traceSet parses the -e trace= options (qualify took out the others); a bare list means
// trace=LIST, as in strace.
func traceSet(expressions []string) (*decode.Set, error) {
	var lists []string
	for _, e := range expressions {
		qualifier, list, ok := strings.Cut(e, "=")
		if !ok {
			qualifier, list = "trace", e
		}
		if isInjectQualifier(qualifier) {
			continue // parseInjections
		}
		if qualifier != "trace" && qualifier != "t" {
			return nil, fmt.Errorf("-e %s: mmtrace does not know the qualifier %s (it takes trace=, signal=, quiet=, decode-pids=)", e, qualifier)
		}
		lists = append(lists, list)
	}
	if len(lists) == 0 {
		return decode.DefaultSet(), nil
	}
	set, err := decode.ParseSet(strings.Join(lists, ","))
	if err != nil {
		return nil, fmt.Errorf("-e: %w", err)
	}
	return set, nil
}

// lookCommand finds the program as a shell would, with a shell's exit codes when it can't:
// 127 for one that does not exist, 126 for one that cannot be executed. A path to a file that
// exists but may not be executed (a directory, no x bit) is run all the same, as strace runs
// it: the trace shows its execve failing with EACCES, and runTrace then says why.
func lookCommand(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, nil
	}
	if strings.Contains(name, "/") && (errors.Is(err, fs.ErrPermission) || errors.Is(err, unix.EISDIR)) {
		if _, statErr := os.Stat(name); statErr == nil {
			return name, nil
		}
	}
	code := execFailureCode(err)
	var execErr *exec.Error
	if errors.As(err, &execErr) {
		err = execErr.Err
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		err = pathErr.Err
	}
	return "", &exitError{code: code, err: fmt.Errorf("cannot run %s: %w", name, err)}
}

// execFailureCode is a shell's exit status for a command it could not run: 127 when it
// cannot be found, 126 for every other reason (not executable, not a directory on the way,
// a name or an argument list too long), as bash does.
func execFailureCode(err error) int {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return 127
	}
	return 126
}

const flushInterval = 200 * time.Millisecond

// commandSignals are the signals mmtrace trace outlives, for the command to take: Ctrl-C
// and Ctrl-\ reach the command too (one process group), and mmtrace stays to report how it
// took them; a closed output pipe must not end the trace either.
var commandSignals = []os.Signal{unix.SIGINT, unix.SIGQUIT, unix.SIGPIPE}

// ignoreCommandSignals makes mmtrace ignore commandSignals and returns those that the command
// must get back at their default action: all but the ones mmtrace was started with ignored
// (by nohup, or a shell's background job), which the command inherits ignored, as it would
// without mmtrace. (Go keeps an inherited SIG_IGN only for SIGINT and SIGHUP.) Ignoring
// costs one rt_sigaction; signal.Notify, which execve would undo by itself, starts two
// runtime threads at its first use: 0.5 to 1.2 ms of every trace's start here.
func ignoreCommandSignals() []unix.Signal {
	var defaults []unix.Signal
	for _, sig := range commandSignals {
		if !signal.Ignored(sig) {
			defaults = append(defaults, sig.(unix.Signal))
		}
	}
	signal.Ignore(commandSignals...)
	return defaults
}
