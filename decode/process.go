package decode

import (
	"encoding/binary"
	"strconv"
)

// Process-lifecycle decoders.

// cloneArgs returns the registers holding clone's parent_tid, child_tid
// and tls: x86_64 and x32 take (flags, stack, ptid, ctid, tls), i386 and
// arm64 (flags, stack, ptid, tls, ctid).
func (c *call) cloneArgs() (ptid, ctid, tls uint64) {
	if c.arch == ArchX86_64 || c.arch == ArchX32 {
		return c.a[2], c.a[3], c.a[4]
	}
	return c.a[2], c.a[4], c.a[3]
}

func appendClone(b []byte, c *call) []byte {
	flags := c.a[0] &^ cSignal
	sig := int64(c.a[0] & cSignal)
	if !c.exit {
		b = append(b, "child_stack="...)
		b = appendAddr(b, c.a[1])
		b = append(b, ", flags="...)
		if flags != 0 {
			b = appendFlags(b, cloneFlags, flags, "CLONE_???", c.o.style())
			if sig != 0 {
				b = append(b, '|')
				b = appendSignal(b, sig, c.o.style())
			}
		} else {
			b = appendSignal(b, sig, c.o.style())
		}
		return b
	}
	ptid, ctid, tls := c.cloneArgs()
	if flags&(cloneParentSettid|clonePidfd) != 0 {
		b = append(b, ", parent_tid="...)
		b = appendNumInt(b, c, ptid, flags&cloneParentSettid == 0)
	}
	if flags&cloneSettls != 0 {
		b = append(b, ", tls="...)
		b = appendTLS(b, c, tls)
	}
	if flags&(cloneChildSettid|cloneChildCleartid) != 0 {
		b = append(b, ", child_tidptr="...)
		b = appendAddr(b, ctid)
	}
	return b
}

// appendTLS prints clone's tls: a struct user_desc on i386, an address
// elsewhere.
func appendTLS(b []byte, c *call, addr uint64) []byte {
	if c.arch != ArchI386 {
		return appendAddr(b, addr)
	}
	var u [16]byte
	if addr == 0 || !c.fetch(addr, u[:]) {
		return appendAddr(b, addr)
	}
	entry := binary.LittleEndian.Uint32(u[0:])
	bits := binary.LittleEndian.Uint32(u[12:])
	b = append(b, "{entry_number="...)
	if entry == ^uint32(0) {
		b = append(b, "-1"...)
	} else {
		b = strconv.AppendUint(b, uint64(entry), 10)
	}
	b = append(b, ", base_addr="...)
	b = appendHex0(b, uint64(binary.LittleEndian.Uint32(u[4:])), 8)
	b = append(b, ", limit="...)
	b = appendHex0(b, uint64(binary.LittleEndian.Uint32(u[8:])), 8)
	for i, name := range [...]string{"seg_32bit", "contents", "read_exec_only", "limit_in_pages", "seg_not_present", "useable"} {
		b = append(b, ", "...)
		b = append(b, name...)
		b = append(b, '=')
		shift, width := [...]uint{0, 1, 3, 4, 5, 6}[i], [...]uint{1, 2, 1, 1, 1, 1}[i]
		b = strconv.AppendUint(b, uint64(bits>>shift&(1<<width-1)), 10)
	}
	return append(b, '}')
}

// struct clone_args layout (linux/sched.h), all __u64.
const (
	caFlags      = 0
	caPidfd      = 8
	caChildTid   = 16
	caParentTid  = 24
	caExitSignal = 32
	caStack      = 40
	caStackSize  = 48
	caTLS        = 56
	caSetTid     = 64
	caSetTidSize = 72
	caCgroup     = 80
	caSizeVer0   = 64 // CLONE_ARGS_SIZE_VER0
	caSizeMax    = 88 // sizeof(struct clone_args) in strace 6.1
)

func appendClone3(b []byte, c *call) []byte {
	addr, size := c.a[0], c.a[1]
	fetch := size
	if fetch > caSizeMax {
		fetch = caSizeMax
	}
	// The struct is read into zeroes, as strace reads it: a field the size cuts keeps the
	// bytes before the cut.
	var raw [caSizeMax]byte
	ca := raw[:fetch]
	u64 := func(off int) uint64 { return binary.LittleEndian.Uint64(raw[off:]) }
	tail := func(b []byte) []byte {
		b = append(b, ", "...)
		return appendUint(b, size)
	}
	if !c.exit {
		if fetch < caSizeVer0 || !c.readMem(addr, ca) {
			return tail(appendAddr(b, addr))
		}
		flags := u64(caFlags)
		b = append(b, "{flags="...)
		b = appendFlags(b, clone3Flags, flags, "CLONE_???", c.o.style())
		if flags&clonePidfd != 0 {
			b = append(b, ", pidfd="...)
			b = appendAddr(b, u64(caPidfd))
		}
		if flags&(cloneChildSettid|cloneChildCleartid) != 0 {
			b = append(b, ", child_tid="...)
			b = appendAddr(b, u64(caChildTid))
		}
		if flags&cloneParentSettid != 0 {
			b = append(b, ", parent_tid="...)
			b = appendAddr(b, u64(caParentTid))
		}
		b = append(b, ", exit_signal="...)
		if es := u64(caExitSignal); es < 0x7fffffff {
			b = appendSignal(b, int64(es), c.o.style())
		} else {
			b = appendUint(b, es)
		}
		b = append(b, ", stack="...)
		b = appendAddr(b, u64(caStack))
		b = append(b, ", stack_size="...)
		b = appendHex(b, u64(caStackSize))
		if flags&cloneSettls != 0 {
			b = append(b, ", tls="...)
			b = appendTLS(b, c, u64(caTLS))
		}
		if setTid, n := u64(caSetTid), u64(caSetTidSize); setTid != 0 || n != 0 {
			b = append(b, ", set_tid="...)
			if setTid == 0 || n == 0 || n > 32 {
				b = appendAddr(b, setTid)
			} else {
				b = appendArray(b, c, setTid, n, 4, func(b, p []byte) []byte {
					return appendInt(b, int64(int32(binary.LittleEndian.Uint32(p))))
				})
			}
			b = append(b, ", set_tid_size="...)
			b = appendUint(b, n)
		}
		if fetch > caCgroup && (u64(caCgroup) != 0 || flags&cloneIntoCgroup != 0) {
			b = append(b, ", cgroup="...)
			b = appendUint(b, u64(caCgroup))
		}
		if size > fetch {
			b, _ = appendNonzeroTail(b, c, addr, fetch, min(size, pageSize), ", ")
		}
		b = append(b, '}')
		if flags&(clonePidfd|cloneParentSettid) != 0 || size > fetch {
			return b // the rest is printed at exit
		}
		return tail(b)
	}
	if fetch < caSizeVer0 || !c.readMem(addr, ca) {
		// Entry printed the address or the whole struct and the size.
		return b
	}
	flags := u64(caFlags)
	if flags&(clonePidfd|cloneParentSettid) == 0 && size <= fetch {
		return b
	}
	if c.isErr {
		return tail(b)
	}
	const changed = " => {"
	sep := changed
	if flags&clonePidfd != 0 {
		b = append(b, sep...)
		sep = ", "
		b = append(b, "pidfd="...)
		b = appendNumInt(b, c, u64(caPidfd), true)
	}
	if flags&cloneParentSettid != 0 {
		b = append(b, sep...)
		sep = ", "
		b = append(b, "parent_tid="...)
		b = appendNumInt(b, c, u64(caParentTid), false)
	}
	if size > fetch {
		var printed bool
		if b, printed = appendNonzeroTail(b, c, addr, fetch, min(size, pageSize), sep); printed {
			sep = ", "
		}
	}
	if sep != changed {
		b = append(b, '}')
	}
	return tail(b)
}

// appendNonzeroTail prints the bytes [start, end) of the struct at addr, past the fields
// strace knows, as strace's print_nonzero_bytes: nothing when they are all zero, "???" when
// they cannot be read, else "/* bytes START..END-1 */ " and at most -s of them in hex. prefix
// goes first when anything is printed; printed says whether it was.
func appendNonzeroTail(b []byte, c *call, addr, start, end uint64, prefix string) (_ []byte, printed bool) {
	if start >= end {
		return b, false
	}
	tail := make([]byte, end-start)
	if !c.readMem(addr+start, tail) {
		b = append(b, prefix...)
		return append(b, "???"...), true
	}
	nonzero := false
	for _, x := range tail {
		nonzero = nonzero || x != 0
	}
	if !nonzero {
		return b, false
	}
	b = append(b, prefix...)
	b = append(b, "/* bytes "...)
	b = appendUint(b, start)
	b = append(b, ".."...)
	b = appendUint(b, end-1)
	b = append(b, " */ \""...)
	shown := tail[:min(len(tail), c.o.strLimit())]
	for _, x := range shown {
		b = append(b, '\\', 'x', hexDigits[x>>4], hexDigits[x&0xf])
	}
	b = append(b, '"')
	if len(shown) < len(tail) {
		b = append(b, "..."...)
	}
	return b, true
}

// execve and execveat.

func appendExecve(b []byte, c *call, i int) []byte {
	b = appendPath(b, c, c.a[i])
	b = append(b, ", "...)
	b = appendArgv(b, c, c.a[i+1])
	b = append(b, ", "...)
	if !c.o.abbrev() {
		return appendArgv(b, c, c.a[i+2])
	}
	return appendEnvCount(b, c, c.a[i+2])
}

// pathMax is PATH_MAX - 1, the longest path strace prints.
const pathMax = 4095

// appendPath prints a path as strace's printpath: quoted, at most 4095
// bytes, "..." after a longer one, the address when unreadable.
func appendPath(b []byte, c *call, addr uint64) []byte {
	if addr == 0 {
		return append(b, "NULL"...)
	}
	s, nul, ok := c.readString(addr, pathMax)
	if !ok {
		return appendHex(b, addr)
	}
	if !nul && len(s) > pathMax {
		s = s[:pathMax]
	}
	b = appendQuoted(b, s, false, "")
	if !nul {
		b = append(b, "..."...)
	}
	return b
}

// appendStr prints a string as strace's printstr: at most -s bytes, then
// "..." when longer.
func appendStr(b []byte, c *call, addr uint64) []byte {
	if addr == 0 {
		return append(b, "NULL"...)
	}
	max := c.o.strLimit()
	s, nul, ok := c.readString(addr, max)
	if !ok {
		return appendHex(b, addr)
	}
	more := false
	if !nul && len(s) > max {
		more = s[max] != 0
		s = s[:max]
	}
	b = appendQuoted(b, s, false, "")
	if more {
		b = append(b, "..."...)
	}
	return b
}

// appendArgv prints execve's argv as strace: at most -s strings, then
// "..." (all of them with -v); and its envp with -v.
func appendArgv(b []byte, c *call, addr uint64) []byte {
	if addr == 0 {
		return append(b, "NULL"...)
	}
	ws := uint64(c.arch.wordSize())
	limit := c.o.strLimit()
	var buf [8]byte
	p := buf[:ws]
	prev := uint64(0)
	for n := 0; ; n++ {
		if addr < prev || !c.readMem(addr, p) {
			if n == 0 {
				return appendHex(b, addr)
			}
			b = append(b, ", ..."...)
			b = appendComment(b, "0x"+strconv.FormatUint(addr, 16))
			break
		}
		w := c.word(p)
		if n == 0 {
			b = append(b, '[')
		}
		if w == 0 {
			break
		}
		if n != 0 {
			b = append(b, ", "...)
		}
		if n+1 > limit && c.o.abbrev() {
			b = append(b, "..."...)
			break
		}
		b = appendStr(b, c, w)
		prev = addr
		addr += ws
	}
	return append(b, ']')
}

// appendEnvCount prints execve's envp as strace does by default: the
// address and a comment with the number of variables.
func appendEnvCount(b []byte, c *call, addr uint64) []byte {
	b = appendAddr(b, addr)
	if addr == 0 || c.t == nil {
		return b
	}
	ws := uint64(c.arch.wordSize())
	var buf [512]byte
	n := uint64(0)
	unterminated := false
	cur := addr
	prev := uint64(0)
scan:
	for cur > prev {
		chunk := uint64(pageSpan) - cur%pageSpan
		if chunk > uint64(len(buf)) {
			chunk = uint64(len(buf))
		}
		chunk -= chunk % ws
		if chunk == 0 {
			chunk = ws
		}
		got, _ := c.t.ReadMemory(cur, buf[:chunk])
		if got < 0 {
			got = 0
		}
		words := uint64(got) / ws
		for i := uint64(0); i < words; i++ {
			if c.word(buf[i*ws:]) == 0 {
				break scan
			}
			n++
		}
		if words < chunk/ws {
			if n == 0 {
				return b
			}
			unterminated = true
			break
		}
		prev = cur
		cur += chunk
	}
	b = append(b, " /* "...)
	b = strconv.AppendUint(b, n, 10)
	b = append(b, " var"...)
	if n != 1 {
		b = append(b, 's')
	}
	if unterminated {
		b = append(b, ", unterminated"...)
	}
	return append(b, " */"...)
}

// wait4, waitpid, waitid.

func appendWait(b []byte, c *call, rusage bool) []byte {
	a := &c.a
	if !c.exit {
		b = appendPid(b, c.o, c.signed(0))
		return append(b, ", "...)
	}
	if c.ret == 0 && !c.isErr {
		b = appendAddr(b, a[1])
	} else if a[1] == 0 {
		b = append(b, "NULL"...)
	} else {
		var buf [4]byte
		if c.fetch(a[1], buf[:]) {
			b = appendWaitStatus(b, int32(binary.LittleEndian.Uint32(buf[:])), c.o.style())
		} else {
			b = appendHex(b, a[1])
		}
	}
	b = append(b, ", "...)
	b = appendFlags(b, waitOptions, a[2], "W???", c.o.style())
	if rusage {
		b = append(b, ", "...)
		if c.ret > 0 && !c.isErr {
			b = appendRusage(b, c, a[3])
		} else {
			b = appendAddr(b, a[3])
		}
	}
	return b
}

// appendWaitStatus prints a wait status as strace's printstatus: signals by name in every
// style, a ptrace event in style style.
func appendWaitStatus(b []byte, status int32, style ConstStyle) []byte {
	st := uint32(status)
	b = append(b, '[')
	switch {
	case st&0xff == 0x7f: // WIFSTOPPED
		sig := int64(st >> 8 & 0xff)
		b = append(b, "{WIFSTOPPED(s) && WSTOPSIG(s) == "...)
		b = appendSignal(b, sig&0x7f, ConstAbbrev)
		if sig&0x80 != 0 {
			b = append(b, " | 0x80"...)
		}
		b = append(b, '}')
		st &^= uint32(sig)<<8 | 0x7f
	case st&0x7f != 0 && st&0x7f != 0x7f: // WIFSIGNALED
		b = append(b, "{WIFSIGNALED(s) && WTERMSIG(s) == "...)
		b = appendSignal(b, int64(st&0x7f), ConstAbbrev)
		if st&0x80 != 0 {
			b = append(b, " && WCOREDUMP(s)"...)
		}
		b = append(b, '}')
		st &^= 0xff
	case st&0x7f == 0: // WIFEXITED
		b = append(b, "{WIFEXITED(s) && WEXITSTATUS(s) == "...)
		b = strconv.AppendUint(b, uint64(st>>8&0xff), 10)
		b = append(b, '}')
		st &^= 0xff00
	case st == 0xffff: // WIFCONTINUED
		b = append(b, "{WIFCONTINUED(s)}"...)
		st = 0
	default:
		b = appendHex(b, uint64(st))
		return append(b, ']')
	}
	if st != 0 {
		if ev := st >> 16; ev != 0 {
			b = append(b, " | "...)
			b = appendXval(b, ptraceEvents, uint64(ev), "PTRACE_EVENT_???", style)
			b = append(b, " << 16"...)
			st &= 0xffff
		}
		if st != 0 {
			b = append(b, " | "...)
			b = appendHex(b, uint64(st))
		}
	}
	return append(b, ']')
}

// rusageLongs are the fields of struct rusage after its two timevals, all longs.
var rusageLongs = [...]string{"ru_maxrss", "ru_ixrss", "ru_idrss", "ru_isrss", "ru_minflt",
	"ru_majflt", "ru_nswap", "ru_inblock", "ru_oublock", "ru_msgsnd", "ru_msgrcv", "ru_nsignals",
	"ru_nvcsw", "ru_nivcsw"}

// appendRusage prints a struct rusage as strace does: the two times, then "..." or, with -v,
// every field.
func appendRusage(b []byte, c *call, addr uint64) []byte {
	if addr == 0 {
		return append(b, "NULL"...)
	}
	ws := c.arch.wordSize()
	var buf [(4 + len(rusageLongs)) * 8]byte
	p := buf[:(4+len(rusageLongs))*ws]
	if !c.fetch(addr, p) {
		return appendHex(b, addr)
	}
	// A struct timeval's tv_sec prints signed, its tv_usec unsigned, as strace prints them.
	sw := func(i int) int64 {
		v := c.word(p[i*ws:])
		if ws == 4 {
			return int64(int32(v))
		}
		return int64(v)
	}
	b = append(b, "{ru_utime={tv_sec="...)
	b = appendInt(b, sw(0))
	b = append(b, ", tv_usec="...)
	b = appendUint(b, c.word(p[ws:]))
	b = append(b, "}, ru_stime={tv_sec="...)
	b = appendInt(b, sw(2))
	b = append(b, ", tv_usec="...)
	b = appendUint(b, c.word(p[3*ws:]))
	if c.o.abbrev() {
		return append(b, "}, ...}"...)
	}
	b = append(b, '}')
	for i, name := range rusageLongs {
		b = append(b, ", "...)
		b = append(b, name...)
		b = append(b, '=')
		b = appendUint(b, c.word(p[(4+i)*ws:]))
	}
	return append(b, '}')
}

func appendWaitid(b []byte, c *call) []byte {
	a := &c.a
	if !c.exit {
		idtype := a[0]
		b = appendXval(b, waitidTypes, idtype, "P_???", c.o.style())
		b = append(b, ", "...)
		switch idtype {
		case pPIDFD:
			b = appendFd(b, c, int32(c.signed(1)))
		case pPID:
			b = appendPid(b, c.o, c.signed(1))
		default:
			b = appendInt(b, c.signed(1))
		}
		return append(b, ", "...)
	}
	b = appendSiginfoAt(b, c, a[2])
	b = append(b, ", "...)
	b = appendFlags(b, waitOptions, a[3], "W???", c.o.style())
	b = append(b, ", "...)
	return appendRusage(b, c, a[4])
}

// siginfoSize is sizeof(siginfo_t) in every ABI.
const siginfoSize = 128

// appendSiginfoAt prints the siginfo_t at addr.
func appendSiginfoAt(b []byte, c *call, addr uint64) []byte {
	if addr == 0 {
		return append(b, "NULL"...)
	}
	var raw [siginfoSize]byte
	if !c.fetch(addr, raw[:]) {
		return appendHex(b, addr)
	}
	return appendSiginfoRaw(b, raw[:], c.arch.wordSize(), c.o)
}
