package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// defaultSet is mmtrace's default traced set, spelled out for strace.
const defaultSet = "mmap,munmap,mprotect,mremap,msync,madvise,brk,mlock,munlock,mlock2,mlockall," +
	"munlockall,remap_file_pages,mincore,fork,vfork,clone,clone3,execve,execveat,exit,exit_group"

// constsSet is every call consts.c makes that mmtrace decodes.
const constsSet = defaultSet + ",wait4,waitid,kill,tkill,tgkill,rt_sigqueueinfo,rt_tgsigqueueinfo,pidfd_send_signal," +
	"mbind,set_mempolicy,get_mempolicy,migrate_pages,move_pages,set_mempolicy_home_node,shmat,shmdt,io_setup,io_destroy,pkey_mprotect"

// straceCase is a program traced by strace and by mmtrace, whose traces must be the same.
type straceCase struct {
	name string
	prog string   // a C program in testdata, or an absolute path of a program on the machine
	args []string // its arguments
	set  string   // -e trace=; "" for the default set
	// cflags for cc: -m32 builds an i386 program, whose calls come from another table.
	cflags []string
	// flags given to both strace and mmtrace (timestamps, -q, -Z, ...).
	flags []string
	// threads make the layout vary between runs: compare with addresses masked.
	maskAddresses bool
}

var straceCases = []straceCase{
	{name: "kinds", prog: "trace/kinds.c"},
	{name: "remap", prog: "trace/remap.c"},
	{name: "fail", prog: "trace/fail.c"},
	{name: "misc", prog: "trace/misc.c"},
	{name: "thread", prog: "trace/thread.c", maskAddresses: true},
	{name: "vfork_exec", prog: "trace/vfork_exec.c"},
	{name: "exec_thread", prog: "trace/exec_thread.c", maskAddresses: true},
	{name: "signals", prog: "trace/signals.c"},
	{name: "job_control", prog: "trace/stop.c"},
	{name: "exit_code", prog: "trace/exitcode.c", args: []string{"3"}},
	{name: "killed", prog: "trace/exitcode.c", args: []string{"k", "15"}},
	{name: "memory_class", prog: "trace/kinds.c", set: "%memory"},
	{name: "process_class", prog: "trace/vfork_exec.c", set: "%process"},
	{name: "mmap_only", prog: "trace/remap.c", set: "mmap,munmap"},
	{name: "i386_kinds", prog: "trace/kinds.c", cflags: []string{"-m32"}},
	{name: "i386_remap", prog: "trace/remap.c", cflags: []string{"-m32"}},
	{name: "i386_fail", prog: "trace/fail.c", cflags: []string{"-m32"}},
	{name: "i386_misc", prog: "trace/misc.c", cflags: []string{"-m32"}},
	{name: "i386_vfork_exec", prog: "trace/vfork_exec.c", cflags: []string{"-m32"}},
	{name: "i386_thread", prog: "trace/thread.c", cflags: []string{"-m32"}, maskAddresses: true},
	{name: "i386_signals", prog: "trace/signals.c", cflags: []string{"-m32"}},
	// Every decoded call with edge values: garbage upper halves, unknown bits, bad pointers.
	{name: "edges", prog: "trace/edges.c", set: "%memory,%process"},
	{name: "i386_edges", prog: "trace/edges.c", set: "%memory,%process", cflags: []string{"-m32"}},
	{name: "edges_fds", prog: "trace/edges.c", set: "%memory,%process", flags: []string{"-y"}},
	{name: "timestamps_tt_T", prog: "trace/kinds.c", flags: []string{"-tt", "-T"}},
	{name: "timestamps_t", prog: "trace/remap.c", flags: []string{"-t"}},
	{name: "timestamps_ttt", prog: "trace/remap.c", flags: []string{"-ttt"}},
	{name: "relative", prog: "trace/kinds.c", flags: []string{"-r"}},
	{name: "failed_only", prog: "trace/fail.c", flags: []string{"-Z"}},
	{name: "successful_only", prog: "trace/fail.c", flags: []string{"-z"}},
	{name: "quiet_exits", prog: "trace/signals.c", flags: []string{"-qq"}},
	{name: "strings", prog: "trace/vfork_exec.c", flags: []string{"-s", "4"}},
	{name: "fds", prog: "trace/kinds.c", flags: []string{"-y"}},
	{name: "columns", prog: "trace/remap.c", flags: []string{"-a", "60"}},
	// Constants, flags, signals and errnos in each -X style; arrays, structs and execve's
	// environment with -v; strings and arrays at the edges of -s.
	{name: "consts", prog: "trace/consts.c", set: constsSet},
	{name: "consts_raw", prog: "trace/consts.c", set: constsSet, flags: []string{"-X", "raw"}},
	{name: "consts_verbose", prog: "trace/consts.c", set: constsSet, flags: []string{"-X", "verbose"}},
	{name: "consts_abbrev", prog: "trace/consts.c", set: constsSet, flags: []string{"--const-print-style=abbrev"}},
	{name: "consts_v", prog: "trace/consts.c", set: constsSet, flags: []string{"-v"}},
	{name: "consts_raw_v", prog: "trace/consts.c", set: constsSet, flags: []string{"--const-print-style=raw", "--no-abbrev"}},
	{name: "consts_verbose_v", prog: "trace/consts.c", set: constsSet, flags: []string{"-X", "verbose", "-v"}},
	{name: "consts_s0", prog: "trace/consts.c", set: constsSet, flags: []string{"-s", "0"}},
	{name: "consts_s1", prog: "trace/consts.c", set: constsSet, flags: []string{"-s", "1"}},
	{name: "consts_s2", prog: "trace/consts.c", set: constsSet, flags: []string{"-s", "2"}}, // 2-element arrays whole
	{name: "consts_s4", prog: "trace/consts.c", set: constsSet, flags: []string{"-s", "4"}},
	{name: "consts_s5", prog: "trace/consts.c", set: constsSet, flags: []string{"--string-limit=5"}},
	{name: "consts_s39", prog: "trace/consts.c", set: constsSet, flags: []string{"-s", "39"}},   // 40-element arrays cut at 39
	{name: "consts_s40", prog: "trace/consts.c", set: constsSet, flags: []string{"-s", "40"}},   // and whole
	{name: "consts_s010", prog: "trace/consts.c", set: constsSet, flags: []string{"-s", "010"}}, // decimal, as strace reads it
	{name: "consts_v_s0", prog: "trace/consts.c", set: constsSet, flags: []string{"-v", "-s", "0"}},
	{name: "consts_v_s1", prog: "trace/consts.c", set: constsSet, flags: []string{"-v", "-s", "1"}},
	{name: "consts_combined", prog: "trace/consts.c", set: constsSet, flags: []string{"-qq", "-Xraw", "-ttt", "-T", "-vs1", "-y"}},
	{name: "i386_consts", prog: "trace/consts.c", set: constsSet, cflags: []string{"-m32"}},
	{name: "i386_consts_raw_v", prog: "trace/consts.c", set: constsSet, cflags: []string{"-m32"}, flags: []string{"-X", "raw", "-v"}},
	{name: "i386_consts_verbose_s0", prog: "trace/consts.c", set: constsSet, cflags: []string{"-m32"}, flags: []string{"-X", "verbose", "-s", "0"}},
	{name: "signals_raw", prog: "trace/signals.c", flags: []string{"-X", "raw"}},
	{name: "signals_verbose", prog: "trace/signals.c", flags: []string{"-X", "verbose"}},
	{name: "job_control_verbose", prog: "trace/stop.c", flags: []string{"-X", "verbose"}},
	{name: "thread_raw", prog: "trace/thread.c", maskAddresses: true, flags: []string{"-X", "raw"}},
	{name: "thread_verbose_v", prog: "trace/thread.c", maskAddresses: true, flags: []string{"-X", "verbose", "-v"}},
	{name: "i386_thread_verbose", prog: "trace/thread.c", cflags: []string{"-m32"}, maskAddresses: true, flags: []string{"-X", "verbose"}},
	{name: "vfork_exec_v_s0", prog: "trace/vfork_exec.c", flags: []string{"-v", "-s", "0"}},
	{name: "kinds_verbose_y", prog: "trace/kinds.c", flags: []string{"-X", "verbose", "-y"}},
	{name: "remap_raw", prog: "trace/remap.c", flags: []string{"-X", "raw"}},
	{name: "misc_verbose", prog: "trace/misc.c", flags: []string{"-X", "verbose"}},
	{name: "fail_raw_Z", prog: "trace/fail.c", flags: []string{"-X", "raw", "-Z"}},
	// Signals (-e signal=, --signal=): their lines, deaths by them and stops by them.
	{name: "signal_none", prog: "trace/signals.c", flags: []string{"-e", "signal=none"}},
	{name: "signal_chld", prog: "trace/signals.c", flags: []string{"-e", "signal=SIGCHLD"}},
	{name: "signal_names_numbers", prog: "trace/signals.c", flags: []string{"--signal=usr1,11"}},
	{name: "signal_negated", prog: "trace/stop.c", flags: []string{"-e", "s=!SIGSTOP,cont"}},
	// Quiet: -qqq and --quiet= leave out the exit and superseded lines they name.
	{name: "quiet_qqq", prog: "trace/exec_thread.c", flags: []string{"-qqq"}, maskAddresses: true},
	{name: "quiet_thread_execve", prog: "trace/exec_thread.c", flags: []string{"--quiet=thread-execve"}, maskAddresses: true},
	{name: "quiet_exit", prog: "trace/signals.c", flags: []string{"--quiet=exit"}},
	{name: "quiet_not_exit", prog: "trace/exec_thread.c", flags: []string{"-e", "quiet=!exit"}, maskAddresses: true},
	// Times in every precision and both together.
	{name: "timestamps_unix_ms", prog: "trace/remap.c", flags: []string{"--timestamps=unix,ms"}},
	{name: "timestamps_time_ns", prog: "trace/remap.c", flags: []string{"--absolute-timestamps=format:time,precision:ns"}},
	{name: "timestamps_s", prog: "trace/remap.c", flags: []string{"--timestamps"}},
	{name: "relative_ns", prog: "trace/kinds.c", flags: []string{"--relative-timestamps=ns"}},
	{name: "relative_s_t", prog: "trace/kinds.c", flags: []string{"-t", "--relative-timestamps=s"}},
	{name: "syscall_times_ms", prog: "trace/remap.c", flags: []string{"--syscall-times=ms"}},
	{name: "syscall_times_ns_ttt_r", prog: "trace/remap.c", flags: []string{"--syscall-times=ns", "-ttt", "-r"}},
	{name: "combined", prog: "trace/signals.c", flags: []string{"-qq", "-e", "signal=none", "-ttt", "-T"}},
	// -E: the command's environment (its output is compared), and its execve's count of it.
	{name: "env", prog: "/usr/bin/env", flags: []string{"-E", "MMTRACE_TEST=1", "-E", "HOME", "--env=PATH=/bin"}},
	{name: "numbers", prog: "trace/remap.c", set: "9,11,25"},
	// -Y: pids with their command names, in prefixes, arguments, results and siginfo.
	{name: "decode_pids", prog: "trace/pids.c", set: "%process", flags: []string{"-Y"}},
	{name: "decode_pids_signals", prog: "trace/signals.c", flags: []string{"--decode-pids=comm"}},
	{name: "decode_pids_stop", prog: "trace/stop.c", set: "%process", flags: []string{"-e", "decode-pids=comm"}},
	{name: "decode_pids_exec", prog: "trace/vfork_exec.c", flags: []string{"-Y", "-qqq"}},
	{name: "decode_pids_thread_exec", prog: "trace/exec_thread.c", flags: []string{"-Y"}, maskAddresses: true},
	// Tampering: inject.c prints what each call returned, so the command's output, compared
	// too, shows that the program saw the injected results. Static, its calls are counted from
	// its own first; dynamic, the loader's come first (and fail it, with -e fault=mprotect).
	{name: "inject_every_other", prog: "trace/inject.c", cflags: []string{"-static"}, flags: []string{"-e", "inject=mmap,mremap:error=ENOMEM:when=2+2"}},
	{name: "inject_several", prog: "trace/inject.c", cflags: []string{"-static"},
		flags: []string{"-e", "inject=madvise:error=EPERM:when=1..3+2", "-e", "fault=munmap:when=2", "-e", "inject=mprotect:retval=0x42:when=2+", "-e", "inject=brk:retval=0"}},
	{name: "inject_later_wins", prog: "trace/inject.c", cflags: []string{"-static"}, flags: []string{"-e", "inject=mmap:error=EACCES", "-e", "inject=mmap:error=ENOMEM:when=3"}},
	{name: "inject_retval_dynamic", prog: "trace/inject.c", flags: []string{"-e", "inject=munmap:retval=7:when=2..3"}},
	{name: "inject_loader_fails", prog: "trace/inject.c", flags: []string{"-e", "fault=mprotect:error=EACCES"}},
	{name: "inject_brk_zero", prog: "trace/inject.c", flags: []string{"-e", "inject=brk:retval=0"}},
	{name: "inject_long_forms", prog: "trace/inject.c", cflags: []string{"-static"}, flags: []string{"--inject=mremap:error=EAGAIN", "--fault=munmap:when=3+"}},
	{name: "inject_failed_only_T", prog: "trace/inject.c", cflags: []string{"-static"}, flags: []string{"-Z", "-T", "-e", "inject=mmap:error=ENOMEM:when=2+2"}},
	// strace tampers only with the calls it traces: mmap is not in the set.
	{name: "inject_untraced", prog: "trace/inject.c", set: "munmap,mprotect", flags: []string{"-e", "inject=mmap:error=ENOMEM"}},
	{name: "inject_i386", prog: "trace/inject.c", cflags: []string{"-m32"}, flags: []string{"-e", "inject=mmap2:error=ENOMEM:when=9+", "-e", "inject=munmap:retval=1"}},
	// Each task's execve is counted from its first after the command's own start: the child's
	// first fails, and so does the shell's exec, its own first.
	{name: "inject_execve", prog: "/bin/sh", args: []string{"-c", "/bin/true; exec /bin/true; echo not run"}, flags: []string{"-e", "inject=execve:error=ENOENT:when=1"}},
	// exit_group made to fail returns, and glibc's _exit goes on to exit.
	{name: "inject_exit_group", prog: "trace/inject.c", cflags: []string{"-static"}, flags: []string{"-e", "fault=exit_group"}},
	{name: "inject_exit_group_retval", prog: "trace/inject.c", flags: []string{"-e", "inject=exit_group:retval=5"}},
	// signal=: sent as the call is made (with the seccomp filter, as it returns), alone or with
	// a failure; SIGUSR1 kills the program, SIGCHLD is ignored, SIGRT_2 (RT_2) kills.
	{name: "inject_signal", prog: "trace/inject.c", cflags: []string{"-static"}, flags: []string{"-e", "inject=madvise:error=EPERM:signal=SIGCHLD:when=2", "-e", "inject=mremap:signal=usr1:when=2"}},
	{name: "inject_signal_rt", prog: "trace/inject.c", cflags: []string{"-static"}, flags: []string{"-e", "inject=munmap:signal=RT_2:retval=0:when=3"}},
	// delay_enter=, delay_exit=: the calls end with " (DELAYED)"; -T's times are not compared.
	{name: "inject_delay", prog: "trace/inject.c", cflags: []string{"-static"},
		flags: []string{"-T", "-e", "inject=mprotect:delay_enter=20ms:when=2", "-e", "inject=munmap:error=EBUSY:delay_exit=10ms:when=1"}},
	// syscall=: the program's own filter kills it at a call numbered -1, the one a skipped call
	// becomes; getpid run in its place passes.
	{name: "inject_syscall_instead", prog: "trace/purefilter.c", flags: []string{"-e", "inject=madvise:error=EPERM:syscall=getpid"}},
	{name: "inject_skip_refused_by_filter", prog: "trace/purefilter.c", flags: []string{"-e", "inject=madvise:error=EPERM:when=2"}},
	// A task under a seccomp filter of its own is tampered with at its syscall-entry stop.
	{name: "inject_own_filter", prog: "stress/ownfilter.c", flags: []string{"-e", "inject=mmap:error=ENOMEM:when=10+2", "-e", "inject=munmap:retval=0"}},
	{name: "inject_fork", prog: "trace/vfork_exec.c", flags: []string{"-e", "inject=vfork,clone:error=EAGAIN:when=1"}},
	{name: "detach_on_execve", prog: "trace/vfork_exec.c", flags: []string{"-b", "execve"}},
	// The command's own process detached at its second execve: strace waits for it and exits 0.
	{name: "detach_on_execve_sh", prog: "/bin/sh", args: []string{"-c", "/bin/true; exec /bin/sh -c 'exit 3'"}, flags: []string{"--detach-on=execve"}},
	{name: "sh", prog: "/bin/sh", args: []string{"-c", "true; /bin/true"}},
	// A directory of the repository's: / holds /proc, whose link count changes whenever a
	// process starts or ends, so two runs' listings of it differ by chance.
	{name: "ls", prog: "/bin/ls", args: []string{"-l", "../../testdata/maps"}},
	{name: "python3", prog: "/usr/bin/python3", args: []string{"-c", "import json, decimal"}},
	{name: "cc", prog: "/usr/bin/cc", args: []string{"-c", "-o", "sample.o", "../../bench/workloads/sample.c"}},
}

// TestTraceMatchesStrace runs each program under strace 6.1 and under mmtrace, both with the
// seccomp filter and mmtrace's annotations (whose lines are left out of the comparison) and
// without either (--strace-only), and requires the same lines task by task, the same exit
// status, and no task left alive.
func TestTraceMatchesStrace(t *testing.T) {
	strace := needTool(t, "strace")
	setarch := needTool(t, "setarch")
	for _, tc := range straceCases {
		if !kernelRuns(t, tc.cflags) {
			continue
		}
		for _, mode := range [][]string{{"--seccomp=true"}, {"--seccomp=false", "--strace-only"}} {
			t.Run(tc.name+"/"+strings.Join(mode, ","), func(t *testing.T) {
				prog := tc.prog
				if !filepath.IsAbs(prog) {
					prog = buildC(t, prog, tc.cflags...)
				}
				set := tc.set
				if set == "" {
					set = defaultSet
				}
				dir := t.TempDir()
				args := make([]string, len(tc.args))
				for i, a := range tc.args {
					// The programs run in dir: paths into the repository must be absolute.
					if strings.HasPrefix(a, "../../") {
						a, _ = filepath.Abs(a)
					}
					args[i] = a
				}
				straceOut := filepath.Join(dir, "strace.out")
				mmtraceOut := filepath.Join(dir, "mmtrace.out")
				// setarch -R turns address randomization off, so two runs map the same addresses.
				straceArgs := append([]string{"-R", strace, "-f", "-o", straceOut, "-e", "trace=" + set}, tc.flags...)
				want := runCmd(t, dir, setarch, append(append(straceArgs, prog), args...)...)
				mmArgs := append([]string{"-R", mmtraceBin, "trace"}, mode...)
				mmArgs = append(mmArgs, "-o", mmtraceOut, "-e", "trace="+set)
				mmArgs = append(append(mmArgs, tc.flags...), "--", prog)
				got := runCmd(t, dir, setarch, append(mmArgs, args...)...)
				if got.code != want.code {
					t.Errorf("mmtrace exited %d, strace %d; mmtrace's stderr:\n%s", got.code, want.code, got.stderr)
				}
				if got.stdout != want.stdout {
					t.Errorf("the command's output differs: strace run %q, mmtrace run %q", want.stdout, got.stdout)
				}
				wantText, gotText := readTraces(t, straceOut, mmtraceOut)
				if d := diffTraces(parseTrace(t, string(wantText), tc.maskAddresses), parseTrace(t, string(gotText), tc.maskAddresses)); d != "" {
					t.Errorf("mmtrace's trace differs from strace's:\n%s", d)
				}
				if tc.set == "" && len(tc.flags) == 0 && !strings.Contains(string(gotText), "execve(") {
					t.Errorf("mmtrace's trace has no execve line:\n%s", gotText)
				}
				tasksGone(t, string(gotText))
			})
		}
	}
}

// readTraces reads the trace files that strace and mmtrace wrote.
func readTraces(t *testing.T, straceOut, mmtraceOut string) (want, got []byte) {
	t.Helper()
	want, err := os.ReadFile(straceOut)
	if err != nil {
		t.Fatal(err)
	}
	got, err = os.ReadFile(mmtraceOut)
	if err != nil {
		t.Fatal(err)
	}
	return want, got
}

// TestTraceNarrowSetLaunch: with a trace set that leaves execve out, mmtrace must still learn
// whether the command ran. A failed execve makes mmtrace say so; a command that ran is traced
// whole, even when one of its printed calls fails (once, such a failure was taken for the
// command's execve and everything after it was hidden).
func TestTraceNarrowSetLaunch(t *testing.T) {
	strace := needTool(t, "strace")
	junk := filepath.Join(t.TempDir(), "junk")
	if err := os.WriteFile(junk, []byte("not a program\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	fail := buildC(t, "trace/fail.c")
	for _, mode := range []string{"--seccomp=true", "--seccomp=false"} {
		for _, model := range []string{"--strace-only", "--strace-only=false"} {
			t.Run(mode+"/"+model, func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "mmtrace.out")
				got := runCmd(t, dir, mmtraceBin, "trace", mode, model, "-e", "trace=munmap", "-o", out, "--", junk)
				wantErr := "mmtrace: cannot run " + junk + ": exec format error\n"
				if got.code != 126 || got.stderr != wantErr {
					t.Errorf("junk: mmtrace exited %d with stderr %q, want 126 and %q", got.code, got.stderr, wantErr)
				}

				straceOut, mmtraceOut := filepath.Join(dir, "strace.out"), filepath.Join(dir, "fail.out")
				// fail's one msync fails: the first call printed is a failure.
				want := runCmd(t, dir, strace, "-f", "-o", straceOut, "-e", "trace=msync", fail)
				got = runCmd(t, dir, mmtraceBin, "trace", mode, model, "-e", "trace=msync", "-o", mmtraceOut, "--", fail)
				if want.code != 0 || got.code != 0 || got.stderr != "" {
					t.Fatalf("fail: strace exited %d, mmtrace %d with stderr %q; want 0 and nothing", want.code, got.code, got.stderr)
				}
				wantText, gotText := readTraces(t, straceOut, mmtraceOut)
				if !strings.Contains(string(gotText), "= -1 EINVAL (Invalid argument)\n") {
					t.Errorf("the failing msync is not in mmtrace's trace:\n%s", gotText)
				}
				if d := diffTraces(parseTrace(t, string(wantText), true), parseTrace(t, string(gotText), true)); d != "" {
					t.Errorf("mmtrace's trace differs from strace's:\n%s", d)
				}
			})
		}
	}
}

// TestTraceCommandNotExecutable traces a command whose execve fails: with ENOEXEC (a file
// that is executable but no program; an i386 program where the kernel cannot run them) or
// EACCES (a directory, a file without the x bit, which exist and so are run, as strace runs
// them): the trace is strace's, the failed execve and "+++ exited with 1 +++" and nothing of
// mmtrace's own launcher, with and without the seccomp filter, and mmtrace says why in one
// line and exits 126, as a shell does.
func TestTraceCommandNotExecutable(t *testing.T) {
	strace := needTool(t, "strace")
	junk := filepath.Join(t.TempDir(), "junk")
	if err := os.WriteFile(junk, []byte("not a program\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	type command struct{ prog, failure, reason string }
	const enoexec, eacces = "ENOEXEC (Exec format error)", "EACCES (Permission denied)"
	commands := []command{{junk, enoexec, "exec format error"}, {"/", eacces, "permission denied"}, {"/etc/passwd", eacces, "permission denied"}}
	if !kernelRunsI386(t) {
		commands = append(commands, command{buildC(t, "trace/kinds.c", "-m32"), enoexec, "exec format error"})
	}
	for _, c := range commands {
		for _, mode := range []string{"--seccomp=true", "--seccomp=false"} {
			t.Run(filepath.Base(c.prog)+"/"+mode, func(t *testing.T) {
				dir := t.TempDir()
				straceOut, mmtraceOut := filepath.Join(dir, "strace.out"), filepath.Join(dir, "mmtrace.out")
				want := runCmd(t, dir, strace, "-f", "-o", straceOut, "-e", "trace="+defaultSet, c.prog)
				got := runCmd(t, dir, mmtraceBin, "trace", mode, "-o", mmtraceOut, "--", c.prog)
				if want.code != 1 {
					t.Fatalf("strace exited %d, want 1 (exec failed): %s", want.code, want.stderr)
				}
				wantErr := "mmtrace: cannot run " + c.prog + ": " + c.reason + "\n"
				if got.code != 126 || got.stderr != wantErr {
					t.Errorf("mmtrace exited %d with stderr %q, want 126 and %q", got.code, got.stderr, wantErr)
				}
				wantText, gotText := readTraces(t, straceOut, mmtraceOut)
				if !strings.Contains(string(gotText), "= -1 "+c.failure+"\n") {
					t.Errorf("the failed execve is not in mmtrace's trace:\n%s", gotText)
				}
				if d := diffTraces(parseTrace(t, string(wantText), false), parseTrace(t, string(gotText), false)); d != "" {
					t.Errorf("mmtrace's trace differs from strace's:\n%s", d)
				}
			})
		}
	}
}

// TestTraceCommandSignals: mmtrace trace ignores Ctrl-C, Ctrl-\ and SIGPIPE, yet the command
// gets them at their default action, or ignored if mmtrace was started with them ignored
// (SIGINT: the one of them whose inherited state Go keeps); and Ctrl-C, which reaches the
// whole process group, kills the command while mmtrace stays to report it, then exits by it.
func TestTraceCommandSignals(t *testing.T) {
	// ignored runs mmtrace with a shell's trap first (-: none) and returns which of the three
	// signals its command starts with ignored.
	ignored := func(t *testing.T, trap string) map[syscall.Signal]bool {
		t.Helper()
		r := runCmd(t, "", "/bin/sh", "-c", `trap '' `+trap+`; exec "$0" "$@"`, mmtraceBin,
			"trace", "-o", os.DevNull, "--", "sed", "-n", "s/^SigIgn:[[:space:]]*//p", "/proc/self/status")
		mask, err := strconv.ParseUint(strings.TrimSpace(r.stdout), 16, 64)
		if r.code != 0 || err != nil {
			t.Fatalf("mmtrace exited %d, stdout %q (%v), stderr %q", r.code, r.stdout, err, r.stderr)
		}
		m := map[syscall.Signal]bool{}
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGPIPE} {
			m[sig] = mask&(1<<(sig-1)) != 0
		}
		return m
	}
	if got := ignored(t, "-"); got[syscall.SIGINT] || got[syscall.SIGQUIT] || got[syscall.SIGPIPE] {
		t.Errorf("the command starts with signals ignored: %v, want none", got)
	}
	// As from nohup or a shell's background job.
	if got := ignored(t, "INT"); !got[syscall.SIGINT] || got[syscall.SIGQUIT] || got[syscall.SIGPIPE] {
		t.Errorf("mmtrace started with SIGINT ignored: the command starts with %v ignored, want SIGINT alone", got)
	}

	trace := filepath.Join(t.TempDir(), "trace")
	cmd := exec.Command(mmtraceBin, "trace", "-o", trace, "--", "sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a group of its own, as a shell's job
	startKilledAtEnd(t, cmd)
	waitFor(t, "sleep to run in mmtrace's process group", func() bool { return groupRuns(cmd.Process.Pid, "sleep") })
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) // Ctrl-C
	err := cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
		t.Errorf("after Ctrl-C mmtrace ended with %v, want killed by SIGINT as the command was", err)
	}
	text, _ := os.ReadFile(trace)
	if !strings.HasSuffix(string(text), "+++ killed by SIGINT +++\n") {
		t.Errorf("the trace does not end with the command killed by SIGINT:\n%s", text)
	}
}

// groupRuns tells whether a process of group pgid runs the program comm.
func groupRuns(pgid int, comm string) bool {
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		// state ppid pgrp ...
		name, fields, err := procStat(pid)
		if err == nil && name == comm && len(fields) > 2 && fields[2] == strconv.Itoa(pgid) {
			return true
		}
	}
	return false
}

// TestTraceAttachMessages: "Process N attached" is said of each task followed from its parent
// (signals.c forks one), on stderr, where strace says it: by default when the trace goes to
// stderr, not with -o FILE, and as --quiet= and -q choose; never of the command itself.
func TestTraceAttachMessages(t *testing.T) {
	strace := needTool(t, "strace")
	prog := buildC(t, "trace/signals.c")
	attached := regexp.MustCompile(`(?:strace|mmtrace): Process \d+ attached`)
	for _, tc := range []struct {
		flags []string
		said  int // how many times strace says it
	}{
		{nil, 1},
		{[]string{"-q"}, 0},
		{[]string{"-o", os.DevNull}, 0},
		{[]string{"-o", os.DevNull, "--quiet=exit"}, 1},
		{[]string{"-o", os.DevNull, "-e", "quiet=!attach"}, 1},
		{[]string{"--quiet=attach"}, 0},
		{[]string{"-qqq"}, 0},
	} {
		t.Run(strings.Join(tc.flags, " "), func(t *testing.T) {
			args := append([]string{"-e", "trace=exit_group"}, tc.flags...)
			want := runCmd(t, "", strace, append(append([]string{"-f"}, args...), prog)...)
			got := runCmd(t, "", mmtraceBin, append(append([]string{"trace", "--strace-only"}, args...), "--", prog)...)
			wantN, gotN := len(attached.FindAllString(want.stderr, -1)), len(attached.FindAllString(got.stderr, -1))
			if wantN != tc.said || gotN != tc.said {
				t.Errorf("strace said %d times that it attached, mmtrace %d, want %d:\nstrace:\n%s\nmmtrace:\n%s", wantN, gotN, tc.said, want.stderr, got.stderr)
			}
		})
	}
}
