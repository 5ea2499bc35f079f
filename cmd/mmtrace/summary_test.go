package main

import (
	"bufio"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSummary checks mmtrace trace -c on kinds.c: its calls counted per process, and the
// memory it maps and unmaps counted under the right kind, with --bytes for exact numbers.
func TestSummary(t *testing.T) {
	prog := buildC(t, "trace/kinds.c")
	dir := t.TempDir()
	out := filepath.Join(dir, "summary.out")
	r := runCmd(t, dir, mmtraceBin, "trace", "-c", "--bytes", "-o", out, "--", prog, filepath.Join(dir, "kinds.dat"))
	if r.code != 0 {
		t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if strings.Contains(text, "mmap(") {
		t.Errorf("-c printed the trace too:\n%s", text)
	}
	for _, want := range []string{
		// The command's own four mappings, each unmapped again, by kind: MAPPED UNMAPPED.
		`(?m)^file-shared +8192 +8192 `,
		`(?m)^anon-shared +4096 +4096 `,
		// The child unmaps its copy of the 16 KiB private anonymous mapping.
		`(?m)^anon-private +0 +16384 `,
		`(?m)^msync +2 +0$`,
		`(?m)^clone +1 +0$`,
		`(?m)^total: memory by kind$`,
	} {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("summary lacks %s:\n%s", want, text)
		}
	}
}

// TestJSON checks --json: one object per line, every call with its decoded arguments, and
// the regions each mapping call made or removed, of the right kind.
func TestJSON(t *testing.T) {
	prog := buildC(t, "trace/kinds.c")
	dir := t.TempDir()
	out := filepath.Join(dir, "trace.json")
	r := runCmd(t, dir, mmtraceBin, "trace", "--json", "-o", out, "--", prog, filepath.Join(dir, "kinds.dat"))
	if r.code != 0 {
		t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type region struct {
		Start, Kind, Name string
	}
	type event struct {
		Type, Syscall, Decoded, Return string
		Pid, Tid                       int
		Args                           []string
		Before, After, Removed         []region
		Status                         *int
	}
	kindsMade := map[string]bool{}
	var calls, exits int
	scanner := bufio.NewScanner(f)
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		var e event
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			t.Fatalf("not a JSON line: %q: %v", scanner.Text(), err)
		}
		switch e.Type {
		case "call":
			calls++
			if e.Syscall == "" || len(e.Args) != 6 || e.Pid == 0 || e.Tid == 0 {
				t.Errorf("call event without its fields: %s", scanner.Text())
			}
			if e.Syscall == "mmap" && strings.HasPrefix(e.Return, "0x") {
				if len(e.After) == 0 {
					t.Errorf("mmap without the region it made: %s", scanner.Text())
				}
				for _, a := range e.After {
					kindsMade[a.Kind] = true
				}
			}
			if e.Syscall == "munmap" && len(e.Removed) == 0 {
				t.Errorf("munmap without the region it removed: %s", scanner.Text())
			}
			if e.Syscall == "execve" && !strings.Contains(e.Decoded, prog) {
				t.Errorf("execve's decoded arguments lack the path: %s", scanner.Text())
			}
		case "exited":
			exits++
			if e.Status == nil || *e.Status != 0 {
				t.Errorf("exit event without status 0: %s", scanner.Text())
			}
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"file-shared", "file-private", "anon-shared", "anon-private"} {
		if !kindsMade[k] {
			t.Errorf("no mmap made a %s region: %v", k, kindsMade)
		}
	}
	if calls < 20 || exits != 2 {
		t.Errorf("%d calls and %d exits, want at least 20 and 2", calls, exits)
	}
}

// TestJSONSignalSet: -e signal= chooses the signal and stopped events of --json as it chooses
// strace's lines; a task killed by a signal left out still has its killed event, as a task's
// exited event stays with -qq; -Y names the pids of the JSON's calls as strace's lines do.
func TestJSONSignalSet(t *testing.T) {
	prog := buildC(t, "trace/signals.c") // SIGUSR1 to itself, a child killed by SIGSEGV, SIGCHLD
	for _, tc := range []struct {
		set  string
		want map[string]int // events by type and signal
	}{
		{"all", map[string]int{"signal SIGUSR1": 1, "signal SIGSEGV": 1, "signal SIGCHLD": 1, "killed SIGSEGV": 1}},
		{"none", map[string]int{"killed SIGSEGV": 1}},
		{"!SIGCHLD", map[string]int{"signal SIGUSR1": 1, "signal SIGSEGV": 1, "killed SIGSEGV": 1}},
	} {
		out := filepath.Join(t.TempDir(), "trace.json")
		r := runCmd(t, "", mmtraceBin, "trace", "--json", "-Y", "-e", "signal="+tc.set, "-o", out, "--", prog)
		if r.code != 0 {
			t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
		}
		text, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		forks := 0
		for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
			var e struct{ Type, Signal, Syscall, Return string }
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("not a JSON line: %q: %v", line, err)
			}
			if e.Signal != "" {
				got[e.Type+" "+e.Signal]++
			}
			if e.Syscall == "clone" && strings.HasSuffix(e.Return, "<signals>") {
				forks++
			}
		}
		if !maps.Equal(got, tc.want) || forks != 1 {
			t.Errorf("-e signal=%s: events %v, want %v; %d clone returns named <signals>, want 1", tc.set, got, tc.want, forks)
		}
	}
}
