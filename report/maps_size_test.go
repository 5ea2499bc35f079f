package report

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestMapsSize(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "0"}, {1, "1"}, {1023, "1023"}, {1024, "1.0K"}, {1025, "1.1K"}, {4096, "4.0K"},
		{10239, "10K"}, {10240, "10K"}, {10241, "11K"}, {135168, "132K"}, {1048575, "1.0M"},
		{1048576, "1.0M"}, {1258291, "1.2M"}, {1258292, "1.3M"}, {2 << 20, "2.0M"},
		{10 << 20, "10M"}, {1 << 30, "1.0G"}, {1<<40 + 1, "1.1T"}, {1<<64 - 1, "16E"},
	}
	for _, tt := range tests {
		if got := MapsSize(tt.n, false); got != tt.want {
			t.Errorf("MapsSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
		if got := MapsSize(tt.n, true); got != strconv.FormatUint(tt.n, 10) {
			t.Errorf("MapsSize(%d, exact) = %q", tt.n, got)
		}
	}
}

// numfmt --to=iec rounds and prints the way ls -h does: agree with it on many sizes.
func TestMapsSizeMatchesNumfmt(t *testing.T) {
	numfmt, err := exec.LookPath("numfmt")
	if err != nil {
		t.Fatalf("numfmt (coreutils) not found: it is the reference for ls -h sizes (%v)", err)
	}
	var ns []uint64
	for n := uint64(1000); n < 1<<42; n = n*7/5 + 3 {
		ns = append(ns, n, n<<10-1, n<<10)
	}
	var args []string
	for _, n := range ns {
		args = append(args, strconv.FormatUint(n, 10))
	}
	out, err := exec.Command(numfmt, append([]string{"--to=iec"}, args...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(string(out))
	for i, n := range ns {
		if got := MapsSize(n, false); got != want[i] {
			t.Errorf("MapsSize(%d) = %q, numfmt says %q", n, got, want[i])
		}
	}
}
