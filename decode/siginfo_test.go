package decode

import (
	"bufio"
	"encoding/binary"
	"os"
	"testing"
)

// siginfoCase mirrors one rt_sigqueueinfo call of the C program whose
// strace 6.1 output is testdata/strace_siginfo.txt.
type siginfoCase struct {
	sig, code, errno int32
	fill             func(p []byte)
}

func siSrc(p []byte) {
	binary.LittleEndian.PutUint32(p[16:], 1234)
	binary.LittleEndian.PutUint32(p[20:], 1000)
}
func siSrcVal(p []byte) { siSrc(p); binary.LittleEndian.PutUint64(p[24:], 0x100000005) }
func siChld(p []byte) {
	siSrc(p)
	binary.LittleEndian.PutUint32(p[24:], 9)
	binary.LittleEndian.PutUint64(p[32:], 15)
	binary.LittleEndian.PutUint64(p[40:], 16)
}
func siAddr(p []byte) {
	binary.LittleEndian.PutUint64(p[16:], 0xdeadbeef)
	binary.LittleEndian.PutUint16(p[24:], 12)
	binary.LittleEndian.PutUint64(p[32:], 0x1000)
	binary.LittleEndian.PutUint64(p[40:], 0x2000)
}
func siPoll(p []byte) {
	binary.LittleEndian.PutUint64(p[16:], 65)
	binary.LittleEndian.PutUint32(p[24:], 5)
}
func siSys(nr int32, arch uint32) func([]byte) {
	return func(p []byte) {
		binary.LittleEndian.PutUint64(p[16:], 0x401000)
		binary.LittleEndian.PutUint32(p[24:], uint32(nr))
		binary.LittleEndian.PutUint32(p[28:], arch)
	}
}
func siTimerFill(p []byte) {
	binary.LittleEndian.PutUint32(p[16:], 7)
	binary.LittleEndian.PutUint32(p[20:], 2)
	binary.LittleEndian.PutUint64(p[24:], 0x55)
}
func siUIDm1(p []byte) {
	binary.LittleEndian.PutUint32(p[16:], 1)
	binary.LittleEndian.PutUint32(p[20:], 0xffffffff)
}

func siginfoCases() []siginfoCase {
	const (
		usr1, chld, segv, bus, ill, fpe, trap, sigio, sys, prof, term = 10, 17, 11, 7, 4, 8, 5, 29, 31, 27, 15
	)
	cs := []siginfoCase{
		{usr1, 0, 0, siSrc}, {usr1, -6, 0, siSrc}, {usr1, -1, 0, siSrcVal},
		{usr1, -1, 0, siSrc}, {usr1, 0x80, 0, siSrc}, {usr1, 0x80, 0, nil},
		{usr1, -2, 0, siTimerFill}, {usr1, -3, 0, siSrcVal}, {usr1, -4, 0, siSrc},
		{usr1, -5, 0, siPoll}, {usr1, -7, 0, siSrc}, {usr1, -60, 0, siSrc},
		{usr1, -100, 0, siSrc}, {usr1, 5, 0, siSrc}, {usr1, 5, 2, siSrc},
		{usr1, 0, 0, siUIDm1},
	}
	add := func(sig int32, from, to int32, fill func([]byte)) {
		for c := from; c <= to; c++ {
			cs = append(cs, siginfoCase{sig, c, 0, fill})
		}
	}
	add(chld, 1, 7, siChld)
	add(chld, 1, 1, siChld)
	add(segv, 1, 10, siAddr)
	add(bus, 1, 6, siAddr)
	add(ill, 1, 12, siAddr)
	add(fpe, 1, 16, siAddr)
	add(trap, 1, 7, siAddr)
	add(sigio, 1, 7, siPoll)
	add(sys, 1, 4, siSys(39, 0xc000003e))
	cs = append(cs,
		siginfoCase{sys, 1, 0, siSys(20, 0x40000003)},
		siginfoCase{sys, 1, 0, siSys(9999, 0x1234)},
		siginfoCase{prof, 1, 0, siSrc},
		siginfoCase{term, 1, 0, siSrc},
		siginfoCase{term, 1, 0, nil},
		siginfoCase{term, 1, 0, siSrcVal},
		siginfoCase{0, 1, 0, siSrc},
		siginfoCase{36, -1, 0, siSrcVal}, // glibc SIGRTMIN+2
	)
	return cs
}

// TestSiginfoStrace compares rt_sigqueueinfo decoding, and with it every
// si_code branch of the siginfo printer, with strace 6.1's output.
func TestSiginfoStrace(t *testing.T) {
	if NativeArch() != ArchX86_64 {
		t.Skip("expected text has x86_64's si_syscall=__NR_getpid")
	}
	f, err := os.Open("testdata/strace_siginfo.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		want = append(want, sc.Text())
	}
	cases := siginfoCases()
	b := newBuilder(8)
	var lines []string
	for _, c := range cases {
		p := make([]byte, 128)
		binary.LittleEndian.PutUint32(p[0:], uint32(c.sig))
		binary.LittleEndian.PutUint32(p[4:], uint32(c.errno))
		binary.LittleEndian.PutUint32(p[8:], uint32(c.code))
		if c.fill != nil {
			c.fill(p)
		}
		addr := b.bytes(p)
		lines = append(lines, entryOnly(ArchX86_64, "rt_sigqueueinfo", [6]uint64{999999, uint64(c.sig), addr}, b.f))
	}
	lines = append(lines,
		entryOnly(ArchX86_64, "rt_sigqueueinfo", [6]uint64{999999, 10, 0}, b.f),
		entryOnly(ArchX86_64, "rt_sigqueueinfo", [6]uint64{999999, 10, 8}, b.f),
		entryOnly(ArchX86_64, "rt_tgsigqueueinfo", [6]uint64{999999, 999998, 10, b.bytes(make([]byte, 128))}, b.f),
	)
	if len(lines) != len(want) {
		t.Fatalf("%d cases, %d expected lines", len(lines), len(want))
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("case %d\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
}

// entryOnly formats "name(entry)" of a call decoded at entry.
func entryOnly(a Arch, name string, args [6]uint64, t Tracee) string {
	for _, sc := range tables[a] {
		if sc != nil && sc.Name == name {
			b := append([]byte(sc.Name), '(')
			b = sc.AppendEntry(b, &args, t, nil)
			return string(append(b, ')'))
		}
	}
	return "no " + name
}

// TestAppendSiginfo checks signal lines strace 6.1 printed for real
// signals ("--- " and " ---" are the caller's).
func TestAppendSiginfo(t *testing.T) {
	mk := func(signo, code int32, fill func(p []byte)) *[128]byte {
		var p [128]byte
		binary.LittleEndian.PutUint32(p[0:], uint32(signo))
		binary.LittleEndian.PutUint32(p[8:], uint32(code))
		fill(p[:])
		return &p
	}
	chld := func(pid, status int32) func([]byte) {
		return func(p []byte) {
			binary.LittleEndian.PutUint32(p[16:], uint32(pid))
			binary.LittleEndian.PutUint32(p[24:], uint32(status))
		}
	}
	addr := func(a uint64) func([]byte) {
		return func(p []byte) { binary.LittleEndian.PutUint64(p[16:], a) }
	}
	user := func(pid int32) func([]byte) {
		return func(p []byte) { binary.LittleEndian.PutUint32(p[16:], uint32(pid)) }
	}
	for _, c := range []struct {
		sig  int
		info *[128]byte
		want string
	}{
		{17, mk(17, 1, chld(6644, 7)), "SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=6644, si_uid=0, si_status=7, si_utime=0, si_stime=0}"},
		{17, mk(17, 2, chld(6645, 15)), "SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=6645, si_uid=0, si_status=SIGTERM, si_utime=0, si_stime=0}"},
		{17, mk(17, 5, chld(6646, 19)), "SIGCHLD {si_signo=SIGCHLD, si_code=CLD_STOPPED, si_pid=6646, si_uid=0, si_status=SIGSTOP, si_utime=0, si_stime=0}"},
		{17, mk(17, 6, chld(6646, 18)), "SIGCHLD {si_signo=SIGCHLD, si_code=CLD_CONTINUED, si_pid=6646, si_uid=0, si_status=SIGCONT, si_utime=0, si_stime=0}"},
		{15, mk(15, -6, user(6645)), "SIGTERM {si_signo=SIGTERM, si_code=SI_TKILL, si_pid=6645, si_uid=0}"},
		{19, mk(19, 0, user(6643)), "SIGSTOP {si_signo=SIGSTOP, si_code=SI_USER, si_pid=6643, si_uid=0}"},
		{11, mk(11, 1, addr(0x10)), "SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10}"},
		{11, mk(11, 2, addr(0x7f96be4de000)), "SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x7f96be4de000}"},
		{7, mk(7, 2, addr(0x7f96be4dc000)), "SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f96be4dc000}"},
	} {
		if got := string(AppendSiginfo(nil, c.sig, c.info, nil)); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
}

func TestSignalName(t *testing.T) {
	for sig, want := range map[int]string{
		0: "0", 1: "SIGHUP", 9: "SIGKILL", 11: "SIGSEGV", 16: "SIGSTKFLT", 29: "SIGIO",
		31: "SIGSYS", 32: "SIGRTMIN", 33: "SIGRT_1", 35: "SIGRT_3", 64: "SIGRT_32",
		65: "65", -1: "-1",
	} {
		if got := SignalName(sig); got != want {
			t.Errorf("SignalName(%d) = %q, want %q", sig, got, want)
		}
	}
}
