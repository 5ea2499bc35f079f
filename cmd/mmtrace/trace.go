package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
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
	stringLimit int
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
	timestampLevel int // -t, -tt, -ttt
	relative       bool
	callTimes      bool
	quiet          int // -q, -qq
	failedOnly     bool
	successfulOnly bool
	colour         colourMode
	html           string
	detachOn       string // -b execve
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
%process classes. mmtrace exits with the command's exit status; when the command is killed by
a signal, mmtrace kills itself with the same signal, as strace does. If mmtrace is killed, the
command is killed with it.`,
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
	return cmd
}

// register adds the options that trace and attach share.
func (f *traceFlags) register(fl *pflag.FlagSet) {
	fl.StringVarP(&f.output, "output", "o", "", "write the trace to `FILE` instead of stderr")
	fl.StringArrayVarP(&f.expressions, "expr", "e", nil, "`trace=LIST`: the calls to trace: names, %memory, %process, ! to negate")
	fl.Var(qualifierFlag{"inject", &f.expressions}, "inject", "tamper with calls, as -e inject=`SPEC`: SET[:error=ERRNO|retval=VALUE][:signal=SIG][:syscall=NAME][:delay_enter=T][:delay_exit=T][:when=first[..last][+[step]]]")
	fl.Var(qualifierFlag{"fault", &f.expressions}, "fault", "fail calls, as -e fault=`SPEC`: SET[:error=ERRNO][:when=EXPR], ENOSYS by default")
	fl.StringVarP(&f.detachOn, "detach-on", "b", "", "detach from a task at its `execve` (the command's own first excepted); turns the seccomp filter off")
	fl.BoolVarP(&f.decorateFds, "decode-fds", "y", false, "print the paths of file descriptors")
	fl.IntVarP(&f.stringLimit, "string-limit", "s", 32, "print at most `N` characters of each string")
	fl.IntVarP(&f.column, "columns", "a", report.DefaultColumn, "align return values at `COLUMN`")
	fl.BoolVar(&f.straceOnly, "strace-only", false, "print strace's lines alone, without what each call did to the address space")
	fl.BoolVar(&f.regions, "regions", false, "print each process's regions, with the call that made each, at its exit and execve")
	fl.BoolVarP(&f.summaryOnly, "summary-only", "c", false, "print only a summary at the end: calls and errors, memory mapped, unmapped, peak and left at exit, by kind")
	fl.BoolVarP(&f.summary, "summary", "C", false, "print the summary after the trace")
	fl.BoolVar(&f.json, "json", false, "write one JSON object per event, per line, instead of strace's lines")
	fl.BoolVar(&f.bytes, "bytes", false, "exact byte counts in tables instead of 4.0K")
	fl.CountVarP(&f.follow, "follow-forks", "f", "follow forks (always on); -ff with -o NAME: one file per task, NAME.TID")
	fl.CountVarP(&f.timestampLevel, "absolute-timestamps", "t", "start lines with the time of day; -tt with microseconds; -ttt as seconds since the epoch")
	fl.BoolVarP(&f.relative, "relative-timestamps", "r", false, "start lines with the time since the previous line")
	fl.BoolVarP(&f.callTimes, "syscall-times", "T", false, "end lines with the time spent in the call: <0.000013>")
	fl.CountVarP(&f.quiet, "quiet", "q", "no messages about attaching and detaching; -qq: no exit status lines either")
	fl.BoolVarP(&f.failedOnly, "failed-only", "Z", false, "print only calls that failed")
	fl.BoolVarP(&f.successfulOnly, "successful-only", "z", false, "print only calls that succeeded")
	fl.StringVar(&f.html, "html", "", "also write the trace as one self-contained HTML page, a map of the address space with a timeline, to `FILE`")
	fl.Var(&f.colour, "color", "colour errors and kinds: `auto` (on a terminal, unless NO_COLOR is set), always, never")
}

func runTrace(f *traceFlags, args []string) error {
	s, err := newTraceSession(f)
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
	status, err := tracer.Run(ptrace.Command{Path: path, Argv: args, Env: os.Environ(), DefaultSignals: defaults})
	if ferr := s.finish(); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	if status.ExecErr != nil {
		return &exitError{code: execFailureCode(status.ExecErr), err: fmt.Errorf("cannot run %s: %w", path, status.ExecErr)}
	}
	if status.Signal != 0 {
		dieBySignal(status.Signal)
	}
	if status.Code != 0 {
		return &exitError{code: status.Code}
	}
	return nil
}

// newTraceSession checks the options shared by trace and attach and opens the output.
func newTraceSession(f *traceFlags) (*traceSession, error) {
	set, err := traceSet(f.expressions)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	injections, err := parseInjections(f.expressions)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	warnRetvals(os.Stderr, injections)
	if err := f.check(); err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	s := &traceSession{
		set:          set,
		injections:   injections,
		decode:       decode.Options{StringLimit: f.stringLimit, DecorateFds: f.decorateFds},
		regionTables: f.regions,
		started:      time.Now(),
		quiet:        f.quiet > 0,
		failedOnly:   f.failedOnly,
		succeedOnly:  f.successfulOnly,
	}
	if !f.straceOnly {
		s.model = procmaps.NewTracker()
		// Exit and execve snapshots feed the region tables and the summary's leak view.
		s.model.Snapshots = f.regions || f.summary || f.summaryOnly
	}
	var out io.Writer = os.Stderr
	opts := report.StraceOptions{
		Prefix:     report.PrefixBracket,
		Column:     f.column,
		Timestamps: f.timestamps(),
		CallTimes:  f.callTimes,
		QuietExits: f.quiet > 1,
	}
	switch {
	case f.output != "" && f.follow > 1:
		// -ff: one file per task, NAME.TID, its lines without a prefix.
		opts.Prefix = report.PrefixNone
		s.perTask = &taskFiles{base: f.output, opts: opts, files: map[int]*taskFile{}}
	case f.output != "":
		file, err := createOutput(f.output)
		if err != nil {
			return nil, fmt.Errorf("open output: %w", err)
		}
		s.file = file
		out, opts.Prefix = file, report.PrefixPid
	}
	s.terminal = isTerminal(out)
	opts.Colour = f.colour.enabled(s.terminal)
	s.lines = report.NewStrace(out, opts)
	s.output = s.lines
	if s.perTask != nil {
		s.output = s.perTask
	}
	if f.json {
		s.json = report.NewTraceJSON(out)
		s.output = s.json
	}
	if f.html != "" {
		// Opened now, so that a path that cannot be written fails before the trace.
		file, err := createOutput(f.html)
		if err != nil {
			return nil, fmt.Errorf("open html: %w", err)
		}
		s.html, s.htmlFile = report.NewTraceHTML(), file
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

// check refuses options that contradict each other or make no sense.
func (f *traceFlags) check() error {
	switch {
	case f.stringLimit < 0:
		return fmt.Errorf("-s %d: the string limit must not be negative", f.stringLimit)
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
	case f.timestampLevel > 3:
		return errors.New("-t: give -t, -tt or -ttt")
	case f.detachOn != "" && f.detachOn != "execve":
		return fmt.Errorf("-b %s: only execve is supported (-b execve), as in strace", f.detachOn)
	case f.timestampLevel > 0 && f.relative:
		return errors.New("-r and -t exclude each other: give one kind of timestamp")
	}
	return f.colour.check()
}

func (f *traceFlags) timestamps() report.Timestamps {
	switch {
	case f.relative:
		return report.Relative
	case f.timestampLevel == 1:
		return report.Seconds
	case f.timestampLevel == 2:
		return report.Microseconds
	case f.timestampLevel == 3:
		return report.Epoch
	}
	return report.NoTimestamps
}

// traceSet parses every -e option. Only the trace qualifier exists in mmtrace; a bare list
// means trace=LIST, as in strace.
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
			return nil, fmt.Errorf("-e %s: mmtrace supports only -e trace=LIST", e)
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
// 127 for one that does not exist, 126 for one that cannot be executed.
func lookCommand(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, nil
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
