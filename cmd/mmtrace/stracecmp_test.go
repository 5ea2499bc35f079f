package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mmtrace/mmtrace/report"
)

// This file turns strace-format output into something two runs can be compared by: per task,
// the sequence of its lines, with each call's <unfinished ...> and <... resumed> halves joined,
// pids named by their place in the process tree, and the values that differ between two runs
// of the same program masked (execve's environment pointer, CPU times, resource usage).

// traceLog is a trace split by task: each task's lines in order, keyed by the task's name in
// the process tree ("P" for the command, "P.1" for its first child, "P.1.2" ...).
type traceLog map[string][]string

var (
	// A line's pid, with -Y its command name too: "1234  " or "1234<sh> ".
	pidLine     = regexp.MustCompile(`^(\d+)(<[^>]*>)? +(.*)$`)
	resumedLine = regexp.MustCompile(`^<\.\.\. [a-z0-9_]+ resumed>(.*)$`)
	pidChanged  = regexp.MustCompile(`^(.*) <pid changed to (\d+) \.\.\.>$`)
	alignment   = regexp.MustCompile(`\) +=( |$)`)
	forkReturn  = regexp.MustCompile(`^(?:clone|clone3|fork|vfork)\(.*\) = (\d+)(?:$|[< ])`)
	envPointer  = regexp.MustCompile(`0x[0-9a-f]+ /\* (\d+) vars? \*/`)
	// -Y names a SIGCHLD's child while it is not reaped, which its parent may do before or
	// after the signal's line is printed, as the two happen to run.
	sigchldComm = regexp.MustCompile(`^(--- SIGCHLD \{.*?si_pid=[^,<]+)<[^>]*>`)
	cpuTimes    = regexp.MustCompile(`si_utime=\d+(?: /\* [^*]* \*/)?, si_stime=\d+(?: /\* [^*]* \*/)?`)
	// gcc's temporary files: mkstemp names differ from run to run.
	tempFiles = regexp.MustCompile(`/tmp/cc[A-Za-z0-9]{6}\.`)
	pidFields = regexp.MustCompile(`(si_pid=|parent_tid=\[|in pid |= |wait4\(|waitid\((?:P_PID|0x1|0x1 /\* P_PID \*/), |kill\(|tkill\(|tgkill\(|sigqueueinfo\()(\d+)`)
	// The thread id after the process id: tgkill(P, TID, ...), rt_tgsigqueueinfo(P, TID, ...).
	threadArg = regexp.MustCompile(`^((?:tgkill|rt_tgsigqueueinfo)\([^,]+, )(\d+)`)
	// A SysV shared memory id is the system's next one.
	shmid = regexp.MustCompile(`^shmat\(\d+, `)
	// A struct rusage's values (-v prints them all) change from run to run.
	rusage    = regexp.MustCompile(`(ru_[a-z]+)=(?:\{tv_sec=\d+, tv_usec=\d+\}|\d+)`)
	addresses = regexp.MustCompile(`0x[0-9a-f]{5,}`)
	// Times differ between any two runs: the wall clock (-t, -tt, -ttt, --timestamps), -r, or
	// both, "12:00:01.123 (+     0.000120) ", at the start; -T at the end; each in seconds,
	// ms, us or ns. They are compared by their shape, digits masked.
	timestamp = regexp.MustCompile(`^(?:(?:\d\d:\d\d:\d\d|\d{10})(?:\.\d{3}|\.\d{6}|\.\d{9})? )?` +
		`(?:\(\+ *\d+(?:\.\d{3}|\.\d{6}|\.\d{9})?\) | *\d+(?:\.\d{3}|\.\d{6}|\.\d{9})? )?`)
	callTime = regexp.MustCompile(` <\d+(?:\.\d{3}|\.\d{6}|\.\d{9})?>$`)
	digit    = regexp.MustCompile(`\d`)
	// A thread's tid as clone3 wrote it for the parent: a thread that has already exited
	// (CLONE_CHILD_CLEARTID on the same word) leaves 0 there, so it depends on timing.
	settid = regexp.MustCompile(`=> \{parent_tid=\[[^]]*\]\}`)
)

// parseTrace reads the output of strace -f -o FILE (or mmtrace trace -o FILE). maskAddresses
// also hides every address, and what depends on when threads run, for threaded programs.
func parseTrace(t testing.TB, text string, maskAddresses bool) traceLog {
	t.Helper()
	type line struct {
		pid  int
		text string
	}
	var lines []line
	open := map[int]string{}      // a task's call cut by <unfinished ...> or moved by exec
	openStamp := map[int]string{} // the time it began
	openComm := map[int]string{}  // and its task's name then (-Y)
	for _, raw := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if raw == "" {
			continue
		}
		m := pidLine.FindStringSubmatch(raw)
		if m == nil {
			t.Fatalf("line without a pid: %q", raw)
		}
		pid, _ := strconv.Atoi(m[1])
		body, comm := m[3], m[2]
		// The time's shape goes at the end of the line, so that the lines' starts stay.
		stamp := timestamp.FindString(body)
		body = body[len(stamp):]
		if strings.HasPrefix(body, strings.TrimLeft(report.AnnotationMark, " ")) {
			continue // mmtrace's own lines, under the call they annotate
		}
		// A call its task was detached in (-b execve) ends its line with " <detached ...>", or
		// stays "<unfinished ...>" when another task's line cut it first, as the tasks ran.
		if head, ok := strings.CutSuffix(body, " <detached ...>"); ok {
			body = head + " <unfinished ...>"
		}
		if head, ok := strings.CutSuffix(body, " <unfinished ...>"); ok {
			open[pid], openStamp[pid], openComm[pid] = head, stamp, comm
			continue
		}
		if pc := pidChanged.FindStringSubmatch(body); pc != nil {
			newPid, _ := strconv.Atoi(pc[2])
			open[newPid], openStamp[newPid], openComm[newPid] = pc[1], stamp, comm
			continue
		}
		if r := resumedLine.FindStringSubmatch(body); r != nil {
			head, ok := open[pid]
			if !ok {
				t.Fatalf("resumed call of task %d that was never unfinished: %q", pid, raw)
			}
			// A call cut in two is compared as one line, with its first half's time and name.
			body, stamp, comm = head+r[1], openStamp[pid], openComm[pid]
			delete(open, pid)
		}
		body = alignment.ReplaceAllString(body, ") =$1")
		if ct := callTime.FindString(body); ct != "" {
			body = strings.TrimSuffix(body, ct) + digit.ReplaceAllString(ct, "N")
		}
		if stamp != "" {
			body += " @" + digit.ReplaceAllString(stamp, "N")
		}
		if comm != "" {
			// Before its execve the command is the tracer's child, named as the tracer.
			body += " " + strings.Replace(comm, "<strace>", "<mmtrace>", 1)
		}
		lines = append(lines, line{pid, body})
	}
	// A call cut and never resumed (its task vanished in another thread's execve) stays.
	for pid, head := range open {
		lines = append(lines, line{pid, head + " <unfinished ...>" + digit.ReplaceAllString(openStamp[pid], "N")})
	}
	if len(lines) == 0 {
		return traceLog{}
	}

	// Name each task by its place in the process tree: the command is P, the k-th task that a
	// task named N created is N.k.
	names := map[int]string{lines[0].pid: "P"}
	children := map[int]int{}
	for _, l := range lines {
		if m := forkReturn.FindStringSubmatch(l.text); m != nil {
			child, _ := strconv.Atoi(m[1])
			children[l.pid]++
			names[child] = fmt.Sprintf("%s.%d", names[l.pid], children[l.pid])
		}
	}
	// Tasks whose creation is not in the trace (fork and clone not traced) are named by the
	// order in which they first appear.
	unnamed := 0
	for _, l := range lines {
		if _, ok := names[l.pid]; !ok {
			unnamed++
			names[l.pid] = fmt.Sprintf("?%d", unnamed)
		}
	}
	log := traceLog{}
	for _, l := range lines {
		name := names[l.pid]
		namePids := func(re *regexp.Regexp, text string) string {
			return re.ReplaceAllStringFunc(text, func(field string) string {
				m := re.FindStringSubmatch(field)
				pid, _ := strconv.Atoi(m[2])
				if n, ok := names[pid]; ok {
					return m[1] + n
				}
				return field
			})
		}
		s := namePids(threadArg, namePids(pidFields, l.text))
		s = rusage.ReplaceAllString(s, "$1=N")
		s = shmid.ReplaceAllString(s, "shmat(ID, ")
		s = envPointer.ReplaceAllString(s, "ENV /* $1 vars */")
		s = cpuTimes.ReplaceAllString(s, "si_utime=T, si_stime=T")
		s = sigchldComm.ReplaceAllString(s, "$1")
		s = tempFiles.ReplaceAllString(s, "/tmp/ccTEMP.")
		if maskAddresses {
			s = addresses.ReplaceAllString(s, "ADDR")
			s = settid.ReplaceAllString(s, "=> {parent_tid=[TID]}")
		}
		log[name] = append(log[name], s)
	}
	// A child's SIGCHLD reaches its parent before or after the parent's wait4 or waitid
	// returns, as the two happen to run: put the pair in one order.
	for _, lines := range log {
		for i := 0; i+1 < len(lines); i++ {
			if strings.HasPrefix(lines[i], "--- SIGCHLD ") && (strings.HasPrefix(lines[i+1], "wait4(") || strings.HasPrefix(lines[i+1], "waitid(")) {
				lines[i], lines[i+1] = lines[i+1], lines[i]
			}
		}
	}
	return log
}

// diffTraces describes how two traces differ, task by task; "" when they are the same.
func diffTraces(want, got traceLog) string {
	var b strings.Builder
	var tasks []string
	for name := range want {
		tasks = append(tasks, name)
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			tasks = append(tasks, name)
		}
	}
	slices.Sort(tasks)
	for _, name := range tasks {
		w, g := want[name], got[name]
		if slices.Equal(w, g) {
			continue
		}
		fmt.Fprintf(&b, "task %s: strace has %d lines, mmtrace %d\n", name, len(w), len(g))
		for i := 0; i < max(len(w), len(g)); i++ {
			var wl, gl string
			if i < len(w) {
				wl = w[i]
			}
			if i < len(g) {
				gl = g[i]
			}
			if wl != gl {
				fmt.Fprintf(&b, "  line %d\n    strace:  %s\n    mmtrace: %s\n", i+1, wl, gl)
			}
		}
	}
	return b.String()
}

// tasksGone fails the test if any task named in a trace is still alive: the tracer must
// leave nothing behind.
func tasksGone(t testing.TB, text string) {
	t.Helper()
	seen := map[string]bool{}
	for _, raw := range strings.Split(text, "\n") {
		if m := pidLine.FindStringSubmatch(raw); m != nil && !seen[m[1]] {
			seen[m[1]] = true
			if data, err := os.ReadFile("/proc/" + m[1] + "/stat"); err == nil && !strings.Contains(string(data), ") Z ") {
				t.Errorf("task %s is still alive after the trace: %s", m[1], data)
			}
		}
	}
}
