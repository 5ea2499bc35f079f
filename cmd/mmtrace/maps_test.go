package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

const mapsTestdata = testdataDir + "/maps/"

// kindsMade is one line of testdata/maps/kinds.c's output: a region it made on purpose.
type kindsMade struct {
	kind, role string
	addr       uint64
	shmid      int
}

// startKindsProgram runs testdata/maps/kinds.c (cflags such as -static) until the test ends
// and returns its pid and what it made.
func startKindsProgram(t *testing.T, cflags ...string) (int, []kindsMade) {
	t.Helper()
	bin := buildC(t, "maps/kinds.c", cflags...)
	cmd := exec.Command(bin, t.TempDir())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close() // kinds cleans up and exits at the end of its input
		cmd.Wait()
	})
	var made []kindsMade
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 1 && f[0] == "ready" {
			return cmd.Process.Pid, made
		}
		if len(f) < 3 {
			t.Fatalf("kinds printed %q", sc.Text())
		}
		a, err := strconv.ParseUint(strings.TrimPrefix(f[2], "0x"), 16, 64)
		if err != nil {
			t.Fatalf("kinds printed %q: %v", sc.Text(), err)
		}
		m := kindsMade{kind: f[0], role: f[1], addr: a}
		if len(f) > 3 {
			m.shmid, _ = strconv.Atoi(f[3])
		}
		made = append(made, m)
	}
	t.Fatal("kinds ended before it was ready")
	return 0, nil
}

// tableRow is a row of the region table, by column name.
type tableRow map[string]string

// parseRegionTable reads the region table of mmtrace maps output: the lines after the
// "PID: command" line up to the first blank line. Every column but the last (PATH) is one
// word.
func parseRegionTable(t *testing.T, out string) []tableRow {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) < 2 {
		t.Fatalf("no table in:\n%s", out)
	}
	header := strings.Fields(lines[1])
	var rows []tableRow
	for _, line := range lines[2:] {
		if line == "" {
			break
		}
		f := strings.Fields(line)
		if len(f) < len(header)-1 {
			t.Fatalf("row %q has %d columns, header %d", line, len(f), len(header))
		}
		row := tableRow{}
		for i, h := range header[:len(header)-1] {
			row[h] = f[i]
		}
		// The path is the rest of the line after the DEV:INODE column.
		if len(f) >= len(header) {
			devIno := f[len(header)-2]
			row["PATH"] = strings.TrimLeft(line[strings.Index(line, " "+devIno+" ")+len(devIno)+1:], " ")
		}
		rows = append(rows, row)
	}
	return rows
}

func rowAt(t *testing.T, rows []tableRow, addr uint64) tableRow {
	t.Helper()
	for _, r := range rows {
		start, err1 := strconv.ParseUint(r["START"], 16, 64)
		end, err2 := strconv.ParseUint(r["END"], 16, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad row %v", r)
		}
		if start <= addr && addr < end {
			return r
		}
	}
	return nil
}

// The table has a row for every region the program made, of the kind and role it made.
func TestMapsTableKinds(t *testing.T) {
	pid, made := startKindsProgram(t)
	for _, args := range [][]string{{"maps"}, {"maps", "--no-smaps"}, {"maps", "--bytes"}} {
		res := runCmd(t, "", mmtraceBin, append(args, strconv.Itoa(pid))...)
		if res.code != 0 || res.stderr != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, res.code, res.stderr)
		}
		if !strings.HasPrefix(res.stdout, fmt.Sprintf("%d: ", pid)) {
			t.Errorf("%v: output does not start with the pid: %q", args, res.stdout[:40])
		}
		rows := parseRegionTable(t, res.stdout)
		for _, m := range made {
			r := rowAt(t, rows, m.addr)
			if r == nil {
				t.Errorf("%v: no row holds %#x (%s %s)", args, m.addr, m.kind, m.role)
				continue
			}
			if r["KIND"] != m.kind || r["WHAT"] != m.role {
				t.Errorf("%v: %#x: row says %s/%s, the program made %s/%s: %v", args, m.addr, r["KIND"], r["WHAT"], m.kind, m.role, r)
			}
			if m.role == "sysv-shm" && !strings.HasSuffix(r["DEV:INODE"], ":"+strconv.Itoa(m.shmid)) {
				t.Errorf("%v: SysV row %v does not show shmid %d", args, r, m.shmid)
			}
		}
		_, smaps := rows[0]["RSS"]
		if smaps == (args[len(args)-1] == "--no-smaps") {
			t.Errorf("%v: RSS column present = %v", args, smaps)
		}
		for _, want := range []string{`/shared  two spaces\040`, `/private\012newline`, "/gone (deleted) (deleted)", "/memfd:mmtrace memfd (deleted)"} {
			if !strings.Contains(res.stdout, want+"\n") {
				t.Errorf("%v: no path %q in the table", args, want)
			}
		}
		for _, want := range []string{"| SHARED  | regions |", "| PRIVATE | regions |", "| TOTAL   | regions |", "FILE", "ANONYMOUS"} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("%v: the summary has no %q", args, want)
			}
		}
	}
}

// mapsJSON is the part of --json output these tests read.
type mapsJSON []struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	Smaps   bool   `json:"smaps"`
	Regions []struct {
		Start, End string
		Size       uint64
		Kind, Role string
		Name       string
		ShmID      *int `json:"shmid"`
		Usage      *struct {
			Rss uint64 `json:"rss"`
		}
	}
	Summary map[string]struct {
		Regions               int
		Size                  uint64
		Rss, Pss, Dirty, Swap *uint64
	}
	TopFiles []struct {
		Name string
		Rss  *uint64
	} `json:"top_files"`
	Unmapped []string
}

func runMapsJSON(t *testing.T, args ...string) mapsJSON {
	t.Helper()
	res := runCmd(t, "", mmtraceBin, append([]string{"maps", "--json"}, args...)...)
	if res.code != 0 {
		t.Fatalf("maps --json %v: exit %d: %s", args, res.code, res.stderr)
	}
	var out mapsJSON
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("maps --json %v: %v\n%s", args, err, res.stdout)
	}
	return out
}

func TestMapsJSONKinds(t *testing.T) {
	pid, made := startKindsProgram(t)
	out := runMapsJSON(t, strconv.Itoa(pid))
	if len(out) != 1 || out[0].PID != pid || !out[0].Smaps || !strings.Contains(out[0].Command, "kinds") {
		t.Fatalf("got %d processes: %+v", len(out), out)
	}
	for _, m := range made {
		found := false
		for _, r := range out[0].Regions {
			start, _ := strconv.ParseUint(strings.TrimPrefix(r.Start, "0x"), 16, 64)
			end, _ := strconv.ParseUint(strings.TrimPrefix(r.End, "0x"), 16, 64)
			if start <= m.addr && m.addr < end {
				found = true
				if r.Kind != m.kind || r.Role != m.role || r.Usage == nil || end-start != r.Size {
					t.Errorf("%#x: %+v, want %s/%s", m.addr, r, m.kind, m.role)
				}
				if m.role == "sysv-shm" && (r.ShmID == nil || *r.ShmID != m.shmid) {
					t.Errorf("SysV region: shmid %v, want %d", r.ShmID, m.shmid)
				}
			}
		}
		if !found {
			t.Errorf("no region holds %#x", m.addr)
		}
	}
	var regions int
	for _, k := range []string{"file-shared", "file-private", "anon-shared", "anon-private"} {
		c := out[0].Summary[k]
		if c.Regions == 0 || c.Rss == nil {
			t.Errorf("summary[%s] = %+v: the program made regions of every kind", k, c)
		}
		regions += c.Regions
	}
	if regions != len(out[0].Regions) || out[0].Summary["total"].Regions != regions {
		t.Errorf("summary counts %d regions of %d", regions, len(out[0].Regions))
	}
}

// pmapTotalsKB reads the totals line of pmap -X: column name to kB.
func pmapTotalsKB(t *testing.T, out string) map[string]uint64 {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	header := strings.Fields(lines[1])
	totals := strings.Fields(lines[len(lines)-1])
	for len(header) > 0 && header[0] != "Size" {
		header = header[1:]
	}
	m := map[string]uint64{}
	for i, v := range totals {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil && i < len(header) {
			m[header[i]] = n
		}
	}
	return m
}

// The totals of mmtrace maps are pmap -X's and smaps_rollup's. The program is static so
// that pmap, which maps libc while it reads, shares no page with it and so cannot change
// its Pss between the two reads.
func TestMapsTotalsMatchPmap(t *testing.T) {
	pmap := needTool(t, "pmap")
	pid, _ := startKindsProgram(t, "-static")
	out := runMapsJSON(t, strconv.Itoa(pid))
	total := out[0].Summary["total"]
	res := runCmd(t, "", pmap, "-X", strconv.Itoa(pid))
	if res.code != 0 {
		t.Fatalf("pmap: %s", res.stderr)
	}
	p := pmapTotalsKB(t, res.stdout)
	if total.Size != p["Size"]<<10 || *total.Rss != p["Rss"]<<10 || *total.Pss != p["Pss"]<<10 || *total.Swap != p["Swap"]<<10 {
		t.Errorf("mmtrace total size %d rss %d pss %d swap %d; pmap -X %v kB", total.Size, *total.Rss, *total.Pss, *total.Swap, p)
	}
	rollup, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		t.Fatal(err)
	}
	r := map[string]uint64{}
	for _, line := range strings.Split(string(rollup), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) == 3 {
			n, _ := strconv.ParseUint(f[1], 10, 64)
			r[strings.TrimSuffix(f[0], ":")] = n << 10
		}
	}
	if *total.Rss != r["Rss"] || *total.Dirty != r["Shared_Dirty"]+r["Private_Dirty"] || *total.Swap != r["Swap"] {
		t.Errorf("mmtrace total rss %d dirty %d swap %d; smaps_rollup %v", *total.Rss, *total.Dirty, *total.Swap, r)
	}
	// The text summary, in bytes, says the same in its TOTAL/TOTAL cell.
	text := runCmd(t, "", mmtraceBin, "maps", "--bytes", strconv.Itoa(pid)).stdout
	cells := summaryTotals(t, text)
	if cells["size"] != strconv.FormatUint(total.Size, 10) || cells["rss"] != strconv.FormatUint(*total.Rss, 10) || cells["pss"] != strconv.FormatUint(*total.Pss, 10) {
		t.Errorf("text summary totals %v; JSON %+v", cells, total)
	}
}

// summaryTotals reads the last column of the TOTAL rows of the two-by-two table.
func summaryTotals(t *testing.T, text string) map[string]string {
	t.Helper()
	m := map[string]string{}
	in := false
	for _, line := range strings.Split(text, "\n") {
		f := strings.FieldsFunc(line, func(r rune) bool { return r == '|' || r == ' ' })
		switch {
		case strings.HasPrefix(line, "| TOTAL"):
			in = true
			f = f[1:]
		case in && strings.HasPrefix(line, "+"):
			return m
		}
		if in && len(f) == 4 {
			m[f[0]] = f[3]
		}
	}
	t.Fatalf("no TOTAL row in:\n%s", text)
	return nil
}

func TestMapsAddressLookup(t *testing.T) {
	pid, made := startKindsProgram(t)
	var addrs []string
	for _, m := range made {
		addrs = append(addrs, strconv.FormatUint(m.addr, 16))
	}
	for _, extra := range [][]string{nil, {"--no-smaps"}} { // smaps, and PROCMAP_QUERY
		args := append(append([]string{"maps", "-A", strings.Join(addrs, ",")}, extra...), strconv.Itoa(pid))
		res := runCmd(t, "", mmtraceBin, args...)
		if res.code != 0 {
			t.Fatalf("%v: exit %d: %s", extra, res.code, res.stderr)
		}
		rows := parseRegionTable(t, res.stdout)
		if len(rows) != len(made) {
			t.Errorf("%v: %d rows for %d addresses in distinct regions", extra, len(rows), len(made))
		}
		for _, m := range made {
			if r := rowAt(t, rows, m.addr); r == nil || r["KIND"] != m.kind || r["WHAT"] != m.role {
				t.Errorf("%v: %#x: row %v, want %s/%s", extra, m.addr, r, m.kind, m.role)
			}
		}
		// An address no region holds: the rest is shown, the miss is one line, exit 1.
		res = runCmd(t, "", mmtraceBin, append([]string{"maps", "-A", "0x10," + addrs[0]}, append(extra, strconv.Itoa(pid))...)...)
		if res.code != 1 || res.stderr != fmt.Sprintf("mmtrace: pid %d: no region holds 0x10\n", pid) || len(parseRegionTable(t, res.stdout)) != 1 {
			t.Errorf("%v: unmapped address: exit %d, stderr %q, stdout:\n%s", extra, res.code, res.stderr, res.stdout)
		}
	}
}

func TestMapsKindFilterAndSort(t *testing.T) {
	pid, _ := startKindsProgram(t)
	res := runCmd(t, "", mmtraceBin, "maps", "--kind", "anon-shared,memfd", "--sort", "rss", "--bytes", strconv.Itoa(pid))
	if res.code != 0 {
		t.Fatal(res.stderr)
	}
	rows := parseRegionTable(t, res.stdout)
	if len(rows) < 5 {
		t.Fatalf("%d rows: the program made 4 anon-shared regions and 2 memfd ones", len(rows))
	}
	last := uint64(1 << 63)
	for _, r := range rows {
		if r["KIND"] != "anon-shared" && r["WHAT"] != "memfd" {
			t.Errorf("--kind let through %v", r)
		}
		rss, err := strconv.ParseUint(r["RSS"], 10, 64)
		if err != nil || rss > last {
			t.Errorf("--sort rss: %v after %d", r["RSS"], last)
		}
		last = rss
	}
}

// Saved files: the tricky fixtures print exactly as the golden files say.
func TestMapsFileGolden(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		golden string
	}{
		{[]string{"--file", mapsTestdata + "tricky.smaps"}, "cli-tricky.smaps.txt"},
		{[]string{"--file", mapsTestdata + "tricky.maps", "--top", "3"}, "cli-tricky.maps.txt"},
		{[]string{"--file", mapsTestdata + "tricky.smaps", "--no-smaps", "--kind", "file-shared", "--sort", "size"}, "cli-tricky.file-shared.txt"},
		{[]string{"--file", mapsTestdata + "tricky.smaps", "--json", "--top", "2"}, "cli-tricky.smaps.json"},
	} {
		res := runCmd(t, "", mmtraceBin, append([]string{"maps"}, tt.args...)...)
		if res.code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, res.code, res.stderr)
		}
		path := mapsTestdata + "golden/" + tt.golden
		if *update {
			if err := os.WriteFile(path, []byte(res.stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test -update writes it)", err)
		}
		if res.stdout != string(want) {
			t.Errorf("mmtrace maps %v differs from %s (go test -update rewrites it):\n%s", tt.args, path, res.stdout)
		}
	}
}

// Each bad input gives one clear line on stderr, a non-zero exit, and no panic.
func TestMapsErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.smaps")
	if err := os.WriteFile(bad, []byte("00400000-00401000 r-xp 00000000 fe:00 1 /bin/x\nSize: 4 kB\nRss: four kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	kthread := findKthread(t)
	tests := []struct {
		args []string
		code int
		want string // the whole stderr
	}{
		{[]string{"maps", "1073741824"}, 1, "mmtrace: read smaps of 1073741824: no such process\n"},
		{[]string{"maps", "--no-smaps", "1073741824"}, 1, "mmtrace: read maps of 1073741824: no such process\n"},
		{[]string{"maps", strconv.Itoa(kthread.pid)}, 1, fmt.Sprintf("mmtrace: pid %d (%s) is a kernel thread: it has no address space\n", kthread.pid, kthread.comm)},
		{[]string{"maps", "--no-smaps", "-A", "0x1000", strconv.Itoa(kthread.pid)}, 1, fmt.Sprintf("mmtrace: pid %d (%s) is a kernel thread: it has no address space\n", kthread.pid, kthread.comm)},
		{[]string{"maps", "--file", bad}, 1, "mmtrace: " + bad + `: line 3: bad number: "Rss: four kB"` + "\n"},
		{[]string{"maps", "--file", filepath.Join(dir, "none")}, 1, "mmtrace: open " + filepath.Join(dir, "none") + ": no such file or directory\n"},
		{[]string{"maps"}, 2, "mmtrace: maps: give a PID or --file FILE\n"},
		{[]string{"maps", "12x"}, 2, "mmtrace: maps: \"12x\" is not a process id\n"},
		{[]string{"maps", "-A", "0xzz", "1"}, 2, "mmtrace: maps: -A: \"0xzz\" is not a hex address\n"},
		{[]string{"maps", "--no-smaps", "--sort", "rss", "1"}, 2, "mmtrace: maps: --sort rss needs smaps: drop --no-smaps\n"},
		{[]string{"maps", "--nope", "1"}, 2, "mmtrace: unknown flag: --nope\n"},
		{[]string{"maps", "1073741824", "1073741825"}, 1, "mmtrace: read smaps of 1073741824: no such process\nmmtrace: read smaps of 1073741825: no such process\n"},
	}
	for _, tt := range tests {
		res := runCmd(t, "", mmtraceBin, tt.args...)
		if res.code != tt.code || res.stderr != tt.want {
			t.Errorf("mmtrace %v: exit %d, stderr %q; want exit %d, %q", tt.args, res.code, res.stderr, tt.code, tt.want)
		}
	}
}

type kthreadInfo struct {
	pid  int
	comm string
}

func findKthread(t *testing.T) kthreadInfo {
	t.Helper()
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, f, err := procStat(pid)
		if err != nil || len(f) < 7 {
			continue
		}
		if flags, _ := strconv.ParseUint(f[6], 10, 64); flags&0x00200000 != 0 {
			return kthreadInfo{pid, comm}
		}
	}
	t.Fatal("no kernel thread found in /proc")
	return kthreadInfo{}
}

// A user who may not read a process's memory map gets one line saying so. Run as nobody
// against this test's own process.
func TestMapsPermissionDenied(t *testing.T) {
	if os.Geteuid() != 0 {
		// Then the test runner itself is the unprivileged user; pid 1 belongs to root.
		res := runCmd(t, "", mmtraceBin, "maps", "1")
		if res.code != 1 || res.stderr != "mmtrace: read smaps of 1: open /proc/1/smaps: permission denied\n" {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
		return
	}
	// nobody must be able to run the binary: copy it where anyone can.
	dir, err := os.MkdirTemp("", "mmtrace-perm-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "mmtrace")
	src, err := os.Open(mmtraceBin)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err == nil {
		_, err = io.Copy(dst, src)
		dst.Close()
	}
	src.Close()
	if err != nil || os.Chmod(dir, 0o755) != nil {
		t.Fatal(err)
	}
	for _, noSmaps := range []bool{false, true} {
		args := []string{"maps", strconv.Itoa(os.Getpid())}
		file := "smaps"
		if noSmaps {
			args = append(args, "--no-smaps")
			file = "maps"
		}
		cmd := exec.Command(bin, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		want := fmt.Sprintf("mmtrace: read %s of %d: open /proc/%d/%s: permission denied\n", file, os.Getpid(), os.Getpid(), file)
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || stderr.String() != want || stdout.Len() != 0 {
			t.Errorf("as nobody: %v, stderr %q, stdout %q; want exit 1, %q", err, stderr.String(), stdout.String(), want)
		}
	}
}

// TestWithoutGC checks that the collector is off while one source is shown and back on
// afterwards, with the setting the user chose (GOGC), even when showing it fails.
func TestWithoutGC(t *testing.T) {
	old := debug.SetGCPercent(77)
	defer debug.SetGCPercent(old)
	err := withoutGC(func() error {
		if p := debug.SetGCPercent(-1); p != -1 {
			t.Errorf("inside withoutGC the collector's percent is %d, want -1 (off)", p)
		}
		return io.ErrShortWrite
	})
	if err != io.ErrShortWrite {
		t.Errorf("withoutGC returned %v, want fn's error", err)
	}
	if p := debug.SetGCPercent(77); p != 77 {
		t.Errorf("after withoutGC the collector's percent is %d, want 77 back", p)
	}
}
