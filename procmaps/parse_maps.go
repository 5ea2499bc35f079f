package procmaps

import (
	"bytes"
	"fmt"
	"io"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ParseMaps parses the text of /proc/PID/maps. The regions are not classified yet: call
// Regions.Classify with the shmem device of the machine the text comes from.
//
// The text is read whole first, in a few large reads (the kernel fills each with whole
// lines; 4 MB for 60,000 regions), so that the regions are counted before they are parsed
// and land in a slice of the right size: the only allocations are that slice, the read
// buffers and one string per distinct name.
func ParseMaps(r io.Reader) (Regions, error) {
	chunks, free, err := readChunks(r)
	if err != nil {
		return nil, err
	}
	defer free()
	lines := 1
	for _, c := range chunks {
		lines += bytes.Count(c, []byte{'\n'})
	}
	rs := make(Regions, 0, lines)
	prepareRegionMemory(unsafe.Pointer(unsafe.SliceData(rs)), uintptr(cap(rs))*unsafe.Sizeof(Region{}))
	names := interner{}
	n := 0
	var msg string
	forEachLine(chunks, func(line []byte) bool {
		n++
		if len(line) == 0 {
			return true // tolerate blank lines, such as a trailing one in a saved file
		}
		rs = rs[:len(rs)+1]
		r := &rs[len(rs)-1]
		if msg = parseHeader(line, r, names); msg == "" && len(rs) > 1 && r.Start < rs[len(rs)-2].End {
			msg = overlapMsg
		}
		if msg != "" {
			err = parseError(n, line, msg)
			return false
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, nil
	}
	return rs, nil
}

// readChunks reads r to the end. The first read goes into a buffer of readSize, which holds
// the whole text of most processes; a text that fills it goes on into memory mapped outside
// the Go heap in transparent huge pages where the kernel gives them (mode "madvise"): the
// 4.5 MB of maps of a process with 60,000 regions are over a thousand page faults in 4 KB
// pages, which on a virtual machine with slow faults cost more than the kernel's work of
// writing the text. free releases that memory; the parsers copy what they keep.
func readChunks(r io.Reader) (chunks [][]byte, free func(), err error) {
	var areas [][]byte
	free = func() {
		for _, a := range areas {
			unix.Munmap(a)
		}
	}
	buf := make([]byte, readSize)
	for {
		n, err := io.ReadFull(r, buf)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return append(chunks, buf[:n]), free, nil
		}
		if err != nil {
			free()
			return nil, nil, err
		}
		chunks = append(chunks, buf)
		if buf, err = nextArea(&areas, len(buf)); err != nil {
			free()
			return nil, nil, err
		}
	}
}

// prepareRegionMemory readies a large allocation about to be written from end to end (the
// regions of a big process). It asks for transparent huge pages over the whole 2 MB pages
// within it, as for the text, and then has the kernel map every page of it in one system
// call (MADV_POPULATE_WRITE, Linux 5.14): 60,000 regions are 4.8 MB, 1,200 page faults in 4
// KB pages, each of which costs 10 to 25 us on a virtual machine. Both are hints; where the
// kernel refuses them the pages fault in one by one as before.
func prepareRegionMemory(p unsafe.Pointer, size uintptr) {
	const huge, page = 2 << 20, 4 << 10
	if size < 16*page {
		return // a few faults at most, and perhaps none: the memory may have been used before
	}
	start := (uintptr(p) + huge - 1) &^ (huge - 1)
	end := (uintptr(p) + size) &^ (huge - 1)
	if end > start {
		unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_HUGEPAGE)
	}
	// A large allocation has a span of its own, whole pages of the Go heap.
	start = uintptr(p) &^ (page - 1)
	end = (uintptr(p) + size + page - 1) &^ (page - 1)
	if end > start {
		unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_POPULATE_WRITE)
	}
}

// nextArea maps a read area twice the size of the last one, at least hugeArea.
func nextArea(areas *[][]byte, last int) ([]byte, error) {
	const hugeArea = 8 << 20
	size := max(2*last, hugeArea)
	a, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("read buffer: %w", err)
	}
	_ = unix.Madvise(a, unix.MADV_HUGEPAGE) // a hint: without it, 4 KB pages
	*areas = append(*areas, a)
	return a, nil
}

// forEachLine calls fn with each line of the text split into chunks, without its newline,
// until fn returns false. A line that spans chunks is joined in a scratch buffer.
func forEachLine(chunks [][]byte, fn func([]byte) bool) {
	var carry []byte
	for _, chunk := range chunks {
		if len(carry) > 0 {
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				carry = append(carry, chunk...)
				continue
			}
			carry = append(carry, chunk[:i]...)
			if !fn(carry) {
				return
			}
			carry, chunk = carry[:0], chunk[i+1:]
		}
		for {
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				break
			}
			if !fn(chunk[:i]) {
				return
			}
			chunk = chunk[i+1:]
		}
		carry = append(carry, chunk...)
	}
	if len(carry) > 0 {
		fn(carry)
	}
}

const overlapMsg = "region overlaps or precedes the one before it"

// checkOrder keeps the Regions invariant: the kernel writes regions in address order
// without overlap, and lookups rely on it.
func checkOrder(b *regionBuilder) string {
	if p := b.prev(); p != nil && b.last().Start < p.End {
		return overlapMsg
	}
	return ""
}

// parseHeader parses one maps line (also the first line of each smaps entry) into r:
//
//	start-end perms offset major:minor inode   name
//
// The name is everything after the spaces that follow the inode: it may hold spaces,
// including trailing ones, and the kernel escapes only the newline, as "\012". Names never
// begin with a space (they are absolute paths, [specials] or anon_inode:...), so skipping
// the padding cannot eat part of one. It returns what is wrong, or "".
func parseHeader(line []byte, r *Region, names interner) string {
	p := lineParser{b: line}
	var ok bool
	if r.Start, ok = p.hex('-'); !ok {
		return "bad start address"
	}
	if r.End, ok = p.hex(' '); !ok {
		return "bad end address"
	}
	if r.End < r.Start {
		return "end address before start"
	}
	if msg := p.perms(&r.Perms); msg != "" {
		return msg
	}
	if r.Offset, ok = p.hex(' '); !ok {
		return "bad offset"
	}
	maj, ok1 := p.hex(':')
	min, ok2 := p.hex(' ')
	if !ok1 || !ok2 || maj > 0xffffffff || min > 0xffffffff {
		return "bad device"
	}
	r.Dev = Dev{uint32(maj), uint32(min)}
	if r.Inode, ok = p.dec(); !ok {
		return "bad inode"
	}
	rest := line[p.i:]
	if len(rest) > 0 && rest[0] != ' ' {
		return "bad inode"
	}
	for len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	const deleted = " (deleted)"
	if bytes.HasSuffix(rest, []byte(deleted)) {
		r.Deleted = true
		rest = rest[:len(rest)-len(deleted)]
	}
	if bytes.Contains(rest, []byte(`\012`)) {
		r.Name = string(bytes.ReplaceAll(rest, []byte(`\012`), []byte("\n")))
	} else {
		r.Name = names.intern(rest)
	}
	return ""
}

// lineParser walks one line; each method consumes a field and its terminator.
type lineParser struct {
	b []byte
	i int
}

// hex parses lowercase or uppercase hex digits up to the byte end, which it consumes.
func (p *lineParser) hex(end byte) (uint64, bool) {
	var v uint64
	n := 0
	for ; p.i < len(p.b); p.i++ {
		c := p.b[p.i]
		d := hexValue[c]
		if d == 0xff {
			if c == end && n > 0 {
				p.i++
				return v, true
			}
			return 0, false
		}
		if n == 16 {
			return 0, false // more than 64 bits
		}
		v = v<<4 | uint64(d)
		n++
	}
	return 0, false
}

// hexValue is the value of each hex digit, 0xff for other bytes: a table lookup beats a
// switch on the 2.5 million digits of a big maps file.
var hexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return t
}()

// dec parses decimal digits; it stops at the first other byte, which it leaves.
func (p *lineParser) dec() (uint64, bool) {
	var v uint64
	n := 0
	for ; p.i < len(p.b); p.i++ {
		c := p.b[p.i]
		if c < '0' || c > '9' {
			break
		}
		if v > (1<<64-1)/10 || v*10 > 1<<64-1-uint64(c-'0') {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
		n++
	}
	return v, n > 0
}

// perms parses "rwxp" and the space after it.
func (p *lineParser) perms(out *Perms) string {
	if p.i+5 > len(p.b) || p.b[p.i+4] != ' ' {
		return "bad permissions"
	}
	var v Perms
	for k, want := range [3]byte{'r', 'w', 'x'} {
		switch p.b[p.i+k] {
		case want:
			v |= 1 << k
		case '-':
		default:
			return "bad permissions"
		}
	}
	switch p.b[p.i+3] {
	case 's':
		v |= PermShared
	case 'p':
	default:
		return "bad permissions"
	}
	p.i += 5
	*out = v
	return ""
}
