package decode

import (
	"os"
	"strconv"
	"sync"
)

// decoder says how a system call's arguments are printed.
type decoder uint8

const (
	dGeneric   decoder = iota // strace's printargs: every argument in hex
	dNone                     // no arguments
	dMmap                     // mmap with a byte offset
	dMmapPgoff                // mmap2: offset in pages
	dOldMmap                  // i386 old mmap: arguments in a struct
	dAddrLen                  // munmap, mlock, munlock
	dMprotect
	dPkeyMprotect
	dMremap
	dMsync
	dMadvise
	dAddr // brk, shmdt, io_destroy
	dMlock2
	dMlockall
	dMincore
	dRemapFilePages
	dShmat
	dIoSetup
	dMbind
	dSetMempolicy
	dGetMempolicy
	dMigratePages
	dMovePages
	dSetMempolicyHomeNode
	dClone
	dClone3
	dExecve
	dExecveat
	dExit
	dWait4
	dWaitpid
	dWaitid
	dKill // kill, tkill
	dTgkill
	dRtSigqueueinfo
	dRtTgsigqueueinfo
	dPidfdSendSignal
)

// Classes, as strace's -e trace=%memory and %process.
const (
	classMemory uint8 = 1 << iota
	classProcess
)

// How the return value prints.
type retFormat uint8

const (
	retDecimal retFormat = iota
	retHex               // mmap, mremap, brk, shmat
	retTID               // a child's id: clone, fork, vfork, clone3
	retNever             // exit, exit_group
)

// argType is the C type the kernel reads an argument as, which says how much of its register
// counts: an int's upper half is garbage the kernel ignores, and so does strace.
type argType uint8

const (
	tNone  argType = iota // no such argument: the register is left as it is
	tULong                // unsigned long, size_t, off_t: the whole word
	tPtr                  // a pointer: the whole word
	tInt                  // int, pid_t: the low 32 bits, printed signed
	tUint                 // unsigned int: the low 32 bits
)

// argTypes are a call's argument types, in order.
type argTypes [6]argType

// kernelValue returns register v as the kernel reads an argument of type t: an int's or an
// unsigned int's low 32 bits (zero-extended; the printers of signed values take them as
// int32), the word otherwise, of 32 bits on an ABI whose registers are (argMask).
func (t argType) kernelValue(v uint64, a Arch) uint64 {
	switch t {
	case tInt, tUint:
		return uint64(uint32(v))
	}
	return v & a.argMask()
}

// Syscall describes one system call of one architecture.
type Syscall struct {
	Name string
	Nr   uint64

	arch  Arch
	dec   decoder
	class uint8
	ret   retFormat
	nargs uint8    // for dGeneric
	args  argTypes // for decoded calls
}

// Arch returns the architecture the call belongs to.
func (sc *Syscall) Arch() Arch { return sc.arch }

// Decoded reports whether mmtrace decodes the call's arguments as strace
// does. Calls it does not decode print their raw arguments in hex.
func (sc *Syscall) Decoded() bool { return sc.dec != dGeneric }

// IsMemory reports whether the call is in strace's %memory class.
func (sc *Syscall) IsMemory() bool { return sc.class&classMemory != 0 }

// IsProcess reports whether the call is in strace's %process class.
func (sc *Syscall) IsProcess() bool { return sc.class&classProcess != 0 }

// NeverReturns reports whether the call does not return (exit,
// exit_group): strace prints " = ?".
func (sc *Syscall) NeverReturns() bool { return sc.ret == retNever }

// IsExec reports whether the call is execve or execveat.
func (sc *Syscall) IsExec() bool { return sc.dec == dExecve || sc.dec == dExecveat }

// IsFork reports whether the call creates a task: fork, vfork, clone,
// clone3.
func (sc *Syscall) IsFork() bool { return sc.ret == retTID }

// HasExitArgs reports whether strace prints part of the arguments only at
// syscall exit, so that AppendExit may append something.
func (sc *Syscall) HasExitArgs() bool {
	switch sc.dec {
	case dMincore, dIoSetup, dGetMempolicy, dMovePages, dClone, dClone3,
		dWait4, dWaitpid, dWaitid:
		return true
	}
	return false
}

// ReadsMemoryAtEntry reports whether printing the call's arguments at its entry reads the
// tracee's memory (a string, a struct, an array): execve's, clone3's, mbind's. The others
// print from registers alone (and, with -y, from the descriptors the call holds).
func (sc *Syscall) ReadsMemoryAtEntry() bool {
	switch sc.dec {
	case dOldMmap, dMbind, dSetMempolicy, dMigratePages, dMovePages, dClone3, dExecve,
		dExecveat, dRtSigqueueinfo, dRtTgsigqueueinfo, dPidfdSendSignal:
		return true
	}
	return false
}

// Tracee is what decoders may ask of the traced task. Implemented by the
// ptrace side.
type Tracee interface {
	// ReadMemory reads tracee memory at addr into p. It may return a
	// short count at an unmapped page boundary.
	ReadMemory(addr uint64, p []byte) (int, error)
	// FdPath returns the readlink of /proc/PID/fd/N, for -y; of /proc/PID/cwd for
	// AT_FDCWD (-100).
	FdPath(fd int) (string, error)
}

// Options are strace's output options that change argument text. A nil *Options is strace's
// defaults.
type Options struct {
	StringLimit int        // strace -s: at most this many bytes of a string, elements of an array
	DecorateFds bool       // strace -y
	Consts      ConstStyle // strace -X
	NoAbbrev    bool       // strace -v: execve's environment, arrays and structs in full
	// Comm is strace's -Y: the command name printed beside a process id, 1234<sh>, as the
	// caller finds it ("" for none, as for a process that is gone). nil without -Y.
	Comm func(pid int) string
}

// DefaultStringLimit is strace's default -s.
const DefaultStringLimit = 32

func (o *Options) strLimit() int {
	if o == nil {
		return DefaultStringLimit
	}
	return o.StringLimit
}

// abbrev reports whether long arrays and structs are cut short, as strace does without -v.
func (o *Options) abbrev() bool { return o == nil || !o.NoAbbrev }

func (o *Options) style() ConstStyle {
	if o == nil {
		return ConstAbbrev
	}
	return o.Consts
}

func (o *Options) decorate() bool { return o != nil && o.DecorateFds }

// appendPid appends a process (or thread) id as strace prints one: with -Y, followed by its
// command name, 1234<sh>, while there is a process of that id.
func appendPid(b []byte, o *Options, pid int64) []byte {
	b = strconv.AppendInt(b, pid, 10)
	if o == nil || o.Comm == nil || pid <= 0 {
		return b
	}
	if comm := o.Comm(int(pid)); comm != "" {
		b = append(b, '<')
		b = append(b, comm...)
		b = append(b, '>')
	}
	return b
}

// tables holds, per architecture, the decoded calls indexed by number.
var tables [numArch][]*Syscall

// generic holds, per architecture, undecoded but named calls. They are made only when a
// lookup first needs one (never, in a trace of mmtrace's own calls): some 1,800 of them
// were a millisecond of every start-up.
var generic [numArch][]*Syscall

// pageSize is the tracee's page size (mincore's unit); the tracer's own.
var pageSize = uint64(os.Getpagesize())

// tablesOnce builds the tables on first use, not at start-up: mmtrace's launcher, a re-exec of
// the same binary, runs every package's init and never decodes a call.
var tablesOnce, genericOnce sync.Once

func ensureTables() { tablesOnce.Do(buildTables) }

// buildTables indexes the tables by number. Each entry names its architecture itself, so
// that nothing is written into the tables: they are static data of the binary, and writing
// there cost a copy-on-write page fault a page, 0.2-0.6 ms at the first lookup of every trace.
func buildTables() {
	for a, list := range archSyscalls {
		if list == nil {
			continue // ArchUnknown
		}
		tables[a] = make([]*Syscall, len(Arch(a).names()))
		for i := range list {
			sc := &list[i]
			tables[a][sc.Nr&^x32BitNr] = sc
		}
	}
}

// archSyscalls are the decoded calls of each architecture.
var archSyscalls = [numArch][]Syscall{
	ArchX86_64: syscallsX86_64,
	ArchI386:   syscallsI386,
	ArchX32:    syscallsX32,
	ArchARM64:  syscallsARM64,
}

func buildGeneric() {
	for a := ArchX86_64; a < numArch; a++ {
		names := a.names()
		generic[a] = make([]*Syscall, len(names))
		for nr, name := range names {
			if name == "" || tables[a][nr] != nil {
				continue
			}
			full := uint64(nr)
			if a == ArchX32 {
				full |= x32BitNr
			}
			generic[a][nr] = &Syscall{Name: name, Nr: full, arch: a, dec: dGeneric, nargs: 6}
		}
	}
}

// Lookup returns the system call nr of architecture a, or nil when a has
// no call of that number. For x32, nr may carry __X32_SYSCALL_BIT or not.
// Calls mmtrace does not decode are returned with Decoded() false.
func Lookup(a Arch, nr uint64) *Syscall {
	if a >= numArch || a == ArchUnknown {
		return nil
	}
	ensureTables()
	if a == ArchX32 {
		nr &^= x32BitNr
	}
	if nr >= uint64(len(tables[a])) {
		return nil
	}
	if sc := tables[a][nr]; sc != nil {
		return sc
	}
	genericOnce.Do(buildGeneric)
	return generic[a][nr]
}

// Unknown returns a description of call nr of a that prints as strace
// prints a number it does not know: "syscall_0x1f4(0x1, 0x2, ...)", all six
// arguments in hex. If a has a call nr, that call is returned instead.
func Unknown(a Arch, nr uint64) *Syscall {
	if sc := Lookup(a, nr); sc != nil {
		return sc
	}
	return &Syscall{
		Name:  "syscall_" + "0x" + strconv.FormatUint(nr, 16),
		Nr:    nr,
		arch:  a,
		dec:   dGeneric,
		nargs: 6,
	}
}

// call is one system call being formatted.
type call struct {
	a     [6]uint64 // as the kernel reads them (newCall)
	types argTypes
	arch  Arch
	t     Tracee
	o     *Options
	ret   int64
	isErr bool
	exit  bool
}

// signed returns argument i as a signed value of its type: an int's 32 bits sign-extended,
// a word's as wide as the ABI's words. Signed decimals are printed from it.
func (c *call) signed(i int) int64 {
	if c.types[i] == tInt || c.arch.wordSize() == 4 {
		return int64(int32(c.a[i]))
	}
	return int64(c.a[i])
}

// newCall holds the arguments as the kernel reads them (argType.kernelValue): every decoder
// prints from these, never from the raw registers.
func newCall(sc *Syscall, args *[6]uint64, t Tracee, o *Options) call {
	c := call{a: *args, types: sc.args, arch: sc.arch, t: t, o: o}
	for i := range c.a {
		c.a[i] = sc.args[i].kernelValue(c.a[i], sc.arch)
	}
	return c
}

// AppendEntry appends the part of the argument list that strace prints at
// syscall entry (without the name and "("). args are the raw register
// values from PTRACE_GET_SYSCALL_INFO.
func (sc *Syscall) AppendEntry(b []byte, args *[6]uint64, t Tracee, o *Options) []byte {
	c := newCall(sc, args, t, o)
	return sc.appendArgs(b, &c)
}

// AppendExit appends the part of the argument list that strace prints at
// syscall exit (often nothing; mincore's vector, wait4's status, clone3's
// " => {parent_tid=[N]}"). name + "(" + entry + exit + ")" is strace's
// text of the call.
func (sc *Syscall) AppendExit(b []byte, args *[6]uint64, ret int64, isErr bool, t Tracee, o *Options) []byte {
	if !sc.HasExitArgs() {
		return b
	}
	c := newCall(sc, args, t, o)
	c.ret, c.isErr, c.exit = ret, isErr, true
	return sc.appendArgs(b, &c)
}

// AppendReturn appends what strace prints after " = ": "0x7f445e70a000"
// for the calls returning addresses, the decimal value for the rest, "?"
// for calls that never return, and for errors AppendErrno's text.
func (sc *Syscall) AppendReturn(b []byte, ret int64, isErr bool) []byte {
	if sc.ret == retNever {
		return append(b, '?')
	}
	if isErr {
		return AppendErrno(b, uint64(-ret))
	}
	if sc.ret == retHex {
		v := uint64(ret)
		if sc.arch.wordSize() == 4 {
			v &= 0xffffffff
		}
		return appendHex(b, v)
	}
	if sc.arch == ArchI386 {
		ret = int64(int32(ret))
	}
	return strconv.AppendInt(b, ret, 10)
}

// AppendReturnPids is AppendReturn with -Y (o.Comm): a process id returned (by clone, fork,
// wait4, ...) is followed by its command name, "= 1234<sh>", as strace prints it.
func (sc *Syscall) AppendReturnPids(b []byte, ret int64, isErr bool, o *Options) []byte {
	if isErr || !(sc.ret == retTID || sc.dec == dWait4 || sc.dec == dWaitpid) {
		return sc.AppendReturn(b, ret, isErr)
	}
	if sc.arch == ArchI386 {
		ret = int64(int32(ret))
	}
	return appendPid(b, o, ret)
}

// AppendCall appends a whole call as strace prints it when entry and exit
// are printed together: "name(args) = ret" without the column padding.
func (sc *Syscall) AppendCall(b []byte, args *[6]uint64, ret int64, isErr bool, t Tracee, o *Options) []byte {
	b = append(b, sc.Name...)
	b = append(b, '(')
	b = sc.AppendEntry(b, args, t, o)
	b = sc.AppendExit(b, args, ret, isErr, t, o)
	b = append(b, ") = "...)
	return sc.AppendReturnPids(b, ret, isErr, o)
}

func (sc *Syscall) appendArgs(b []byte, c *call) []byte {
	if int(sc.dec) < len(argFormats) && argFormats[sc.dec] != nil {
		return appendArgFormats(b, c, argFormats[sc.dec])
	}
	a := &c.a
	switch sc.dec {
	case dGeneric:
		for i := 0; i < int(sc.nargs) && i < 6; i++ {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendHex(b, a[i])
		}
	case dNone:
	case dMmap:
		b = appendMmap(b, c, a[0], a[1], a[2], a[3], a[4], a[5])
	case dMmapPgoff:
		b = appendMmap(b, c, a[0], a[1], a[2], a[3], a[4], a[5]*pageSize)
	case dOldMmap:
		b = appendOldMmap(b, c)
	case dMremap:
		b = appendAddr(b, a[0])
		b = append(b, ", "...)
		b = appendUint(b, a[1])
		b = append(b, ", "...)
		b = appendUint(b, a[2])
		b = append(b, ", "...)
		b = appendFlags(b, mremapFlags, a[3], "MREMAP_???", c.o.style())
		if a[3]&(mremapMayMove|mremapFixed) == mremapMayMove|mremapFixed {
			b = append(b, ", "...)
			b = appendAddr(b, a[4])
		}
	case dMincore:
		b = appendMincore(b, c)
	case dIoSetup:
		if !c.exit {
			b = appendUint(b, a[0])
			return append(b, ", "...)
		}
		b = appendNumPtr(b, c, a[1])
	case dMbind:
		b = appendAddr(b, a[0])
		b = append(b, ", "...)
		b = appendUint(b, a[1])
		b = append(b, ", "...)
		b = appendMpolMode(b, a[2], c.o.style())
		b = append(b, ", "...)
		b = appendNodemask(b, c, a[3], a[4])
		b = append(b, ", "...)
		b = appendUint(b, a[4])
		b = append(b, ", "...)
		b = appendFlags(b, mbindFlags, a[5], "MPOL_???", c.o.style())
	case dSetMempolicy:
		b = appendMpolMode(b, a[0], c.o.style())
		b = append(b, ", "...)
		b = appendNodemask(b, c, a[1], a[2])
		b = append(b, ", "...)
		b = appendUint(b, a[2])
	case dGetMempolicy:
		b = appendGetMempolicy(b, c)
	case dMigratePages:
		b = appendInt(b, c.signed(0))
		b = append(b, ", "...)
		b = appendUint(b, a[1])
		b = append(b, ", "...)
		b = appendNodemask(b, c, a[2], a[1])
		b = append(b, ", "...)
		b = appendNodemask(b, c, a[3], a[1])
	case dMovePages:
		b = appendMovePages(b, c)
	case dClone:
		b = appendClone(b, c)
	case dClone3:
		b = appendClone3(b, c)
	case dExecve:
		b = appendExecve(b, c, 0)
	case dExecveat:
		b = appendDirfd(b, c, a[0])
		b = append(b, ", "...)
		b = appendExecve(b, c, 1)
		b = append(b, ", "...)
		b = appendFlags(b, execveatFlags, a[4], "AT_???", c.o.style())
	case dExit:
		b = appendInt(b, c.signed(0))
	case dWait4, dWaitpid:
		b = appendWait(b, c, sc.dec == dWait4)
	case dWaitid:
		b = appendWaitid(b, c)
	case dKill:
		b = appendPid(b, c.o, c.signed(0))
		b = append(b, ", "...)
		b = appendSignal(b, c.signed(1), c.o.style())
	case dTgkill:
		b = appendPid(b, c.o, c.signed(0))
		b = append(b, ", "...)
		b = appendPid(b, c.o, c.signed(1))
		b = append(b, ", "...)
		b = appendSignal(b, c.signed(2), c.o.style())
	case dRtSigqueueinfo:
		b = appendPid(b, c.o, c.signed(0))
		b = append(b, ", "...)
		b = appendSignal(b, c.signed(1), c.o.style())
		b = append(b, ", "...)
		b = appendSiginfoAt(b, c, a[2])
	case dRtTgsigqueueinfo:
		b = appendPid(b, c.o, c.signed(0))
		b = append(b, ", "...)
		b = appendPid(b, c.o, c.signed(1))
		b = append(b, ", "...)
		b = appendSignal(b, c.signed(2), c.o.style())
		b = append(b, ", "...)
		b = appendSiginfoAt(b, c, a[3])
	case dPidfdSendSignal:
		b = appendFd(b, c, int32(c.signed(0)))
		b = append(b, ", "...)
		b = appendSignal(b, c.signed(1), c.o.style())
		b = append(b, ", "...)
		b = appendSiginfoAt(b, c, a[2])
		b = append(b, ", "...)
		b = appendHex(b, a[3])
	}
	return b
}
