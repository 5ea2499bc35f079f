package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// injectedMmap is the second mmap of inject.c's main program, given a made-up address.
const injectedMmap = "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x10000 (INJECTED)"

// TestInjectModel: an mmap that was tampered with did not happen, so the model makes no
// region of it (no "~ made" line) and still agrees with the kernel at every exit, with and
// without the seccomp filter; the program saw the injected address.
func TestInjectModel(t *testing.T) {
	prog := buildC(t, "trace/inject.c", "-static")
	for _, mode := range []string{"--seccomp=true", "--seccomp=false"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "trace.out")
			r := runCmd(t, dir, mmtraceBin, "trace", mode, "-C", "-e", "inject=mmap:retval=0x10000:when=2", "-o", out, "--", prog)
			if r.code != 0 {
				t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
			}
			if !strings.HasPrefix(r.stdout, "main: mmap=ok mmap=0x10000 mmap=ok ") {
				t.Errorf("the program did not get the injected address: %s", r.stdout)
			}
			text, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(text), "\n")
			injected := 0
			for i, l := range lines {
				if strings.HasSuffix(l, injectedMmap) {
					injected++
					if next := lines[i+1]; strings.Contains(next, "  ~ ") {
						t.Errorf("the injected mmap has an annotation: %q", next)
					}
				}
			}
			// Main, child and thread each get their second mmap tampered with; the thread's
			// first is its stack, mapped by pthread_create in the main thread.
			if injected != 3 {
				t.Errorf("%d injected mmap lines, want 3 (main, child, thread):\n%s", injected, text)
			}
			agreement := regexp.MustCompile(`the models agreed with the kernel on (\d+) of (\d+) regions .* 0 made and 0 gone without a traced call`)
			if m := agreement.FindStringSubmatch(string(text)); m == nil || m[1] != m[2] {
				t.Errorf("the model did not agree with the kernel: %s", agreement.FindString(string(text)))
			}
		})
	}
}

// TestInjectJSON: a tampered call's JSON says "injected": true, its return is strace's,
// and it made no region; the calls left alone have no injected field.
func TestInjectJSON(t *testing.T) {
	prog := buildC(t, "trace/inject.c", "-static")
	dir := t.TempDir()
	out := filepath.Join(dir, "trace.json")
	r := runCmd(t, dir, mmtraceBin, "trace", "--json", "-e", "inject=mmap:retval=0x10000:when=2", "-e", "fault=munmap:error=EPERM:when=1", "-o", out, "--", prog)
	if r.code != 0 {
		t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type event struct {
		Type, Syscall, Return, Errno string
		Retval                       int64
		Injected                     *bool
		After, Removed               []json.RawMessage
	}
	counts := map[string]int{}
	scanner := bufio.NewScanner(f)
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		var e event
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			t.Fatalf("not a JSON line: %q: %v", scanner.Text(), err)
		}
		if e.Type != "call" {
			continue
		}
		injected := e.Injected != nil && *e.Injected
		if e.Injected != nil && !*e.Injected {
			t.Errorf("injected written as false: %s", scanner.Text())
		}
		switch {
		case !injected:
			counts["plain "+e.Syscall]++
		case e.Syscall == "mmap":
			counts["mmap"]++
			if e.Return != "0x10000 (INJECTED)" || e.Retval != 0x10000 || len(e.After) > 0 {
				t.Errorf("injected mmap: want return 0x10000 (INJECTED) and no region: %s", scanner.Text())
			}
		case e.Syscall == "munmap":
			counts["munmap"]++
			if e.Return != "-1 EPERM (Operation not permitted) (INJECTED)" || e.Errno != "EPERM" || e.Retval != -1 || len(e.Removed) > 0 {
				t.Errorf("injected munmap: want EPERM and nothing removed: %s", scanner.Text())
			}
		default:
			t.Errorf("a call that was not to be tampered with is marked injected: %s", scanner.Text())
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	if counts["mmap"] != 3 || counts["munmap"] != 3 || counts["plain mmap"] == 0 || counts["plain munmap"] == 0 {
		t.Errorf("calls by kind: %v; want 3 injected mmap and munmap (one per task), and others", counts)
	}
}

// TestInjectSummary: -c counts the tampered calls in an INJECTED column, per process (the
// main program and its thread are one) and in total, and a failure injected is an error.
func TestInjectSummary(t *testing.T) {
	prog := buildC(t, "trace/inject.c", "-static")
	dir := t.TempDir()
	out := filepath.Join(dir, "summary.out")
	r := runCmd(t, dir, mmtraceBin, "trace", "-c", "-e", "fault=madvise:when=2+", "-e", "inject=brk:retval=0:when=3", "-o", out, "--", prog)
	if r.code != 0 {
		t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// madvise: the main task's 2nd to 4th of its four; the thread's 2nd and 3rd (glibc frees
	// the thread's stack with a madvise of its own as it exits); the child's 2nd of two.
	// brk: a static program's 3rd is its allocator's, in the main task alone, and succeeds.
	for _, want := range []string{
		`(?m)^SYSCALL +CALLS +ERRORS +INJECTED$`,
		`(?m)^madvise +7 +5 +5$`,
		`(?m)^madvise +2 +1 +1$`,
		`(?m)^madvise +9 +6 +6$`,
		`(?m)^brk +\d+ +0 +1$`,
		`(?m)^mmap +\d+ +0 +0$`,
		`(?m)^total +\d+ +5 +6$`,
		`(?m)^total +\d+ +6 +7$`,
	} {
		if !regexp.MustCompile(want).MatchString(string(text)) {
			t.Errorf("summary lacks %s:\n%s", want, text)
		}
	}

	r = runCmd(t, dir, mmtraceBin, "trace", "-c", "-o", out, "--", prog)
	if text, _ := os.ReadFile(out); r.code != 0 || strings.Contains(string(text), "INJECTED") {
		t.Errorf("without -e inject=, mmtrace exited %d and printed an INJECTED column:\n%s", r.code, text)
	}
}

// TestInjectAttach tampers with the calls of a running process: the worker's threads and
// children each fail their first mprotect after the attach, as the trace says, and the
// worker's own count of failures is exactly that; after the detach it runs on untraced.
func TestInjectAttach(t *testing.T) {
	worker, out := startWorker(t, 5)
	pid := worker.Process.Pid
	traceOut := filepath.Join(t.TempDir(), "trace.out")
	r := runCmd(t, "", mmtraceBin, "attach", "--duration", "700ms", "-e", "inject=mprotect:error=EACCES:when=1", "-o", traceOut, strconv.Itoa(pid))
	if r.code != 0 {
		t.Fatalf("mmtrace attach exited %d: %s", r.code, r.stderr)
	}
	requireUntraced(t, pid, false)
	text, err := os.ReadFile(traceOut)
	if err != nil {
		t.Fatal(err)
	}
	injectedBy := map[string]int{}
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasSuffix(line, "= -1 EACCES (Permission denied) (INJECTED)") {
			injectedBy[strings.Fields(line)[0]]++
		}
	}
	injected := 0
	for tid, n := range injectedBy {
		injected += n
		if n != 1 {
			t.Errorf("task %s had %d calls tampered with, want its first mprotect alone", tid, n)
		}
	}
	if injected < 4 { // three threads and at least a child
		t.Errorf("%d injected mprotect calls, want one per thread and child:\n%s", injected, text)
	}
	worker.Process.Signal(syscall.SIGUSR1) // finish now
	worker.Wait()
	if want := "failures=" + strconv.Itoa(injected) + "\n"; !strings.HasSuffix(out.String(), want) {
		t.Errorf("the worker says %q, want %q: exactly the calls the trace shows injected failed", out, want)
	}
}

// TestInjectRetvalWarnings: a retval= that a program may read otherwise (as -errno, or cut to
// 32 bits in an i386 program) is warned of as strace 6.1 warns, before the trace.
func TestInjectRetvalWarnings(t *testing.T) {
	strace := needTool(t, "strace")
	for _, v := range []string{"-1", "-4095", "-4096", "2147483648", "4294967296", "9223372036854775808", "-2147483649", "0", "0x1000"} {
		t.Run(v, func(t *testing.T) {
			spec := "inject=brk:retval=" + v
			want := runCmd(t, "", strace, "-o", os.DevNull, "-e", "trace=munmap", "-e", spec, "true")
			got := runCmd(t, "", mmtraceBin, "trace", "-o", os.DevNull, "-e", "trace=munmap", "-e", spec, "--", "true")
			if want.code != 0 || got.code != 0 {
				t.Fatalf("strace exited %d, mmtrace %d: %s", want.code, got.code, got.stderr)
			}
			if w, g := strings.ReplaceAll(want.stderr, strace+": ", "mmtrace: "), got.stderr; w != g {
				t.Errorf("mmtrace warned %q, strace %q", g, want.stderr)
			}
		})
	}
}
