package decode

import "testing"

// BenchmarkMmapLine decodes and formats one mmap call, entry, exit and
// return, into a reused buffer, as the tracer's hot path does.
func BenchmarkMmapLine(b *testing.B) {
	sc := Lookup(ArchX86_64, 9)
	args := [6]uint64{0, 2097152, 3, 0x54040022, ^uint64(0), 0}
	o := &Options{StringLimit: DefaultStringLimit}
	tr := &fakeTracee{}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		buf = append(buf, sc.Name...)
		buf = append(buf, '(')
		buf = sc.AppendEntry(buf, &args, tr, o)
		buf = sc.AppendExit(buf, &args, 0x7f445e70a000, false, tr, o)
		buf = append(buf, ") = "...)
		buf = sc.AppendReturn(buf, 0x7f445e70a000, false)
	}
}

func TestMmapLineAllocs(t *testing.T) {
	sc := Lookup(ArchX86_64, 9)
	args := [6]uint64{0, 2097152, 3, 0x54040022, ^uint64(0), 0}
	buf := make([]byte, 0, 256)
	n := testing.AllocsPerRun(100, func() {
		buf = sc.AppendCall(buf[:0], &args, 0x7f445e70a000, false, nil, nil)
	})
	if n > 2 {
		t.Errorf("%v allocations per mmap line, want <= 2", n)
	}
}
