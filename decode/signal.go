package decode

import (
	"encoding/binary"
	"strconv"
	"strings"
)

// signalNames are strace's names of the Linux signals (x86 and generic
// numbering, which agree for 1..31).
var signalNames = [...]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP",
	6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1",
	11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
	16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP",
	21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
	26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR",
	31: "SIGSYS", 32: "SIGRTMIN",
}

// Signal numbers the decoders need.
const (
	sigILL   = 4
	sigTRAP  = 5
	sigBUS   = 7
	sigFPE   = 8
	sigSEGV  = 11
	sigCHLD  = 17
	sigIO    = 29
	sigSYS   = 31
	sigRTMIN = 32
	sigRTMAX = 64
)

// SignalName returns the name strace prints for signal sig: "SIGSEGV",
// "SIGRTMIN", "SIGRT_3"; a number outside the signal range prints as the
// decimal number.
func SignalName(sig int) string {
	if sig > 0 && sig < len(signalNames) {
		return signalNames[sig]
	}
	if sig > sigRTMIN && sig <= sigRTMAX {
		return "SIGRT_" + strconv.Itoa(sig-sigRTMIN)
	}
	return strconv.Itoa(sig)
}

// appendSignal appends strace's printsignal of sig without allocating.
func appendSignal(b []byte, sig int64) []byte {
	if sig > 0 && sig < int64(len(signalNames)) {
		return append(b, signalNames[sig]...)
	}
	if sig > sigRTMIN && sig <= sigRTMAX {
		b = append(b, "SIGRT_"...)
		return strconv.AppendInt(b, sig-sigRTMIN, 10)
	}
	return strconv.AppendInt(b, sig, 10)
}

// si_code values.
const (
	siUser  = 0
	siTimer = -2
	siSigio = -5
	siTkill = -6
)

var siginfoCodes = []xlat{
	{0, "SI_USER"},
	{0x80, "SI_KERNEL"},
	{0xffffffff, "SI_QUEUE"},
	{0xfffffffe, "SI_TIMER"},
	{0xfffffffd, "SI_MESGQ"},
	{0xfffffffc, "SI_ASYNCIO"},
	{0xfffffffb, "SI_SIGIO"},
	{0xfffffffa, "SI_TKILL"},
	{0xfffffff9, "SI_DETHREAD"},
	{0xffffffc4, "SI_ASYNCNL"},
}

var sigchldCodes = []xlat{
	{1, "CLD_EXITED"}, {2, "CLD_KILLED"}, {3, "CLD_DUMPED"},
	{4, "CLD_TRAPPED"}, {5, "CLD_STOPPED"}, {6, "CLD_CONTINUED"},
}

var sigsegvCodes = []xlat{
	{1, "SEGV_MAPERR"}, {2, "SEGV_ACCERR"}, {3, "SEGV_BNDERR"},
	{4, "SEGV_PKUERR"}, {5, "SEGV_ACCADI"}, {6, "SEGV_ADIDERR"},
	{7, "SEGV_ADIPERR"}, {8, "SEGV_MTEAERR"}, {9, "SEGV_MTESERR"},
}

var sigbusCodes = []xlat{
	{1, "BUS_ADRALN"}, {2, "BUS_ADRERR"}, {3, "BUS_OBJERR"},
	{4, "BUS_MCEERR_AR"}, {5, "BUS_MCEERR_AO"},
}

var sigillCodes = []xlat{
	{1, "ILL_ILLOPC"}, {2, "ILL_ILLOPN"}, {3, "ILL_ILLADR"},
	{4, "ILL_ILLTRP"}, {5, "ILL_PRVOPC"}, {6, "ILL_PRVREG"},
	{7, "ILL_COPROC"}, {8, "ILL_BADSTK"}, {9, "ILL_BADIADDR"},
}

var sigfpeCodes = []xlat{
	{1, "FPE_INTDIV"}, {2, "FPE_INTOVF"}, {3, "FPE_FLTDIV"},
	{4, "FPE_FLTOVF"}, {5, "FPE_FLTUND"}, {6, "FPE_FLTRES"},
	{7, "FPE_FLTINV"}, {8, "FPE_FLTSUB"}, {14, "FPE_FLTUNK"},
	{15, "FPE_CONDTRAP"},
}

var sigtrapCodes = []xlat{
	{1, "TRAP_BRKPT"}, {2, "TRAP_TRACE"}, {3, "TRAP_BRANCH"},
	{4, "TRAP_HWBKPT"}, {5, "TRAP_UNK"}, {6, "TRAP_PERF"},
}

var sigpollCodes = []xlat{
	{1, "POLL_IN"}, {2, "POLL_OUT"}, {3, "POLL_MSG"},
	{4, "POLL_ERR"}, {5, "POLL_PRI"}, {6, "POLL_HUP"},
}

var sigsysCodes = []xlat{
	{1, "SYS_SECCOMP"}, {2, "SYS_USER_DISPATCH"},
}

func siCodeTable(signo int32) []xlat {
	switch signo {
	case sigCHLD:
		return sigchldCodes
	case sigSEGV:
		return sigsegvCodes
	case sigBUS:
		return sigbusCodes
	case sigILL:
		return sigillCodes
	case sigFPE:
		return sigfpeCodes
	case sigTRAP:
		return sigtrapCodes
	case sigIO:
		return sigpollCodes
	case sigSYS:
		return sigsysCodes
	}
	return nil
}

// AppendSiginfo appends the body of strace's signal line, e.g.
// "SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1235, si_uid=0,
// si_status=0, si_utime=0, si_stime=0}"; the caller adds "--- " and " ---".
// siginfo is the raw siginfo_t from PTRACE_GETSIGINFO in the tracer's
// native (64-bit) layout.
func AppendSiginfo(b []byte, sig int, siginfo *[128]byte) []byte {
	b = appendSignal(b, int64(sig))
	b = append(b, ' ')
	return appendSiginfoRaw(b, siginfo[:], 8)
}

// siginfo reads fields of a raw siginfo_t of the given word size.
type siginfo struct {
	raw []byte
	ws  int
}

func (s siginfo) i32(off int) int32 {
	if off+4 > len(s.raw) {
		return 0
	}
	return int32(binary.LittleEndian.Uint32(s.raw[off:]))
}

func (s siginfo) u16(off int) uint16 {
	if off+2 > len(s.raw) {
		return 0
	}
	return binary.LittleEndian.Uint16(s.raw[off:])
}

// word reads a long or pointer at off.
func (s siginfo) word(off int) uint64 {
	if s.ws == 4 {
		return uint64(uint32(s.i32(off)))
	}
	if off+8 > len(s.raw) {
		return 0
	}
	return binary.LittleEndian.Uint64(s.raw[off:])
}

// sword reads a signed long at off.
func (s siginfo) sword(off int) int64 {
	if s.ws == 4 {
		return int64(s.i32(off))
	}
	return int64(s.word(off))
}

// appendSiginfoRaw formats a siginfo_t as strace's printsiginfo. ws is the
// tracee's word size (8, or 4 for i386's compat layout).
func appendSiginfoRaw(b []byte, raw []byte, ws int) []byte {
	s := siginfo{raw, ws}
	// The union starts after si_signo, si_errno, si_code (and padding on
	// 64-bit).
	u := 12
	if ws == 8 {
		u = 16
	}
	signo := s.i32(0)
	errno := s.i32(4)
	code := s.i32(8)
	b = append(b, '{')
	if signo == 0 {
		return append(b, '}')
	}
	b = append(b, "si_signo="...)
	b = appendSignal(b, int64(signo))
	b = append(b, ", si_code="...)
	name := lookupXlat(siginfoCodes, uint64(uint32(code)))
	if name == "" {
		name = lookupXlat(siCodeTable(signo), uint64(uint32(code)))
	}
	if name != "" {
		b = append(b, name...)
	} else {
		b = appendHex(b, uint64(uint32(code)))
	}
	if errno != 0 {
		b = append(b, ", si_errno="...)
		if n := ErrnoName(uint64(uint32(errno))); n != "" {
			b = append(b, n...)
		} else {
			b = strconv.AppendUint(b, uint64(uint32(errno)), 10)
		}
	}
	pid, uid := s.i32(u), s.i32(u+4)
	sigval := u + 8 // after si_pid and si_uid
	source := func(b []byte) []byte {
		b = append(b, ", si_pid="...)
		b = strconv.AppendInt(b, int64(pid), 10)
		b = append(b, ", si_uid="...)
		return appendID(b, uint32(uid))
	}
	value := func(b []byte) []byte {
		b = append(b, ", si_int="...)
		b = strconv.AppendInt(b, int64(s.i32(sigval)), 10)
		b = append(b, ", si_ptr="...)
		return appendAddr(b, s.word(sigval))
	}
	if code <= 0 {
		switch code {
		case siUser, siTkill:
			b = source(b)
		case siTimer:
			b = append(b, ", si_timerid="...)
			b = appendHex(b, uint64(uint32(s.i32(u))))
			b = append(b, ", si_overrun="...)
			b = strconv.AppendInt(b, int64(s.i32(u+4)), 10)
			b = value(b)
		case siSigio:
			b = append(b, ", si_band="...)
			b = strconv.AppendInt(b, s.sword(u), 10)
			b = append(b, ", si_fd="...)
			b = strconv.AppendInt(b, int64(s.i32(u+ws)), 10)
		default:
			b = source(b)
			if s.word(sigval) != 0 {
				b = value(b)
			}
		}
		return append(b, '}')
	}
	switch signo {
	case sigCHLD:
		b = source(b)
		b = append(b, ", si_status="...)
		st := s.i32(u + 8)
		if code == 1 { // CLD_EXITED
			b = strconv.AppendInt(b, int64(st), 10)
		} else {
			b = appendSignal(b, int64(st))
		}
		b = append(b, ", si_utime="...)
		b = appendClock(b, s.word(u+8+ws))
		b = append(b, ", si_stime="...)
		b = appendClock(b, s.word(u+8+2*ws))
	case sigILL, sigFPE, sigTRAP:
		b = append(b, ", si_addr="...)
		b = appendAddr(b, s.word(u))
	case sigBUS:
		b = append(b, ", si_addr="...)
		b = appendAddr(b, s.word(u))
		if code == 4 || code == 5 {
			b = append(b, ", si_addr_lsb="...)
			b = appendHex(b, uint64(s.u16(u+ws)))
		}
	case sigSEGV:
		b = append(b, ", si_addr="...)
		b = appendAddr(b, s.word(u))
		// si_lower/si_upper and si_pkey sit after the addr and the
		// (pointer-aligned) addr_lsb.
		ext := u + 2*ws
		switch code {
		case 3:
			b = append(b, ", si_lower="...)
			b = appendAddr(b, s.word(ext))
			b = append(b, ", si_upper="...)
			b = appendAddr(b, s.word(ext+ws))
		case 4:
			b = append(b, ", si_pkey="...)
			b = strconv.AppendUint(b, uint64(uint32(s.i32(ext))), 10)
		}
	case sigIO:
		if code >= 1 && code <= 6 {
			b = append(b, ", si_band="...)
			b = strconv.AppendInt(b, s.sword(u), 10)
			b = append(b, ", si_fd="...)
			b = strconv.AppendInt(b, int64(s.i32(u+ws)), 10)
		}
	case sigSYS:
		b = append(b, ", si_call_addr="...)
		b = appendAddr(b, s.word(u))
		nr := s.i32(u + ws)
		arch := uint32(s.i32(u + ws + 4))
		b = append(b, ", si_syscall="...)
		b = appendSyscallNr(b, arch, nr)
		b = append(b, ", si_arch="...)
		b = appendXval(b, auditArchs, uint64(arch), "AUDIT_ARCH_???")
	default:
		if pid != 0 || uid != 0 {
			b = source(b)
		}
		if s.word(sigval) != 0 {
			b = value(b)
		}
	}
	return append(b, '}')
}

// appendID appends a uid/gid as strace does: -1 for (uid_t)-1.
func appendID(b []byte, id uint32) []byte {
	if id == ^uint32(0) {
		return append(b, "-1"...)
	}
	return strconv.AppendUint(b, uint64(id), 10)
}

// clockTicks is USER_HZ, sysconf(_SC_CLK_TCK) on Linux.
const clockTicks = 100

// appendClock appends a clock_t as strace does: "15 /* 0.15 s */".
func appendClock(b []byte, v uint64) []byte {
	b = strconv.AppendUint(b, v, 10)
	if v == 0 {
		return b
	}
	b = append(b, " /* "...)
	b = strconv.AppendUint(b, v/clockTicks, 10)
	b = append(b, '.')
	f := v % clockTicks
	if f < 10 {
		b = append(b, '0')
	}
	b = strconv.AppendUint(b, f, 10)
	return append(b, " s */"...)
}

// appendSyscallNr appends a system call number of the given audit arch as
// strace's si_syscall: "__NR_getpid" for the tracer's own architecture,
// "20 /* getpid */" for another, the bare number when unknown.
func appendSyscallNr(b []byte, auditArch uint32, nr int32) []byte {
	a := ArchOf(auditArch, uint64(uint32(nr)))
	name := ""
	if a != ArchUnknown && nr >= 0 {
		name = a.syscallName(uint64(nr))
	}
	if name != "" && a == NativeArch() {
		b = append(b, "__NR_"...)
		return append(b, name...)
	}
	b = strconv.AppendInt(b, int64(nr), 10)
	if name != "" {
		b = appendComment(b, name)
	}
	return b
}

// SignalNumber is the number of the signal that strace's -e signal= names by name, with or
// without "SIG", in any case ("SIGCHLD", "chld", "RT_3", "SIGRTMIN"), or by its decimal
// number below 256.
func SignalNumber(name string) (int, bool) {
	if name != "" && name[0] >= '0' && name[0] <= '9' {
		n, err := strconv.ParseUint(name, 10, 8)
		return int(n), err == nil
	}
	if len(name) >= 3 && strings.EqualFold(name[:3], "SIG") {
		name = name[3:]
	}
	for sig := 1; sig <= sigRTMAX; sig++ {
		if strings.EqualFold(SignalName(sig)[len("SIG"):], name) {
			return sig, true
		}
	}
	return 0, false
}
