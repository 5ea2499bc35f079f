package decode

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

// TestSignalNumber: the names and numbers strace 6.1's -e signal= takes, and those it refuses
// ("invalid signal"), as checked against strace on this machine.
func TestSignalNumber(t *testing.T) {
	for _, c := range []struct {
		name string
		want int // -1: refused
	}{
		{"SIGCHLD", 17}, {"chld", 17}, {"Usr1", 10}, {"sigsegv", 11}, {"17", 17}, {"0", 0},
		{"255", 255}, {"SIGRTMIN", 32}, {"RTMIN", 32}, {"SIGRT_1", 33}, {"RT_32", 64}, {"IO", 29},
		{"256", -1}, {"-1", -1}, {"0x11", -1}, {" 17", -1}, {"SIG", -1}, {"", -1}, {"SIGIOT", -1},
		{"SIGPOLL", -1}, {"CLD", -1}, {"SIGRTMAX", -1}, {"SIGRT_33", -1}, {"RT_0", -1}, {"SIG_0", -1},
	} {
		n, ok := SignalNumber(c.name)
		if got := map[bool]int{true: n, false: -1}[ok]; got != c.want {
			t.Errorf("SignalNumber(%q) = %d, %v; want %d", c.name, n, ok, c.want)
		}
	}
}

// TestParseSetNumbers: -e trace=N names call N of every ABI of the machine where mmtrace decodes
// it, as strace names it in each personality: on x86_64, 9 is mmap there and on x32 and link on
// i386 (which mmtrace does not decode); 11 is munmap, and i386's execve.
func TestParseSetNumbers(t *testing.T) {
	if NativeArch() != ArchX86_64 {
		t.Fatalf("this test knows x86_64's numbers; the machine is %v", NativeArch())
	}
	s, err := ParseSet("9,11")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		arch Arch
		nr   uint64
		want bool
	}{
		{ArchX86_64, 9, true}, {ArchX86_64, 11, true}, {ArchX32, 9 | x32BitNr, true},
		{ArchI386, 9, false}, {ArchI386, 11, true}, {ArchX86_64, 10, false}, {ArchARM64, 9, false},
	} {
		if s.Has(c.arch, c.nr) != c.want {
			t.Errorf("-e trace=9,11: %v call %d in the set: %v, want %v", c.arch, c.nr&^x32BitNr, !c.want, c.want)
		}
	}
	if got := s.Names(); !reflect.DeepEqual(got, []string{"execve", "mmap", "munmap"}) {
		t.Errorf("-e trace=9,11 names %v, want [execve mmap munmap]", got)
	}
	for expr, want := range map[string]error{"99999": ErrUnknownSyscall, "0": ErrNotTraced, "1x": ErrUnknownSyscall} {
		if _, err := ParseSet(expr); !errors.Is(err, want) {
			t.Errorf("ParseSet(%q) = %v, want %v", expr, err, want)
		}
	}
	if s, err := ParseSet("?0,9"); err != nil || !s.Has(ArchX86_64, 9) {
		t.Errorf("ParseSet(?0,9) = %v, %v: an optional number mmtrace does not trace is left out", s, err)
	}
}

// TestDecodePids: with -Y (Options.Comm) every pid strace 6.1 decorates is followed by its
// command name, while one exists; without it, or for a pid with none, the number alone.
func TestDecodePids(t *testing.T) {
	comm := &Options{Comm: func(pid int) string {
		if pid == 1234 {
			return "sh"
		}
		return ""
	}}
	for _, c := range []struct {
		name        string
		args        [6]uint64
		ret         int64
		isErr       bool
		want, plain string
	}{
		{"kill", [6]uint64{1234, 15}, 0, false, "kill(1234<sh>, SIGTERM) = 0", "kill(1234, SIGTERM) = 0"},
		{"kill", [6]uint64{4321, 15}, 0, false, "kill(4321, SIGTERM) = 0", "kill(4321, SIGTERM) = 0"},
		{"kill", [6]uint64{0xfffffb2e, 0}, -3, true, "kill(-1234, 0) = -1 ESRCH (No such process)", "kill(-1234, 0) = -1 ESRCH (No such process)"},
		{"tgkill", [6]uint64{1234, 1234, 10}, 0, false, "tgkill(1234<sh>, 1234<sh>, SIGUSR1) = 0", "tgkill(1234, 1234, SIGUSR1) = 0"},
		{"tkill", [6]uint64{1234, 10}, 0, false, "tkill(1234<sh>, SIGUSR1) = 0", "tkill(1234, SIGUSR1) = 0"},
		{"fork", [6]uint64{}, 1234, false, "fork() = 1234<sh>", "fork() = 1234"},
		{"fork", [6]uint64{}, -11, true, "fork() = -1 EAGAIN (Resource temporarily unavailable)", "fork() = -1 EAGAIN (Resource temporarily unavailable)"},
		{"wait4", [6]uint64{1234, 0, 0, 0}, 1234, false, "wait4(1234<sh>, NULL, 0, NULL) = 1234<sh>", "wait4(1234, NULL, 0, NULL) = 1234"},
		{"waitid", [6]uint64{1, 1234, 0, 4, 0}, -10, true, "waitid(P_PID, 1234<sh>, NULL, WEXITED, NULL) = -1 ECHILD (No child processes)", "waitid(P_PID, 1234, NULL, WEXITED, NULL) = -1 ECHILD (No child processes)"},
		{"munmap", [6]uint64{0x1000, 4096}, 0, false, "munmap(0x1000, 4096) = 0", "munmap(0x1000, 4096) = 0"},
	} {
		if got := line(ArchX86_64, c.name, c.args, c.ret, c.isErr, nil, comm); got != c.want {
			t.Errorf("-Y:\n got %s\nwant %s", got, c.want)
		}
		if got := line(ArchX86_64, c.name, c.args, c.ret, c.isErr, nil, nil); got != c.plain {
			t.Errorf("without -Y:\n got %s\nwant %s", got, c.plain)
		}
	}
	var si [128]byte
	binary.LittleEndian.PutUint32(si[0:], 10) // SIGUSR1, SI_USER from 1234
	binary.LittleEndian.PutUint32(si[16:], 1234)
	if got, want := string(AppendSiginfo(nil, 10, &si, comm)), "SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=1234<sh>, si_uid=0}"; got != want {
		t.Errorf("siginfo:\n got %s\nwant %s", got, want)
	}
}
