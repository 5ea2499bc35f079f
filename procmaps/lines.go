package procmaps

import (
	"bytes"
	"io"
)

// The kernel fills a large buffer with whole records in one read, so a few big reads
// replace tens of thousands of small ones. The buffer starts at readSize, so a small file
// costs no more than it needs, and doubles up to maxReadSize while reads keep filling it
// (a process with 60,000 regions has 4 MB of maps and 70 MB of smaps); it also doubles,
// without limit, when one line (a long path) does not fit.
const (
	readSize    = 64 << 10
	maxReadSize = 4 << 20
)

// lineReader hands out the lines of r as slices of one large buffer, valid until the
// next call: the parsers copy only what a Region keeps.
type lineReader struct {
	r          io.Reader
	buf        []byte
	start, end int  // unread bytes are buf[start:end]
	line       int  // number of the line last returned, from 1
	full       bool // the last read filled most of the space it had: the input is large
	err        error
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, buf: make([]byte, readSize)}
}

// next returns the next line without its newline, or false at the end of input or on a
// read error (see err).
func (lr *lineReader) next() ([]byte, bool) {
	scanned := 0 // bytes of buf[start:end] already known to hold no newline
	for {
		if i := bytes.IndexByte(lr.buf[lr.start+scanned:lr.end], '\n'); i >= 0 {
			line := lr.buf[lr.start : lr.start+scanned+i]
			lr.start += scanned + i + 1
			lr.line++
			return line, true
		}
		scanned = lr.end - lr.start
		if lr.err != nil {
			if lr.start < lr.end { // a last line with no newline
				line := lr.buf[lr.start:lr.end]
				lr.start = lr.end
				lr.line++
				return line, true
			}
			return nil, false
		}
		if lr.start > 0 {
			copy(lr.buf, lr.buf[lr.start:lr.end])
			lr.end -= lr.start
			lr.start = 0
		}
		if lr.end == len(lr.buf) || lr.full && len(lr.buf) < maxReadSize {
			nb := make([]byte, 2*len(lr.buf))
			copy(nb, lr.buf[:lr.end])
			lr.buf = nb
		}
		space := len(lr.buf) - lr.end
		n, err := lr.r.Read(lr.buf[lr.end:])
		lr.end += n
		lr.full = n > space/2
		if err != nil {
			lr.err = err
		}
	}
}

// readErr is the error that ended the input, nil at a clean end of file.
func (lr *lineReader) readErr() error {
	if lr.err == io.EOF {
		return nil
	}
	return lr.err
}

// interner keeps one copy of each name: a process maps the same library five times and
// the same VmFlags thousands of times.
type interner map[string]string

func (in interner) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := in[string(b)]; ok { // no allocation: the compiler knows the key is temporary
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// regionBuilder collects regions in fixed blocks and copies them once, at the end, into a
// slice of the exact size: a process's region count is not known until its text has been
// read, and growing one slice by doubling copied each region several times over (with
// the garbage collector scanning every copy).
type regionBuilder struct {
	blocks [][]Region
	n      int
}

const regionBlock = 4096

// next returns a zeroed region to fill in, appended to the list.
func (b *regionBuilder) next() *Region {
	if len(b.blocks) == 0 || len(b.blocks[len(b.blocks)-1]) == regionBlock {
		b.blocks = append(b.blocks, make([]Region, 0, regionBlock))
	}
	last := &b.blocks[len(b.blocks)-1]
	*last = (*last)[:len(*last)+1]
	b.n++
	return &(*last)[len(*last)-1]
}

// prev returns the region before the last one added, or nil.
func (b *regionBuilder) prev() *Region {
	if b.n < 2 {
		return nil
	}
	last := b.blocks[len(b.blocks)-1]
	if len(last) >= 2 {
		return &last[len(last)-2]
	}
	before := b.blocks[len(b.blocks)-2]
	return &before[len(before)-1]
}

// last returns the region added last, or nil.
func (b *regionBuilder) last() *Region {
	if b.n == 0 {
		return nil
	}
	last := b.blocks[len(b.blocks)-1]
	return &last[len(last)-1]
}

func (b *regionBuilder) regions() Regions {
	if b.n == 0 {
		return nil
	}
	if len(b.blocks) == 1 {
		return b.blocks[0]
	}
	rs := make(Regions, 0, b.n)
	for _, blk := range b.blocks {
		rs = append(rs, blk...)
	}
	return rs
}
