package main

import (
	"bytes"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// TestBadInput feeds mmtrace wrong commands, flags and values: each gets one clear line on
// stderr naming the problem and a non-zero exit, never a panic. The README's table of bad
// input is this table.
func TestBadInput(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string // in the last line of stderr
	}{
		{[]string{"trace"}, 2, "trace: no command given"},
		{[]string{"trace", "--", "/no/such"}, 127, "cannot run /no/such: no such file or directory"},
		{[]string{"trace", "--", "no-such-program-anywhere"}, 127, "cannot run no-such-program-anywhere: executable file not found"},
		{[]string{"trace", "--", "/etc/passwd"}, 126, "cannot run /etc/passwd: permission denied"},
		{[]string{"trace", "-e", "trace=bogus", "--", "true"}, 2, "invalid system call 'bogus'"},
		{[]string{"trace", "-e", "trace=read", "--", "true"}, 2, "syscall 'read' is not traced by mmtrace"},
		{[]string{"trace", "-e", "trace=", "--", "true"}, 2, "invalid system call"},
		{[]string{"trace", "-e", "abbrev=all", "--", "true"}, 2, "-e abbrev=all: mmtrace does not know the qualifier abbrev"},
		{[]string{"trace", "-e", "trace=99999", "--", "true"}, 2, "invalid system call '99999'"},
		{[]string{"trace", "-e", "trace=0", "--", "true"}, 2, "syscall '0' is not traced by mmtrace"},
		{[]string{"trace", "-e", "signal=bogus", "--", "true"}, 2, "-e signal=bogus: invalid signal 'bogus'"},
		{[]string{"trace", "--signal=256", "--", "true"}, 2, "-e signal=256: invalid signal '256'"},
		{[]string{"trace", "-e", "signal=!", "--", "true"}, 2, "invalid signal '!'"},
		{[]string{"trace", "--quiet=bogus", "--", "true"}, 2, "-e quiet=bogus: invalid quiet 'bogus'"},
		{[]string{"trace", "-qq", "--quiet=exit", "--", "true"}, 2, "-q and -e quiet/--quiet cannot be given together"},
		{[]string{"trace", "-qqqq", "--", "true"}, 2, "-q: give -q, -qq or -qqq"},
		{[]string{"trace", "--decode-pids=bogus", "--", "true"}, 2, "-e decode-pids=bogus: invalid decode-pids 'bogus'"},
		{[]string{"trace", "--timestamps=unix,bogus", "--", "true"}, 2, "invalid --timestamps argument: 'unix,bogus'"},
		{[]string{"trace", "-t", "--timestamps=unix", "--", "true"}, 2, "-t and --absolute-timestamps cannot be given together"},
		{[]string{"trace", "-tttt", "--", "true"}, 2, "-t: give -t, -tt or -ttt"},
		{[]string{"trace", "--relative-timestamps=xs", "--", "true"}, 2, "invalid --relative-timestamps argument: 'xs'"},
		{[]string{"trace", "--syscall-times=1", "--", "true"}, 2, "invalid --syscall-times argument: '1'"},
		{[]string{"trace", "-e", "inject=mmap", "--", "true"}, 2, "-e inject=mmap: give error=ERRNO, retval=VALUE, signal=SIG, delay_enter=TIME or delay_exit=TIME"},
		{[]string{"trace", "-e", "inject=mmap:error=EBOGUS", "--", "true"}, 2, "error=EBOGUS: not an errno name nor a number"},
		{[]string{"trace", "-e", "inject=mmap:error=ENOMEM:when=0", "--", "true"}, 2, "when=0: first must be from 1 to 65535"},
		{[]string{"trace", "--inject=mmap:poke_enter=@arg1=00", "--", "true"}, 2, "-e inject=mmap:poke_enter=@arg1=00: poke_enter= is not supported by mmtrace"},
		{[]string{"trace", "-e", "inject=mmap:delay_exit=-1", "--", "true"}, 2, "delay_exit=-1: not a time: a number of s, ms, us (the default) or ns"},
		{[]string{"trace", "-e", "inject=mmap:signal=SIGBOGUS", "--", "true"}, 2, "signal=SIGBOGUS: not a signal name nor a number from 1 to 64"},
		{[]string{"trace", "-e", "fault=mmap:retval=1", "--", "true"}, 2, "retval= is for -e inject="},
		{[]string{"trace", "--fault=read", "--", "true"}, 2, "-e fault=read: syscall 'read' is not traced by mmtrace"},
		{[]string{"trace", "-b", "clone", "--", "true"}, 2, "-b clone: only execve is supported"},
		{[]string{"attach", "--detach-on=mmap", "1"}, 2, "-b mmap: only execve is supported"},
		{[]string{"trace", "-s", "-1", "--", "true"}, 2, "the string limit must not be negative"},
		{[]string{"trace", "-s", "many", "--", "true"}, 2, `invalid argument "many"`},
		// strace's largest -s is 2^30-1; mmtrace's string reads grow with what they read.
		{[]string{"trace", "-s", "1073741824", "--", "true"}, 2, "-s 1073741824: the string limit is at most 1073741823"},
		{[]string{"trace", "-s", "99999999999999", "--", "true"}, 2, "-s 99999999999999: the string limit is at most 1073741823"},
		{[]string{"trace", "-s", "99999999999999999999", "--", "true"}, 2, `invalid argument "99999999999999999999"`},
		{[]string{"trace", "-s", "0x10", "--", "true"}, 2, `invalid argument "0x10" for "-s, --string-limit" flag: not a decimal number`},
		{[]string{"trace", "-a", "-3", "--", "true"}, 2, "the column must not be negative"},
		{[]string{"trace", "-X", "foo", "--", "true"}, 2, `invalid argument "foo" for "-X, --const-print-style" flag: want raw, abbrev or verbose`},
		{[]string{"trace", "--const-print-style=RAW", "--", "true"}, 2, `invalid argument "RAW"`},
		{[]string{"attach", "-X", "", "1"}, 2, `invalid argument "" for "-X, --const-print-style" flag`},
		{[]string{"trace", "--no-abbrev=maybe", "--", "true"}, 2, `invalid argument "maybe" for "-v, --no-abbrev" flag`},
		{[]string{"trace", "-o", "/no/such/dir/out", "--", "true"}, 1, "open output: open /no/such/dir/out: no such file or directory"},
		{[]string{"trace", "--bogus", "--", "true"}, 2, "unknown flag: --bogus"},
		{[]string{"trace", "--seccomp=maybe", "--", "true"}, 2, `invalid argument "maybe"`},
		{[]string{"trace", "-p", "1", "--", "true"}, 2, "give a command or -p PID, not both"},
		{[]string{"trace", "-p", "x"}, 2, `invalid argument "x"`},
		{[]string{"trace", "--strace-only", "--regions", "--", "true"}, 2, "--regions needs the address-space model"},
		{[]string{"trace", "--", ""}, 127, "cannot run"},
		{[]string{"trace", "--", strings.Repeat("x", 5000)}, 127, "cannot run"},
		// As bash: 127 only for a command that is not found, 126 for the other reasons.
		{[]string{"trace", "--", "/etc/passwd/x"}, 126, "cannot run /etc/passwd/x: not a directory"},
		{[]string{"trace", "--", "/" + strings.Repeat("x", 5000)}, 126, "file name too long"},
		{[]string{"trace", "--html", "/no/such/dir/x.html", "--", "true"}, 1, "open html: open /no/such/dir/x.html: no such file or directory"},
		{[]string{"trace", "--strace-only", "--html", "x.html", "--", "true"}, 2, "--html draws the address-space model"},
		{[]string{"bogus"}, 2, `unknown command "bogus"`},
	}
	for _, tc := range cases {
		name := strings.Join(tc.args, " ")
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			r := runCmd(t, "", mmtraceBin, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tc.code, r.stderr)
			}
			last := lastLine(r.stderr)
			if !strings.HasPrefix(last, "mmtrace: ") || !strings.Contains(last, tc.want) {
				t.Errorf("last line of stderr %q, want one line naming %q", last, tc.want)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("mmtrace panicked: %s", r.stderr)
			}
		})
	}
}

// TestExitStatusFollowsCommand: mmtrace exits as the command did, by code or by signal.
func TestExitStatusFollowsCommand(t *testing.T) {
	prog := buildC(t, "trace/exitcode.c")
	for _, tc := range []struct {
		args []string
		code int // -1: killed by a signal (os/exec's ExitCode)
	}{
		{[]string{"0"}, 0},
		{[]string{"42"}, 42},
		{[]string{"k", "9"}, -1},
		{[]string{"k", "11"}, -1},
	} {
		r := runCmd(t, "", mmtraceBin, append([]string{"trace", "-o", "/dev/null", "--", prog}, tc.args...)...)
		direct := runCmd(t, "", prog, tc.args...)
		if r.code != tc.code || direct.code != tc.code {
			t.Errorf("%v: mmtrace exited %d, the command alone %d, want %d (stderr %q)", tc.args, r.code, direct.code, tc.code, r.stderr)
		}
	}
}

// TestStringLimitLargest: at strace's largest -s, a long argument of execve is printed whole,
// as strace prints it, and mmtrace's memory stays small: string reads grow with what they
// read, not with the limit.
func TestStringLimitLargest(t *testing.T) {
	strace := needTool(t, "strace")
	arg := strings.Repeat("a", 100000)
	dir := t.TempDir()
	want := runCmd(t, dir, strace, "-f", "-o", dir+"/strace.out", "-e", "trace=execve", "-s", "1073741823", "/bin/echo", arg)
	cmd := exec.Command(mmtraceBin, "trace", "--strace-only", "-o", dir+"/mmtrace.out", "-e", "trace=execve", "-s", "1073741823", "--", "/bin/echo", arg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || want.code != 0 {
		t.Fatalf("mmtrace: %v, %s; strace exited %d", err, stderr.String(), want.code)
	}
	wantText, gotText := readTraces(t, dir+"/strace.out", dir+"/mmtrace.out")
	if d := diffTraces(parseTrace(t, string(wantText), false), parseTrace(t, string(gotText), false)); d != "" {
		t.Errorf("mmtrace's trace differs from strace's:\n%s", d)
	}
	if !strings.Contains(string(gotText), `"`+arg+`"`) {
		t.Errorf("the argument is not printed whole")
	}
	if rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss; rss > 64<<10 {
		t.Errorf("mmtrace's peak RSS was %d KiB with -s 1073741823; a string read must not take the limit's size", rss)
	}
}
