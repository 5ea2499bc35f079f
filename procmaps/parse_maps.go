package procmaps

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ParseMaps parses the text of /proc/PID/maps. The regions are not classified yet: call
// Regions.Classify with the shmem device of the machine the text comes from.
//
// The text is read whole first, in a few large reads (the kernel fills each with whole
// lines; 4 MB for 60,000 regions), so that the regions are counted before they are parsed
// and land in a slice of the right size: the only allocations are that slice, the read
// buffers and one string per distinct name. A big text is cut in two at a line and its
// halves parsed at once, each into its own share of the slice and with names of its own
// (60,000 regions: 4 to 6 ms of parsing became 2.5 to 4).
func ParseMaps(r io.Reader) (Regions, error) {
	chunks, free, err := readChunks(r)
	if err != nil {
		return nil, err
	}
	defer free()
	parts := []*mapsPart{{text: chunks, firstLine: 1}}
	if textSize(chunks) >= parallelParseSize {
		if a, b := splitAtLine(chunks); b != nil {
			parts = []*mapsPart{{text: a, firstLine: 1}, {text: b}}
		}
	}
	// A part has as many lines as newlines, one more if it does not end in one (the last).
	room := 0
	for i, p := range parts {
		for _, c := range p.text {
			p.lines += bytes.Count(c, []byte{'\n'})
		}
		if i == len(parts)-1 {
			p.lines++
		} else {
			parts[i+1].firstLine = p.firstLine + p.lines
		}
		room += p.lines
	}
	rs := make(Regions, 0, room)
	prepareRegionMemory(unsafe.Pointer(unsafe.SliceData(rs)), uintptr(cap(rs))*unsafe.Sizeof(Region{}))
	var wg sync.WaitGroup
	at := 0
	for i, p := range parts {
		p.rs = rs[at : at : at+p.lines]
		at += p.lines
		if i > 0 {
			wg.Go(p.parse)
		}
	}
	parts[0].parse()
	wg.Wait()
	for _, p := range parts {
		if len(rs) > 0 && len(p.rs) > 0 && p.rs[0].Start < rs[len(rs)-1].End {
			p.err = parseError(p.first, p.firstText, overlapMsg)
		}
		if p.err != nil {
			return nil, p.err
		}
		n := len(rs)
		rs = rs[:n+len(p.rs)]
		if len(p.rs) > 0 && &rs[n] != &p.rs[0] {
			copy(rs[n:], p.rs) // a part before had blank lines: its room was not all used
		}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	return rs, nil
}

// parallelParseSize is the size of text from which ParseMaps parses its two halves at once:
// 1 MB is about 15,000 regions, 1 to 2 ms of parsing.
const parallelParseSize = 1 << 20

// mapsPart is a run of whole lines of a maps text, parsed on a goroutine of its own.
type mapsPart struct {
	text      [][]byte
	firstLine int     // the number, from 1, of its first line in the whole text
	lines     int     // its lines, blank ones too: its room in the region slice
	rs        Regions // its regions, in its room of the slice
	err       error

	// Its first region's line, to check it against the part before once both are parsed.
	first     int
	firstText []byte
}

func (p *mapsPart) parse() {
	names := interner{}
	n := p.firstLine - 1
	var msg string
	forEachLine(p.text, func(line []byte) bool {
		n++
		if len(line) == 0 {
			return true // tolerate blank lines, such as a trailing one in a saved file
		}
		p.rs = p.rs[:len(p.rs)+1]
		r := &p.rs[len(p.rs)-1]
		if len(p.rs) == 1 {
			p.first, p.firstText = n, bytes.Clone(line)
		}
		if msg = parseHeader(line, r, names); msg == "" && len(p.rs) > 1 && r.Start < p.rs[len(p.rs)-2].End {
			msg = overlapMsg
		}
		if msg != "" {
			p.err = parseError(n, line, msg)
			return false
		}
		return true
	})
}

func textSize(chunks [][]byte) int {
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	return n
}

// splitAtLine cuts a text in two after the first newline at or past its middle. b is nil
// when there is no such newline.
func splitAtLine(chunks [][]byte) (a, b [][]byte) {
	from := textSize(chunks) / 2
	for i, c := range chunks {
		if from >= len(c) {
			from -= len(c)
			continue
		}
		if j := bytes.IndexByte(c[from:], '\n'); j >= 0 {
			cut := from + j + 1
			return append(chunks[:i:i], c[:cut]), append([][]byte{c[cut:]}, chunks[i+1:]...)
		}
		from = 0 // no newline in the rest of this chunk: the next one's first
	}
	return chunks, nil
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
