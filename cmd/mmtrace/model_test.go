package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// snapshotLine is the head of a --regions table: how the model agreed with the kernel.
var snapshotLine = regexp.MustCompile(`^mmtrace: regions of process (\d+) at (exit|execve): (\d+), the model had (\d+) as traced(?:, (\d+) stacks grown by the kernel)?(?:, (\d+) made without a traced call)?(?:, (\d+) gone without a traced call)?$`)

type snapshotResult struct {
	pid, when                            string
	regions, agreed, grown, unseen, gone int
}

func parseSnapshots(t *testing.T, text string) []snapshotResult {
	t.Helper()
	var out []snapshotResult
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "mmtrace: regions of process") {
			continue
		}
		m := snapshotLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("unexpected snapshot line %q", line)
		}
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		out = append(out, snapshotResult{m[1], m[2], n(3), n(4), n(5), n(6), n(7)})
	}
	return out
}

// TestModelMatchesKernel traces each program of testdata with --regions: at every exit and
// execve of every process, the model built from the traced calls must be the kernel's maps,
// region by region, but for stacks the kernel grew on page faults.
func TestModelMatchesKernel(t *testing.T) {
	cases := []struct {
		prog      string
		cflags    []string
		args      []string
		snapshots int // exits and execs expected at least
	}{
		{prog: "trace/kinds.c", snapshots: 2},      // the command and its forked child: fork copies
		{prog: "trace/remap.c", snapshots: 1},      // mremap, mprotect splits, madvise
		{prog: "trace/fail.c", snapshots: 1},       // failed calls change nothing
		{prog: "trace/misc.c", snapshots: 1},       // brk, mlock splits, remap_file_pages
		{prog: "trace/thread.c", snapshots: 1},     // threads share one model
		{prog: "trace/vfork_exec.c", snapshots: 4}, // exec resets, vfork shares
		{prog: "trace/exec_thread.c", snapshots: 2},
		{prog: "trace/signals.c", snapshots: 2},
		{prog: "trace/kinds.c", cflags: []string{"-m32"}, snapshots: 2},
		{prog: "trace/remap.c", cflags: []string{"-m32"}, snapshots: 1},
	}
	for _, tc := range cases {
		if !kernelRuns(t, tc.cflags) {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(tc.prog), ".c") + strings.Join(tc.cflags, "")
		t.Run(name, func(t *testing.T) {
			prog := buildC(t, tc.prog, tc.cflags...)
			dir := t.TempDir()
			out := filepath.Join(dir, "trace.out")
			r := runCmd(t, dir, mmtraceBin, append([]string{"trace", "--regions", "-o", out, "--", prog}, tc.args...)...)
			if r.code != 0 {
				t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
			}
			text, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			snaps := parseSnapshots(t, string(text))
			if len(snaps) < tc.snapshots {
				t.Fatalf("%d snapshots, want at least %d:\n%s", len(snaps), tc.snapshots, text)
			}
			if !strings.Contains(string(text), "regions (100.00%)") {
				t.Errorf("no closing line of full agreement:\n%s", text)
			}
			for _, s := range snaps {
				if s.agreed+s.grown != s.regions || s.unseen != 0 || s.gone != 0 {
					t.Errorf("process %s at %s: the model had %d of %d regions (%d grown stacks, %d unseen, %d gone)\n%s",
						s.pid, s.when, s.agreed, s.regions, s.grown, s.unseen, s.gone, text)
				}
			}
		})
	}
}

// TestAnnotationsNameKinds checks that each of the four kinds of mapping that kinds.c makes
// is annotated with its kind, and that munmap and msync name what they touched.
func TestAnnotationsNameKinds(t *testing.T) {
	prog := buildC(t, "trace/kinds.c")
	dir := t.TempDir()
	out := filepath.Join(dir, "trace.out")
	r := runCmd(t, dir, mmtraceBin, "trace", "-o", out, "--", prog, filepath.Join(dir, "kinds.dat"))
	if r.code != 0 {
		t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(text), "\n")
	// The annotation that follows the first line containing call.
	annotationOf := func(call string) string {
		for i, l := range lines {
			if strings.Contains(l, call) && i+1 < len(lines) {
				return lines[i+1]
			}
		}
		t.Fatalf("no line with %q in:\n%s", call, text)
		return ""
	}
	datPath := filepath.Join(dir, "kinds.dat")
	for _, tc := range []struct{ call, want string }{
		{"MAP_SHARED, 3, 0)", "~ made    "},
		{"MAP_SHARED, 3, 0)", " rw-s 8.0K file-shared " + datPath},
		{"MAP_PRIVATE, 3, 0x1000)", " rw-p 4.0K file-private " + datPath},
		{"MAP_SHARED|MAP_ANONYMOUS, -1, 0)", " rw-s 4.0K anon-shared /dev/zero (deleted)"},
		{"mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)", " rw-p 16K anon-private"},
		{"msync(", "~ covers  "},
		{"msync(", " file-shared " + datPath},
		{"munmap(", "~ removed "},
	} {
		if got := annotationOf(tc.call); !strings.Contains(got, tc.want) {
			t.Errorf("annotation of %q is %q, want it to contain %q", tc.call, got, tc.want)
		}
	}
}

// TestModelFollowsRenamedFiles traces rename.c, whose mapped files change their names with
// no mapping call (sem_open's temporary file linked to the semaphore's name and unlinked, a
// file renamed, one unlinked): the model still agrees with the kernel on every region, with
// --regions and -c, under the seccomp filter and without.
func TestModelFollowsRenamedFiles(t *testing.T) {
	prog := buildC(t, "trace/rename.c")
	for _, seccomp := range []string{"--seccomp=true", "--seccomp=false"} {
		for _, mode := range []string{"--regions", "-c"} {
			t.Run(strings.TrimPrefix(seccomp, "--")+mode, func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "trace.out")
				r := runCmd(t, dir, mmtraceBin, "trace", seccomp, mode, "-o", out, "--", prog, dir)
				if r.code != 0 {
					t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
				}
				data, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				text := string(data)
				if !strings.Contains(text, "regions (100.00%)") {
					t.Errorf("no closing line of full agreement:\n%s", text)
				}
				if mode != "--regions" {
					return
				}
				snaps := parseSnapshots(t, text)
				if len(snaps) != 1 {
					t.Fatalf("%d snapshots, want the exit's:\n%s", len(snaps), text)
				}
				if s := snaps[0]; s.agreed != s.regions || s.unseen != 0 || s.gone != 0 {
					t.Errorf("the model had %d of %d regions (%d unseen, %d gone):\n%s", s.agreed, s.regions, s.unseen, s.gone, text)
				}
				// The names did change: the table is the kernel's, with the new ones.
				for _, name := range []string{
					filepath.Join(dir, "rename-to.dat") + "\n",
					filepath.Join(dir, "unlinked.dat") + " (deleted)\n",
					"/dev/shm/sem.",
				} {
					if !strings.Contains(text, "mmap #") || !strings.Contains(text, name) {
						t.Errorf("no region of %q in the table:\n%s", name, text)
					}
				}
				if strings.Contains(text, "[not in model]") || strings.Contains(text, "[model differs]") {
					t.Errorf("a row is marked as disagreeing:\n%s", text)
				}
			})
		}
	}
}

// addrPattern is an address in a trace line, which changes from run to run.
var addrPattern = regexp.MustCompile(`0x[0-9a-f]+`)

// TestAnnotationVerbs traces advice.c, whose calls over one region each change it (a split,
// a merge, new permissions, a flag of madvise) or only cover it (hints, msync, mincore, an
// mlock that splits nothing): the annotation under each says "now" for the first and
// "covers" for the second.
func TestAnnotationVerbs(t *testing.T) {
	prog := buildC(t, "trace/advice.c")
	want := []string{
		"mmap(NULL, 24576, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = ADDR: made",
		"mprotect(ADDR, 16384, PROT_READ|PROT_WRITE) = 0: now",
		"mprotect(ADDR, 16384, PROT_READ|PROT_WRITE) = 0: covers",
		"madvise(ADDR, 16384, MADV_WILLNEED) = 0: covers",
		"madvise(ADDR, 16384, MADV_DONTNEED) = 0: covers",
		"madvise(ADDR, 16384, MADV_COLD) = 0: covers",
		"madvise(ADDR, 16384, MADV_DONTDUMP) = 0: now",
		"madvise(ADDR, 16384, MADV_DODUMP) = 0: now",
		"madvise(ADDR, 4096, MADV_DONTFORK) = 0: now",
		"madvise(ADDR, 4096, MADV_DOFORK) = 0: now",
		"madvise(ADDR, 16384, MADV_RANDOM) = 0: now",
		"madvise(ADDR, 16384, MADV_NORMAL) = 0: now",
		"msync(ADDR, 16384, MS_ASYNC) = 0: covers",
		"mincore(ADDR, 16384, [0, 0, 0, 0]) = 0: covers",
		"mlock(ADDR, 16384) = 0: covers",
		"munlock(ADDR, 16384) = 0: covers",
		"mlock(ADDR, 4096) = 0: now",
		"munlock(ADDR, 4096) = 0: now",
		"mprotect(ADDR, 4096, PROT_READ) = 0: now",
		"munmap(ADDR, 24576) = 0: removed",
	}
	for _, seccomp := range []string{"--seccomp=true", "--seccomp=false"} {
		t.Run(strings.TrimPrefix(seccomp, "--"), func(t *testing.T) {
			r := runCmd(t, t.TempDir(), mmtraceBin, "trace", seccomp, "--", prog)
			if r.code != 0 {
				t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
			}
			// Each call from the fence's mmap on, with the verbs of the lines under it.
			var got []string
			for _, line := range strings.Split(r.stderr, "\n") {
				if verb, ok := strings.CutPrefix(line, "  ~ "); ok && len(got) > 0 {
					verb, _, _ = strings.Cut(verb, " ")
					if last := &got[len(got)-1]; !strings.HasSuffix(*last, ": "+verb) {
						*last += ": " + verb
					}
					continue
				}
				call := strings.Join(strings.Fields(addrPattern.ReplaceAllString(line, "ADDR")), " ")
				if len(got) > 0 || strings.HasPrefix(call, "mmap(NULL, 24576, PROT_NONE") {
					if strings.HasPrefix(call, "exit_group(") {
						break
					}
					got = append(got, call)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("calls and their annotations:\n%s\nwant:\n%s\ntrace:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), r.stderr)
			}
		})
	}
}
