package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The page itself is tested in a browser in package report; this checks the flag's wiring.
func TestMapsHTMLFlag(t *testing.T) {
	page := filepath.Join(t.TempDir(), "map.html")
	r := runCmd(t, "", mmtraceBin, "maps", "--html", page, "--file", mapsTestdata+"kinds.smaps")
	if r.code != 0 {
		t.Fatalf("maps --html: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "file-shared") {
		t.Errorf("maps --html no longer prints the table:\n%s", r.stdout)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !strings.HasPrefix(text, "<!DOCTYPE html>") || !strings.Contains(text, `"mode":"maps"`) {
		t.Errorf("maps --html wrote no page:\n%.300s", text)
	}
	// kinds.smaps has 40 regions, each with its start in the page's data.
	if n := strings.Count(text, `"start":"0x`); n != 40 {
		t.Errorf("the page holds %d regions, want 40", n)
	}

	r = runCmd(t, "", mmtraceBin, "maps", "--html", "/no/dir/map.html", "--file", mapsTestdata+"kinds.smaps")
	if r.code != 1 || !strings.Contains(r.stderr, "mmtrace: maps: --html: open /no/dir/map.html: no such file or directory") {
		t.Errorf("maps --html /no/dir/map.html: exit %d, %q", r.code, r.stderr)
	}
}
