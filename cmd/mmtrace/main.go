// Command mmtrace shows what a Linux process does with its address space: it traces the
// memory-mapping system calls of a command (strace's syntax) and inspects /proc/PID/maps.
//
// This package only wires the others together: ptrace (stops and events) -> decode (named
// syscalls) -> procmaps (regions) -> report (text, JSON, tables). It is the one place that
// prints errors and chooses exit codes.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/mmtrace/mmtrace/ptrace"
)

// exitError carries an exit status chosen by a subcommand (the traced command's own status,
// 127 for a command that cannot be run, 2 for bad usage).
type exitError struct {
	code int
	err  error // nil when there is nothing to say, e.g. the tracee's own non-zero exit
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// The launcher of a traced command must call execve from the main thread, the one the tracer
// seized; only an init function is sure to run there.
func init() {
	if ptrace.IsLauncher(os.Args) {
		runtime.LockOSThread()
	}
}

func main() {
	if ptrace.IsWaker(os.Args) {
		ptrace.RunWaker()
		os.Exit(0)
	}
	if ptrace.IsLauncher(os.Args) {
		err := ptrace.RunLauncher(os.Args)
		var execErr *ptrace.ExecError
		if errors.As(err, &execErr) {
			os.Exit(ptrace.LaunchExecFailed) // the tracer saw the execve fail and says why
		}
		fmt.Fprintf(os.Stderr, "mmtrace: %v\n", err)
		os.Exit(127)
	}
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and returns the process exit status.
func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(os.Stderr, "mmtrace: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(os.Stderr, "mmtrace: %v\n", err)
	if strings.HasPrefix(err.Error(), "unknown command") {
		return 2 // a usage error, like a bad flag
	}
	return 1
}
