package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startWorker starts testdata/attach/worker.c, which checks its own memory from several
// threads and forked children for the given time and exits 0 only if every check held.
func startWorker(t *testing.T, seconds int) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	bin := buildC(t, "attach/worker.c")
	cmd := exec.Command(bin, strconv.Itoa(seconds), "3")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	startKilledAtEnd(t, cmd)
	waitFor(t, "the worker's threads to start", func() bool {
		tids, _ := os.ReadDir("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task")
		return len(tids) >= 4
	})
	return cmd, &out
}

// finishWorker waits for the worker and requires that it noticed nothing wrong.
func finishWorker(t *testing.T, cmd *exec.Cmd, out *bytes.Buffer) {
	t.Helper()
	if err := cmd.Wait(); err != nil {
		t.Errorf("the worker failed after being traced: %v; its output: %s", err, out)
	}
	if !strings.Contains(out.String(), "failures=0") {
		t.Errorf("the worker's own checks failed: %s", out)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// procState returns the state letter and tracer pid of every thread of a process.
func procState(t *testing.T, pid int) (states string, tracers []string) {
	t.Helper()
	tids, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		t.Fatalf("process %d: %v", pid, err)
	}
	for _, tid := range tids {
		data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "task", tid.Name(), "status"))
		if err != nil {
			continue // the thread ended
		}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "State:"); ok {
				states += strings.Fields(v)[0]
			}
			if v, ok := strings.CutPrefix(line, "TracerPid:"); ok {
				tracers = append(tracers, strings.TrimSpace(v))
			}
		}
	}
	return states, tracers
}

// requireUntraced fails unless no thread of pid is traced or stopped (want "T" to require
// that every thread is stopped by job control instead).
func requireUntraced(t *testing.T, pid int, stopped bool) {
	t.Helper()
	states, tracers := procState(t, pid)
	// The detach wakes a thread that was group-stopped under the tracer, and the thread goes
	// back into the group-stop by itself: on a busy machine it can be seen running for a
	// moment. One still running after a second runs on.
	for end := time.Now().Add(time.Second); stopped && strings.Trim(states, "T") != "" && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
		states, tracers = procState(t, pid)
	}
	for _, tr := range tracers {
		if tr != "0" {
			t.Fatalf("process %d is still traced by %s after mmtrace detached", pid, tr)
		}
	}
	for _, s := range states {
		switch {
		case s == 't':
			t.Fatalf("process %d has a thread left in tracing stop: states %q", pid, states)
		case stopped && s != 'T':
			t.Fatalf("process %d was stopped by SIGSTOP but runs after detach: states %q", pid, states)
		case !stopped && s == 'T':
			t.Fatalf("process %d was left stopped: states %q", pid, states)
		}
	}
}

var workerCall = regexp.MustCompile(`(?m)^(\d+) +(mmap|mprotect|munmap|clone|clone3|exit_group)\(`)

// TestAttachTracesAndDetaches attaches to the running worker for a while: its threads' and
// children's calls are printed, and after the detach it runs on, untraced and unharmed.
func TestAttachTracesAndDetaches(t *testing.T) {
	worker, out := startWorker(t, 3)
	pid := worker.Process.Pid
	traceOut := filepath.Join(t.TempDir(), "trace.out")
	r := runCmd(t, "", mmtraceBin, "attach", "--duration", "700ms", "-o", traceOut, strconv.Itoa(pid))
	if r.code != 0 {
		t.Fatalf("mmtrace attach exited %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "Process "+strconv.Itoa(pid)+" attached") || !strings.Contains(r.stderr, "Process "+strconv.Itoa(pid)+" detached") {
		t.Errorf("mmtrace did not say it attached and detached: %q", r.stderr)
	}
	requireUntraced(t, pid, false)
	text, err := os.ReadFile(traceOut)
	if err != nil {
		t.Fatal(err)
	}
	tids := map[string]bool{}
	calls := map[string]int{}
	for _, line := range strings.Split(string(text), "\n") {
		if m := workerCall.FindStringSubmatch(line); m != nil {
			tids[m[1]] = true
			calls[m[2]]++
		}
	}
	// Three threads and the main thread's children each map, protect and unmap.
	if len(tids) < 4 || calls["mmap"] < 10 || calls["mprotect"] < 10 || calls["munmap"] < 10 {
		t.Errorf("too few calls seen from too few tasks: %d tasks, calls %v\n%s", len(tids), calls, text)
	}
	finishWorker(t, worker, out)
}

// TestAttachFiftyTimes attaches and detaches fifty times in a row: the worker is never left
// stopped or traced, and finishes with every check held.
func TestAttachFiftyTimes(t *testing.T) {
	worker, out := startWorker(t, 60)
	pid := worker.Process.Pid
	for i := 0; i < 50; i++ {
		r := runCmd(t, "", mmtraceBin, "attach", "--duration", "10ms", "-o", os.DevNull, strconv.Itoa(pid))
		if r.code != 0 {
			t.Fatalf("cycle %d: mmtrace attach exited %d: %s", i, r.code, r.stderr)
		}
		requireUntraced(t, pid, false)
	}
	// The worker's time is long enough for the slowest machine; it ends now, on request.
	if err := worker.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	finishWorker(t, worker, out)
}

// TestAttachMainThreadGone attaches to a process whose main thread has ended (pthread_exit)
// and which lives on in another: the zombie main thread cannot be seized, which is no error;
// the live thread's calls are traced and the process finishes unharmed.
func TestAttachMainThreadGone(t *testing.T) {
	cmd := exec.Command(buildC(t, "attach/mainexit.c"), "2")
	startKilledAtEnd(t, cmd)
	pid := cmd.Process.Pid
	waitFor(t, "the main thread to end", func() bool {
		states, _ := procState(t, pid)
		return strings.HasPrefix(states, "Z") && len(states) == 2
	})
	traceOut := filepath.Join(t.TempDir(), "trace.out")
	r := runCmd(t, "", mmtraceBin, "attach", "--duration", "300ms", "-o", traceOut, strconv.Itoa(pid))
	if r.code != 0 {
		t.Fatalf("mmtrace attach exited %d: %s", r.code, r.stderr)
	}
	text, err := os.ReadFile(traceOut)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x") {
		t.Errorf("the live thread's mmap calls are not in the trace:\n%s", text)
	}
	if !strings.Contains(string(text), "  ~ made    ") {
		t.Errorf("the live thread's mmap calls have no region (the process has no model):\n%s", text)
	}
	requireUntraced(t, pid, false)
	if err := cmd.Wait(); err != nil {
		t.Errorf("the process failed after being traced: %v", err)
	}
}

// TestAttachStoppedProcess attaches to a process stopped by SIGSTOP: it stays stopped while
// traced and after the detach, and runs on when SIGCONT comes.
func TestAttachStoppedProcess(t *testing.T) {
	worker, out := startWorker(t, 2)
	pid := worker.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the worker to stop", func() bool {
		states, _ := procState(t, pid)
		return strings.Trim(states, "T") == ""
	})
	tracer := exec.Command(mmtraceBin, "attach", "--duration", "1s", "-o", os.DevNull, strconv.Itoa(pid))
	var stderr bytes.Buffer
	tracer.Stderr = &stderr
	if err := tracer.Start(); err != nil {
		t.Fatal(err)
	}
	// While traced, no thread may run: each is stopped, by job control or in a tracing stop.
	for i := 0; i < 5; i++ {
		time.Sleep(100 * time.Millisecond)
		if states, _ := procState(t, pid); strings.Trim(states, "Tt") != "" {
			t.Errorf("a stopped process runs while attached: thread states %q", states)
		}
	}
	if err := tracer.Wait(); err != nil {
		t.Fatalf("mmtrace attach: %v: %s", err, stderr.String())
	}
	requireUntraced(t, pid, true)
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	finishWorker(t, worker, out)
}

// TestAttachErrors: what cannot be attached is refused in one line with a non-zero exit.
func TestAttachErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no such process", []string{"attach", "999999999"}, "no such process"},
		{"not a pid", []string{"attach", "abc"}, `"abc" is not a process id`},
		{"kernel thread", []string{"attach", "2"}, "kernel thread"},
		{"negative", []string{"attach", "-5"}, "unknown shorthand flag"},
		{"bad duration", []string{"attach", "--duration", "soon", "1"}, "invalid argument"},
		{"ancestor", []string{"attach", strconv.Itoa(os.Getpid())}, "ancestor of mmtrace"},
		{"no pid", []string{"attach"}, "no PID given"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, "", mmtraceBin, tc.args...)
			if r.code == 0 {
				t.Fatalf("mmtrace %v succeeded", tc.args)
			}
			last := lastLine(r.stderr)
			if !strings.HasPrefix(last, "mmtrace: ") || !strings.Contains(last, tc.want) {
				t.Errorf("mmtrace %v: last line of stderr %q, want one line naming %q", tc.args, last, tc.want)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("mmtrace %v panicked: %s", tc.args, r.stderr)
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestAttachThreadAndSeveral attaches to two processes at once, one of them named by the id
// of one of its threads: every thread of both is traced, and both run on unharmed.
func TestAttachThreadAndSeveral(t *testing.T) {
	w1, out1 := startWorker(t, 2)
	w2, out2 := startWorker(t, 2)
	tids, err := os.ReadDir("/proc/" + strconv.Itoa(w2.Process.Pid) + "/task")
	if err != nil {
		t.Fatal(err)
	}
	var thread string
	for _, e := range tids {
		if e.Name() != strconv.Itoa(w2.Process.Pid) {
			thread = e.Name()
			break
		}
	}
	traceOut := filepath.Join(t.TempDir(), "trace.out")
	r := runCmd(t, "", mmtraceBin, "attach", "--duration", "500ms", "-o", traceOut, strconv.Itoa(w1.Process.Pid), thread)
	if r.code != 0 {
		t.Fatalf("mmtrace attach exited %d: %s", r.code, r.stderr)
	}
	for i, pid := range []int{w1.Process.Pid, w2.Process.Pid} {
		// As strace -p: a process attached by a thread's id is named by that id.
		named := []string{strconv.Itoa(pid), thread}[i]
		if !strings.Contains(r.stderr, "Process "+named+" attached") {
			t.Errorf("process %d was not attached: %s", pid, r.stderr)
		}
		// The whole process: its threads' lines are in the trace.
		text, _ := os.ReadFile(traceOut)
		n := 0
		tids, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		for _, e := range tids {
			if strings.Contains(string(text), "\n"+e.Name()+" ") {
				n++
			}
		}
		if n < 3 {
			t.Errorf("process %d: only %d of its threads appear in the trace", pid, n)
		}
		requireUntraced(t, pid, false)
	}
	finishWorker(t, w1, out1)
	finishWorker(t, w2, out2)
}

// TestAttachAlreadyTraced: a process that another tracer holds is refused, naming that tracer.
func TestAttachAlreadyTraced(t *testing.T) {
	strace := needTool(t, "strace")
	bin := buildC(t, "attach/worker.c")
	other := exec.Command(strace, "-o", os.DevNull, bin, "30", "1")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	var pid string
	defer func() {
		// The worker would run on for its 30 s: end it, and with it strace.
		if n, err := strconv.Atoi(pid); err == nil {
			syscall.Kill(n, syscall.SIGKILL)
		}
		other.Wait()
	}()
	waitFor(t, "strace's tracee to start", func() bool {
		data, _ := os.ReadFile("/proc/" + strconv.Itoa(other.Process.Pid) + "/task/" + strconv.Itoa(other.Process.Pid) + "/children")
		pid = strings.TrimSpace(string(data))
		if pid == "" {
			return false
		}
		// strace first forks children of its own to probe the kernel, traced too: wait for
		// the worker itself.
		if exe, _ := os.Readlink("/proc/" + pid + "/exe"); exe != bin {
			return false
		}
		status, _ := os.ReadFile("/proc/" + pid + "/status")
		return strings.Contains(string(status), "TracerPid:\t"+strconv.Itoa(other.Process.Pid))
	})
	r := runCmd(t, "", mmtraceBin, "attach", pid)
	want := "already traced by process " + strconv.Itoa(other.Process.Pid)
	if r.code == 0 || !strings.Contains(lastLine(r.stderr), want) {
		t.Errorf("mmtrace attach to a traced process: exit %d, stderr %q; want an error naming %q", r.code, r.stderr, want)
	}
}

// TestAttachEndsOnSignals: Ctrl-C, SIGTERM and SIGHUP make mmtrace attach (and mmtrace trace
// -p) detach, then die of the same signal as strace -p does; SIGKILL ends it at once, and the
// kernel detaches. In every case the process runs on.
func TestAttachEndsOnSignals(t *testing.T) {
	worker, out := startWorker(t, 4)
	pid := worker.Process.Pid
	for i, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGKILL, syscall.SIGINT} {
		out := filepath.Join(t.TempDir(), "trace")
		args := []string{"attach", "-o", out, strconv.Itoa(pid)}
		if i == 4 {
			args = []string{"trace", "-p", strconv.Itoa(pid), "-o", out} // as strace users type it
		}
		tracer := exec.Command(mmtraceBin, args...)
		var stderr bytes.Buffer
		tracer.Stderr = &stderr
		if err := tracer.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "mmtrace to attach", func() bool {
			// TracerPid names the tracer's thread that attached, which need not be its main one.
			_, tracers := procState(t, pid)
			return len(tracers) > 0 && tracers[0] != "0"
		})
		time.Sleep(50 * time.Millisecond)
		tracer.Process.Signal(sig)
		tracer.Wait()
		if ws := tracer.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != sig {
			t.Errorf("after %v mmtrace ended with %v, want killed by %v as strace -p: %s", sig, tracer.ProcessState, sig, stderr.String())
		}
		if sig != syscall.SIGKILL && !strings.Contains(stderr.String(), "Process "+strconv.Itoa(pid)+" detached") {
			t.Errorf("after %v mmtrace did not say it detached: %s", sig, stderr.String())
		}
		if sig != syscall.SIGKILL {
			// The worker maps without pause: lines were buffered when the signal came, and
			// all are written, whole, a call in progress ending " <detached ...>".
			text, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(string(text), "\n") || !workerCall.Match(text) {
				t.Errorf("after %v the trace is cut or nearly empty; it ends:\n%s", sig, tail(string(text), 500))
			}
			for _, line := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
				if !pidLine.MatchString(line) || strings.HasSuffix(line, "(") {
					t.Errorf("after %v a line is not whole: %q", sig, line)
				}
			}
		}
		waitFor(t, "the kernel to detach", func() bool {
			_, tracers := procState(t, pid)
			for _, tr := range tracers {
				if tr != "0" {
					return false
				}
			}
			return true
		})
		requireUntraced(t, pid, false)
	}
	finishWorker(t, worker, out)
}

// TestAttachMessagesAsStrace: what mmtrace attach says on stderr when it attaches to a process
// of three threads, named by its pid or by one of its threads, and detaches on Ctrl-C, is
// what strace -f -p says ("Process N attached with 3 threads", one "detached" line per
// thread), but for the program's name; -q says nothing.
func TestAttachMessagesAsStrace(t *testing.T) {
	strace := needTool(t, "strace")
	idle := exec.Command(buildC(t, "attach/idle.c"), "3")
	startKilledAtEnd(t, idle)
	pid := idle.Process.Pid
	var tids []string
	waitFor(t, "the program's threads to start", func() bool {
		entries, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		tids = tids[:0]
		for _, e := range entries {
			tids = append(tids, e.Name())
		}
		return len(tids) == 3
	})
	messages := func(name string, args ...string) []string {
		tracer := exec.Command(name, args...)
		var stderr bytes.Buffer
		tracer.Stderr = &stderr
		if err := tracer.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, name+" to attach", func() bool {
			_, tracers := procState(t, pid)
			for _, tr := range tracers {
				if tr == "0" {
					return false
				}
			}
			return true
		})
		time.Sleep(50 * time.Millisecond)
		tracer.Process.Signal(syscall.SIGINT)
		tracer.Wait()
		waitFor(t, name+" to detach", func() bool {
			_, tracers := procState(t, pid)
			return !slices.ContainsFunc(tracers, func(tr string) bool { return tr != "0" })
		})
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
			if l != "" {
				_, l, _ = strings.Cut(l, ": ")
				lines = append(lines, l)
			}
		}
		slices.Sort(lines) // the threads are let go of in whatever order they stop
		return lines
	}
	for _, name := range []string{strconv.Itoa(pid), tids[2]} {
		want := messages(strace, "-f", "-o", os.DevNull, "-p", name)
		got := messages(mmtraceBin, "attach", "-o", os.DevNull, name)
		if !slices.Equal(got, want) {
			t.Errorf("attach %s: mmtrace says\n%s\nstrace says\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !slices.Contains(got, "Process "+name+" attached with 3 threads") || len(got) != 4 {
			t.Errorf("attach %s: want the attach with 3 threads and 3 detach lines, got %q", name, got)
		}
	}
	if quiet := messages(mmtraceBin, "attach", "-q", "-o", os.DevNull, strconv.Itoa(pid)); len(quiet) != 0 {
		t.Errorf("attach -q said %q", quiet)
	}
	requireUntraced(t, pid, false)
}

// TestAttachPartlyFails: when one of several pids cannot be attached, mmtrace says so, exits
// non-zero, and lets go of the processes it had already attached, which run on.
func TestAttachPartlyFails(t *testing.T) {
	worker, out := startWorker(t, 2)
	pid := worker.Process.Pid
	r := runCmd(t, "", mmtraceBin, "attach", "-o", os.DevNull, strconv.Itoa(pid), "999999999")
	if r.code == 0 || !strings.Contains(lastLine(r.stderr), "attach 999999999: no such process") {
		t.Errorf("exit %d, stderr %q: want the missing pid named and a non-zero exit", r.code, r.stderr)
	}
	requireUntraced(t, pid, false)
	finishWorker(t, worker, out)
}

// TestAttachConstStyles attaches to the worker with -X and -v, as strace 6.1 -p and then
// mmtrace attach: the calls print in the same style. The two see different moments of the
// worker, so what is compared is the shape of each kind of line, numbers masked.
func TestAttachConstStyles(t *testing.T) {
	strace := needTool(t, "strace")
	worker, out := startWorker(t, 60)
	pid := strconv.Itoa(worker.Process.Pid)
	const set = "mmap,mprotect,munmap,clone,wait4"
	for _, flags := range [][]string{{"-X", "raw"}, {"--const-print-style=verbose", "--no-abbrev"}} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			dir := t.TempDir()
			straceOut, mmtraceOut := filepath.Join(dir, "strace.out"), filepath.Join(dir, "mmtrace.out")
			st := exec.Command(strace, append(append([]string{"-f", "-o", straceOut, "-e", "trace=" + set}, flags...), "-p", pid)...)
			startKilledAtEnd(t, st)
			time.Sleep(time.Second)
			st.Process.Signal(syscall.SIGINT)
			// strace detaches, then ends by the SIGINT.
			if err := st.Wait(); err != nil && st.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
				t.Fatalf("strace -p: %v", err)
			}
			requireUntraced(t, worker.Process.Pid, false)
			r := runCmd(t, "", mmtraceBin, append(append([]string{"attach", "--strace-only", "--duration", "1s", "-o", mmtraceOut, "-e", "trace=" + set}, flags...), pid)...)
			if r.code != 0 {
				t.Fatalf("mmtrace attach exited %d: %s", r.code, r.stderr)
			}
			want, got := readTraces(t, straceOut, mmtraceOut)
			wantShapes, gotShapes := lineShapes(t, string(want)), lineShapes(t, string(got))
			if len(gotShapes) < 4 {
				t.Errorf("too few kinds of line in mmtrace's trace: %q\n%s", gotShapes, got)
			}
			if !slices.Equal(wantShapes, gotShapes) {
				t.Errorf("the kinds of line differ:\nstrace:  %q\nmmtrace: %q", wantShapes, gotShapes)
			}
		})
	}
	if err := worker.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	finishWorker(t, worker, out)
}

// numbers are what differs between two traces of the worker: addresses, numbers, and the
// names parseTrace gives the tasks (P.2, ?3, .1 for a child of a thread not seen before),
// which depend on when the trace began.
var numbers = regexp.MustCompile(`ADDR|\?[\d.]+|\bP\b(?:\.\d+)*|\.?\d+(?:\.\d+)*`)

// lineShapes returns the distinct lines of a trace of the worker, numbers masked, without the calls cut by the attach or the detach (strace: "<detached ...>";
// mmtrace: the call interrupted, "= ? ERESTARTSYS").
func lineShapes(t *testing.T, text string) []string {
	t.Helper()
	var shapes []string
	for _, lines := range parseTrace(t, text, true) {
		for _, l := range lines {
			if strings.HasSuffix(l, "<unfinished ...>") || strings.Contains(l, "detached ...>") || strings.Contains(l, "= ? ERESTART") || strings.HasPrefix(l, "+++") {
				continue
			}
			shapes = append(shapes, numbers.ReplaceAllString(l, "N"))
		}
	}
	slices.Sort(shapes)
	return slices.Compact(shapes)
}

// TestAttachPidnsOtherNamespace: --decode-pids=pidns is refused, in one line with exit 2, for a
// process in another pid namespace, whose ids mmtrace would print untranslated; the process is
// left alone.
func TestAttachPidnsOtherNamespace(t *testing.T) {
	unshare := needTool(t, "unshare")
	cmd := exec.Command(unshare, "--pid", "--fork", "sleep", "30")
	startKilledAtEnd(t, cmd)
	var inner int
	waitFor(t, "sleep to run in its own pid namespace", func() bool {
		children, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid))
		inner, _ = strconv.Atoi(strings.TrimSpace(string(children)))
		name, _, err := procStat(inner)
		return err == nil && name == "sleep"
	})
	r := runCmd(t, "", mmtraceBin, "attach", "--decode-pids=pidns", strconv.Itoa(inner))
	want := fmt.Sprintf("mmtrace: --decode-pids=pidns: process %d is in another pid namespace", inner)
	if r.code != 2 || !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want 2 and one line starting %q", r.code, r.stderr, want)
	}
	requireUntraced(t, inner, false)
}
