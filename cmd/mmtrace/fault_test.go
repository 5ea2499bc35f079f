package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// This file traces programs that end badly or do odd things: killed inside a call, crashed
// inside a mapping, failed execs, an exec from a thread while others run, a child outliving
// its parent, a tracee that tries ptrace itself, vfork in a loop, a trace written to a closed
// pipe, and mmtrace itself killed. Each case asserts how the command ends (mmtrace ends the
// same way), what the trace says, and that no tracee is left alive, stopped or traced.

// ending is how a process ended: its exit status, or the signal that killed it.
type ending struct {
	code   int
	signal syscall.Signal
}

func (e ending) String() string {
	if e.signal != 0 {
		return "killed by " + e.signal.String()
	}
	return "exit " + strconv.Itoa(e.code)
}

func endingOf(t testing.TB, err error) ending {
	t.Helper()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return ending{}
	case errors.As(err, &exitErr):
		ws := exitErr.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return ending{code: -1, signal: ws.Signal()}
		}
		return ending{code: ws.ExitStatus()}
	}
	t.Fatalf("run: %v", err)
	return ending{}
}

// runEnding runs a program and returns its output and how it ended.
func runEnding(t testing.TB, dir, name string, args ...string) (stdout, stderr string, end ending) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	end = endingOf(t, cmd.Run())
	if strings.Contains(errOut.String(), "panic:") || strings.Contains(errOut.String(), "goroutine ") {
		t.Fatalf("%s panicked:\n%s", name, tail(errOut.String(), 4000))
	}
	return out.String(), errOut.String(), end
}

// sameAsStrace runs prog under strace -f and under mmtrace, with the seccomp filter and
// annotations and without either, with address randomization off; it requires that mmtrace
// ends as strace does (and as want says), writes the same lines task by task, and leaves no
// task alive. It returns mmtrace's trace (from the run with the filter) and the command's
// standard output there.
func sameAsStrace(t *testing.T, prog string, args []string, maskAddresses bool, want ending) (trace, stdout string) {
	t.Helper()
	strace := needTool(t, "strace")
	setarch := needTool(t, "setarch")
	dir := t.TempDir()
	straceOut := filepath.Join(dir, "strace.out")
	_, straceErr, straceEnd := runEnding(t, dir, setarch, append([]string{"-R", strace, "-f", "-o", straceOut, "-e", "trace=" + defaultSet, prog}, args...)...)
	if straceEnd != want {
		t.Fatalf("under strace the program ended by %v, want %v: %s", straceEnd, want, straceErr)
	}
	wantText, err := os.ReadFile(straceOut)
	if err != nil {
		t.Fatal(err)
	}
	for i, mode := range [][]string{{"--seccomp=true"}, {"--seccomp=false", "--strace-only"}} {
		out := filepath.Join(dir, fmt.Sprintf("mmtrace%d.out", i))
		runArgs := append([]string{"-R", mmtraceBin, "trace"}, mode...)
		runArgs = append(append(runArgs, "-o", out, "-e", "trace="+defaultSet, "--", prog), args...)
		progOut, stderr, end := runEnding(t, dir, setarch, runArgs...)
		if end != want {
			t.Errorf("%v: mmtrace ended by %v, the program by %v: %s", mode, end, want, tail(stderr, 2000))
		}
		gotText, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffTraces(parseTrace(t, string(wantText), maskAddresses), parseTrace(t, string(gotText), maskAddresses)); d != "" {
			t.Errorf("%v: mmtrace's trace differs from strace's:\n%s", mode, d)
		}
		tasksGone(t, string(gotText))
		if i == 0 {
			trace, stdout = string(gotText), progOut
		}
	}
	return trace, stdout
}

// lastLineOf returns the last line of a task in a trace written with -o.
func lastLineOf(trace string, pid int) string {
	last := ""
	prefix := strconv.Itoa(pid) + " "
	for _, line := range strings.Split(trace, "\n") {
		if strings.HasPrefix(line, prefix) {
			last = strings.TrimLeft(strings.TrimPrefix(line, prefix), " ")
		}
	}
	return last
}

// lineIndex is where in a trace written with -o the first line of task pid that starts with
// prefix is; -1 if there is none.
func lineIndex(trace string, pid int, prefix string) int {
	m := regexp.MustCompile(`(?m)^` + strconv.Itoa(pid) + ` +` + regexp.QuoteMeta(prefix)).FindStringIndex(trace)
	if m == nil {
		return -1
	}
	return m[0]
}

// TestFaultKilledInCall: a thread blocks inside a traced call (mlock, or madvise with
// MADV_POPULATE_WRITE, of a page that userfaultfd holds back) when its process is killed by
// SIGKILL. The call is printed unfinished (= ?), every task ends killed by SIGKILL, and so
// does mmtrace, as strace does; 64-bit and i386.
func TestFaultKilledInCall(t *testing.T) {
	for _, tc := range []struct {
		name, arg, call string
		cflags          []string
	}{
		{"mlock", "l", "mlock", nil},
		{"madvise", "m", "madvise", nil},
		{"i386_mlock", "l", "mlock", []string{"-m32"}},
	} {
		if !kernelRuns(t, tc.cflags) {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			prog := buildC(t, "stress/killmid.c", tc.cflags...)
			trace, _ := sameAsStrace(t, prog, []string{tc.arg}, true, ending{code: -1, signal: syscall.SIGKILL})
			p := parseTraceText(trace)
			if len(p.problems) > 0 {
				t.Errorf("trace: %q", p.problems)
			}
			if len(p.tasks) != 2 {
				t.Fatalf("the trace names %d tasks, want the process and its thread:\n%s", len(p.tasks), trace)
			}
			blocked := 0
			for pid, tk := range p.tasks {
				if len(tk.ends) != 1 || tk.ends[0] != "+++ killed by SIGKILL +++" {
					t.Errorf("task %d ends %q, want killed by SIGKILL", pid, tk.ends)
				}
				if n := len(tk.calls); n > 0 && tk.calls[n-1].name == tc.call && tk.calls[n-1].ret == "?" {
					blocked++
				}
			}
			if blocked != 1 {
				t.Errorf("no task's last call is %s(...) = ?, the call it was killed in:\n%s", tc.call, trace)
			}
		})
	}
}

// handlerMprotect is the call segv.c's SIGSEGV handler makes, after the signal's line.
var handlerMprotect = regexp.MustCompile(`(?m)^\d+ +--- SIGSEGV .*\n\d+ +mprotect\(0x[0-9a-f]+, 4096, PROT_READ\|PROT_WRITE\) += 0\n`)

// TestFaultSegv: a write to a read-only mapping kills the program by SIGSEGV, or its handler
// makes the page writable and it goes on; a read past the end of a mapped file kills it by
// SIGBUS. mmtrace prints the signal with its address and ends as the program did; 64-bit and
// i386.
func TestFaultSegv(t *testing.T) {
	for _, tc := range []struct {
		mode   string
		want   ending
		signal string
	}{
		{"crash", ending{code: -1, signal: syscall.SIGSEGV}, "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x"},
		{"handled", ending{}, "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x"},
		{"bus", ending{code: -1, signal: syscall.SIGBUS}, "--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x"},
	} {
		for _, arch := range []string{"", "-m32"} {
			var cflags []string
			if arch != "" {
				cflags = append(cflags, arch)
			}
			if !kernelRuns(t, cflags) {
				continue
			}
			t.Run(tc.mode+arch, func(t *testing.T) {
				prog := buildC(t, "stress/segv.c", cflags...)
				trace, _ := sameAsStrace(t, prog, []string{tc.mode}, false, tc.want)
				p := parseTraceText(trace)
				if len(p.tasks) != 1 {
					t.Fatalf("the trace names %d tasks, want 1", len(p.tasks))
				}
				for _, tk := range p.tasks {
					if len(tk.signals) != 1 || !strings.HasPrefix(tk.signals[0], tc.signal) {
						t.Errorf("signals %q, want one %q...", tk.signals, tc.signal)
					}
					wantEnd := "+++ exited with 0 +++"
					if tc.want.signal != 0 {
						wantEnd = "+++ killed by " + map[syscall.Signal]string{syscall.SIGSEGV: "SIGSEGV", syscall.SIGBUS: "SIGBUS"}[tc.want.signal] + " +++"
					}
					if len(tk.ends) != 1 || tk.ends[0] != wantEnd {
						t.Errorf("ends %q, want %q", tk.ends, wantEnd)
					}
					if tc.mode == "handled" && !handlerMprotect.MatchString(trace) {
						t.Errorf("the handler's mprotect is not in the trace:\n%s", trace)
					}
				}
			})
		}
	}
}

// TestFaultExecFails: execve calls that fail (ENOENT, EACCES, ENOEXEC, a missing script
// interpreter, E2BIG), in the command and in a child, then a successful one: each failure is
// printed with its errno, the process goes on, and mmtrace exits with the last program's
// status; 64-bit and i386.
func TestFaultExecFails(t *testing.T) {
	for _, arch := range []string{"", "-m32"} {
		var cflags []string
		if arch != "" {
			cflags = append(cflags, arch)
		}
		if !kernelRuns(t, cflags) {
			continue
		}
		t.Run("arch"+arch, func(t *testing.T) {
			prog := buildC(t, "stress/execfail.c", cflags...)
			scratch := t.TempDir()
			trace, _ := sameAsStrace(t, prog, []string{scratch}, false, ending{})
			// The child's execve can be cut by its parent's clone line and resumed after it:
			// the calls are matched whole.
			calls := callsText(trace)
			for _, want := range []string{
				`execve\("/no/such/program", \["/no/such/program"\], 0x[0-9a-f]+ /\* 1 var \*/\) += -1 ENOENT \(No such file or directory\)`,
				`execve\("` + regexp.QuoteMeta(scratch) + `/plain", .*= -1 EACCES \(Permission denied\)`,
				`execve\("` + regexp.QuoteMeta(scratch) + `/junk", .*= -1 ENOEXEC \(Exec format error\)`,
				`execve\("` + regexp.QuoteMeta(scratch) + `/script", .*= -1 ENOENT \(No such file or directory\)`,
				`execve\("/bin/true", \["/bin/true", "x{32}"\.\.\.\], .*= -1 E2BIG \(Argument list too long\)`,
				`execve\("/no/such/program", \["/no/such/program"\], NULL\) += -1 ENOENT`,
				`execve\("/bin/true", \["/bin/true"\], 0x[0-9a-f]+ /\* 1 var \*/\) += 0`,
			} {
				if !regexp.MustCompile(want).MatchString(calls) {
					t.Errorf("the trace has no call matching %s:\n%s", want, trace)
				}
			}
		})
	}
}

// TestFaultThreadExecsWhileOthersRun: a thread calls execve while the leader and four other
// threads make mapping calls as fast as they can, ten times in each mode. The execve takes
// over the leader's pid ("superseded"), each other thread ends once, the calls they made
// before come in unbroken pairs (the last one may be cut by the exec), the new program's calls
// follow under the leader's pid, and mmtrace exits with the new program's status, 42.
func TestFaultThreadExecsWhileOthersRun(t *testing.T) {
	prog := buildC(t, "stress/execbusy.c")
	for _, mode := range []string{"--seccomp=true", "--seccomp=false"} {
		t.Run(strings.TrimPrefix(mode, "--"), func(t *testing.T) {
			for run := 0; run < 10; run++ {
				out := filepath.Join(t.TempDir(), "trace.out")
				r := runTraced(t, 30*time.Second, "trace", mode, "-o", out, "--", prog, "4")
				if r.code != 42 {
					t.Fatalf("run %d: mmtrace exited %d, the new program exits 42: %s", run, r.code, tail(r.stderr, 2000))
				}
				p := parseTraceFile(t, out)
				if len(p.problems) > 0 {
					t.Errorf("run %d: trace: %q", run, p.problems)
				}
				// The leader is the task whose trace starts with the command's execve and
				// ends with the new program's exit.
				leader := 0
				for pid, tk := range p.tasks {
					if len(tk.ends) == 1 && tk.ends[0] == "+++ exited with 42 +++" {
						leader = pid
					}
				}
				if leader == 0 {
					t.Fatalf("run %d: no task exited with 42", run)
				}
				lt := p.tasks[leader]
				var former int
				if len(lt.others) != 1 || !stressSuperseded.MatchString(lt.others[0]) {
					t.Fatalf("run %d: the leader %d has %q, want one superseded line", run, leader, lt.others)
				}
				former, _ = strconv.Atoi(stressSuperseded.FindStringSubmatch(lt.others[0])[1])
				if lt.countCalls("60001", "mmap") != 1 || lt.countCalls("60001", "munmap") != 1 {
					t.Errorf("run %d: the new program's mmap and munmap of 60001 bytes are not under the leader's pid", run)
				}
				execs := 0
				for _, c := range lt.calls {
					if c.name == "execve" && c.ret == "0" {
						execs++
					}
				}
				if execs != 2 {
					t.Errorf("run %d: the leader's pid has %d successful execve calls, want 2 (the command's and the thread's)", run, execs)
				}
				if len(p.tasks) != 6 {
					t.Errorf("run %d: %d tasks in the trace, want 6 (the leader, 4 busy threads, the execing one)", run, len(p.tasks))
				}
				for pid, tk := range p.tasks {
					if pid != leader && pid != former && (len(tk.ends) != 1 || tk.ends[0] != "+++ exited with 0 +++") {
						t.Errorf("run %d: thread %d ends %q, want one +++ exited with 0 +++", run, pid, tk.ends)
					}
					if pid == former && len(tk.ends) != 0 {
						t.Errorf("run %d: the execing thread %d ends %q; it lives on as %d", run, pid, tk.ends, leader)
					}
					if err := tk.checkPairs("20001", "mmap"); err != nil {
						t.Errorf("run %d: task %d: %v", run, pid, err)
					}
				}
				noneLeftBehind(t, p, prog)
			}
		})
	}
}

// TestFaultReparented: the command exits 3 while its child runs on, reparented; the child
// maps, forks a grandchild that exits 9, and exits 5. mmtrace follows the child to its end,
// prints what it did after its parent was gone, and exits with the command's status, 3.
func TestFaultReparented(t *testing.T) {
	prog := buildC(t, "stress/reparent.c")
	trace, stdout := sameAsStrace(t, prog, nil, false, ending{code: 3})
	m := regexp.MustCompile(`^reparented (\d+) from (\d+) to (\d+) grandchild 9\n$`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("the child did not report its new parent and its grandchild: %q", stdout)
	}
	child, _ := strconv.Atoi(m[1])
	parent, _ := strconv.Atoi(m[2])
	if m[3] == m[2] {
		t.Errorf("the child was not reparented: %q", stdout)
	}
	parentEnd := lineIndex(trace, parent, "+++ exited with 3 +++")
	childMmap := lineIndex(trace, child, "mmap(NULL, 50001,")
	if parentEnd < 0 || childMmap < parentEnd {
		t.Errorf("the trace lacks the parent's exit (at %d) or the child's mmap after it (at %d):\n%s", parentEnd, childMmap, trace)
	}
	if got := lastLineOf(trace, child); got != "+++ exited with 5 +++" {
		t.Errorf("the child's last line is %q, want +++ exited with 5 +++", got)
	}
	if !strings.Contains(trace, "+++ exited with 9 +++") {
		t.Errorf("the grandchild's exit is not in the trace:\n%s", trace)
	}
}

// TestFaultTracemeByTracee: the command calls ptrace(PTRACE_TRACEME), its child does too, and
// it tries PTRACE_ATTACH and PTRACE_SEIZE on that child: each fails with EPERM, as a traced
// task has its tracer already; the program sees that and exits 0, and the trace matches
// strace's.
func TestFaultTracemeByTracee(t *testing.T) {
	prog := buildC(t, "stress/traceme.c")
	_, stdout := sameAsStrace(t, prog, nil, false, ending{})
	if stdout != "traceme=EPERM child=EPERM attach=EPERM seize=EPERM\n" {
		t.Errorf("the program saw %q, want every ptrace request refused with EPERM", stdout)
	}
}

// TestFaultVforkHeavy: 400 vforks in a row, every fourth child execing: each vfork returns
// its child's pid, each child's exit status is the one its parent saw, with and without the
// filter.
func TestFaultVforkHeavy(t *testing.T) {
	const n = 400
	prog := buildC(t, "stress/vforkloop.c")
	for _, mode := range []string{"--seccomp=true", "--seccomp=false"} {
		t.Run(strings.TrimPrefix(mode, "--"), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "trace.out")
			r := runTraced(t, 60*time.Second, "trace", mode, "-o", out, "--", prog, strconv.Itoa(n))
			if r.code != 0 {
				t.Fatalf("mmtrace exited %d: %s", r.code, tail(r.stderr, 2000))
			}
			rep := parseProgramReport(t, r.stdout)
			if len(rep.children) != n || rep.failures != 0 {
				t.Fatalf("the program reports %d children and %d failures, want %d and 0", len(rep.children), rep.failures, n)
			}
			p := parseTraceFile(t, out)
			if len(p.problems) > 0 {
				t.Errorf("trace: %q", p.problems[:min(len(p.problems), 10)])
			}
			if len(p.tasks) != n+1 {
				t.Errorf("%d tasks in the trace, want %d", len(p.tasks), n+1)
			}
			vforked := map[int]int{}
			for _, c := range p.tasks[rep.leader].calls {
				if pid, err := strconv.Atoi(c.ret); err == nil && c.name == "vfork" {
					vforked[pid]++
				}
			}
			bad := 0
			execs := 0
			for pid, c := range rep.children {
				tk := p.tasks[pid]
				if tk != nil && tk.countCalls("", "execve") == 1 {
					execs++
				}
				if tk == nil || vforked[pid] != 1 || len(tk.ends) != 1 || tk.ends[0] != fmt.Sprintf("+++ exited with %d +++", c[0]) {
					if bad++; bad <= 5 {
						t.Errorf("child %d (status %d): vforked %d times in the trace, task %+v", pid, c[0], vforked[pid], tk)
					}
				}
			}
			if execs != n/4 {
				t.Errorf("%d children have an execve in the trace, want %d", execs, n/4)
			}
			noneLeftBehind(t, p, prog)
		})
	}
}

// TestFaultOutputClosed: mmtrace's output is a pipe whose reader goes away after the first
// line (mmtrace trace -- CMD | head -1, the trace on stderr or on -o /dev/stdout). The
// command still runs to its end, does all its work, and mmtrace exits with its status, 7.
func TestFaultOutputClosed(t *testing.T) {
	prog := buildC(t, "stress/load.c")
	for _, tc := range []struct {
		name   string
		args   []string
		stderr bool // the trace goes to stderr, not stdout
	}{
		{"stderr", nil, true},
		{"o_stdout", []string{"-o", "/dev/stdout"}, false},
		{"stderr_no_seccomp", []string{"--seccomp=false"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			report := filepath.Join(dir, "report")
			// The command's own output goes to a file, so that only mmtrace writes to the pipe.
			args := append([]string{"trace"}, tc.args...)
			args = append(args, "--", "/bin/sh", "-c", `exec "$0" "$@" >"$REPORT" 2>&1`, prog, "4", "2000", "4", "1000", "7")
			cmd := exec.Command(mmtraceBin, args...)
			cmd.Env = append(os.Environ(), "REPORT="+report)
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			var other bytes.Buffer
			if tc.stderr {
				cmd.Stderr, cmd.Stdout = w, &other
			} else {
				cmd.Stdout, cmd.Stderr = w, &other
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w.Close()
			first, err := bufio.NewReader(r).ReadString('\n')
			r.Close() // as head -1 does
			if err != nil {
				t.Errorf("no first line from mmtrace: %v", err)
			}
			if !strings.Contains(first, "execve(") {
				t.Errorf("the first line is %q, want the command's execve", first)
			}
			killAtEnd(t, cmd) // its tracees die with it
			var end ending
			done := make(chan struct{})
			go func() {
				defer close(done)
				err := cmd.Wait()
				var exitErr *exec.ExitError
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && (err == nil || errors.As(err, &exitErr)) {
					end = ending{code: ws.ExitStatus()}
					if ws.Signaled() {
						end = ending{code: -1, signal: ws.Signal()}
					}
				}
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("mmtrace did not end in 20 s after its reader went away (blocked writing its trace?); the command alone takes well under a second")
			}
			if end != (ending{code: 7}) {
				t.Errorf("mmtrace ended by %v, the command exits 7; its other output: %s", end, tail(other.String(), 2000))
			}
			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), "mmap=12000 munmap=12000") || !strings.Contains(string(data), "failures 0") {
				t.Errorf("the command did not finish its work: %s", tail(string(data), 500))
			}
		})
	}
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var kids []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if _, ppid, err := statIDs(p); err == nil && ppid == pid {
			kids = append(kids, p)
		}
	}
	return kids
}

// statIDs reads a process's state letter and parent pid from /proc/PID/stat.
func statIDs(pid int) (state string, ppid int, err error) {
	_, f, err := procStat(pid)
	if err != nil {
		return "", 0, err
	}
	if len(f) < 2 {
		return "", 0, fmt.Errorf("short stat of %d", pid)
	}
	ppid, err = strconv.Atoi(f[1])
	return f[0], ppid, err
}

// procStat reads /proc/PID/stat: the command name, and the fields after it from the state
// on (the name is cut at the last ')', as it may hold one).
func procStat(pid int) (comm string, fields []string, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", nil, err
	}
	s := string(data)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		return "", nil, fmt.Errorf("stat of %d has no command name", pid)
	}
	return s[open+1 : close], strings.Fields(s[close+1:]), nil
}

// startLongTrace starts mmtrace tracing load.c with threads and children that run for much
// longer than the test, and returns it once the trace shows every task at work. Cleanup kills
// mmtrace if the test did not, and with it (PTRACE_O_EXITKILL) the tracees.
func startLongTrace(t *testing.T, mode string, threads, children int) (cmd *exec.Cmd, out string) {
	t.Helper()
	prog := buildC(t, "stress/load.c")
	out = filepath.Join(t.TempDir(), "trace.out")
	cmd = exec.Command(mmtraceBin, "trace", mode, "--strace-only", "-o", out, "--", prog,
		strconv.Itoa(threads), "100000000", strconv.Itoa(children), "100000000")
	startKilledAtEnd(t, cmd)
	waitFor(t, "every task in the trace", func() bool {
		data, _ := os.ReadFile(out)
		return len(parseTraceText(string(data)).tasks) >= 1+threads+children
	})
	return cmd, out
}

// TestFaultTracerKilled: mmtrace is killed by SIGKILL while it traces a command with
// threads and children in trace mode: every one of them dies with it (PTRACE_O_EXITKILL), as
// the README says, since under the seccomp filter they could not run on without a tracer.
func TestFaultTracerKilled(t *testing.T) {
	for _, mode := range []string{"--seccomp=true", "--seccomp=false"} {
		t.Run(strings.TrimPrefix(mode, "--"), func(t *testing.T) {
			cmd, out := startLongTrace(t, mode, 4, 4)
			data, _ := os.ReadFile(out)
			p := parseTraceText(string(data))
			alive := func() (pids []int) {
				for pid := range p.tasks {
					if state, _, err := statIDs(pid); err == nil && state != "Z" {
						pids = append(pids, pid)
					}
				}
				return pids
			}
			if n := len(alive()); n != 9 {
				t.Fatalf("%d tasks of the command alive before mmtrace is killed, want 9", n)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			deadline := time.Now().Add(5 * time.Second)
			for len(alive()) > 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if left := alive(); len(left) > 0 {
				for _, pid := range left {
					syscall.Kill(pid, syscall.SIGKILL) // the test's own tracees, left behind
				}
				t.Fatalf("tasks %v of the command still run 5 s after mmtrace was killed", left)
			}
		})
	}
}

// TestFaultTracerKilledInAttach: mmtrace attach is killed by SIGKILL: the kernel detaches, and
// the attached process runs on, untraced and not stopped, and finishes its own checks.
func TestFaultTracerKilledInAttach(t *testing.T) {
	worker, workerOut := startWorker(t, 2)
	pid := worker.Process.Pid
	out := filepath.Join(t.TempDir(), "trace.out")
	cmd := exec.Command(mmtraceBin, "attach", "-o", out, strconv.Itoa(pid))
	startKilledAtEnd(t, cmd)
	waitFor(t, "the worker's calls in the trace", func() bool {
		data, _ := os.ReadFile(out)
		return bytes.Contains(data, []byte("munmap("))
	})
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	waitFor(t, "the worker to be untraced", func() bool {
		_, tracers := procState(t, pid)
		for _, tr := range tracers {
			if tr != "0" {
				return false
			}
		}
		return true
	})
	time.Sleep(50 * time.Millisecond)
	requireUntraced(t, pid, false)
	finishWorker(t, worker, workerOut)
}

// TestFaultLeaderKilledUnderLoad: the command's process is killed by SIGKILL from outside
// while its four threads and four children make mapping calls. The threads end killed by
// SIGKILL, each inside or between calls; the children, whose parent is gone, finish their
// work, all of it in the trace, and exit with their own status; every call is whole or ends
// the task; mmtrace ends by SIGKILL, as the command did, and leaves nothing behind.
func TestFaultLeaderKilledUnderLoad(t *testing.T) {
	for _, mode := range []string{"--seccomp=true", "--seccomp=false"} {
		t.Run(strings.TrimPrefix(mode, "--"), func(t *testing.T) {
			prog := buildC(t, "stress/load.c")
			out := filepath.Join(t.TempDir(), "trace.out")
			// The children make 3,000 pairs each, a few hundred milliseconds under the trace: they
			// are still at work when their parent dies, and then end on their own.
			cmd := exec.Command(mmtraceBin, "trace", mode, "-o", out, "--", prog, "4", "100000000", "4", "3000")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			startKilledAtEnd(t, cmd)
			var leader int
			waitFor(t, "the command's threads", func() bool {
				for _, kid := range childrenOf(cmd.Process.Pid) {
					if exe, _ := os.Readlink("/proc/" + strconv.Itoa(kid) + "/exe"); exe == prog {
						leader = kid
					}
				}
				tids, _ := os.ReadDir("/proc/" + strconv.Itoa(leader) + "/task")
				return leader != 0 && len(tids) == 5
			})
			time.Sleep(100 * time.Millisecond)
			if err := syscall.Kill(leader, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			var end ending
			done := make(chan struct{})
			go func() { end = endingOf(t, cmd.Wait()); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("mmtrace did not end after the command was killed")
			}
			if end != (ending{code: -1, signal: syscall.SIGKILL}) {
				t.Errorf("mmtrace ended by %v, the command was killed by SIGKILL: %s", end, tail(stderr.String(), 2000))
			}
			p := parseTraceFile(t, out)
			if len(p.problems) > 0 {
				t.Errorf("trace: %q", p.problems[:min(len(p.problems), 10)])
			}
			if len(p.tasks) != 9 {
				t.Errorf("%d tasks in the trace, want 9", len(p.tasks))
			}
			for pid, tk := range p.tasks {
				length, want := "20001", regexp.MustCompile(`^\+\+\+ killed by SIGKILL \+\+\+$`)
				if tk.countCalls("30001", "mmap") > 0 {
					// A child: it finishes its 3,000 pairs and exits with 10 + its index.
					length, want = "30001", regexp.MustCompile(`^\+\+\+ exited with 1[0-3] \+\+\+$`)
					if n := tk.countCalls("30001", "mmap"); n != 3000 {
						t.Errorf("child %d: %d mmaps in the trace, it makes 3000", pid, n)
					}
				}
				if len(tk.ends) != 1 || !want.MatchString(tk.ends[0]) {
					t.Errorf("task %d ends %q, want %s", pid, tk.ends, want)
				}
				if err := tk.checkPairs(length, "mmap"); err != nil {
					t.Errorf("task %d: %v", pid, err)
				}
			}
			noneLeftBehind(t, p, prog)
		})
	}
}

// TestFaultLeaderExitsFirst: the main thread ends with pthread_exit while another thread maps
// on and exits the process with 7: the leader's end is reported last, with the process's
// status, and mmtrace exits 7, as under strace.
func TestFaultLeaderExitsFirst(t *testing.T) {
	prog := buildC(t, "stress/leaderexit.c")
	trace, _ := sameAsStrace(t, prog, nil, true, ending{code: 7})
	p := parseTraceText(trace)
	if len(p.tasks) != 2 {
		t.Fatalf("%d tasks in the trace, want 2", len(p.tasks))
	}
	for pid, tk := range p.tasks {
		if len(tk.ends) != 1 || tk.ends[0] != "+++ exited with 7 +++" {
			t.Errorf("task %d ends %q, want +++ exited with 7 +++", pid, tk.ends)
		}
	}
}

// TestFaultStopCont: a child stops itself with SIGSTOP, its parent sees it stopped, maps, and
// sends SIGCONT; the child goes on and exits 4. The stop is printed and kept as it would be
// untraced (the parent's waitpid sees it), nothing stays stopped, and the trace is strace's.
func TestFaultStopCont(t *testing.T) {
	prog := buildC(t, "stress/stopcont.c")
	trace, _ := sameAsStrace(t, prog, nil, false, ending{})
	for _, want := range []string{"--- stopped by SIGSTOP ---", "--- SIGCONT {", "+++ exited with 4 +++"} {
		if !strings.Contains(trace, want) {
			t.Errorf("the trace lacks %q:\n%s", want, trace)
		}
	}
}

// TestFaultOwnSeccompFilter: the command installs a seccomp filter of its own that refuses
// some mmap calls with EPERM, in itself and (inherited) in a child. Those calls are calls the
// program made: strace -f shows each as "= -1 EPERM", and so must mmtrace, with its own
// filter as without it.
func TestFaultOwnSeccompFilter(t *testing.T) {
	prog := buildC(t, "stress/ownfilter.c")
	trace, stdout := sameAsStrace(t, prog, nil, false, ending{})
	if stdout != "refused=10\n" {
		t.Errorf("the program saw %q, want refused=10", stdout)
	}
	// Counted as whole calls: the child's first one can be cut by its parent's clone line.
	refused := "mmap(NULL, 70001, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 EPERM (Operation not permitted)\n"
	if n := strings.Count(callsText(trace), refused); n != 10 {
		t.Errorf("%d refused mmap calls in the trace, the program made 10:\n%s", n, trace)
	}
}
