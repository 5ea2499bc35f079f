package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// smallFS mounts a tmpfs of 16 KiB for the test: a disk that fills up after the first lines
// of a trace.
func smallFS(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=16k"); err != nil {
		t.Fatalf("mount a 16 KiB tmpfs on %s (the test needs root): %v", dir, err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

var lostLine = regexp.MustCompile(`^mmtrace: (?:write|close) (\S+): no space left on device; the trace written there is cut after \d+ bytes$`)

// TestOutputLost: when the trace cannot be written (a full disk, /dev/full), mmtrace says so
// once for each file it lost part of, in one line naming the file and the reason; the command
// still runs to its end and does all its work; and mmtrace's exit status is not a success:
// the command's own when it failed, else 1, saying why.
func TestOutputLost(t *testing.T) {
	prog := buildC(t, "stress/load.c")
	for _, tc := range []struct {
		name       string
		args       func(full string) []string
		files      func(full string) []string // the files that must be named, once each
		stderrFull bool                       // the trace goes to stderr, which is /dev/full
		status     string                     // the command's exit status
	}{
		{name: "o", args: func(full string) []string { return []string{"-o", full + "/trace"} },
			files: func(full string) []string { return []string{full + "/trace"} }},
		{name: "json", args: func(full string) []string { return []string{"--json", "-o", full + "/trace.jsonl"} },
			files: func(full string) []string { return []string{full + "/trace.jsonl"} }},
		{name: "ff", args: func(full string) []string { return []string{"-ff", "-o", full + "/task"} }},
		{name: "html", args: func(full string) []string { return []string{"-o", os.DevNull, "--html", full + "/page.html"} },
			files: func(full string) []string { return []string{full + "/page.html"} }},
		{name: "dev_full", args: func(string) []string { return []string{"-o", "/dev/full"} },
			files: func(string) []string { return []string{"/dev/full"} }},
		{name: "dev_full_status", args: func(string) []string { return []string{"-o", "/dev/full"} },
			files: func(string) []string { return []string{"/dev/full"} }, status: "7"},
		{name: "dev_full_no_seccomp", args: func(string) []string { return []string{"--seccomp=false", "-o", "/dev/full"} },
			files: func(string) []string { return []string{"/dev/full"} }},
		{name: "stderr", args: func(string) []string { return nil }, stderrFull: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			full := smallFS(t)
			report := filepath.Join(t.TempDir(), "report")
			args := append([]string{"trace"}, tc.args(full)...)
			status := tc.status
			if status == "" {
				status = "0"
			}
			// The command's own output goes to a file, so that stderr holds only mmtrace's.
			args = append(args, "--", "/bin/sh", "-c", `exec "$0" "$@" >"$REPORT" 2>&1`, prog, "2", "500", "2", "300", status)
			cmd := exec.Command(mmtraceBin, args...)
			cmd.Env = append(os.Environ(), "REPORT="+report)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if tc.stderrFull {
				devFull, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer devFull.Close()
				cmd.Stderr = devFull
			}
			end := endingOf(t, cmd.Run())
			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), "failures 0") || !strings.Contains(string(data), "mmap=1600 munmap=1600") {
				t.Errorf("the command did not do all its work: %s", tail(string(data), 500))
			}
			wantCode := 1
			if tc.status != "" {
				wantCode = 7
			}
			if end != (ending{code: wantCode}) {
				t.Errorf("mmtrace ended by %v, want exit %d; stderr:\n%s", end, wantCode, stderr.String())
			}
			if tc.stderrFull {
				return // nothing could be said
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			named := map[string]int{}
			for _, l := range lines {
				if m := lostLine.FindStringSubmatch(l); m != nil {
					named[m[1]]++
				}
			}
			var want []string
			if tc.files != nil {
				want = tc.files(full)
			} else {
				// -ff: every task's file that was cut, and at least one.
				for name := range named {
					if !strings.HasPrefix(name, full+"/task.") {
						t.Errorf("-ff names %s, not a task's file", name)
					}
				}
				if len(named) == 0 {
					t.Errorf("no -ff file said to be cut:\n%s", stderr.String())
				}
			}
			for _, f := range want {
				if named[f] != 1 {
					t.Errorf("%s is named %d times as cut, want once:\n%s", f, named[f], stderr.String())
				}
			}
			for f, n := range named {
				if n != 1 {
					t.Errorf("%s is named %d times as cut, want once", f, n)
				}
			}
			last := lines[len(lines)-1]
			if tc.status == "" && last != "mmtrace: exit status 1: the command exited with 0, but its trace could not be written whole (said above)" {
				t.Errorf("the last line does not say why mmtrace exits 1: %q", last)
			}
			if tc.status != "" && !lostLine.MatchString(last) {
				t.Errorf("with the command's own failure kept, the last line is %q", last)
			}
		})
	}
}

// TestTraceEndsOnSignals: SIGTERM or SIGHUP to mmtrace trace while it has lines buffered (the
// command maps and unmaps without pause) is passed on to the command, which takes it as it
// would untraced; every call it made is in the trace, then the signal and its end; and
// mmtrace dies of the same signal, as strace does.
func TestTraceEndsOnSignals(t *testing.T) {
	prog := buildC(t, "trace/busymap.c")
	for _, sig := range []unix.Signal{unix.SIGTERM, unix.SIGHUP} {
		for _, mode := range []string{"--seccomp=true", "--seccomp=false"} {
			for _, handle := range []bool{true, false} {
				name := unix.SignalName(sig) + "/" + mode
				if handle {
					name += "/handled"
				}
				t.Run(name, func(t *testing.T) {
					dir := t.TempDir()
					ready, count, out := filepath.Join(dir, "ready"), filepath.Join(dir, "count"), filepath.Join(dir, "trace")
					args := []string{"trace", mode, "-o", out, "--", prog, ready, count}
					if handle {
						args = append(args, "handle")
					}
					cmd := exec.Command(mmtraceBin, args...)
					var stderr bytes.Buffer
					cmd.Stderr = &stderr
					startKilledAtEnd(t, cmd)
					waitFor(t, "the command to make 1000 pairs", func() bool {
						_, err := os.Stat(ready)
						return err == nil
					})
					cmd.Process.Signal(sig)
					end := endingOf(t, cmd.Wait())
					if end != (ending{code: -1, signal: sig}) {
						t.Errorf("mmtrace ended by %v, want killed by %v; stderr: %s", end, sig, stderr.String())
					}
					data, err := os.ReadFile(out)
					if err != nil {
						t.Fatal(err)
					}
					trace := string(data)
					mmaps := strings.Count(trace, " mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x")
					if !strings.Contains(trace, "--- "+unix.SignalName(sig)+" {si_signo="+unix.SignalName(sig)+", si_code=SI_USER") {
						t.Errorf("no line of the signal's delivery; the trace ends:\n%s", tail(trace, 800))
					}
					if !handle {
						if !strings.HasSuffix(trace, "+++ killed by "+unix.SignalName(sig)+" +++\n") || mmaps < 1000 {
							t.Errorf("%d mmap lines; the trace ends:\n%s", mmaps, tail(trace, 800))
						}
						return
					}
					made, err := os.ReadFile(count)
					if err != nil {
						t.Fatalf("the command did not handle the signal: %v", err)
					}
					if want := strings.TrimSpace(string(made)); strconv.Itoa(mmaps) != want {
						t.Errorf("the trace has %d mmap lines, the command made %s", mmaps, want)
					}
					if !strings.HasSuffix(trace, "+++ exited with 3 +++\n") {
						t.Errorf("the trace does not end with the command's exit; it ends:\n%s", tail(trace, 800))
					}
				})
			}
		}
	}
}
