package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDetachOnExecAttach: with -b execve, an attached process is let go at its first execve
// (only a started command's own first one is kept), its execve line cut with <detached ...>;
// mmtrace then has nothing left to trace and ends while the new program runs on, untraced.
func TestDetachOnExecAttach(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "go")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// The shell waits on the fifo until mmtrace is attached, then runs sleep in its place.
	sh := exec.Command("/bin/sh", "-c", `read x < "$0"; exec /bin/sleep 5`, fifo)
	startKilledAtEnd(t, sh)
	pid := sh.Process.Pid
	traceOut := filepath.Join(dir, "trace.out")
	mm := exec.Command(mmtraceBin, "attach", "-b", "execve", "-e", "trace=execve,mmap", "-o", traceOut, strconv.Itoa(pid))
	var stderr strings.Builder
	mm.Stderr = &stderr
	startKilledAtEnd(t, mm)
	waitFor(t, "mmtrace to attach", func() bool { return strings.Contains(stderr.String(), "attached") })
	if err := os.WriteFile(fifo, []byte("go\n"), 0); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mm.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("mmtrace attach -b execve: %v: %s", err, stderr.String())
		}
	case <-time.After(4 * time.Second):
		t.Fatalf("mmtrace did not end after the process's execve: it was not detached; stderr: %s", stderr.String())
	}
	if want := "mmtrace: Process " + strconv.Itoa(pid) + " detached\n"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
	text, err := os.ReadFile(traceOut)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%-5d execve(\"/bin/sleep\", [\"/bin/sleep\", \"5\"], ", pid)
	if !strings.Contains(string(text), want) || !strings.HasSuffix(string(text), " <detached ...>\n") || strings.Contains(string(text), "mmap(") {
		t.Errorf("the trace should end with sleep's execve cut by the detach, and no call of sleep's own:\n%s", text)
	}
	requireUntraced(t, pid, false)
	if comm, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); string(comm) != "sleep\n" {
		t.Errorf("the process runs %q after the detach, want sleep", comm)
	}
}
