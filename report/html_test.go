package report

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/mmtrace/mmtrace/procmaps"
)

// The HTML views are tested in a real browser: headless Chromium loads each page from a file,
// the test reads the DOM the page's script built (--dump-dom) and takes a screenshot.
// go test ./report -screenshots DIR keeps the screenshots to look at.
var screenshotDir = flag.String("screenshots", "", "keep the HTML views' screenshots in this directory")

// requireFull skips the test in the quick loop (go test -short), which runs only the tests
// that need no root, tracing, C compiler or browser; needs says what this one needs. Such a
// test runs in the full suite.
func requireFull(t *testing.T, needs string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: this test %s; it runs in the full suite (go test without -short)", needs)
	}
}

// chromium returns the browser's path; without it these tests fail, they are not optional.
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("the HTML view tests run the page in headless Chromium, which is not installed "+
			"(Debian: apt-get install -y chromium): %v", err)
	}
	return path
}

// runChromium runs headless Chromium on a file with a fresh profile and returns its stdout.
func runChromium(t *testing.T, file, fragment string, args ...string) string {
	t.Helper()
	bin := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The path is escaped: a '#' or '?' in a temporary directory's name must stay in the path.
	u := url.URL{Scheme: "file", Path: file, Fragment: fragment}
	url := u.String()
	all := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	all = append(append(all, args...), url)
	cmd := exec.CommandContext(ctx, bin, all...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	// Chromium logs what the page writes to the console; an uncaught error shows there too
	// when it happens before the page's own catcher runs.
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") && (strings.Contains(line, "Uncaught") || strings.Contains(line, "Error")) {
			t.Errorf("console error in %s: %s", url, line)
		}
	}
	return stdout.String()
}

// pageState is what a loaded page says about itself in its DOM.
type pageState struct {
	status  map[string]string // the attributes of #status
	text    string            // the text of #status
	errors  []string          // the errors the page recorded
	regions []drawnRegion     // the region boxes, in order
	ghosts  []string          // the starts of the removed ranges drawn dashed
	dom     string
}

type drawnRegion struct {
	start, end string
	class      string
}

var (
	statusRE = regexp.MustCompile(`<div id="status"([^>]*)>([^<]*)<`)
	attrRE   = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)
	errorRE  = regexp.MustCompile(`<li class="error">([^<]*)</li>`)
	regionRE = regexp.MustCompile(`<div class="(region[^"]*)" data-region="\d+" data-start="([0-9a-f]+)" data-end="([0-9a-f]+)"`)
	ghostRE  = regexp.MustCompile(`<div class="ghost" data-ghost="([0-9a-f]+)"`)
)

// loadPage writes page to a file, loads it in Chromium and reads back what its script drew.
func loadPage(t *testing.T, page []byte, fragment string) pageState {
	t.Helper()
	file := filepath.Join(t.TempDir(), "view.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	dom := runChromium(t, file, fragment, "--dump-dom")
	st := pageState{status: map[string]string{}, dom: dom}
	m := statusRE.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the dumped DOM has no #status:\n%.2000s", dom)
	}
	for _, a := range attrRE.FindAllStringSubmatch(m[1], -1) {
		st.status[a[1]] = a[2]
	}
	st.text = m[2]
	for _, e := range errorRE.FindAllStringSubmatch(dom, -1) {
		st.errors = append(st.errors, e[1])
	}
	for _, r := range regionRE.FindAllStringSubmatch(dom, -1) {
		st.regions = append(st.regions, drawnRegion{class: r[1], start: r[2], end: r[3]})
	}
	for _, g := range ghostRE.FindAllStringSubmatch(dom, -1) {
		st.ghosts = append(st.ghosts, g[1])
	}
	if len(st.errors) > 0 || st.status["data-state"] != "ready" {
		t.Fatalf("the page did not draw cleanly: state %q, errors %q", st.status["data-state"], st.errors)
	}
	return st
}

// screenshot takes a 1400x1000 screenshot of the page and checks it is a PNG of that size
// with something drawn on it.
func screenshot(t *testing.T, page []byte, fragment, name string) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "view.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, name)
	runChromium(t, file, fragment, "--window-size=1400,1000", "--screenshot="+shot)
	b, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot %s is not a PNG: %v", shot, err)
	}
	if bd := img.Bounds(); bd.Dx() != 1400 || bd.Dy() != 1000 {
		t.Errorf("screenshot is %dx%d, want 1400x1000", bd.Dx(), bd.Dy())
	}
	// A page that failed to draw is one colour; a map has many.
	colours := map[uint32]bool{}
	for y := 0; y < img.Bounds().Dy(); y += 7 {
		for x := 0; x < img.Bounds().Dx(); x += 7 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|b>>8] = true
		}
	}
	if len(colours) < 8 {
		t.Errorf("screenshot %s has %d colours: nothing was drawn", shot, len(colours))
	}
	if *screenshotDir != "" {
		if err := os.MkdirAll(*screenshotDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*screenshotDir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(b))
	return shot
}

func hexs(a uint64) string { return strconv.FormatUint(a, 16) }

// region makes a classified region for synthetic tests.
func region(start, end uint64, perms, name string) procmaps.Region {
	r := procmaps.Region{Start: start, End: end, Name: name}
	for i, c := range perms {
		if c != '-' && c != 'p' {
			r.Perms |= [...]procmaps.Perms{procmaps.PermRead, procmaps.PermWrite, procmaps.PermExec, procmaps.PermShared}[i]
		}
	}
	if strings.HasPrefix(name, "/") {
		r.Dev, r.Inode = procmaps.Dev{Major: 0xfe, Minor: 1}, 1234
	}
	r.Classify(procmaps.Dev{Major: 0, Minor: 1})
	return r
}

func TestHTMLPageEscapesData(t *testing.T) {
	// A path may hold anything but a NUL: it must not end the data's <script> element.
	rs := procmaps.Regions{region(0x1000, 0x2000, "r--p", "/tmp/</script><b>x</b>&")}
	var b bytes.Buffer
	if err := WriteMapsHTML(&b, []MapsProcess{{PID: 1, Command: "<cmd>", Source: "test", Regions: rs}}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := strings.Count(page, "</script>"); n != 3 {
		t.Errorf("the page has %d </script>, want 3 (catcher, data, view)", n)
	}
	if strings.Contains(page, "<b>x") {
		t.Error("the path's markup is in the page as markup")
	}
	for _, net := range []string{"http://", "https://", "//cdn", "<link", "src="} {
		if strings.Contains(page, net) {
			t.Errorf("the page refers to %q: it must load nothing", net)
		}
	}
}

func TestMapsHTMLRendersEveryRegion(t *testing.T) {
	requireFull(t, "loads pages in Chromium")
	self, err := procmaps.NewProc(os.Getpid()).Smaps()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../testdata/maps/kinds.smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved, err := procmaps.ParseSmaps(f)
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := procmaps.InferShmemDevice(saved)
	saved.Classify(dev)
	odd := procmaps.Regions{region(0x10000, 0x11000, "r--p", "/tmp/</script><b>x</b>")}
	procs := []MapsProcess{
		{PID: os.Getpid(), Command: "report.test", Source: "/proc/self/smaps", Regions: self},
		{Source: "kinds.smaps", Regions: saved},
		{PID: 7, Source: "odd", Regions: odd},
	}
	var b bytes.Buffer
	if err := WriteMapsHTML(&b, procs); err != nil {
		t.Fatal(err)
	}
	st := loadPage(t, b.Bytes(), "region=0")
	want := len(self) + len(saved) + len(odd)
	if len(st.regions) != want {
		t.Errorf("the page drew %d regions, want %d", len(st.regions), want)
	}
	// Every region of the live process is drawn with its own range, kind and colour class.
	drawn := map[string]string{}
	for _, d := range st.regions {
		drawn[d.start+"-"+d.end] = d.class
	}
	for _, r := range append(slices.Clone(self), saved...) {
		class, ok := drawn[hexs(r.Start)+"-"+hexs(r.End)]
		if !ok {
			t.Errorf("region %x-%x is not drawn", r.Start, r.End)
			continue
		}
		if !strings.Contains(class, "k-"+r.Kind.String()) {
			t.Errorf("region %x-%x (%s) drawn as %q", r.Start, r.End, r.Kind, class)
		}
		if (r.Role == procmaps.RoleHeap || r.Role == procmaps.RoleStack) && !strings.Contains(class, "r-"+r.Role.String()) {
			t.Errorf("region %x-%x (%s) drawn as %q, without its role's colour", r.Start, r.End, r.Role, class)
		}
	}
	// The odd path is shown as text, and #region=0 pinned the first region's details.
	if !strings.Contains(st.dom, "/tmp/&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;") {
		t.Error("the path with markup in it is not shown as text")
	}
	first := hexs(self[0].Start) + "-" + hexs(self[0].End)
	if !strings.Contains(st.dom, `<div class="pinned-region"><h3>Region `+first+`</h3>`) {
		t.Errorf("the details of the first region (%s) are not shown", first)
	}
	if self[0].Name != "" && !strings.Contains(st.dom, "<td>path</td><td>"+self[0].Name+"</td>") {
		t.Errorf("the details do not show the path %s", self[0].Name)
	}
	if !strings.Contains(st.dom, "<td>RSS</td>") {
		t.Error("the details of a region read from smaps do not show its RSS")
	}
	screenshot(t, b.Bytes(), "region=3", "maps.png")
}

// The synthetic trace: a program whose exec snapshot has three regions, then calls that make,
// split and cut a mapping, a fork, the child's own mapping, and the exit.
const (
	anonBase  = 0x7f0000000000
	childBase = 0x7f1000000000
)

func syntheticTrace() (*TraceHTML, map[uint64][]string, map[uint64][]string) {
	h := NewTraceHTML()
	exe := region(0x400000, 0x401000, "r-xp", "/bin/prog")
	heap := region(0x600000, 0x621000, "rw-p", "[heap]")
	stack := region(0x7ffffffde000, 0x7ffffffff000, "rw-p", "[stack]")
	h.Snapshot(100, 0.001, "exec", procmaps.Regions{exe, heap, stack})
	rs := func(r ...procmaps.Region) []RegionJSON { return Regions(r) }
	call := func(seq uint64, pid int, name, decoded, ret string, retval int64, before, after, removed []RegionJSON) {
		h.Call(&CallEvent{Type: "call", Seq: seq, Time: float64(seq) / 1000, Pid: pid, Tid: pid, Syscall: name,
			Decoded: decoded, Return: ret, Retval: retval, Before: before, After: after, Removed: removed})
	}
	whole := region(anonBase, anonBase+0x4000, "rw-p", "")
	call(1, 100, "mmap", "NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0", "0x7f0000000000", anonBase,
		nil, rs(whole), nil)
	guard := region(anonBase+0x1000, anonBase+0x2000, "---p", "")
	call(2, 100, "mprotect", "0x7f0000001000, 4096, PROT_NONE", "0", 0,
		rs(region(anonBase+0x1000, anonBase+0x2000, "rw-p", "")), rs(guard), nil)
	call(3, 100, "munmap", "0x7f0000003000, 4096", "0", 0,
		rs(region(anonBase+0x3000, anonBase+0x4000, "rw-p", "")), nil, rs(region(anonBase+0x3000, anonBase+0x4000, "rw-p", "")))
	call(4, 100, "clone", "child_stack=NULL, flags=SIGCHLD", "101", 101, nil, nil, nil)
	call(5, 101, "mmap", "NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0", "0x7f1000000000", childBase,
		nil, rs(region(childBase, childBase+0x2000, "rw-s", "/dev/zero")), nil)
	call(6, 100, "munmap", "0x7f0000009000, 4096", "-1 EINVAL (Invalid argument)", -22, nil, nil, nil)
	h.Snapshot(101, 0.007, "exit", nil)
	call(7, 100, "exit_group", "0", "?", 0, nil, nil, nil)

	base := []string{"400000-401000", "600000-621000", "7ffffffde000-7ffffffff000"}
	with := func(extra ...string) []string {
		out := append(slices.Clone(base[:2]), extra...)
		return append(out, base[2])
	}
	want := map[uint64][]string{
		1: with("7f0000000000-7f0000004000"),
		2: with("7f0000000000-7f0000001000", "7f0000001000-7f0000002000", "7f0000002000-7f0000004000"),
		3: with("7f0000000000-7f0000001000", "7f0000001000-7f0000002000", "7f0000002000-7f0000003000"),
		4: with("7f0000000000-7f0000001000", "7f0000001000-7f0000002000", "7f0000002000-7f0000003000"),
		5: {"400000-401000", "600000-621000", "7f0000000000-7f0000001000", "7f0000001000-7f0000002000",
			"7f0000002000-7f0000003000", "7f1000000000-7f1000002000", "7ffffffde000-7ffffffff000"},
		7: with("7f0000000000-7f0000001000", "7f0000001000-7f0000002000", "7f0000002000-7f0000003000"),
	}
	highlighted := map[uint64][]string{
		1: {"7f0000000000-7f0000004000"},
		2: {"7f0000001000-7f0000002000"},
		5: {"7f1000000000-7f1000002000"},
		7: {},
	}
	return h, want, highlighted
}

func ranges(ds []drawnRegion, onlyHighlighted bool) []string {
	var out []string
	for _, d := range ds {
		if !onlyHighlighted || strings.Contains(" "+d.class+" ", " hl ") {
			out = append(out, d.start+"-"+d.end)
		}
	}
	return out
}

func TestTraceHTMLReplaysCalls(t *testing.T) {
	requireFull(t, "loads pages in Chromium")
	h, want, highlighted := syntheticTrace()
	var b bytes.Buffer
	if err := h.Write(&b, "mmtrace trace -- prog"); err != nil {
		t.Fatal(err)
	}
	for _, seq := range []uint64{1, 2, 3, 5, 7} {
		t.Run(fmt.Sprintf("after-call-%d", seq), func(t *testing.T) {
			st := loadPage(t, b.Bytes(), fmt.Sprintf("seq=%d", seq))
			if got := ranges(st.regions, false); !slices.Equal(got, want[seq]) {
				t.Errorf("regions drawn:\n got %q\nwant %q", got, want[seq])
			}
			if st.status["data-regions"] != strconv.Itoa(len(want[seq])) {
				t.Errorf("the page says %s regions, want %d", st.status["data-regions"], len(want[seq]))
			}
			if hl, ok := highlighted[seq]; ok {
				if got := ranges(st.regions, true); !slices.Equal(got, hl) && len(got)+len(hl) > 0 {
					t.Errorf("highlighted:\n got %q\nwant %q", got, hl)
				}
			}
			wantGhosts := []string(nil)
			if seq == 3 {
				wantGhosts = []string{"7f0000003000"}
			}
			if !slices.Equal(st.ghosts, wantGhosts) {
				t.Errorf("removed ranges drawn: %q, want %q", st.ghosts, wantGhosts)
			}
		})
	}
	// A snapshot chosen on the timeline shows the snapshot itself.
	st := loadPage(t, b.Bytes(), "item=0")
	if got := ranges(st.regions, false); len(got) != 3 {
		t.Errorf("the exec snapshot drew %q, want its 3 regions", got)
	}
	screenshot(t, b.Bytes(), "seq=2", "trace-synthetic.png")
}

// TestTraceHTMLRealProcess records this test process's real maps as a snapshot, then a real
// mmap and munmap of its own, each with the regions as the kernel shows them.
func TestTraceHTMLRealProcess(t *testing.T) {
	requireFull(t, "loads pages in Chromium")
	pid := os.Getpid()
	before, err := procmaps.NewProc(pid).Maps()
	if err != nil {
		t.Fatal(err)
	}
	mem, err := unix.Mmap(-1, 0, 5*4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	start := uint64(uintptr(unsafe.Pointer(&mem[0])))
	// Make it one region of its own, whatever it lands next to.
	if err := unix.Mprotect(mem, unix.PROT_READ); err != nil {
		t.Fatal(err)
	}
	after, err := procmaps.NewProc(pid).Maps()
	if err != nil {
		t.Fatal(err)
	}
	made, ok := after.Find(start)
	if !ok {
		t.Fatalf("the mapping at %x is not in maps", start)
	}
	if err := unix.Munmap(mem); err != nil {
		t.Fatal(err)
	}

	// The munmap removed the five pages, which may be only part of the region maps showed.
	gone := *made
	gone.Start, gone.End = start, start+5*4096

	h := NewTraceHTML()
	h.Snapshot(pid, 0, "attach", before)
	h.Call(&CallEvent{Type: "call", Seq: 1, Time: 0.01, Pid: pid, Tid: pid, Syscall: "mmap",
		Decoded: "NULL, 20480, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0", Return: "0x" + hexs(start),
		Retval: int64(start), After: Regions(procmaps.Regions{*made})})
	h.Call(&CallEvent{Type: "call", Seq: 2, Time: 0.02, Pid: pid, Tid: pid, Syscall: "munmap",
		Decoded: "0x" + hexs(start) + ", 20480", Return: "0", Before: Regions(procmaps.Regions{gone}),
		Removed: Regions(procmaps.Regions{gone})})
	var b bytes.Buffer
	if err := h.Write(&b, "mmtrace attach "+strconv.Itoa(pid)); err != nil {
		t.Fatal(err)
	}

	// The reference replay, done here on plain ranges.
	var space []string
	for _, r := range before {
		space = append(space, hexs(r.Start)+"-"+hexs(r.End))
	}
	space = cutRange(space, made.Start, made.End)
	space = append(space, hexs(made.Start)+"-"+hexs(made.End))
	afterMmap := sortRanges(space)
	afterMunmap := sortRanges(cutRange(space, gone.Start, gone.End))

	st := loadPage(t, b.Bytes(), "item=0")
	if len(st.regions) != len(before) {
		t.Errorf("the attach snapshot drew %d regions, want %d", len(st.regions), len(before))
	}
	st = loadPage(t, b.Bytes(), "seq=1")
	if got := ranges(st.regions, false); !slices.Equal(got, afterMmap) {
		t.Errorf("after the mmap the page drew\n%q\nwant\n%q", got, afterMmap)
	}
	if got := ranges(st.regions, true); !slices.Equal(got, []string{hexs(made.Start) + "-" + hexs(made.End)}) {
		t.Errorf("after the mmap, highlighted %q, want the new region %x-%x", got, made.Start, made.End)
	}
	st = loadPage(t, b.Bytes(), "seq=2")
	if got := ranges(st.regions, false); !slices.Equal(got, afterMunmap) {
		t.Errorf("after the munmap the page drew\n%q\nwant\n%q", got, afterMunmap)
	}
	if !slices.Equal(st.ghosts, []string{hexs(start)}) {
		t.Errorf("after the munmap, removed ranges drawn: %q, want [%x]", st.ghosts, start)
	}
	screenshot(t, b.Bytes(), "seq=1", "trace-real.png")
}

// cutRange removes [s, e) from "start-end" ranges, keeping the parts outside it.
func cutRange(space []string, s, e uint64) []string {
	var out []string
	for _, r := range space {
		a, b, _ := strings.Cut(r, "-")
		rs, _ := strconv.ParseUint(a, 16, 64)
		re, _ := strconv.ParseUint(b, 16, 64)
		if re <= s || rs >= e {
			out = append(out, r)
			continue
		}
		if rs < s {
			out = append(out, hexs(rs)+"-"+hexs(s))
		}
		if re > e {
			out = append(out, hexs(e)+"-"+hexs(re))
		}
	}
	return out
}

func sortRanges(space []string) []string {
	out := slices.Clone(space)
	slices.SortFunc(out, func(x, y string) int {
		a, _, _ := strings.Cut(x, "-")
		b, _, _ := strings.Cut(y, "-")
		av, _ := strconv.ParseUint(a, 16, 64)
		bv, _ := strconv.ParseUint(b, 16, 64)
		return cmpUint(av, bv)
	})
	return out
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestTraceHTMLThousandsOfCalls checks that a page with thousands of calls opens and replays
// the last one quickly.
func TestTraceHTMLThousandsOfCalls(t *testing.T) {
	requireFull(t, "loads pages in Chromium")
	h := NewTraceHTML()
	const pids, perPid = 3, 1500
	for p := 0; p < pids; p++ {
		h.Snapshot(200+p, 0, "exec", procmaps.Regions{region(0x400000, 0x401000, "r-xp", "/bin/prog")})
	}
	seq := uint64(0)
	for i := 0; i < perPid; i++ {
		for p := 0; p < pids; p++ {
			seq++
			a := uint64(0x7f0000000000 + (i%200)*0x10000)
			r := Regions(procmaps.Regions{region(a, a+0x2000, "rw-p", "")})
			e := &CallEvent{Seq: seq, Time: float64(seq) * 1e-5, Pid: 200 + p, Tid: 200 + p, Decoded: "...", Return: "0"}
			if i < 200 {
				e.Syscall, e.After = "mmap", r
			} else if i%2 == 0 {
				e.Syscall, e.Removed = "munmap", r
			} else {
				e.Syscall, e.After = "mmap", r
			}
			h.Call(e)
		}
	}
	var b bytes.Buffer
	if err := h.Write(&b, "many calls"); err != nil {
		t.Fatal(err)
	}
	// At the end: 200 slots, of which the last 1300 calls per process unmapped the even ones
	// last and mapped the odd ones last: the program's region and 100 mappings.
	start := time.Now()
	st := loadPage(t, b.Bytes(), "")
	if len(st.regions) != 101 {
		t.Errorf("the last call's process has %d regions drawn, want 101", len(st.regions))
	}
	t.Logf("%d calls, %d KiB page, loaded in %v: %s", seq, b.Len()>>10, time.Since(start), st.text)
	// Moving along the timeline replays from checkpoints: they must give what a replay
	// from the snapshot gives (a mismatch is an error in the page).
	st = loadPage(t, b.Bytes(), "check=37")
	if n, _ := strconv.Atoi(st.status["data-checked"]); n < int(seq)/37 {
		t.Errorf("the page checked %d states, want %d", n, int(seq)/37+1)
	}
}
