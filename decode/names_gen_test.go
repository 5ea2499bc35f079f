package decode

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNamesGenCurrent runs the generator of names_gen.go and requires the
// committed file to be its output, byte for byte: a change to the generator or
// to x/sys's version in go.mod must come with the regenerated file.
func TestNamesGenCurrent(t *testing.T) {
	generated := filepath.Join(t.TempDir(), "names_gen.go")
	gen := exec.Command("go", "run", "./internal/gennames", "-o", generated)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("go run ./internal/gennames: %v\n%s", err, out)
	}
	want, err := os.ReadFile(generated)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("names_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, want) {
		t.Fatalf("decode/names_gen.go is not current: run go generate ./decode\n%s", firstLineDiff(committed, want))
	}
}

// firstLineDiff shows the first line where the committed and generated files
// differ ("" past the end of the shorter one).
func firstLineDiff(committed, generated []byte) string {
	committedLines := strings.Split(string(committed), "\n")
	generatedLines := strings.Split(string(generated), "\n")
	lineAt := func(lines []string, i int) string {
		if i < len(lines) {
			return lines[i]
		}
		return ""
	}
	for i := range max(len(committedLines), len(generatedLines)) {
		c, g := lineAt(committedLines, i), lineAt(generatedLines, i)
		if c != g {
			return fmt.Sprintf("line %d:\n  committed: %q\n  generated: %q", i+1, c, g)
		}
	}
	return "the files differ in their line count only"
}
