package main

import (
	"encoding/json"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

var (
	pageData   = regexp.MustCompile(`(?s)<script type="application/json" id="mmtrace-data">(.*?)</script>`)
	pageStatus = regexp.MustCompile(`<div id="status"[^>]*data-state="([a-z]+)"`)
	pageError  = regexp.MustCompile(`<li class="error">([^<]*)</li>`)
	pageRegion = regexp.MustCompile(`<div class="region[^"]*" data-region="\d+" data-start="([0-9a-f]+)"`)
)

// TestTraceHTML runs mmtrace trace --html as a user does on kinds.c: the page holds the
// command's snapshot at its execve and every call with the regions it made, and it loads in
// headless Chromium without an error, drawing the address space after the chosen call.
func TestTraceHTML(t *testing.T) {
	chromium := needTool(t, "chromium")
	prog := buildC(t, "trace/kinds.c")
	dir := t.TempDir()
	page := filepath.Join(dir, "trace.html")
	r := runCmd(t, dir, mmtraceBin, "trace", "--html", page, "-o", os.DevNull, "--", prog, filepath.Join(dir, "kinds.dat"))
	if r.code != 0 {
		t.Fatalf("mmtrace exited %d: %s", r.code, r.stderr)
	}
	text, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	m := pageData.FindSubmatch(text)
	if m == nil {
		t.Fatalf("the page has no embedded data")
	}
	var data struct {
		Snapshots []struct {
			Pid     int
			Why     string
			Regions []struct{ Kind string }
		}
		Calls []struct {
			Seq     int
			Syscall string
			After   []struct{ Kind string }
		}
	}
	// The page escapes "</" inside the script element; JSON reads "<\/" as "</".
	if err := json.Unmarshal(m[1], &data); err != nil {
		t.Fatalf("the page's data is not JSON: %v", err)
	}
	if len(data.Snapshots) == 0 || data.Snapshots[0].Why != "exec" || len(data.Snapshots[0].Regions) < 10 {
		t.Errorf("no execve snapshot of the command: %+v", data.Snapshots)
	}
	made := map[string]bool{}
	var lastMmap int
	for _, c := range data.Calls {
		if c.Syscall == "mmap" {
			lastMmap = c.Seq
			for _, a := range c.After {
				made[a.Kind] = true
			}
		}
	}
	for _, k := range []string{"file-shared", "file-private", "anon-shared", "anon-private"} {
		if !made[k] {
			t.Errorf("no call in the page made a %s region: %v", k, made)
		}
	}

	// Open it at the last mmap, as a user clicking that call would.
	u := url.URL{Scheme: "file", Path: page, Fragment: "seq=" + strconv.Itoa(lastMmap)}
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+t.TempDir(),
		"--dump-dom", u.String())
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if s := pageStatus.FindSubmatch(dom); s == nil || string(s[1]) != "ready" {
		t.Errorf("the page is not ready: %s", firstN(string(dom), 2000))
	}
	for _, e := range pageError.FindAllSubmatch(dom, -1) {
		t.Errorf("the page recorded an error: %s", html.UnescapeString(string(e[1])))
	}
	if n := len(pageRegion.FindAll(dom, -1)); n < 15 {
		t.Errorf("the page drew %d regions after the last mmap, want the whole address space", n)
	}
}

func firstN(s string, n int) string { return s[:min(len(s), n)] }
