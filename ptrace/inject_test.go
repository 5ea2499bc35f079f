package ptrace

import "testing"

// TestInjectionChooses holds when= to strace 6.1's choices: each pattern is what a program
// making twelve madvise calls saw under strace -e inject=madvise:error=ENOMEM:when=EXPR
// (X: the call failed).
func TestInjectionChooses(t *testing.T) {
	for _, c := range []struct {
		expr              string
		first, last, step uint64
		want              string
	}{
		{"3", 3, 0, 0, "..X........."},
		{"2..4", 2, 4, 1, ".XXX........"},
		{"2..8+3", 2, 8, 3, ".X..X..X...."},
		{"3+", 3, 0, 1, "..XXXXXXXXXX"},
		{"3+4", 3, 0, 4, "..X...X...X."},
		{"1..1", 1, 1, 1, "X..........."},
		{"5..5+", 5, 5, 1, "....X......."},
	} {
		inj := Injection{First: c.first, Last: c.last, Step: c.step}
		got := make([]byte, len(c.want))
		for n := range got {
			got[n] = '.'
			if inj.chooses(uint64(n) + 1) {
				got[n] = 'X'
			}
		}
		if string(got) != c.want {
			t.Errorf("when=%s: %s, want %s", c.expr, got, c.want)
		}
	}
}
