package procmaps

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// requireFull skips the test in the quick loop (go test -short), which runs only the tests
// that need no root, tracing, C compiler or browser; needs says what this one needs. Such a
// test runs in the full suite.
func requireFull(t *testing.T, needs string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: this test %s; it runs in the full suite (go test without -short)", needs)
	}
}

// buildC compiles testdata/maps/NAME.c into a temporary directory.
func buildC(t *testing.T, name string, static bool) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Fatalf("cc not found: these tests build and run the C programs in testdata/maps; install a C compiler (%v)", err)
	}
	bin := t.TempDir() + "/" + name
	args := []string{"-O2", "-Wall", "-o", bin, fixtures + name + ".c"}
	if static {
		args = append([]string{"-static"}, args...)
	}
	if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		t.Fatalf("cc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// kindsRegion is one line of the kinds program's output: where it put a region of a kind.
type kindsRegion struct {
	kind  Kind
	role  Role
	addr  uint64
	shmid int
}

// startKinds runs testdata/maps/kinds.c and returns its pid and what it made. The program
// lives until the test ends.
func startKinds(t *testing.T, static bool) (int, []kindsRegion) {
	t.Helper()
	bin := buildC(t, "kinds", static)
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
		stdin.Close() // the program cleans up and exits when its input ends
		if err := cmd.Wait(); err != nil {
			t.Errorf("kinds: %v", err)
		}
	})
	var made []kindsRegion
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 1 && f[0] == "ready" {
			return cmd.Process.Pid, made
		}
		if len(f) < 3 {
			t.Fatalf("kinds printed %q", sc.Text())
		}
		k, err1 := ParseKind(f[0])
		r, err2 := ParseRole(f[1])
		a, err3 := strconv.ParseUint(strings.TrimPrefix(f[2], "0x"), 16, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatalf("kinds printed %q: %v", sc.Text(), err)
		}
		kr := kindsRegion{kind: k, role: r, addr: a}
		if len(f) > 3 {
			kr.shmid, _ = strconv.Atoi(f[3])
		}
		made = append(made, kr)
	}
	t.Fatalf("kinds ended before printing ready")
	return 0, nil
}

// Every region the program made is found by its address and has the kind and role the
// program meant, read from maps and from smaps.
func TestLiveKinds(t *testing.T) {
	requireFull(t, "builds and runs a C program")
	pid, made := startKinds(t, false)
	p := NewProc(pid)
	for _, read := range []struct {
		name string
		f    func() (Regions, error)
	}{{"maps", p.Maps}, {"smaps", p.Smaps}} {
		rs, err := read.f()
		if err != nil {
			t.Fatal(err)
		}
		roles := map[Role]bool{}
		for _, m := range made {
			r, ok := rs.Find(m.addr)
			if !ok {
				t.Errorf("%s: no region holds %#x (%s %s)", read.name, m.addr, m.kind, m.role)
				continue
			}
			roles[m.role] = true
			if r.Kind != m.kind || r.Role != m.role {
				t.Errorf("%s: %#x %q %s %s: got %s/%s, want %s/%s", read.name, m.addr, r.DisplayName(), r.Perms, r.Dev, r.Kind, r.Role, m.kind, m.role)
			}
			if id, ok := r.ShmID(); m.role == RoleSysVShm && (!ok || id != m.shmid) {
				t.Errorf("%s: SysV region has shmid %d, %v; shmget said %d", read.name, id, ok, m.shmid)
			}
		}
		// The names that are hard to parse come back whole.
		for _, want := range []string{"/shared  two spaces ", "/private\nnewline", "/gone (deleted)", "/memfd:mmtrace memfd"} {
			found := false
			for _, r := range rs {
				found = found || strings.HasSuffix(r.Name, want)
			}
			if !found {
				t.Errorf("%s: no region named ...%q", read.name, want)
			}
		}
		if read.name == "smaps" {
			// Touched pages are resident: the numbers are real, not zero.
			for _, m := range made {
				r, _ := rs.Find(m.addr)
				if r != nil && (m.role == RoleMemfd && m.kind == FileShared || m.role == RoleSysVShm || m.role == RolePOSIXShm) && r.Usage.Rss == 0 {
					t.Errorf("smaps: touched %s region has no Rss", m.role)
				}
			}
		}
	}
}

func TestShmemDeviceProbe(t *testing.T) {
	requireFull(t, "builds and runs a C program")
	pid, made := startKinds(t, false)
	dev, err := ShmemDevice()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := NewProc(pid).Maps()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range made {
		if m.kind == AnonShared && m.role == RoleAnon {
			r, _ := rs.Find(m.addr)
			if r.Dev != dev {
				t.Errorf("shared anonymous memory is on %s, the probe says %s", r.Dev, dev)
			}
		}
	}
	if inferred, ok := InferShmemDevice(rs); !ok || inferred != dev {
		t.Errorf("InferShmemDevice = %s, %v; probe %s", inferred, ok, dev)
	}
}

// PROCMAP_QUERY and the text agree on every region, at both ends, and on the gaps.
func TestQuerierMatchesText(t *testing.T) {
	requireFull(t, "builds and runs a C program")
	pid, _ := startKinds(t, false)
	rs, err := NewProc(pid).Maps()
	if err != nil {
		t.Fatal(err)
	}
	for _, ioctl := range []bool{true, false} {
		q, err := OpenQuerier(pid)
		if err != nil {
			t.Fatal(err)
		}
		q.noIoctl = !ioctl
		for i, want := range rs {
			for _, addr := range []uint64{want.Start, want.End - 1} {
				got, ok, err := q.RegionAt(addr)
				if err != nil || !ok {
					t.Fatalf("ioctl=%v RegionAt(%#x) = %v, %v", ioctl, addr, ok, err)
				}
				if got != want {
					t.Errorf("ioctl=%v RegionAt(%#x)\n got %+v\nwant %+v", ioctl, addr, got, want)
				}
			}
			if i > 0 && rs[i-1].End < want.Start {
				if _, ok, err := q.RegionAt(want.Start - 1); ok || err != nil {
					t.Errorf("ioctl=%v RegionAt(gap %#x) = %v, %v", ioctl, want.Start-1, ok, err)
				}
			}
		}
		if ioctl && kernelAtLeast(t, 6, 11) && !q.UsesIoctl() {
			t.Errorf("kernel has PROCMAP_QUERY but the querier fell back to the text")
		}
		q.Close()
	}
}

func kernelAtLeast(t *testing.T, major, minor int) bool {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var ma, mi int
	fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &ma, &mi)
	return ma > major || ma == major && mi >= minor
}

// The totals equal pmap -X's and smaps_rollup's for the same process. The program is
// static so that no page it maps is shared with pmap (which maps libc while it reads and
// so would change the process's Pss under our feet).
func TestTotalsMatchPmapAndRollup(t *testing.T) {
	requireFull(t, "builds and runs a C program and compares with pmap")
	pmap, err := exec.LookPath("pmap")
	if err != nil {
		t.Fatalf("pmap (procps) not found: it is the oracle for these totals (%v)", err)
	}
	pid, _ := startKinds(t, true)
	p := NewProc(pid)
	rs, err := p.Smaps()
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(rs)
	var sum Usage
	for _, r := range rs {
		sum.Add(r.Usage)
	}
	x, err := exec.Command(pmap, "-X", strconv.Itoa(pid)).Output()
	if err != nil {
		t.Fatal(err)
	}
	xx, err := exec.Command(pmap, "-XX", strconv.Itoa(pid)).Output()
	if err != nil {
		t.Fatal(err)
	}
	px, pxx := pmapTotals(t, string(x)), pmapTotals(t, string(xx))
	for _, c := range []struct {
		name string
		ours uint64
		pmap uint64
	}{
		{"Size", s.Total.Size, px["Size"]},
		{"Rss", s.Total.Rss, px["Rss"]},
		{"Pss", s.Total.Pss, px["Pss"]},
		{"Swap", s.Total.Swap, px["Swap"]},
		{"Pss_Dirty", sum.PssDirty, px["Pss_Dirty"]},
		{"Anonymous", sum.Anonymous, px["Anonymous"]},
		{"Dirty", s.Total.Dirty, pxx["Shared_Dirty"] + pxx["Private_Dirty"]},
		{"Shared_Clean", sum.SharedClean, pxx["Shared_Clean"]},
		{"Private_Clean", sum.PrivateClean, pxx["Private_Clean"]},
	} {
		if c.ours != c.pmap<<10 {
			t.Errorf("%s: ours %d bytes, pmap %d kB", c.name, c.ours, c.pmap)
		}
	}
	if s.Total.Regions != strings.Count(string(x), "\n")-4 {
		t.Errorf("%d regions, pmap -X shows %d lines of regions", s.Total.Regions, strings.Count(string(x), "\n")-4)
	}
	roll, err := p.Rollup()
	if err != nil {
		t.Fatal(err)
	}
	if s.Total.Rss != roll.Rss || s.Total.Dirty != roll.Dirty() || s.Total.Swap != roll.Swap {
		t.Errorf("totals %+v, smaps_rollup %+v", s.Total, roll)
	}
	// smaps_rollup rounds Pss once, smaps once a region: the sum can fall short by less
	// than 1 kB a region.
	if s.Total.Pss > roll.Pss || roll.Pss-s.Total.Pss >= uint64(len(rs))<<10 {
		t.Errorf("Pss %d, smaps_rollup %d", s.Total.Pss, roll.Pss)
	}
	if s.Total.Rss == 0 || s.Total.Dirty == 0 {
		t.Errorf("totals %+v: a running program has resident, dirty memory", s.Total)
	}
}

func TestProcErrors(t *testing.T) {
	// Above pid_max: no such process can exist.
	_, err := NewProc(1 << 30).Maps()
	if !errors.Is(err, ErrNoProcess) || err.Error() != "read maps of 1073741824: no such process" {
		t.Errorf("missing pid: %v", err)
	}
	kthread := findKernelThread(t)
	_, err = NewProc(kthread).Smaps()
	var nr *NoRegionsError
	if !errors.As(err, &nr) || !errors.Is(err, ErrNoAddressSpace) || nr.Reason != "is a kernel thread" {
		t.Errorf("kernel thread %d: %v", kthread, err)
	}
	// A child that has exited and is not yet waited for is a zombie.
	cmd := exec.Command("/bin/true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	for deadline := time.Now().Add(10 * time.Second); ; {
		stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i:]), ") Z") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("child did not become a zombie")
		}
		time.Sleep(5 * time.Millisecond)
	}
	_, err = NewProc(cmd.Process.Pid).Maps()
	if !errors.As(err, &nr) || nr.Reason != "is a zombie" {
		t.Errorf("zombie: %v", err)
	}
	if _, err := NewProc(1 << 30).Rollup(); !errors.Is(err, ErrNoProcess) {
		t.Errorf("rollup of a missing pid: %v", err)
	}
}

// findKernelThread returns the pid of a kernel thread (kthreadd is 2, but do not assume).
func findKernelThread(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(stat), ')')
		f := strings.Fields(string(stat[i+1:]))
		if flags, _ := strconv.ParseUint(f[6], 10, 64); flags&pfKthread != 0 {
			return pid
		}
	}
	t.Fatal("no kernel thread in /proc")
	return 0
}

var _ = io.EOF
