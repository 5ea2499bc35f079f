package ptrace

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mmtrace/mmtrace/seccomp"
)

// Command is the program a Tracer starts.
type Command struct {
	Path string   // the executable, already looked up in PATH
	Argv []string // its arguments, Argv[0] included
	Env  []string
	// DefaultSignals are set to their default action just before the command's execve: signals
	// the tracer ignores for itself (an ignored signal stays ignored across execve, where one
	// with a handler does not) and the command must not.
	DefaultSignals []unix.Signal
}

// The tracer starts a command through a launcher: a re-exec of its own binary (mode
// launcherArg) that waits until the tracer has seized it, installs the seccomp filter on
// itself, and calls execve. That is how the command is traced from its first instruction,
// with the command's own execve reported as strace reports it.
const (
	launcherArg = "__mmtrace_launch"
	noFilter    = "-" // the launcher's filter argument when seccomp is off
	noSignals   = "-" // the launcher's signals argument when none is to be reset
	specSep     = "/" // between architectures in the filter argument
	nrSep       = "," // between syscall numbers
	archSep     = ":" // between an architecture and its numbers
	selfExe     = "/proc/self/exe"
	launchName  = "mmtrace"
	launchReady = 'g' // written by the tracer once the launcher is seized

	// launcherGodebug turns off the Go runtime's preemption signals in the launcher: a
	// SIGURG it sends itself can still be pending at the execve and would reach the command.
	// It is the first entry of the launcher's environment and is removed before the execve.
	launcherGodebug = "GODEBUG=asyncpreemptoff=1"
)

// nativeAudit is the AUDIT_ARCH_* value of the tracer's own ABI, the one the launcher's
// execve of the command is made with; 0 on an architecture package seccomp does not know,
// where starting a command fails.
var nativeAudit, _ = seccomp.NativeArch()

// IsLauncher tells whether the process was started as the launcher of a traced command; the
// program must then call RunLauncher from its main goroutine, locked to the main thread in an
// init function (the tracer seized the main thread, so it is the one that must call execve).
func IsLauncher(args []string) bool {
	return len(args) > 1 && args[1] == launcherArg
}

// RunLauncher is the launcher's whole life: wait to be seized, install the filter, set the
// command's default signals, execve the command. It returns only on failure.
func RunLauncher(args []string) error {
	if len(args) < 7 {
		return errors.New("launcher: missing command")
	}
	pipeText, spec, signals, path, argv := args[2], args[3], args[4], args[5], args[6:]
	pipe, err := strconv.Atoi(pipeText)
	if err != nil || pipe < 3 {
		return fmt.Errorf("launcher: bad start pipe descriptor %q", pipeText)
	}
	defaults, err := parseSignals(signals)
	if err != nil {
		return fmt.Errorf("launcher: %w", err)
	}
	var prog []unix.SockFilter
	if spec != noFilter {
		syscalls, err := parseFilterSpec(spec)
		if err != nil {
			return fmt.Errorf("launcher: %w", err)
		}
		if prog, err = seccomp.Filter(syscalls); err != nil {
			return fmt.Errorf("launcher: %w", err)
		}
	}
	var b [1]byte
	n, err := unix.Read(pipe, b[:])
	for err == unix.EINTR {
		n, err = unix.Read(pipe, b[:])
	}
	unix.Close(pipe)
	if n != 1 || b[0] != launchReady {
		return errors.New("launcher: the tracer went away before the command started")
	}
	if prog != nil {
		if err := seccomp.Install(prog); err != nil {
			return fmt.Errorf("launcher: %w", err)
		}
	}
	for _, sig := range defaults {
		SetDefaultAction(sig)
	}
	env := os.Environ()
	if len(env) > 0 && env[0] == launcherGodebug {
		env = env[1:]
	}
	return &ExecError{Path: path, Err: unix.Exec(path, argv, env)}
}

// ExecError is the launcher's failure to execve the command. The tracer sees that call and
// reports it (ExitStatus.ExecErr), so the launcher should exit quietly with LaunchExecFailed.
type ExecError struct {
	Path string
	Err  error
}

func (e *ExecError) Error() string { return fmt.Sprintf("exec %s: %v", e.Path, e.Err) }
func (e *ExecError) Unwrap() error { return e.Err }

// LaunchExecFailed is the launcher's exit status when the command could not be executed:
// strace's child exits 1 then, and the trace shows the same "+++ exited with 1 +++".
const LaunchExecFailed = 1

// start runs the launcher, seizes it and lets it go on to execve the command.
func (t *Tracer) start(cmd Command) (int, error) {
	if nativeAudit == 0 {
		_, err := seccomp.NativeArch()
		return 0, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return 0, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	defer w.Close()
	pid, err := t.startLauncher(cmd, r)
	r.Close()
	if err != nil {
		return 0, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	fail := func(err error) (int, error) {
		unix.Kill(pid, unix.SIGKILL)
		var ws unix.WaitStatus
		unix.Wait4(pid, &ws, unix.WALL, nil)
		return 0, err
	}
	if err := seize(pid, t.launchOptions()); err != nil {
		return fail(fmt.Errorf("trace %s: %w", cmd.Path, err))
	}
	// A stop is needed to resume the launcher with PTRACE_SYSCALL; the loop resumes it from
	// this PTRACE_INTERRUPT stop like from any other. It is taken before the launcher's read
	// returns, so it precedes everything the launcher does next.
	if err := interrupt(pid); err != nil {
		return fail(fmt.Errorf("trace %s: %w", cmd.Path, err))
	}
	t.tasks[pid] = &task{tid: pid, pid: pid, launching: true}
	t.ev = Event{Kind: TaskStart, Tid: pid, Pid: pid, ParentTid: os.Getpid(), Task: Task{pid}}
	t.handler(&t.ev)
	if _, err := w.Write([]byte{launchReady}); err != nil {
		return fail(fmt.Errorf("start %s: %w", cmd.Path, err))
	}
	return pid, nil
}

// reexecLauncher makes the tracer re-exec itself as the launcher even where there is a
// launcher image: for the tests of that path, which other architectures take.
var reexecLauncher = false

// startLauncher starts the launcher of cmd, the tiny image where there is one for this
// architecture, else a re-exec of mmtrace, with r, the start pipe, and the descriptors the
// command inherits (launchFds).
func (t *Tracer) startLauncher(cmd Command, r *os.File) (int, error) {
	fds, err := newLaunchFds()
	if err != nil {
		return 0, err
	}
	var traced map[uint32][]uint64
	if t.opts.Seccomp {
		traced = withLauncherExecve(t.opts.Syscalls)
	}
	if launcherMachine != emNone && !reexecLauncher {
		var prog []unix.SockFilter
		admin := false
		if traced != nil {
			var err error
			if prog, err = seccomp.Filter(traced); err != nil {
				return 0, err
			}
			if admin, err = seccomp.HasSysAdmin(); err != nil {
				return 0, err
			}
		}
		pid, err := startImage(launcherImage(prog, !admin, cmd.DefaultSignals, fds), cmd, fds, r, os.Stderr)
		if err == nil {
			return pid, nil
		}
		// No memfd, or one the system will not execute (vm.memfd_noexec = 2, a security
		// policy): the re-exec of mmtrace does the same work, only slower to start.
	}
	spec := noFilter
	if traced != nil {
		spec = filterSpec(traced)
	}
	argv := append([]string{launchName, launcherArg, strconv.Itoa(fds.pipe), spec, formatSignals(cmd.DefaultSignals), cmd.Path}, cmd.Argv...)
	return syscall.ForkExec(selfExe, argv, &syscall.ProcAttr{
		Env:   append([]string{launcherGodebug}, cmd.Env...),
		Files: fds.files(os.Stderr, r, nil),
	})
}

// launchFds are the descriptors a launcher starts with. The command must get every
// descriptor mmtrace would pass on to a program it executed, at the same number: those open
// in mmtrace and not close-on-exec, which are the ones mmtrace was started with (Go opens
// every file close-on-exec). The launcher gets them all, and its own at numbers none of them
// uses: the start pipe and, for the image, the memfd it is executed from. It closes its own
// before the command's execve.
type launchFds struct {
	inherited []int // in increasing order
	pipe      int   // the start pipe's read end
	image     int   // the launcher image's memfd
}

func newLaunchFds() (launchFds, error) {
	inherited, err := inheritedFds()
	if err != nil {
		return launchFds{}, fmt.Errorf("list descriptors to pass on: %w", err)
	}
	// The lowest free numbers: 3 and 4 where mmtrace was started with 0, 1 and 2 only.
	// inherited is in increasing order.
	free := func(from int) int {
		for _, fd := range inherited {
			if fd == from {
				from++
			}
		}
		return from
	}
	pipe := free(3)
	return launchFds{inherited: inherited, pipe: pipe, image: free(pipe + 1)}, nil
}

// inheritedFds lists the descriptors of this process that are not close-on-exec.
func inheritedFds() ([]int, error) {
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		return nil, err
	}
	names, err := dir.Readdirnames(-1)
	dir.Close()
	if err != nil {
		return nil, err
	}
	var fds []int
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil {
			return nil, fmt.Errorf("/proc/self/fd/%s: not a descriptor", name)
		}
		// The directory's own descriptor, closed by now, fails here: it is not inherited.
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			fds = append(fds, fd)
		}
	}
	slices.Sort(fds)
	return fds, nil
}

// files is the launcher's syscall.ProcAttr.Files: the inherited descriptors at their own
// numbers, stderr as 2 (the launcher's messages go there), the start pipe and the image
// (nil: none) at theirs. Every other number up to the highest is closed (it is closed or
// close-on-exec in mmtrace). The list must reach the highest inherited descriptor: ForkExec
// moves its own descriptors to numbers above the list's, in the child, and would overwrite
// one there.
func (l launchFds) files(stderr, pipe, image *os.File) []uintptr {
	n := l.pipe + 1
	if len(l.inherited) > 0 {
		n = max(n, l.inherited[len(l.inherited)-1]+1)
	}
	if image != nil {
		n = max(n, l.image+1)
	}
	files := make([]uintptr, n)
	for i := range files {
		files[i] = ^uintptr(0) // closed
	}
	for _, fd := range l.inherited {
		files[fd] = uintptr(fd)
	}
	files[2] = stderr.Fd()
	files[l.pipe] = pipe.Fd()
	if image != nil {
		files[l.image] = image.Fd()
	}
	return files
}

// launchOptions are set when the launcher is seized. Forks are followed only from the
// command's execve on, so that the launcher's own runtime threads are never traced.
func (t *Tracer) launchOptions() uintptr {
	opts := uintptr(optTraceSysGood | optTraceExec | optExitKill)
	if t.opts.Seccomp {
		opts |= optTraceSeccomp
	}
	if t.opts.ExitStops {
		opts |= optTraceExit
	}
	return opts
}

func (t *Tracer) commandOptions() uintptr {
	return t.launchOptions() | optTraceFork | optTraceVfork | optTraceClone
}

func setOptions(tid int, opts uintptr) error {
	return ptrace(unix.PTRACE_SETOPTIONS, tid, 0, opts)
}

// withLauncherExecve adds the native execve to the filtered calls: the launcher's execve of
// the command must stop, traced or not, because that is where tracing the command begins.
func withLauncherExecve(syscalls map[uint32][]uint64) map[uint32][]uint64 {
	m := make(map[uint32][]uint64, len(syscalls)+1)
	for arch, nrs := range syscalls {
		m[arch] = nrs
	}
	if !slices.Contains(m[nativeAudit], unix.SYS_EXECVE) {
		m[nativeAudit] = append(slices.Clone(m[nativeAudit]), unix.SYS_EXECVE)
	}
	// The calls that install a filter of the command's own must stop too (installsFilter).
	for _, c := range filterCalls {
		if _, ok := m[c.arch]; (ok || c.arch == nativeAudit) && !slices.Contains(m[c.arch], c.nr) {
			m[c.arch] = append(slices.Clone(m[c.arch]), c.nr)
		}
	}
	return m
}

// filterSpec writes the traced set as the launcher's argument: "c000003e:9,10/40000003:90".
func filterSpec(syscalls map[uint32][]uint64) string {
	var b strings.Builder
	arches := make([]uint32, 0, len(syscalls))
	for arch := range syscalls {
		arches = append(arches, arch)
	}
	slices.Sort(arches)
	for i, arch := range arches {
		if i > 0 {
			b.WriteString(specSep)
		}
		b.WriteString(strconv.FormatUint(uint64(arch), 16))
		b.WriteString(archSep)
		for j, nr := range syscalls[arch] {
			if j > 0 {
				b.WriteString(nrSep)
			}
			b.WriteString(strconv.FormatUint(nr, 10))
		}
	}
	return b.String()
}

func parseFilterSpec(spec string) (map[uint32][]uint64, error) {
	syscalls := map[uint32][]uint64{}
	for _, part := range strings.Split(spec, specSep) {
		archText, nrsText, ok := strings.Cut(part, archSep)
		if !ok {
			return nil, fmt.Errorf("bad filter argument %q", part)
		}
		arch, err := strconv.ParseUint(archText, 16, 32)
		if err != nil {
			return nil, fmt.Errorf("bad filter architecture %q: %w", archText, err)
		}
		var nrs []uint64
		if nrsText != "" {
			for _, s := range strings.Split(nrsText, nrSep) {
				nr, err := strconv.ParseUint(s, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("bad filter syscall number %q: %w", s, err)
				}
				nrs = append(nrs, nr)
			}
		}
		syscalls[uint32(arch)] = nrs
	}
	return syscalls, nil
}

// formatSignals writes signal numbers as the launcher's argument: "2,3,13".
func formatSignals(sigs []unix.Signal) string {
	if len(sigs) == 0 {
		return noSignals
	}
	var b strings.Builder
	for i, sig := range sigs {
		if i > 0 {
			b.WriteString(nrSep)
		}
		b.WriteString(strconv.Itoa(int(sig)))
	}
	return b.String()
}

func parseSignals(text string) ([]unix.Signal, error) {
	if text == noSignals {
		return nil, nil
	}
	var sigs []unix.Signal
	for _, s := range strings.Split(text, nrSep) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 64 {
			return nil, fmt.Errorf("bad signal number %q", s)
		}
		sigs = append(sigs, unix.Signal(n))
	}
	return sigs, nil
}

// filterCalls are the calls by which a process installs a seccomp filter: seccomp and prctl,
// native and i386.
var filterCalls = []struct {
	arch  uint32
	nr    uint64
	prctl bool
}{
	{nativeAudit, unix.SYS_SECCOMP, false},
	{nativeAudit, unix.SYS_PRCTL, true},
	{auditI386, 354, false},
	{auditI386, 172, true},
}

const auditI386 = 0x40000003

// installsFilter tells whether a call installs a seccomp filter: seccomp(SECCOMP_SET_MODE_FILTER,
// ...) or prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ...).
func installsFilter(si *syscallInfo) bool {
	args := si.args()
	for _, c := range filterCalls {
		if c.arch == si.arch && c.nr == si.nr() {
			if c.prctl {
				return args[0] == unix.PR_SET_SECCOMP && args[1] == unix.SECCOMP_MODE_FILTER
			}
			return args[0] == unix.SECCOMP_SET_MODE_FILTER
		}
	}
	return false
}

// synchronizesThreads tells whether a seccomp(SECCOMP_SET_MODE_FILTER) call puts its filter
// on every thread of the process (SECCOMP_FILTER_FLAG_TSYNC), not only on the caller.
func synchronizesThreads(si *syscallInfo) bool {
	const tsync = 1
	args := si.args()
	for _, c := range filterCalls {
		if c.arch == si.arch && c.nr == si.nr() && !c.prctl {
			return args[1]&tsync != 0
		}
	}
	return false
}
