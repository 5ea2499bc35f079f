//go:build amd64

package ptrace

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mmtrace/mmtrace/seccomp"
)

// runImage runs the launcher image untraced, with the given byte on its descriptor 3 (none
// if go is 0), and returns its exit status and standard error.
func runImage(t *testing.T, image []byte, goAhead byte, argv ...string) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if goAhead != 0 {
		w.Write([]byte{goAhead})
	}
	w.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	path := argv[0]
	if lp, err := exec.LookPath(path); err == nil {
		path = lp
	}
	pid, err := startImage(image, Command{Path: path, Argv: argv, Env: []string{"X=1"}}, r, errW)
	r.Close()
	errW.Close()
	if err != nil {
		t.Fatal(err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	stderr.ReadFrom(errR)
	return ws.ExitStatus(), stderr.String()
}

// TestLauncherImage runs the tiny launcher without a tracer: it is a valid ELF program that
// waits for the go-ahead, runs the command with its arguments and environment, and installs
// the filter (without a tracer, a call the filter traces fails with ENOSYS: here the execve).
func TestLauncherImage(t *testing.T) {
	f, err := elf.NewFile(bytes.NewReader(launcherImage(nil, true)))
	if err != nil {
		t.Fatalf("the launcher image is not an ELF file: %v", err)
	}
	if f.Machine != launcherMachine || f.Type != elf.ET_EXEC || len(f.Progs) != 1 {
		t.Errorf("launcher image: machine %v, type %v, %d program headers", f.Machine, f.Type, len(f.Progs))
	}

	plain := launcherImage(nil, true)
	if code, stderr := runImage(t, plain, launchReady, "sh", "-c", `[ "$0 $1 $X" = "sh a 1" ] && exit 7`, "sh", "a"); code != 7 || stderr != "" {
		t.Errorf("with the go-ahead: exit %d, stderr %q; want the command's 7", code, stderr)
	}
	if code, stderr := runImage(t, plain, 'x', "true"); code != 127 || stderr != msgNoGoAhead {
		t.Errorf("with a wrong go-ahead: exit %d, stderr %q; want 127 and %q", code, stderr, msgNoGoAhead)
	}
	if code, stderr := runImage(t, plain, 0, "true"); code != 127 || stderr != msgNoGoAhead {
		t.Errorf("with no go-ahead: exit %d, stderr %q; want 127 and %q", code, stderr, msgNoGoAhead)
	}
	if code, _ := runImage(t, plain, launchReady, "/no/such/program"); code != LaunchExecFailed {
		t.Errorf("a command that does not exist: exit %d, want %d", code, LaunchExecFailed)
	}

	bad := []unix.SockFilter{{Code: 0xffff}} // no such BPF instruction: seccomp refuses it
	if code, stderr := runImage(t, launcherImage(bad, true), launchReady, "true"); code != 127 || stderr != msgNoFilter {
		t.Errorf("with a filter the kernel refuses: exit %d, stderr %q; want 127 and %q", code, stderr, msgNoFilter)
	}

	prog, err := seccomp.Filter(map[uint32][]uint64{nativeAudit: {unix.SYS_EXECVE}})
	if err != nil {
		t.Fatal(err)
	}
	if code, stderr := runImage(t, launcherImage(prog, true), launchReady, "true"); code != LaunchExecFailed || stderr != "" {
		t.Errorf("with a filter that traces execve and no tracer: exit %d, stderr %q; want %d (ENOSYS)", code, stderr, LaunchExecFailed)
	}
	// Without PR_SET_NO_NEW_PRIVS the kernel takes a filter only from CAP_SYS_ADMIN.
	admin, err := seccomp.HasSysAdmin()
	if err != nil {
		t.Fatal(err)
	}
	wantCode, wantErr := 127, msgNoFilter
	if admin {
		wantCode, wantErr = LaunchExecFailed, ""
	}
	if code, stderr := runImage(t, launcherImage(prog, false), launchReady, "true"); code != wantCode || stderr != wantErr {
		t.Errorf("a filter without no_new_privs (CAP_SYS_ADMIN: %v): exit %d, stderr %q; want %d and %q", admin, code, stderr, wantCode, wantErr)
	}
}
