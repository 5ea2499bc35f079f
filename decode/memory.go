package decode

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strconv"
)

// Reading tracee memory.

// pageSpan is the unit reads are split in so that a short read at an
// unmapped page does not hide readable bytes before it.
const pageSpan = 4096

// readMem reads len(p) bytes at addr; it succeeds only if all were read.
func (c *call) readMem(addr uint64, p []byte) bool {
	if c.t == nil || addr == 0 {
		return false
	}
	n, err := c.t.ReadMemory(addr, p)
	return n == len(p) && (err == nil || n > 0)
}

// fetch reads like strace's tfetch_mem: nothing at exit of a failed call.
func (c *call) fetch(addr uint64, p []byte) bool {
	if c.exit && c.isErr {
		return false
	}
	return c.readMem(addr, p)
}

// word decodes a tracee word (pointer or long) from p.
func (c *call) word(p []byte) uint64 {
	if c.arch.wordSize() == 4 {
		return uint64(binary.LittleEndian.Uint32(p))
	}
	return binary.LittleEndian.Uint64(p)
}

// readString reads a NUL-terminated string of at most limit bytes at addr,
// page by page. It returns the bytes before the NUL (or the first limit+1
// bytes when there is no NUL within them) and whether a NUL ended them;
// ok is false when memory ran out before either. The buffer grows with what
// is read, not with limit: -s may be as large as strace allows (2^30-1).
func (c *call) readString(addr uint64, limit int) (s []byte, nul bool, ok bool) {
	if c.t == nil {
		return nil, false, false
	}
	want := limit + 1
	var buf []byte
	for len(buf) < want {
		chunk := min(pageSpan-int((addr+uint64(len(buf)))%pageSpan), want-len(buf))
		got := len(buf)
		buf = slices.Grow(buf, chunk)[:got+chunk]
		n, _ := c.t.ReadMemory(addr+uint64(got), buf[got:])
		n = max(n, 0)
		if i := bytes.IndexByte(buf[got:got+n], 0); i >= 0 {
			return buf[:got+i], true, true
		}
		if n < chunk {
			return nil, false, false
		}
	}
	return buf, false, true
}

// appendFd prints an fd, decorated with its path under -y.
func appendFd(b []byte, c *call, fd int32) []byte {
	b = strconv.AppendInt(b, int64(fd), 10)
	if fd >= 0 {
		b = appendFdPath(b, c, fd)
	}
	return b
}

// appendFdPath appends "<path>", what fd (or AT_FDCWD) refers to, under -y.
func appendFdPath(b []byte, c *call, fd int32) []byte {
	if !c.o.decorate() || c.t == nil {
		return b
	}
	p, err := c.t.FdPath(int(fd))
	if err != nil {
		return b
	}
	b = append(b, '<')
	b = appendQuoted(b, []byte(p), true, "<>")
	return append(b, '>')
}

// appendDirfd prints a directory fd: AT_FDCWD (in decimal in raw and verbose style, as
// strace's print_xlat_d) or appendFd; under -y AT_FDCWD is decorated with the working
// directory, as strace does.
func appendDirfd(b []byte, c *call, v uint64) []byte {
	if int32(v) == atFdCwd {
		var num [12]byte
		b = appendNamed(b, strconv.AppendInt(num[:0], atFdCwd, 10), "AT_FDCWD", "", c.o.style())
		return appendFdPath(b, c, atFdCwd)
	}
	return appendFd(b, c, int32(v))
}

// appendNumPtr prints a pointer to a pointer-sized value as "[0x...]".
func appendNumPtr(b []byte, c *call, addr uint64) []byte {
	if addr == 0 {
		return append(b, "NULL"...)
	}
	var buf [8]byte
	p := buf[:c.arch.wordSize()]
	if !c.fetch(addr, p) {
		return appendHex(b, addr)
	}
	b = append(b, '[')
	b = appendAddr(b, c.word(p))
	return append(b, ']')
}

// appendNumInt prints a pointer to an int as "[N]": a pidfd decorated as an fd (-y), or a
// thread id as a pid (-Y).
func appendNumInt(b []byte, c *call, addr uint64, fd bool) []byte {
	if addr == 0 {
		return append(b, "NULL"...)
	}
	var buf [4]byte
	if !c.fetch(addr, buf[:]) {
		return appendHex(b, addr)
	}
	v := int32(binary.LittleEndian.Uint32(buf[:]))
	b = append(b, '[')
	if fd {
		b = appendFd(b, c, v)
	} else {
		b = appendPid(b, c.o, int64(v))
	}
	return append(b, ']')
}

// appendArray prints n elements of size sz at addr as strace's
// print_array: NULL, [], the address when unreadable, at most -s elements
// followed by "..." (all of them with -v), and "... /* 0xaddr */" where
// memory ends.
func appendArray(b []byte, c *call, addr, n uint64, sz int, elem func([]byte, []byte) []byte) []byte {
	if addr == 0 {
		return append(b, "NULL"...)
	}
	if n == 0 {
		return append(b, "[]"...)
	}
	size := n * uint64(sz)
	if size/uint64(sz) != n || addr+size <= addr {
		return appendHex(b, addr)
	}
	limit := uint64(c.o.strLimit())
	var buf [8]byte
	p := buf[:sz]
	for i := uint64(0); i < n; i++ {
		cur := addr + i*uint64(sz)
		if i > 0 {
			b = append(b, ", "...)
		}
		if !c.fetch(cur, p) {
			if i == 0 {
				return appendHex(b, cur)
			}
			b = append(b, "..."...)
			b = appendComment(b, "0x"+strconv.FormatUint(cur, 16))
			break
		}
		if i == 0 {
			b = append(b, '[')
		}
		if i >= limit && c.o.abbrev() {
			b = append(b, "..."...)
			break
		}
		b = elem(b, p)
	}
	return append(b, ']')
}

// Memory-management decoders.

func (c *call) protTable() []xlat {
	if c.arch == ArchARM64 {
		return protFlagsARM64
	}
	return protFlags
}

func (c *call) mmapTable() []xlat {
	if c.arch == ArchARM64 {
		return mmapFlagsGeneric
	}
	return mmapFlagsX86
}

// appendMmapFlags prints mmap flags as strace: the type, the known bits,
// the unknown bits in hex, then the huge page size as N<<MAP_HUGE_SHIFT.
// Like strace it ignores bits above 31 outside the type. Raw style prints
// the value in hex; verbose, the value and the rest in a comment.
func appendMmapFlags(b []byte, c *call, flags uint64) []byte {
	st := c.o.style()
	if st != ConstAbbrev {
		b = appendHex(b, flags)
	}
	switch st {
	case ConstRaw:
		return b
	case ConstVerbose:
		b = append(b, " /* "...)
	}
	tbl := c.mmapTable()
	b = appendXval(b, tbl, flags&mapType, "MAP_???", ConstAbbrev)
	flags &^= mapType
	const mask = mapHugeMask << mapHugeShift
	huge := flags & mask
	flags &= 0xffffffff &^ mask
	if flags != 0 {
		b = append(b, '|')
		b = appendFlags(b, tbl, flags, "", ConstAbbrev)
	}
	if huge != 0 {
		b = append(b, '|')
		b = strconv.AppendUint(b, huge>>mapHugeShift, 10)
		b = append(b, "<<MAP_HUGE_SHIFT"...)
	}
	if st == ConstVerbose {
		b = append(b, " */"...)
	}
	return b
}

func appendMmap(b []byte, c *call, addr, length, prot, flags, fd, off uint64) []byte {
	b = appendAddr(b, addr)
	b = append(b, ", "...)
	b = appendUint(b, length)
	b = append(b, ", "...)
	b = appendFlags(b, c.protTable(), prot, "PROT_???", c.o.style())
	b = append(b, ", "...)
	b = appendMmapFlags(b, c, flags)
	b = append(b, ", "...)
	b = appendFd(b, c, int32(fd))
	b = append(b, ", "...)
	return appendHex(b, off)
}

// appendOldMmap decodes i386's old mmap, whose six arguments are in a
// struct the only argument points to.
func appendOldMmap(b []byte, c *call) []byte {
	ws := c.arch.wordSize()
	buf := make([]byte, 6*ws)
	if !c.readMem(c.a[0], buf) {
		return appendAddr(b, c.a[0])
	}
	var v [6]uint64
	for i := range v {
		v[i] = c.word(buf[i*ws:])
	}
	return appendMmap(b, c, v[0], v[1], v[2], v[3], v[4], v[5])
}

func appendMincore(b []byte, c *call) []byte {
	if !c.exit {
		b = appendAddr(b, c.a[0])
		b = append(b, ", "...)
		b = appendUint(b, c.a[1])
		return append(b, ", "...)
	}
	n := c.a[1] / pageSize
	if c.a[1]%pageSize != 0 {
		n++
	}
	return appendArray(b, c, c.a[2], n, 1, func(b, p []byte) []byte {
		return append(b, '0'+p[0]&1)
	})
}

// appendMpolMode prints a memory policy mode as strace's print_mode: the mode and its flags
// (MPOL_F_*); the number first in verbose style, alone in raw style.
func appendMpolMode(b []byte, mode uint64, st ConstStyle) []byte {
	flags := mode & mpolModeFlagsMask
	m := mode &^ mpolModeFlagsMask
	if flags == 0 {
		return appendXval(b, mpolModes, m, "MPOL_???", st)
	}
	name := lookupXlat(mpolModes, m)
	if name == "" {
		return appendFlags(b, mpolModeFlags, mode, "MPOL_F_???", st)
	}
	if st != ConstAbbrev {
		b = appendHex(b, mode)
	}
	if st == ConstRaw {
		return b
	}
	if st == ConstVerbose {
		b = append(b, " /* "...)
	}
	b = append(b, name...)
	b = append(b, '|')
	b = appendFlags(b, mpolModeFlags, flags, "", ConstAbbrev)
	if st == ConstVerbose {
		b = append(b, " */"...)
	}
	return b
}

// appendNodemask prints a nodemask of maxnode bits as strace's
// print_nodemask: words in zero-padded hex.
func appendNodemask(b []byte, c *call, addr, maxnode uint64) []byte {
	ws := c.arch.wordSize()
	bpl := uint64(8 * ws)
	n := (maxnode + bpl - 2) / bpl
	if n < maxnode/bpl || (maxnode != 0 && n == 0) {
		return appendAddr(b, addr)
	}
	return appendArray(b, c, addr, n, ws, func(b, p []byte) []byte {
		return appendHex0(b, c.word(p), 2*ws)
	})
}

func appendGetMempolicy(b []byte, c *call) []byte {
	if !c.exit {
		return b
	}
	a := &c.a
	if a[0] == 0 {
		b = append(b, "NULL"...)
	} else {
		var buf [4]byte
		if c.fetch(a[0], buf[:]) {
			b = append(b, '[')
			b = appendXval(b, mpolModes, uint64(binary.LittleEndian.Uint32(buf[:])), "MPOL_???", c.o.style())
			b = append(b, ']')
		} else {
			b = appendHex(b, a[0])
		}
	}
	b = append(b, ", "...)
	b = appendNodemask(b, c, a[1], a[2])
	b = append(b, ", "...)
	b = appendUint(b, a[2])
	b = append(b, ", "...)
	b = appendAddr(b, a[3])
	b = append(b, ", "...)
	return appendFlags(b, getMempolicyFlags, a[4], "MPOL_???", c.o.style())
}

func appendMovePages(b []byte, c *call) []byte {
	a := &c.a
	ws := c.arch.wordSize()
	if !c.exit {
		b = appendInt(b, c.signed(0))
		b = append(b, ", "...)
		b = appendUint(b, a[1])
		b = append(b, ", "...)
		b = appendArray(b, c, a[2], a[1], ws, func(b, p []byte) []byte {
			return appendAddr(b, c.word(p))
		})
		b = append(b, ", "...)
		return appendArray(b, c, a[3], a[1], 4, func(b, p []byte) []byte {
			return appendInt(b, int64(int32(binary.LittleEndian.Uint32(p))))
		})
	}
	b = append(b, ", "...)
	b = appendArray(b, c, a[4], a[1], 4, func(b, p []byte) []byte {
		return appendStatus(b, int32(binary.LittleEndian.Uint32(p)), c.o.style())
	})
	b = append(b, ", "...)
	return appendFlags(b, movePagesFlags, a[5], "MPOL_???", c.o.style())
}

// appendStatus prints a page's status in move_pages' array as strace's print_err: a node
// number, or a negated errno by name ("-ENOENT"; raw style: "-2"; verbose: "-2 /* -ENOENT */").
func appendStatus(b []byte, v int32, st ConstStyle) []byte {
	name := ""
	if v < 0 {
		name = ErrnoName(uint64(-int64(v)))
	}
	if name == "" || st != ConstAbbrev {
		b = appendInt(b, int64(v))
	}
	if name == "" || st == ConstRaw {
		return b
	}
	if st == ConstVerbose {
		b = append(b, " /* -"...)
		b = append(b, name...)
		return append(b, " */"...)
	}
	b = append(b, '-')
	return append(b, name...)
}
