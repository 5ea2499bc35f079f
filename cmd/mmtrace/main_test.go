package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// update rewrites golden files instead of comparing with them: go test ./cmd/mmtrace -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// mmtraceBin is the mmtrace binary built once for the tests, run as a user runs it.
var mmtraceBin string

var testTmp string

func TestMain(m *testing.M) {
	flag.Parse()
	// These tests run the built mmtrace as a user does: most trace C programs built with cc,
	// as root, and compare with strace. The quick loop runs none of them and builds nothing.
	if testing.Short() {
		fmt.Println("-short: no test of cmd/mmtrace runs (they build mmtrace and C programs, trace them as root and compare with strace); they run in the full suite, go test without -short")
		os.Exit(0)
	}
	var err error
	testTmp, err = os.MkdirTemp("", "mmtrace-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "make temp dir:", err)
		os.Exit(1)
	}
	mmtraceBin = filepath.Join(testTmp, "mmtrace")
	build := exec.Command("go", "build", "-o", mmtraceBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // as the README builds it
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build mmtrace: %v\n%s", err, out)
		os.RemoveAll(testTmp)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(testTmp)
	os.Exit(code)
}

// testdataDir is the repository's testdata folder.
const testdataDir = "../../testdata"

var (
	builtMu sync.Mutex
	built   = map[string]string{}
)

// buildC compiles a C program from testdata (a path relative to it) with cc, once per test
// run, and returns the binary's path. Without cc the test fails: these tests are not optional.
func buildC(t testing.TB, rel string, cflags ...string) string {
	t.Helper()
	key := rel + " " + strings.Join(cflags, " ")
	builtMu.Lock()
	defer builtMu.Unlock()
	if bin, ok := built[key]; ok {
		return bin
	}
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Fatalf("these tests build C programs and need a C compiler: cc not found in PATH (%v)", err)
	}
	name := strings.TrimSuffix(filepath.Base(rel), ".c")
	for _, f := range cflags {
		name += strings.NewReplacer("-", "_", "=", "_").Replace(f)
	}
	bin := filepath.Join(testTmp, name)
	args := append([]string{"-Wall", "-O1", "-pthread", "-o", bin, filepath.Join(testdataDir, rel)}, cflags...)
	if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		t.Fatalf("cc %s: %v\n%s", rel, err, out)
	}
	built[key] = bin
	return bin
}

var i386Probe struct {
	sync.Once
	runs bool
}

// kernelRuns reports whether this kernel can run a program built with cflags. Only i386
// programs (-m32) may not run: kernels built without IA32_EMULATION, booted with
// ia32_emulation=0, or running under a hypervisor without 32-bit mode (PVM) refuse them
// with ENOEXEC. Cases that need them are left out there, with a line in the test log;
// TestTraceCommandNotExecutable checks what mmtrace does with such a program instead.
func kernelRuns(t testing.TB, cflags []string) bool {
	t.Helper()
	if !slices.Contains(cflags, "-m32") || kernelRunsI386(t) {
		return true
	}
	t.Logf("i386 case left out: this kernel cannot run i386 programs (exec format error)")
	return false
}

func kernelRunsI386(t testing.TB) bool {
	t.Helper()
	i386Probe.Do(func() {
		bin := buildC(t, "trace/exitcode.c", "-m32")
		err := exec.Command(bin, "7").Run()
		var exitErr *exec.ExitError
		i386Probe.runs = errors.As(err, &exitErr) && exitErr.ExitCode() == 7
	})
	return i386Probe.runs
}

// needTool fails the test with a clear message when a program the test compares with is missing.
func needTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("this test compares mmtrace with %s, which is not installed: %v", name, err)
	}
	return path
}

// result is how a command ran: its output and exit status.
type result struct {
	stdout, stderr string
	code           int
}

// runCmd runs a program in dir and returns its output and exit status (-1 for no exit status).
func runCmd(t testing.TB, dir string, name string, args ...string) result {
	t.Helper()
	return runCmdEnv(t, dir, nil, name, args...)
}

// runCmdEnv is runCmd with variables added to the environment.
func runCmdEnv(t testing.TB, dir string, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	default:
		t.Fatalf("run %s %v: %v", name, args, err)
	}
	return r
}

// startKilledAtEnd starts cmd and makes sure it does not outlive the test: if the test has not
// waited for it, the cleanup kills it (and, for mmtrace trace, its tracees with it).
func startKilledAtEnd(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killAtEnd(t, cmd)
}

// killAtEnd is startKilledAtEnd's cleanup, for a command started otherwise.
func killAtEnd(t testing.TB, cmd *exec.Cmd) {
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
}
