package seccomp

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A filter cannot be removed once loaded, so the tests that load one run in a
// re-exec of the test binary: TestMain sees childEnv and runs one scenario
// instead of the tests.
const (
	childEnv  = "MMTRACE_SECCOMP_TEST_CHILD"
	parentEnv = "MMTRACE_SECCOMP_TEST_PARENT" // the pid getppid must answer where it is allowed
)

func init() {
	// In the child, pin the main goroutine to the main thread (LockOSThread
	// from init does that), so the scenarios can install the filter on
	// another thread and check that the main thread stays unfiltered.
	if os.Getenv(childEnv) != "" {
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	if s := os.Getenv(childEnv); s != "" {
		if err := child(s); err != nil {
			fmt.Fprintf(os.Stderr, "child %s: %v\n", s, err)
			os.Exit(1)
		}
		fmt.Println("child ok")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// requireFull skips the test in the quick loop (go test -short), which runs only the tests
// that need no root, tracing, C compiler or browser; needs says what this one needs. Such a
// test runs in the full suite.
func requireFull(t *testing.T, needs string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: this test %s; it runs in the full suite (go test without -short)", needs)
	}
}

// TestInstall loads real filters into a child with no tracer attached. A
// call the filter answers with RET_TRACE then fails with ENOSYS, the
// kernel's answer when nobody is there to trace it; so ENOSYS from getppid
// proves the filter is live and returns RET_TRACE, and getpid succeeding on
// the same thread proves it allows the rest.
func TestInstall(t *testing.T) {
	requireFull(t, "loads filters into the kernel as root")
	cases := []struct {
		scenario string
		what     string
	}{
		{"small", "getppid traced on the installing thread only; getpid allowed; main thread untouched"},
		{"large", "a filter of ~1000 numbers with long jumps passes the kernel's checker; getuid and getppid traced, getgid and getpid allowed"},
		{"no-admin", "without CAP_SYS_ADMIN Install sets NO_NEW_PRIVS (on that thread only) and still loads the filter"},
		{"exec", "the filter survives execve from the installing thread, the stub's use"},
		{"rejected", "a program the kernel refuses gives an error wrapping EINVAL and loads nothing"},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"="+c.scenario, parentEnv+"="+strconv.Itoa(os.Getpid()))
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "child ok") {
				t.Fatalf("%s: %v\n%s", c.what, err, out)
			}
		})
	}
}

func TestInstallBadLength(t *testing.T) {
	if err := Install(nil); err == nil {
		t.Error("empty program accepted")
	}
	long := make([]unix.SockFilter, unix.BPF_MAXINSNS+1)
	if err := Install(long); !errors.Is(err, ErrTooLong) {
		t.Errorf("%d instructions: err %v, want ErrTooLong", len(long), err)
	}
}

func TestNativeArch(t *testing.T) {
	a, err := NativeArch()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint32{"amd64": x8664, "386": i386, "arm64": aarch64}[runtime.GOARCH]
	if a != want {
		t.Errorf("NativeArch %#x, want %#x", a, want)
	}
}

// initial holds the child's /proc status fields from before any filter of
// its own: the test may itself run under a container's seccomp filter or
// with NO_NEW_PRIVS set, and the checks are relative to that.
var initial map[string]string

// child runs one scenario of TestInstall.
func child(scenario string) error {
	pid := os.Getpid()
	var err error
	if initial, err = readStatus(); err != nil {
		return err
	}
	if scenario == "exec-probe" {
		// The filters and NO_NEW_PRIVS from before the exec are now the
		// starting point; the probe checks what the filter does.
		return probe(pid, "", -1)
	}
	if unix.Gettid() != pid {
		return errors.New("main goroutine is not on the main thread")
	}
	result, quit := make(chan error), make(chan struct{})
	go func() {
		// Never unlocked: the thread carries the filter and must not run
		// other goroutines; it exits with this goroutine.
		runtime.LockOSThread()
		result <- installer(scenario, pid)
		<-quit
	}()
	err = <-result
	defer close(quit)
	if err != nil {
		return err
	}
	// The main thread, while the filtered thread is still alive: no TSYNC.
	if err := probeMainThread(); err != nil {
		return fmt.Errorf("main thread: %w", err)
	}
	return nil
}

// installer runs on its own locked thread, loads the scenario's filter and
// checks it from that thread.
func installer(scenario string, pid int) error {
	if unix.Gettid() == pid {
		return errors.New("installer runs on the main thread")
	}
	native, err := NativeArch()
	if err != nil {
		return err
	}
	traced := map[uint32][]uint64{native: {unix.SYS_GETPPID}}
	switch scenario {
	case "large":
		nrs := []uint64{unix.SYS_GETPPID, unix.SYS_GETUID}
		for n := uint64(1000); n < 4000; n += 3 { // numbers no kernel assigns
			nrs = append(nrs, n)
		}
		traced[native] = nrs
		traced[x8664^i386^aarch64^native] = []uint64{1, 2, 3} // a second arch, never ours
	case "no-admin":
		if err := dropSysAdmin(); err != nil {
			return err
		}
	case "rejected":
		bad := []unix.SockFilter{
			{Code: unix.BPF_JMP | unix.BPF_JA, K: 5}, // past the end
			{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
		}
		err := Install(bad)
		if !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("Install of a bad program: %v, want an error wrapping EINVAL", err)
		}
		return probeMainThread() // this thread: nothing loaded, getppid works
	}
	admin, err := HasSysAdmin()
	if err != nil {
		return err
	}
	if scenario == "no-admin" && admin {
		return errors.New("CAP_SYS_ADMIN still effective after dropping it")
	}
	prog, err := Filter(traced)
	if err != nil {
		return err
	}
	if scenario == "large" && !hasLongJump(prog, len(traced)) {
		return fmt.Errorf("the large program (%d instructions) has no long jump to test", len(prog))
	}
	if err := Install(prog); err != nil {
		return err
	}
	nnp, err := strconv.Atoi(initial["NoNewPrivs"])
	if err != nil {
		return fmt.Errorf("NoNewPrivs: %w", err)
	}
	if !admin {
		nnp = 1
	}
	if scenario == "exec" {
		// The stub's sequence: filter, then execve on the same thread.
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, childEnv+"=") {
				env = append(env, kv)
			}
		}
		env = append(env, childEnv+"=exec-probe")
		err := unix.Exec(os.Args[0], []string{os.Args[0], "-test.run=^$"}, env)
		return fmt.Errorf("exec: %w", err)
	}
	if err := probe(pid, "+1", nnp); err != nil {
		return err
	}
	if scenario == "large" {
		if _, _, e := unix.RawSyscall(unix.SYS_GETUID, 0, 0, 0); e != unix.ENOSYS {
			return fmt.Errorf("traced getuid: errno %v, want ENOSYS", e)
		}
		if g, _, e := unix.RawSyscall(unix.SYS_GETGID, 0, 0, 0); e != 0 || int(g) != os.Getgid() {
			return fmt.Errorf("allowed getgid: %d, errno %v", g, e)
		}
	}
	return nil
}

// probe checks the calling thread: getppid (traced) fails with ENOSYS,
// getpid (allowed) answers, /proc shows filter mode 2, the expected
// NO_NEW_PRIVS (nnp < 0: don't check) and, if filters is "+1", one filter
// more than the process started with.
func probe(pid int, filters string, nnp int) error {
	if _, _, e := unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0); e != unix.ENOSYS {
		return fmt.Errorf("traced getppid with no tracer: errno %v, want ENOSYS", e)
	}
	if r, _, e := unix.RawSyscall(unix.SYS_GETPID, 0, 0, 0); e != 0 || int(r) != pid {
		return fmt.Errorf("allowed getpid: %d, errno %v, want %d", r, e, pid)
	}
	want := map[string]string{"Seccomp": "2"}
	if filters == "+1" {
		n, err := strconv.Atoi(initial["Seccomp_filters"])
		if err != nil {
			return fmt.Errorf("Seccomp_filters: %w", err)
		}
		want["Seccomp_filters"] = strconv.Itoa(n + 1)
	}
	if nnp >= 0 {
		want["NoNewPrivs"] = strconv.Itoa(nnp)
	}
	return checkStatus(want)
}

// probeMainThread checks that the calling thread got no filter: getppid
// answers the parent's pid, and /proc shows the filters and NO_NEW_PRIVS
// the process started with.
func probeMainThread() error {
	r, _, e := unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
	if e != 0 || strconv.Itoa(int(r)) != os.Getenv(parentEnv) {
		return fmt.Errorf("getppid: %d, errno %v, want %s", r, e, os.Getenv(parentEnv))
	}
	return checkStatus(map[string]string{
		"Seccomp":         initial["Seccomp"],
		"Seccomp_filters": initial["Seccomp_filters"],
		"NoNewPrivs":      initial["NoNewPrivs"],
	})
}

// readStatus returns the fields of the calling thread's /proc status.
func readStatus() (map[string]string, error) {
	b, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = strings.TrimSpace(v)
		}
	}
	return fields, nil
}

// checkStatus compares fields of the calling thread's /proc status.
func checkStatus(want map[string]string) error {
	got, err := readStatus()
	if err != nil {
		return err
	}
	for k, v := range want {
		if got[k] != v {
			return fmt.Errorf("/proc/thread-self/status %s: %q, want %q", k, got[k], v)
		}
	}
	return nil
}

// dropSysAdmin removes CAP_SYS_ADMIN from the calling thread's effective
// set (capabilities are per thread), as for an unprivileged tracer.
func dropSysAdmin() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	data[unix.CAP_SYS_ADMIN/32].Effective &^= 1 << (unix.CAP_SYS_ADMIN % 32)
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	return nil
}
