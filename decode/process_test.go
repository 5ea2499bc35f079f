package decode

import (
	"encoding/binary"
	"strings"
	"testing"
)

// Expected texts below are lines strace 6.1 printed for the C programs
// that made these calls (fork/wait/clone/clone3/execve edge cases), with
// addresses reproduced in the fake tracee.

func rusage64(utSec, utUsec, stSec, stUsec uint64) []byte {
	p := make([]byte, 144)
	for i, v := range []uint64{utSec, utUsec, stSec, stUsec} {
		binary.LittleEndian.PutUint64(p[8*i:], v)
	}
	return p
}

func TestWait(t *testing.T) {
	b := newBuilder(8)
	st7 := b.bytes(le32(7 << 8))
	ru := b.bytes(rusage64(0, 155, 0, 0))
	term := b.bytes(le32(15))
	stop := b.bytes(le32(19<<8 | 0x7f))
	cont := b.bytes(le32(0xffff))
	killed := b.bytes(le32(9))
	si := make([]byte, 128)
	binary.LittleEndian.PutUint32(si[0:], 17)
	binary.LittleEndian.PutUint32(si[8:], 2)
	binary.LittleEndian.PutUint32(si[16:], 6646)
	binary.LittleEndian.PutUint32(si[24:], 9)
	siAddr := b.bytes(si)
	ruOnes := b.bytes(rusage64(^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)))
	for _, c := range []struct {
		name  string
		args  [6]uint64
		ret   int64
		isErr bool
		want  string
	}{
		{"wait4", [6]uint64{6644, st7, 0, ru}, 6644, false,
			"wait4(6644, [{WIFEXITED(s) && WEXITSTATUS(s) == 7}], 0, {ru_utime={tv_sec=0, tv_usec=155}, ru_stime={tv_sec=0, tv_usec=0}, ...}) = 6644"},
		{"wait4", [6]uint64{^uint64(0), term, 0x40000000, 0}, 6645, false,
			"wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}], __WALL, NULL) = 6645"},
		{"wait4", [6]uint64{6646, stop, 2, 0}, 6646, false,
			"wait4(6646, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WSTOPPED, NULL) = 6646"},
		{"wait4", [6]uint64{6646, cont, 8, 0}, 6646, false,
			"wait4(6646, [{WIFCONTINUED(s)}], WCONTINUED, NULL) = 6646"},
		{"wait4", [6]uint64{6647, killed, 0, 0}, 6647, false,
			"wait4(6647, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, NULL) = 6647"},
		{"wait4", [6]uint64{^uint64(0), 0x7fff65c9a60c, 1, 0}, -10, true,
			"wait4(-1, 0x7fff65c9a60c, WNOHANG, NULL) = -1 ECHILD (No child processes)"},
		{"wait4", [6]uint64{6647, 0x7fff65c9a60c, 1, 0}, 0, false,
			"wait4(6647, 0x7fff65c9a60c, WNOHANG, NULL) = 0"},
		{"wait4", [6]uint64{^uint64(0), 0, 0x40000000, 0}, 12813, false,
			"wait4(-1, NULL, __WALL, NULL) = 12813"},
		{"waitid", [6]uint64{1, 6646, siAddr, 4, 0}, 0, false,
			"waitid(P_PID, 6646, {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=6646, si_uid=0, si_status=SIGKILL, si_utime=0, si_stime=0}, WEXITED, NULL) = 0"},
		{"waitid", [6]uint64{0, 0, 0x7fff65c9a4f0, 5, 0}, -10, true,
			"waitid(P_ALL, 0, 0x7fff65c9a4f0, WNOHANG|WEXITED, NULL) = -1 ECHILD (No child processes)"},
		// testdata/trace/edges.c: options in strace's order, the upper halves ignored, and a
		// rusage the kernel left as it was (nothing was waited for), tv_usec unsigned.
		{"wait4", [6]uint64{^uint64(0), 0xbadc0de0, ^uint64(0), 0xbadc0de0}, -22, true,
			"wait4(-1, 0xbadc0de0, WNOHANG|WEXITED|WSTOPPED|WCONTINUED|WNOWAIT|__WCLONE|__WALL|__WNOTHREAD|0x1efffff0, 0xbadc0de0) = -1 EINVAL (Invalid argument)"},
		{"waitid", [6]uint64{0xdeadbeef00000001, 0xfacefeed00000000 | 21794, 0, 0xdeadbeef61000005, ruOnes}, 0, false,
			"waitid(P_PID, 21794, NULL, WNOHANG|WEXITED|WNOWAIT|__WALL|__WNOTHREAD, {ru_utime={tv_sec=-1, tv_usec=18446744073709551615}, ru_stime={tv_sec=-1, tv_usec=18446744073709551615}, ...}) = 0"},
		{"waitid", [6]uint64{^uint64(0), ^uint64(0), 0xbadc0de0, ^uint64(0), 0xbadc0de0}, -14, true,
			"waitid(0xffffffff /* P_??? */, -1, 0xbadc0de0, WNOHANG|WEXITED|WSTOPPED|WCONTINUED|WNOWAIT|__WCLONE|__WALL|__WNOTHREAD|0x1efffff0, 0xbadc0de0) = -1 EFAULT (Bad address)"},
	} {
		if got := line(ArchX86_64, c.name, c.args, c.ret, c.isErr, b.f, nil); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
	// i386's rusage holds 32-bit longs: tv_usec is zero-extended from 32 bits, as strace's
	// print_timeval_t does (zero_extend_signed_to_ull).
	b32 := newBuilder(4)
	ru32 := b32.words(^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	want32 := "waitid(P_ALL, 0, NULL, WNOHANG|WEXITED, {ru_utime={tv_sec=-1, tv_usec=4294967295}, ru_stime={tv_sec=-1, tv_usec=4294967295}, ...}) = 0"
	if got := line(ArchI386, "waitid", [6]uint64{0, 0, 0, 5, ru32}, 0, false, b32.f, nil); got != want32 {
		t.Errorf("\n got %s\nwant %s", got, want32)
	}
	// i386 waitpid and wait4 (strace 6.1 on a -m32 program).
	for _, c := range []struct {
		name string
		args [6]uint64
		want string
	}{
		{"waitpid", [6]uint64{0xffffffff, 0, 1}, "waitpid(-1, NULL, WNOHANG) = -1 ECHILD (No child processes)"},
		{"wait4", [6]uint64{0xffffffff, 0, 1, 0}, "wait4(-1, NULL, WNOHANG, NULL) = -1 ECHILD (No child processes)"},
	} {
		if got := line(ArchI386, c.name, c.args, -10, true, b.f, nil); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
}

// TestSplit checks where entry text ends and exit text begins: strace
// prints "wait4(6644,  <unfinished ...>" and "<... wait4 resumed>[...".
func TestSplit(t *testing.T) {
	b := newBuilder(8)
	st := b.bytes(le32(7 << 8))
	ptid := b.bytes(le32(6649))
	for _, c := range []struct {
		name        string
		args        [6]uint64
		ret         int64
		entry, exit string
	}{
		{"wait4", [6]uint64{6644, st, 0, 0}, 6644, "6644, ", "[{WIFEXITED(s) && WEXITSTATUS(s) == 7}], 0, NULL"},
		{"clone", [6]uint64{0x1200011, 0, 0, 0x7f445e51ea10}, 5729,
			"child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD", ", child_tidptr=0x7f445e51ea10"},
		{"clone", [6]uint64{0, 0}, 12812, "child_stack=NULL, flags=0", ""},
		{"clone", [6]uint64{0x100011, 0, ptid}, 6649, "child_stack=NULL, flags=CLONE_PARENT_SETTID|SIGCHLD", ", parent_tid=[6649]"},
		{"mincore", [6]uint64{0x1000, 0, 0x2000}, 0, "0x1000, 0, ", "[]"},
		{"mmap", [6]uint64{0, 4096, 3, 0x22, ^uint64(0), 0}, 0x1000, "NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0", ""},
		{"get_mempolicy", [6]uint64{0, 0, 0, 0, 0}, 0, "", "NULL, NULL, 0, NULL, 0"},
	} {
		var sc *Syscall
		for _, s := range tables[ArchX86_64] {
			if s != nil && s.Name == c.name {
				sc = s
			}
		}
		e := string(sc.AppendEntry(nil, &c.args, b.f, nil))
		x := string(sc.AppendExit(nil, &c.args, c.ret, false, b.f, nil))
		if e != c.entry || x != c.exit {
			t.Errorf("%s: entry %q exit %q, want %q %q", c.name, e, x, c.entry, c.exit)
		}
	}
}

func cloneArgs(flags, pidfd, child, parent, exitSig, stack, stackSize, tls uint64) []byte {
	p := make([]byte, 88)
	for i, v := range []uint64{flags, pidfd, child, parent, exitSig, stack, stackSize, tls} {
		binary.LittleEndian.PutUint64(p[8*i:], v)
	}
	return p
}

func TestClone(t *testing.T) {
	b := newBuilder(8)
	ptid := b.bytes(le32(6650))
	pfd := b.bytes(le32(3))
	ca1 := b.bytes(cloneArgs(0x100000, 0, 0, ptid, 17, 0, 0, 0))
	ca2 := b.bytes(cloneArgs(0, 0, 0, 0, 17, 0, 0, 0))
	ca3 := b.bytes(cloneArgs(0x100001000, pfd, 0, 0, 17, 0, 0, 0))
	ones := make([]byte, 88)
	for i := range ones {
		ones[i] = 0xff
	}
	ca4 := b.bytes(ones)
	thr := b.bytes(cloneArgs(0x3d0f00, 0, 0x7f0e7d41c990, 0x7f0e7d41c990, 0, 0x7f0e7cc1c000, 0x7fff80, 0x7f0e7d41c6c0))
	// The thread's parent_tid word holds the new tid at exit.
	b.f.mem(0x7f0e7d41c990, le32(13554))
	b.f.fds[3] = "anon_inode:[pidfd]"
	for _, c := range []struct {
		name  string
		args  [6]uint64
		ret   int64
		isErr bool
		o     *Options
		want  string
	}{
		{"clone3", [6]uint64{ca1, 88}, 6650, false, nil,
			"clone3({flags=CLONE_PARENT_SETTID, parent_tid=" + hex(ptid) + ", exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {parent_tid=[6650]}, 88) = 6650"},
		{"clone3", [6]uint64{ca2, 64}, 6651, false, nil,
			"clone3({flags=0, exit_signal=SIGCHLD, stack=NULL, stack_size=0}, 64) = 6651"},
		{"clone3", [6]uint64{ca3, 88}, 6652, false, nil,
			"clone3({flags=CLONE_PIDFD|CLONE_CLEAR_SIGHAND, pidfd=" + hex(pfd) + ", exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {pidfd=[3]}, 88) = 6652"},
		{"clone3", [6]uint64{ca3, 88}, 6652, false, &Options{StringLimit: DefaultStringLimit, DecorateFds: true},
			"clone3({flags=CLONE_PIDFD|CLONE_CLEAR_SIGHAND, pidfd=" + hex(pfd) + ", exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {pidfd=[3<anon_inode:[pidfd]>]}, 88) = 6652"},
		{"clone3", [6]uint64{0, 88}, -14, true, nil, "clone3(NULL, 88) = -1 EFAULT (Bad address)"},
		{"clone3", [6]uint64{0x7fff65c9a490, 8}, -22, true, nil, "clone3(0x7fff65c9a490, 8) = -1 EINVAL (Invalid argument)"},
		{"clone3", [6]uint64{ca4, 88}, -22, true, nil,
			"clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_PIDFD|CLONE_PTRACE|CLONE_VFORK|CLONE_PARENT|CLONE_THREAD|CLONE_NEWNS|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|CLONE_UNTRACED|CLONE_CHILD_SETTID|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|CLONE_IO|CLONE_NEWTIME|CLONE_CLEAR_SIGHAND|CLONE_INTO_CGROUP|0xfffffffc0040007f, pidfd=0xffffffffffffffff, child_tid=0xffffffffffffffff, parent_tid=0xffffffffffffffff, exit_signal=18446744073709551615, stack=0xffffffffffffffff, stack_size=0xffffffffffffffff, tls=0xffffffffffffffff, set_tid=0xffffffffffffffff, set_tid_size=18446744073709551615, cgroup=18446744073709551615}, 88) = -1 EINVAL (Invalid argument)"},
		{"clone3", [6]uint64{thr, 88}, 13554, false, nil,
			"clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f0e7d41c990, parent_tid=0x7f0e7d41c990, exit_signal=0, stack=0x7f0e7cc1c000, stack_size=0x7fff80, tls=0x7f0e7d41c6c0} => {parent_tid=[13554]}, 88) = 13554"},
		// REFERENCE.md's example.
		{"clone", [6]uint64{0x1200011, 0, 0, 0x7f445e51ea10}, 5729, false, nil,
			"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f445e51ea10) = 5729"},
		{"clone", [6]uint64{0x11}, 12813, false, nil, "clone(child_stack=NULL, flags=SIGCHLD) = 12813"},
		{"clone", [6]uint64{0x841, 0x1000, 0x2000, 0x3000, 0x4000}, -22, true, nil,
			"clone(child_stack=0x1000, flags=CLONE_SIGHAND|65) = -1 EINVAL (Invalid argument)"},
		{"clone", [6]uint64{0x1580800, 0x1000, 0x2000, 0x3000, 0x4000}, -22, true, nil,
			"clone(child_stack=0x1000, flags=CLONE_SIGHAND|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_SETTID|0x400000, parent_tid=0x2000, tls=0x4000, child_tidptr=0x3000) = -1 EINVAL (Invalid argument)"},
		{"clone", [6]uint64{0x1800, 0x1000, 0x2000, 0x3000, 0x4000}, -22, true, nil,
			"clone(child_stack=0x1000, flags=CLONE_SIGHAND|CLONE_PIDFD, parent_tid=0x2000) = -1 EINVAL (Invalid argument)"},
		{"clone", [6]uint64{0x400080, 0x1000, 0x2000, 0x3000, 0x4000}, 12817, false, nil,
			"clone(child_stack=0x1000, flags=0x400000 /* CLONE_??? */|128) = 12817"},
		{"clone", [6]uint64{0x400180, 0x1000, 0x2000, 0x3000, 0x4000}, 12818, false, nil,
			"clone(child_stack=0x1000, flags=CLONE_VM|0x400000|128) = 12818"},
		{"fork", [6]uint64{}, 100, false, nil, "fork() = 100"},
		{"vfork", [6]uint64{}, -11, true, nil, "vfork() = -1 EAGAIN (Resource temporarily unavailable)"},
		{"clone", [6]uint64{0x1200011, 0, 0, 0x709e3da44a10}, -513, true, nil,
			"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x709e3da44a10) = ? ERESTARTNOINTR (To be restarted)"},
	} {
		if got := line(ArchX86_64, c.name, c.args, c.ret, c.isErr, b.f, c.o); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
}

func hex(v uint64) string { return string(appendHex(nil, v)) }

// TestClone3Tail: a struct clone_args larger than strace's prints the bytes past it that are
// not zero, "???" when they cannot be read (testdata/trace/edges.c under strace 6.1).
func TestClone3Tail(t *testing.T) {
	b := newBuilder(8)
	thread := cloneArgs(0x10000, 0, 0, 0, 17, 0, 0, 0)
	tail := b.bytes(append(append([]byte(nil), thread...), 0x34, 0x12, 0, 0, 0, 0, 0, 0))
	zeroTail := b.bytes(append(append([]byte(nil), thread...), make([]byte, 8)...))
	page := b.bytes(append(append([]byte(nil), thread...), make([]byte, 4096-88)...))
	cgroup := append(append([]byte(nil), thread...), make([]byte, 8)...)
	binary.LittleEndian.PutUint64(cgroup[80:], 0xdeadbeef)
	cgroupAddr := b.bytes(cgroup)
	cutFields := append(append([]byte(nil), thread...), make([]byte, 8)...)
	binary.LittleEndian.PutUint64(cutFields[64:], 0xbadc0de0)
	binary.LittleEndian.PutUint64(cutFields[72:], 0x0102030405060708)
	binary.LittleEndian.PutUint64(cutFields[80:], 0x1122334455667788)
	cutFieldsAddr := b.bytes(cutFields)
	cut := b.bytes(cloneArgs(0x10000, 0, 0, 0, 0, 0, 0, 0))        // the hole after it is unmapped
	cutAtExit := b.bytes(cloneArgs(0x111000, 0, 0, 0, 0, 0, 0, 0)) // CLONE_PIDFD|CLONE_PARENT_SETTID
	const known = "flags=CLONE_THREAD, exit_signal=SIGCHLD, stack=NULL, stack_size=0"
	for _, c := range []struct {
		args [6]uint64
		ret  int64
		o    *Options
		want string
	}{
		{[6]uint64{tail, 96}, -7, nil,
			`clone3({` + known + `, /* bytes 88..95 */ "\x34\x12\x00\x00\x00\x00\x00\x00"}, 96) = -1 E2BIG (Argument list too long)`},
		{[6]uint64{tail, 96}, -7, &Options{StringLimit: 4},
			`clone3({` + known + `, /* bytes 88..95 */ "\x34\x12\x00\x00"...}, 96) = -1 E2BIG (Argument list too long)`},
		{[6]uint64{zeroTail, 96}, -22, nil, "clone3({" + known + "}, 96) = -1 EINVAL (Invalid argument)"},
		{[6]uint64{cgroupAddr, 96}, -22, nil, "clone3({" + known + ", cgroup=3735928559}, 96) = -1 EINVAL (Invalid argument)"},
		// A size that cuts a field: the field keeps the bytes before the cut.
		{[6]uint64{cutFieldsAddr, 66}, -22, nil, "clone3({" + known + ", set_tid=0xde0, set_tid_size=0}, 66) = -1 EINVAL (Invalid argument)"},
		{[6]uint64{cutFieldsAddr, 78}, -22, nil, "clone3({" + known + ", set_tid=0xbadc0de0, set_tid_size=3315799033608}, 78) = -1 EINVAL (Invalid argument)"},
		{[6]uint64{cutFieldsAddr, 85}, -22, nil,
			"clone3({" + known + ", set_tid=0xbadc0de0, set_tid_size=72623859790382856, cgroup=293490554760}, 85) = -1 EINVAL (Invalid argument)"},
		// Read up to a page, whatever the size says.
		{[6]uint64{page, 4104}, -7, nil, "clone3({" + known + "}, 4104) = -1 E2BIG (Argument list too long)"},
		{[6]uint64{page, 0xdeadbeef00000040}, -7, nil, "clone3({" + known + "}, 16045690981097406528) = -1 E2BIG (Argument list too long)"},
		{[6]uint64{cut, 96}, -14, nil,
			"clone3({flags=CLONE_THREAD, exit_signal=0, stack=NULL, stack_size=0, ???}, 96) = -1 EFAULT (Bad address)"},
		{[6]uint64{cutAtExit, 96}, -14, nil,
			"clone3({flags=CLONE_PIDFD|CLONE_THREAD|CLONE_PARENT_SETTID, pidfd=NULL, parent_tid=NULL, exit_signal=0, stack=NULL, stack_size=0, ???}, 96) = -1 EFAULT (Bad address)"},
	} {
		if got := line(ArchX86_64, "clone3", c.args, c.ret, true, b.f, c.o); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
}

func TestCloneI386(t *testing.T) {
	b := newBuilder(4)
	ud := b.bytes(le32(12, int32(-0x8362c0)|0, 0xfffff, 0x51))
	binary.LittleEndian.PutUint32(b.f.segs[len(b.f.segs)-1].data[4:], 0xf7c9db40)
	ptid := uint64(0xf7c9dba8)
	b.f.mem(ptid, le32(13543))
	ca := cloneArgs(0x3d0f00, 0, ptid, ptid, 0, 0xf749d000, 0x800440, ud)
	caAddr := b.bytes(ca)
	old := b.words(0, 4096, 3, 0x22, 0xffffffff, 0x2000)
	for _, c := range []struct {
		name  string
		args  [6]uint64
		ret   int64
		isErr bool
		want  string
	}{
		{"clone3", [6]uint64{caAddr, 88}, 13543, false,
			"clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0xf7c9dba8, parent_tid=0xf7c9dba8, exit_signal=0, stack=0xf749d000, stack_size=0x800440, tls={entry_number=12, base_addr=0xf7c9db40, limit=0x0fffff, seg_32bit=1, contents=0, read_exec_only=0, limit_in_pages=1, seg_not_present=0, useable=1}} => {parent_tid=[13543]}, 88) = 13543"},
		{"clone", [6]uint64{0x1180800, 0x1000, 0x2000, 0x3000, 0x4000}, -22, true,
			"clone(child_stack=0x1000, flags=CLONE_SIGHAND|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_SETTID, parent_tid=0x2000, tls=0x3000, child_tidptr=0x4000) = -1 EINVAL (Invalid argument)"},
		{"clone", [6]uint64{0x80800, 0x1000, 0x2000, 0xffa81258, 0x4000}, -22, true,
			"clone(child_stack=0x1000, flags=CLONE_SIGHAND|CLONE_SETTLS, tls=0xffa81258) = -1 EINVAL (Invalid argument)"},
		{"mmap", [6]uint64{old}, 0xf7f25000, false,
			"mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x2000) = 0xf7f25000"},
		{"mmap", [6]uint64{0}, -14, true, "mmap(NULL) = -1 EFAULT (Bad address)"},
	} {
		if got := line(ArchI386, c.name, c.args, c.ret, c.isErr, b.f, nil); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
}

func TestExecve(t *testing.T) {
	b := newBuilder(8)
	weird := "a\"b\\c\t\n\r\v\f\001\0012\177\200\377x"
	d40 := "0123456789012345678901234567890123456789"
	argv := b.argv("ls", "-l", weird, d40, d40[:32], d40[:33])
	envp := b.argv("A=1", "B=2")
	many := make([]string, 39)
	for i := range many {
		many[i] = "x"
	}
	y32 := strings.Split(strings.Repeat("y", 32), "")
	empty := b.words(0)
	path := b.str("/nonexistent/\033path")
	nonex := b.str("/nonexistent")
	// A pointer array running into an unmapped page.
	p, q := b.str("p"), b.str("q")
	tail := b.f.mem(0x7f16f7fe6ff0, make([]byte, 16))
	binary.LittleEndian.PutUint64(b.f.segs[len(b.f.segs)-1].data[0:], p)
	binary.LittleEndian.PutUint64(b.f.segs[len(b.f.segs)-1].data[8:], q)
	// A string running into an unmapped page.
	abc := b.f.mem(0x7f16f7fe5ffd, []byte("abc"))
	argvABC := b.words(abc, 0)
	long := b.str("/" + strings.Repeat("a", 4998))
	rel := b.str("nonexistent")
	emptyStr := b.str("")
	x := b.str("x")
	b.f.fds[3] = "/tmp"
	b.f.fds[-100] = "/tmp/xvexp" // the working directory
	const argvText = `["ls", "-l", "a\"b\\c\t\n\r\v\f\1\0012\177\200\377x", "01234567890123456789012345678901"..., "01234567890123456789012345678901", "01234567890123456789012345678901"...]`
	env := hex(envp) + " /* 2 vars */"
	for _, c := range []struct {
		name string
		args [6]uint64
		o    *Options
		want string
	}{
		{"execve", [6]uint64{path, argv, envp}, nil, `execve("/nonexistent/\33path", ` + argvText + ", " + env + ")"},
		{"execve", [6]uint64{nonex, b.argv(many...), 0}, nil, `execve("/nonexistent", [` + strings.Repeat(`"x", `, 32) + `...], NULL)`},
		{"execve", [6]uint64{nonex, b.argv(y32...), envp}, nil, `execve("/nonexistent", [` + strings.TrimSuffix(strings.Repeat(`"y", `, 32), ", ") + `], ` + env + ")"},
		{"execve", [6]uint64{nonex, empty, empty}, nil, `execve("/nonexistent", [], ` + hex(empty) + ` /* 0 vars */)`},
		{"execve", [6]uint64{0, 0, 0}, nil, "execve(NULL, NULL, NULL)"},
		{"execve", [6]uint64{8, 8, 8}, nil, "execve(0x8, 0x8, 0x8)"},
		{"execve", [6]uint64{nonex, tail, tail}, nil, `execve("/nonexistent", ["p", "q", ... /* 0x7f16f7fe7000 */], 0x7f16f7fe6ff0 /* 2 vars, unterminated */)`},
		{"execve", [6]uint64{abc, argvABC, envp}, nil, "execve(0x7f16f7fe5ffd, [0x7f16f7fe5ffd], " + env + ")"},
		{"execve", [6]uint64{long, empty, envp}, nil, `execve("/` + strings.Repeat("a", 4094) + `"..., [], ` + env + ")"},
		{"execveat", [6]uint64{uint64(0xffffff9c), nonex, argv, envp, 0x1100}, nil, `execveat(AT_FDCWD, "/nonexistent", ` + argvText + ", " + env + ", AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH)"},
		{"execveat", [6]uint64{3, rel, argv, envp, 0}, nil, `execveat(3, "nonexistent", ` + argvText + ", " + env + ", 0)"},
		{"execveat", [6]uint64{3, rel, argv, envp, 0}, &Options{StringLimit: DefaultStringLimit, DecorateFds: true}, `execveat(3</tmp>, "nonexistent", ` + argvText + ", " + env + ", 0)"},
		// strace -y: AT_FDCWD decorated with the working directory.
		{"execveat", [6]uint64{uint64(0xffffff9c), rel, argv, envp, 0}, &Options{StringLimit: DefaultStringLimit, DecorateFds: true}, `execveat(AT_FDCWD</tmp/xvexp>, "nonexistent", ` + argvText + ", " + env + ", 0)"},
		{"execveat", [6]uint64{99, emptyStr, argv, envp, 0x4000}, nil, `execveat(99, "", ` + argvText + ", " + env + ", 0x4000 /* AT_??? */)"},
		{"execveat", [6]uint64{^uint64(0), x, argv, envp, 1}, nil, `execveat(-1, "x", ` + argvText + ", " + env + ", 0x1 /* AT_??? */)"},
		// strace -s 5
		{"execve", [6]uint64{path, argv, envp}, &Options{StringLimit: 5}, `execve("/nonexistent/\33path", ["ls", "-l", "a\"b\\c"..., "01234"..., "01234"..., ...], ` + env + ")"},
		{"execve", [6]uint64{nonex, b.argv(many...), 0}, &Options{StringLimit: 5}, `execve("/nonexistent", ["x", "x", "x", "x", "x", ...], NULL)`},
	} {
		got := entryOnly(ArchX86_64, c.name, c.args, b.f)
		if c.o != nil {
			for _, sc := range tables[ArchX86_64] {
				if sc != nil && sc.Name == c.name {
					got = string(append(sc.AppendEntry([]byte(c.name+"("), &c.args, b.f, c.o), ')'))
				}
			}
		}
		if got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
}
