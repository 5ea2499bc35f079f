//go:build amd64

package ptrace

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mmtrace/mmtrace/seccomp"
)

// runImage runs the launcher image, built for fds, untraced, with the given byte on its start
// pipe (none if goAhead is 0), and returns its exit status and standard error.
func runImage(t *testing.T, fds launchFds, image []byte, goAhead byte, argv ...string) (int, string) {
	t.Helper()
	return runImageFrom(t, func(start func() (int, error)) (int, error) { return start() }, fds, image, goAhead, argv...)
}

// runImageWithoutSysAdmin runs the image as runImage does, but started from a thread that has
// dropped CAP_SYS_ADMIN from its bounding set: the image runs without the capability, as it
// does when mmtrace holds it as a file capability, which an execve of the image does not carry.
func runImageWithoutSysAdmin(t *testing.T, fds launchFds, image []byte, goAhead byte, argv ...string) (int, string) {
	t.Helper()
	admin, err := seccomp.HasSysAdmin()
	if err != nil {
		t.Fatal(err)
	}
	from := func(start func() (int, error)) (int, error) {
		type started struct {
			pid int
			err error
		}
		done := make(chan started)
		go func() {
			// Never unlocked: the thread with its smaller bounding set ends with this goroutine.
			runtime.LockOSThread()
			if admin {
				if err := unix.Prctl(unix.PR_CAPBSET_DROP, unix.CAP_SYS_ADMIN, 0, 0, 0); err != nil {
					done <- started{err: fmt.Errorf("drop CAP_SYS_ADMIN from the bounding set: %w", err)}
					return
				}
			}
			pid, err := start() // the fork is made from this thread, with its credentials
			done <- started{pid, err}
		}()
		s := <-done
		return s.pid, s.err
	}
	return runImageFrom(t, from, fds, image, goAhead, argv...)
}

func runImageFrom(t *testing.T, from func(start func() (int, error)) (int, error), fds launchFds, image []byte, goAhead byte, argv ...string) (int, string) {
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
	pid, err := from(func() (int, error) {
		return startImage(image, Command{Path: path, Argv: argv, Env: []string{"X=1"}}, fds, r, errW)
	})
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
	fds, err := newLaunchFds()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(launcherImage(nil, true, nil, fds)))
	if err != nil {
		t.Fatalf("the launcher image is not an ELF file: %v", err)
	}
	if f.Machine != launcherMachine || f.Type != elf.ET_EXEC || len(f.Progs) != 2 {
		t.Fatalf("launcher image: machine %v, type %v, %d program headers", f.Machine, f.Type, len(f.Progs))
	}
	if stack := f.Progs[1]; stack.Type != elf.PT_GNU_STACK || stack.Flags&elf.PF_X != 0 {
		t.Errorf("launcher image: second program header %v %v, want PT_GNU_STACK without PF_X", stack.Type, stack.Flags)
	}

	plain := launcherImage(nil, true, nil, fds)
	if code, stderr := runImage(t, fds, plain, launchReady, "sh", "-c", `[ "$0 $1 $X" = "sh a 1" ] && exit 7`, "sh", "a"); code != 7 || stderr != "" {
		t.Errorf("with the go-ahead: exit %d, stderr %q; want the command's 7", code, stderr)
	}
	if code, stderr := runImage(t, fds, plain, 'x', "true"); code != 127 || stderr != msgNoGoAhead {
		t.Errorf("with a wrong go-ahead: exit %d, stderr %q; want 127 and %q", code, stderr, msgNoGoAhead)
	}
	if code, stderr := runImage(t, fds, plain, 0, "true"); code != 127 || stderr != msgNoGoAhead {
		t.Errorf("with no go-ahead: exit %d, stderr %q; want 127 and %q", code, stderr, msgNoGoAhead)
	}
	if code, _ := runImage(t, fds, plain, launchReady, "/no/such/program"); code != LaunchExecFailed {
		t.Errorf("a command that does not exist: exit %d, want %d", code, LaunchExecFailed)
	}

	bad := []unix.SockFilter{{Code: 0xffff}} // no such BPF instruction: seccomp refuses it
	if code, stderr := runImage(t, fds, launcherImage(bad, true, nil, fds), launchReady, "true"); code != 127 || stderr != msgNoFilter {
		t.Errorf("with a filter the kernel refuses: exit %d, stderr %q; want 127 and %q", code, stderr, msgNoFilter)
	}

	prog, err := seccomp.Filter(map[uint32][]uint64{nativeAudit: {unix.SYS_EXECVE}})
	if err != nil {
		t.Fatal(err)
	}
	if code, stderr := runImage(t, fds, launcherImage(prog, true, nil, fds), launchReady, "true"); code != LaunchExecFailed || stderr != "" {
		t.Errorf("with a filter that traces execve and no tracer: exit %d, stderr %q; want %d (ENOSYS)", code, stderr, LaunchExecFailed)
	}
	// An image built for a tracer with CAP_SYS_ADMIN tries the filter without
	// PR_SET_NO_NEW_PRIVS; where it runs without the capability, the kernel refuses that
	// (EACCES) and the image sets no_new_privs and installs the filter after all.
	forAdmin := launcherImage(prog, false, nil, fds)
	if code, stderr := runImage(t, fds, forAdmin, launchReady, "true"); code != LaunchExecFailed || stderr != "" {
		t.Errorf("a filter tried without no_new_privs: exit %d, stderr %q; want %d (ENOSYS)", code, stderr, LaunchExecFailed)
	}
	if code, stderr := runImageWithoutSysAdmin(t, fds, forAdmin, launchReady, "true"); code != LaunchExecFailed || stderr != "" {
		t.Errorf("a filter tried without no_new_privs, run without CAP_SYS_ADMIN: exit %d, stderr %q; want %d (ENOSYS)", code, stderr, LaunchExecFailed)
	}
	// The filter that is refused for good still is, on both paths.
	if code, stderr := runImageWithoutSysAdmin(t, fds, launcherImage(bad, false, nil, fds), launchReady, "true"); code != 127 || stderr != msgNoFilter {
		t.Errorf("a filter the kernel refuses, tried without no_new_privs: exit %d, stderr %q; want 127 and %q", code, stderr, msgNoFilter)
	}
	// no_new_privs is set only where it had to be: "grep NoNewPrivs" of the command's status.
	status := func(run func(*testing.T, launchFds, []byte, byte, ...string) (int, string), image []byte) int {
		code, _ := run(t, fds, image, launchReady, "grep", "-q", "^NoNewPrivs:[[:space:]]*1", "/proc/self/status")
		return code
	}
	pass, err := seccomp.Filter(map[uint32][]uint64{nativeAudit: {unix.SYS_MSYNC}}) // grep makes no msync
	if err != nil {
		t.Fatal(err)
	}
	if admin, _ := seccomp.HasSysAdmin(); admin {
		if code := status(runImage, launcherImage(pass, false, nil, fds)); code != 1 {
			t.Errorf("with CAP_SYS_ADMIN the command runs with no_new_privs (grep exit %d)", code)
		}
	}
	if code := status(runImageWithoutSysAdmin, launcherImage(pass, false, nil, fds)); code != 0 {
		t.Errorf("without CAP_SYS_ADMIN the command does not run with no_new_privs (grep exit %d)", code)
	}
}
