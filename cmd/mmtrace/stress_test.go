package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// This file puts mmtrace under load: many threads and processes making mapping calls at
// once, and a thousand short processes in a row. The programs count what they do themselves,
// and every call they report must be in the trace once, in the task that made it, with every
// task's end and exit status, while mmtrace's own memory stays small.

// traceCall is one system call of a trace, its <unfinished ...> and <... resumed> halves
// joined.
type traceCall struct {
	name, args, ret string
	unfinished      bool // cut and never resumed: its task ended inside it
}

// traceTask is what a trace says of one task.
type traceTask struct {
	calls   []traceCall
	ends    []string // "+++ exited with N +++", "+++ killed by SIG +++"
	signals []string // "--- SIGSEGV {...} ---"
	others  []string // "+++ superseded by ... +++" and the like
}

// parsedTrace is the output of mmtrace trace -o FILE, split by task.
type parsedTrace struct {
	tasks map[int]*traceTask
	// problems are lines that break strace's grammar: a call resumed that was never
	// unfinished, a call cut twice, a line after its task ended.
	problems []string
	// rest are the lines without a pid: summaries and region tables.
	rest []string
}

var (
	stressPidLine    = regexp.MustCompile(`^(\d+) +(.*)$`)
	stressResumed    = regexp.MustCompile(`^<\.\.\. ([a-z0-9_]+) resumed>(.*)$`)
	stressCall       = regexp.MustCompile(`^([a-z0-9_]+)\((.*)\) += (.+)$`)
	stressPidChanged = regexp.MustCompile(`^(.*) <pid changed to (\d+) \.\.\.>$`)
	stressSuperseded = regexp.MustCompile(`^\+\+\+ superseded by execve in pid (\d+) \+\+\+$`)
)

func parseTraceFile(t testing.TB, path string) *parsedTrace {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the trace: %v", err)
	}
	return parseTraceText(string(data))
}

func parseTraceText(text string) *parsedTrace {
	p := &parsedTrace{tasks: map[int]*traceTask{}}
	open := map[int]string{}
	task := func(pid int) *traceTask {
		tk := p.tasks[pid]
		if tk == nil {
			tk = &traceTask{}
			p.tasks[pid] = tk
		}
		return tk
	}
	addCall := func(pid int, line string, unfinished bool) {
		tk := task(pid)
		if unfinished {
			name, args, _ := strings.Cut(line, "(")
			tk.calls = append(tk.calls, traceCall{name: name, args: args, unfinished: true})
			return
		}
		m := stressCall.FindStringSubmatch(line)
		if m == nil {
			p.problems = append(p.problems, fmt.Sprintf("task %d: not a call: %q", pid, line))
			return
		}
		tk.calls = append(tk.calls, traceCall{name: m[1], args: m[2], ret: m[3]})
	}
	for _, raw := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		m := stressPidLine.FindStringSubmatch(raw)
		if m == nil {
			p.rest = append(p.rest, raw)
			continue
		}
		pid, _ := strconv.Atoi(m[1])
		body := m[2]
		if strings.HasPrefix(body, "~ ") {
			continue // mmtrace's annotation of the call above
		}
		tk := task(pid)
		if len(tk.ends) > 0 {
			p.problems = append(p.problems, fmt.Sprintf("task %d: a line after its end: %q", pid, raw))
		}
		switch {
		case strings.HasPrefix(body, "+++ exited with ") || strings.HasPrefix(body, "+++ killed by "):
			if head, ok := open[pid]; ok {
				p.problems = append(p.problems, fmt.Sprintf("task %d: ended with a call open and not ended: %q", pid, head))
				delete(open, pid)
			}
			tk.ends = append(tk.ends, body)
		case strings.HasPrefix(body, "+++ "):
			tk.others = append(tk.others, body)
			if sp := stressSuperseded.FindStringSubmatch(body); sp != nil {
				// A thread (former) ran execve and took over this pid: the leader's own call,
				// if one was open, is lost with it, and the execve goes on under this pid.
				former, _ := strconv.Atoi(sp[1])
				if head, ok := open[former]; ok {
					if old, ok := open[pid]; ok {
						addCall(pid, old, true)
					}
					open[pid] = head
					delete(open, former)
				}
			}
		case strings.HasPrefix(body, "--- "):
			tk.signals = append(tk.signals, body)
		case strings.HasSuffix(body, " <unfinished ...>"):
			if head, ok := open[pid]; ok {
				p.problems = append(p.problems, fmt.Sprintf("task %d: a second call cut before %q was resumed: %q", pid, head, raw))
			}
			open[pid] = strings.TrimSuffix(body, " <unfinished ...>")
		case stressPidChanged.MatchString(body):
			pc := stressPidChanged.FindStringSubmatch(body)
			newPid, _ := strconv.Atoi(pc[2])
			if old, ok := open[newPid]; ok {
				addCall(newPid, old, true) // the leader's call, lost in the execve
			}
			open[newPid] = pc[1]
		default:
			if r := stressResumed.FindStringSubmatch(body); r != nil {
				head, ok := open[pid]
				if !ok {
					p.problems = append(p.problems, fmt.Sprintf("task %d: resumed but never unfinished: %q", pid, raw))
					continue
				}
				if name, _, _ := strings.Cut(head, "("); name != r[1] {
					p.problems = append(p.problems, fmt.Sprintf("task %d: %q resumes a call of another name: %q", pid, raw, head))
				}
				delete(open, pid)
				body = head + r[2]
			} else if head, ok := open[pid]; ok {
				p.problems = append(p.problems, fmt.Sprintf("task %d: a new call before %q was resumed: %q", pid, head, raw))
				delete(open, pid)
			}
			addCall(pid, body, false)
		}
	}
	// Calls cut and never resumed: their task vanished in another thread's execve.
	for pid, head := range open {
		addCall(pid, head, true)
	}
	return p
}

// callsText writes every call of a trace whole, one a line, "NAME(ARGS) = RET": a call that
// other tasks' lines cut is joined from its unfinished and resumed parts.
func callsText(trace string) string {
	var b strings.Builder
	for _, tk := range parseTraceText(trace).tasks {
		for _, c := range tk.calls {
			fmt.Fprintf(&b, "%s(%s) = %s\n", c.name, c.args, c.ret)
		}
	}
	return b.String()
}

// arg returns the i-th argument of a call as printed (arguments without commas inside).
func (c traceCall) arg(i int) string {
	args := strings.Split(c.args, ", ")
	if i < len(args) {
		return args[i]
	}
	return ""
}

// countCalls counts a task's calls of a name (any of names), all or only those whose second
// argument (the length, for mmap and munmap) is length.
func (tk *traceTask) countCalls(length string, names ...string) int {
	n := 0
	for _, c := range tk.calls {
		for _, name := range names {
			if c.name == name && (length == "" || c.arg(1) == length) {
				n++
			}
		}
	}
	return n
}

// checkPairs requires that a task's mappings of the given length come in pairs, each
// munmap unmapping the address the mmap before it returned: a call lost or written twice
// breaks the chain.
func (tk *traceTask) checkPairs(length string, mmapNames ...string) error {
	var addr string
	for i, c := range tk.calls {
		if c.arg(1) != length {
			continue
		}
		isMmap := false
		for _, name := range mmapNames {
			isMmap = isMmap || c.name == name
		}
		if !isMmap && c.name != "munmap" {
			continue
		}
		switch {
		case c.unfinished || c.ret == "?":
			// Its task ended inside it (killed, or in another thread's execve): no call of
			// the pair may follow.
			addr = "unfinished"
		case isMmap:
			if addr != "" {
				return fmt.Errorf("call %d: %s(%s) = %s follows the mmap of %s, not its munmap (or an unfinished call)", i, c.name, c.args, c.ret, addr)
			}
			if !strings.HasPrefix(c.ret, "0x") {
				return fmt.Errorf("call %d: %s(%s) = %s returned no address", i, c.name, c.args, c.ret)
			}
			addr = c.ret
		case c.name == "munmap":
			if c.arg(0) != addr || c.ret != "0" {
				return fmt.Errorf("call %d: munmap(%s) = %s, want munmap(%s, %s) = 0", i, c.args, c.ret, addr, length)
			}
			addr = ""
		}
	}
	return nil
}

// programReport is what testdata/stress programs print about themselves on stdout.
type programReport struct {
	leader  int
	threads map[int][2]int // tid: mmap, munmap
	// children by pid: exit status, mmap, munmap
	children map[int][3]int
	failures int
}

var (
	reportThread = regexp.MustCompile(`^thread (\d+) mmap=(\d+) munmap=(\d+)$`)
	reportChild  = regexp.MustCompile(`^child (\d+) status (-?\d+)(?: mmap=(\d+) munmap=(\d+))?$`)
	reportLeader = regexp.MustCompile(`^leader (\d+) failures (\d+)$`)
	reportTotals = regexp.MustCompile(`(?m)^mmap=(\d+) munmap=(\d+)$`)
)

func parseProgramReport(t testing.TB, stdout string) programReport {
	t.Helper()
	r := programReport{threads: map[int][2]int{}, children: map[int][3]int{}}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		n := func(s string) int { v, _ := strconv.Atoi(s); return v }
		if m := reportThread.FindStringSubmatch(line); m != nil {
			r.threads[n(m[1])] = [2]int{n(m[2]), n(m[3])}
		} else if m := reportChild.FindStringSubmatch(line); m != nil {
			r.children[n(m[1])] = [3]int{n(m[2]), n(m[3]), n(m[4])}
		} else if m := reportLeader.FindStringSubmatch(line); m != nil {
			r.leader, r.failures = n(m[1]), n(m[2])
		} else {
			t.Fatalf("the program printed an unexpected line: %q", line)
		}
	}
	if r.leader == 0 {
		t.Fatalf("the program did not report its end: %q", stdout)
	}
	return r
}

// tracedRun is one run of mmtrace: its exit, output, the command's report, and mmtrace's
// peak resident memory.
type tracedRun struct {
	code           int    // mmtrace's exit status, -1 if killed by a signal
	signal         string // the signal that killed mmtrace, if one did
	stdout, stderr string
	peakKB         int64 // mmtrace's VmHWM, sampled while it ran
}

// runTraced runs mmtrace with args, sampling its peak memory, and kills it (and so its
// tracees) if it takes longer than limit.
func runTraced(t testing.TB, limit time.Duration, args ...string) tracedRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, mmtraceBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mmtrace: %v", err)
	}
	var peak atomic.Int64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		status := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status"
		for {
			if kb := readStatusKB(status, "VmHWM"); kb > peak.Load() {
				peak.Store(kb)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	<-sampled
	if ctx.Err() != nil {
		t.Fatalf("mmtrace %v did not end within %v; killed; its stderr:\n%s", args, limit, tail(stderr.String(), 2000))
	}
	r := tracedRun{stdout: stdout.String(), stderr: stderr.String(), peakKB: peak.Load()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
		if ws, ok := exitErr.Sys().(interface{ Signaled() bool }); ok && ws.Signaled() {
			r.signal = exitErr.ProcessState.String()
		}
	default:
		t.Fatalf("run mmtrace %v: %v", args, err)
	}
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("mmtrace panicked:\n%s", tail(r.stderr, 4000))
	}
	return r
}

// readStatusKB reads a "Key: N kB" field of a /proc status file; 0 if it cannot.
func readStatusKB(path, key string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// noneLeftBehind fails if a task of the trace still runs the given program: mmtrace must
// leave no tracee alive, stopped or traced.
func noneLeftBehind(t testing.TB, p *parsedTrace, prog string) {
	t.Helper()
	left := 0
	for pid := range p.tasks {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			continue
		}
		if exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); err == nil && exe == prog {
			left++
			if left <= 5 {
				t.Errorf("task %d of the trace is still alive after mmtrace ended: %s", pid, stat)
			}
		}
	}
	if left > 5 {
		t.Errorf("and %d more", left-5)
	}
}

// summaryCalls reads the call counts of one table of -C's summary: "process PID: calls" or
// "total: calls".
func summaryCalls(rest []string, title string) map[string]int {
	counts := map[string]int{}
	in := false
	for _, line := range rest {
		switch {
		case line == title:
			in = true
		case in && strings.TrimSpace(line) == "":
			return counts
		case in:
			f := strings.Fields(line)
			if len(f) == 3 && f[0] != "SYSCALL" {
				n, _ := strconv.Atoi(f[1])
				counts[f[0]] = n
			}
		}
	}
	if !in {
		return nil
	}
	return counts
}

// Memory bounds for mmtrace itself: its peak resident set under the load below, and how much
// more than on a trivial program. A leak of a hundred bytes per event would pass neither.
const (
	maxPeakKB   = 64 << 10
	maxGrowthKB = 24 << 10
)

// baselinePeakKB is mmtrace's peak memory on a program that makes a handful of calls.
func baselinePeakKB(t *testing.T, mode string) int64 {
	t.Helper()
	prog := buildC(t, "stress/load.c")
	// The trivial trace can end before the first 5 ms sample: run it again until one is taken.
	r := runTraced(t, 30*time.Second, "trace", mode, "-o", os.DevNull, "--", prog, "1", "10", "1", "10")
	for try := 1; r.code == 0 && r.peakKB == 0 && try < 10; try++ {
		r = runTraced(t, 30*time.Second, "trace", mode, "-o", os.DevNull, "--", prog, "1", "10", "1", "10")
	}
	if r.code != 0 || r.peakKB == 0 {
		t.Fatalf("baseline run: mmtrace exited %d, peak %d kB: %s", r.code, r.peakKB, r.stderr)
	}
	return r.peakKB
}

func checkMemory(t *testing.T, r tracedRun, base int64) {
	t.Helper()
	t.Logf("mmtrace's peak memory: %d kB (baseline %d kB)", r.peakKB, base)
	if r.peakKB == 0 {
		t.Errorf("could not read mmtrace's peak memory")
	}
	if r.peakKB > maxPeakKB || r.peakKB-base > maxGrowthKB {
		t.Errorf("mmtrace's peak memory was %d kB, %d kB above a trivial trace's %d kB: want at most %d kB and %d kB more",
			r.peakKB, r.peakKB-base, base, maxPeakKB, maxGrowthKB)
	}
}

// TestStressLoad runs testdata/stress/load.c: 16 threads making mmap/munmap pairs while 64
// forked children make theirs, under mmtrace with and without the seccomp filter, with the
// summary after the trace. Every call the program counted is in the trace once, in its own
// task, each munmap unmapping what the mmap before it returned; every task ends once, with
// the exit status the program saw; the summary counts what the trace shows; nothing is left
// running; mmtrace's memory stays small.
//
// The full size (20,000 pairs a thread) takes about 30 s a mode on two cores; the test
// makes 3,000 pairs a thread and 300 a child, the same concurrency at a fraction of the time.
func TestStressLoad(t *testing.T) {
	const threads, iters, children, childIters = 16, 3000, 64, 300
	for _, tc := range []struct {
		name, mode, prog, mmap string
		cflags                 []string
		threads, iters         int
		children, childIters   int
	}{
		{"seccomp", "--seccomp=true", "stress/load.c", "mmap", nil, threads, iters, children, childIters},
		{"no_seccomp", "--seccomp=false", "stress/load.c", "mmap", nil, threads, iters, children, childIters},
		// An i386 program: its calls are mmap2 and munmap from the 32-bit table.
		{"i386", "--seccomp=true", "stress/load.c", "mmap2", []string{"-m32"}, 8, 1000, 16, 200},
	} {
		if !kernelRuns(t, tc.cflags) {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			prog := buildC(t, tc.prog, tc.cflags...)
			base := baselinePeakKB(t, tc.mode)
			out := filepath.Join(t.TempDir(), "trace.out")
			r := runTraced(t, 120*time.Second, "trace", tc.mode, "-C", "-o", out, "--", prog,
				strconv.Itoa(tc.threads), strconv.Itoa(tc.iters), strconv.Itoa(tc.children), strconv.Itoa(tc.childIters))
			if r.code != 0 {
				t.Fatalf("mmtrace exited %d (the program exits 0 when all went well): %s", r.code, tail(r.stderr, 2000))
			}
			rep := parseProgramReport(t, r.stdout)
			totals := reportTotals.FindStringSubmatch(r.stderr)
			if totals == nil {
				t.Fatalf("the program did not print its totals: %q", r.stderr)
			}
			wantMmaps, wantMunmaps := tc.threads*tc.iters+tc.children*tc.childIters, tc.threads*tc.iters+tc.children*tc.childIters
			if totals[1] != strconv.Itoa(wantMmaps) || totals[2] != strconv.Itoa(wantMunmaps) || rep.failures != 0 {
				t.Fatalf("the program reports %s mmaps, %s munmaps and %d failures; want %d, %d and 0",
					totals[1], totals[2], rep.failures, wantMmaps, wantMunmaps)
			}
			if len(rep.threads) != tc.threads || len(rep.children) != tc.children {
				t.Fatalf("the program reports %d threads and %d children, want %d and %d", len(rep.threads), len(rep.children), tc.threads, tc.children)
			}

			p := parseTraceFile(t, out)
			for i, pr := range p.problems {
				if i == 10 {
					t.Errorf("... %d problems in all", len(p.problems))
					break
				}
				t.Errorf("trace: %s", pr)
			}
			// Every task of the program is in the trace, and no other.
			if want := 1 + tc.threads + tc.children; len(p.tasks) != want {
				t.Errorf("the trace names %d tasks, the program had %d", len(p.tasks), want)
			}
			expectEnd := func(pid int, what, want string) *traceTask {
				tk := p.tasks[pid]
				if tk == nil {
					t.Errorf("%s %d is not in the trace", what, pid)
					return &traceTask{}
				}
				if len(tk.ends) != 1 || tk.ends[0] != want {
					t.Errorf("%s %d: ends %q, want [%q]", what, pid, tk.ends, want)
				}
				return tk
			}
			expectEnd(rep.leader, "the leader", "+++ exited with 0 +++")
			var gotMmaps, gotMunmaps int
			check := func(what string, pid int, tk *traceTask, length string, mmaps, munmaps int) {
				m, u := tk.countCalls(length, tc.mmap), tk.countCalls(length, "munmap")
				gotMmaps += m
				gotMunmaps += u
				if m != mmaps || u != munmaps {
					t.Errorf("%s %d made %d mmaps and %d munmaps of %s bytes; the trace shows %d and %d", what, pid, mmaps, munmaps, length, m, u)
				}
				if err := tk.checkPairs(length, tc.mmap); err != nil {
					t.Errorf("%s %d: %v", what, pid, err)
				}
			}
			for tid, c := range rep.threads {
				check("thread", tid, expectEnd(tid, "thread", "+++ exited with 0 +++"), "20001", c[0], c[1])
			}
			for pid, c := range rep.children {
				tk := expectEnd(pid, "child", fmt.Sprintf("+++ exited with %d +++", c[0]))
				check("child", pid, tk, "30001", c[1], c[2])
			}
			if gotMmaps != wantMmaps || gotMunmaps != wantMunmaps {
				t.Errorf("the trace shows %d mmaps and %d munmaps of the program's lengths, the program made %d and %d", gotMmaps, gotMunmaps, wantMmaps, wantMunmaps)
			}
			// The leader's clone lines name each child and each thread once.
			created := map[string]int{}
			for _, c := range p.tasks[rep.leader].calls {
				if c.name == "clone" || c.name == "clone3" {
					created[c.ret]++
				}
			}
			for pid := range rep.children {
				if created[strconv.Itoa(pid)] != 1 {
					t.Errorf("child %d: created by %d clone lines of the leader, want 1", pid, created[strconv.Itoa(pid)])
				}
			}
			for tid := range rep.threads {
				if created[strconv.Itoa(tid)] != 1 {
					t.Errorf("thread %d: created by %d clone lines of the leader, want 1", tid, created[strconv.Itoa(tid)])
				}
			}

			// -C's summary counts what the trace shows, in total and by process.
			all := map[string]int{}
			byProcess := map[int]map[string]int{}
			for pid, tk := range p.tasks {
				proc := pid
				if _, isThread := rep.threads[pid]; isThread {
					proc = rep.leader
				}
				if byProcess[proc] == nil {
					byProcess[proc] = map[string]int{}
				}
				for _, c := range tk.calls {
					all[c.name]++
					byProcess[proc][c.name]++
				}
			}
			total := summaryCalls(p.rest, "total: calls")
			if total == nil {
				t.Errorf("no summary of calls after the trace:\n%s", strings.Join(p.rest, "\n"))
			}
			for _, name := range []string{tc.mmap, "munmap", "exit_group"} {
				if total[name] != all[name] {
					t.Errorf("the summary counts %d %s calls in all, the trace shows %d", total[name], name, all[name])
				}
			}
			for proc, calls := range byProcess {
				sum := summaryCalls(p.rest, fmt.Sprintf("process %d: calls", proc))
				if sum[tc.mmap] != calls[tc.mmap] || sum["munmap"] != calls["munmap"] {
					t.Errorf("process %d: the summary counts %d %s and %d munmap calls, the trace shows %d and %d",
						proc, sum[tc.mmap], tc.mmap, sum["munmap"], calls[tc.mmap], calls["munmap"])
				}
			}
			noneLeftBehind(t, p, prog)
			checkMemory(t, r, base)
		})
	}
}

// TestStressForkExec runs testdata/stress/forkexec.c, which forks 1,000 children that each
// exec the program again, map and unmap a page and exit with their own status: each child's
// execve, its calls and its exit status are in the trace, with and without the filter.
func TestStressForkExec(t *testing.T) {
	const n = 1000
	prog := buildC(t, "stress/forkexec.c")
	for _, mode := range []string{"--seccomp=true", "--seccomp=false"} {
		t.Run(strings.TrimPrefix(mode, "--"), func(t *testing.T) {
			base := baselinePeakKB(t, mode)
			out := filepath.Join(t.TempDir(), "trace.out")
			r := runTraced(t, 60*time.Second, "trace", mode, "-o", out, "--", prog, strconv.Itoa(n))
			if r.code != 0 {
				t.Fatalf("mmtrace exited %d (the program exits 0 when all went well): %s", r.code, tail(r.stderr, 2000))
			}
			rep := parseProgramReport(t, r.stdout)
			if len(rep.children) != n || rep.failures != 0 {
				t.Fatalf("the program reports %d children and %d failures, want %d and 0", len(rep.children), rep.failures, n)
			}
			p := parseTraceFile(t, out)
			for i, pr := range p.problems {
				if i == 10 {
					break
				}
				t.Errorf("trace: %s", pr)
			}
			if len(p.tasks) != n+1 {
				t.Errorf("the trace names %d tasks, want %d", len(p.tasks), n+1)
			}
			leader := p.tasks[rep.leader]
			if leader == nil || len(leader.ends) != 1 || leader.ends[0] != "+++ exited with 0 +++" {
				t.Fatalf("the leader %d is missing or did not exit 0", rep.leader)
			}
			// A fork interrupted by SIGCHLD returns "? ERESTARTNOINTR" and is made again: only
			// the forks that returned a child count.
			created := map[int]int{}
			for _, c := range leader.calls {
				if pid, err := strconv.Atoi(c.ret); err == nil && (c.name == "clone" || c.name == "fork" || c.name == "vfork" || c.name == "clone3") {
					created[pid]++
				}
			}
			if len(created) != n {
				t.Errorf("the leader made %d forks, the trace shows %d that returned a child", n, len(created))
			}
			bad := 0
			for pid, c := range rep.children {
				tk := p.tasks[pid]
				var err error
				switch {
				case tk == nil:
					err = errors.New("not in the trace")
				case created[pid] != 1:
					err = fmt.Errorf("created by %d fork lines of the leader, want 1", created[pid])
				case tk.countCalls("", "execve") != 1 || tk.calls[0].name != "execve" || tk.calls[0].ret != "0":
					err = fmt.Errorf("no successful execve first: %v", tk.calls)
				case tk.countCalls("40001", "mmap") != 1 || tk.countCalls("40001", "munmap") != 1:
					err = fmt.Errorf("%d mmaps and %d munmaps of its page, want 1 and 1", tk.countCalls("40001", "mmap"), tk.countCalls("40001", "munmap"))
				case len(tk.ends) != 1 || tk.ends[0] != fmt.Sprintf("+++ exited with %d +++", c[0]):
					err = fmt.Errorf("ends %q, but its parent saw status %d", tk.ends, c[0])
				}
				if err != nil {
					if bad++; bad <= 5 {
						t.Errorf("child %d: %v", pid, err)
					}
				}
			}
			if bad > 5 {
				t.Errorf("... %d children in all", bad)
			}
			noneLeftBehind(t, p, prog)
			checkMemory(t, r, base)
		})
	}
}
