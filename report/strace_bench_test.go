package report

import (
	"io"
	"testing"

	"github.com/mmtrace/mmtrace/decode"
)

// mmapLine writes one mmap call the way the tracer's hot path does: decode's entry text,
// Entry, decode's exit and return texts, Exit.
func mmapLine(s *Strace, sc *decode.Syscall, args *[6]uint64, o *decode.Options, buf, ret *[]byte) {
	*buf = sc.AppendEntry((*buf)[:0], args, nil, o)
	s.Entry(1234, sc.Name, *buf)
	*buf = sc.AppendExit((*buf)[:0], args, 0x7f445e70a000, false, nil, o)
	*ret = sc.AppendReturn((*ret)[:0], 0x7f445e70a000, false)
	s.Exit(1234, sc.Name, *buf, *ret)
}

// BenchmarkMmapStraceLine decodes and formats one mmap line into buffered output, from the
// raw registers to the bytes written (issue 3's budget: 1 us and 2 allocations).
func BenchmarkMmapStraceLine(b *testing.B) {
	s := NewStrace(io.Discard, StraceOptions{Prefix: PrefixPid})
	sc := decode.Lookup(decode.ArchX86_64, 9)
	args := [6]uint64{0, 8192, 3, 0x22, ^uint64(0), 0}
	buf, ret, o := make([]byte, 0, 256), make([]byte, 0, 64), &decode.Options{StringLimit: decode.DefaultStringLimit}
	b.ReportAllocs()
	for b.Loop() {
		mmapLine(s, sc, &args, o, &buf, &ret)
	}
}

// TestMmapStraceLineAllocs holds the whole line to at most two allocations.
func TestMmapStraceLineAllocs(t *testing.T) {
	s := NewStrace(io.Discard, StraceOptions{Prefix: PrefixPid})
	sc := decode.Lookup(decode.ArchX86_64, 9)
	args := [6]uint64{0, 8192, 3, 0x22, ^uint64(0), 0}
	buf, ret, o := make([]byte, 0, 256), make([]byte, 0, 64), &decode.Options{StringLimit: decode.DefaultStringLimit}
	if n := testing.AllocsPerRun(1000, func() { mmapLine(s, sc, &args, o, &buf, &ret) }); n > 2 {
		t.Errorf("%v allocations per mmap line, want at most 2", n)
	}
}
