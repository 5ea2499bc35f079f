package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/mmtrace/mmtrace/ptrace"
)

func newAttachCmd() *cobra.Command {
	var f traceFlags
	cmd := &cobra.Command{
		Use:   "attach [flags] PID...",
		Short: "Trace running processes and all their threads; detach on Ctrl-C and leave them running",
		Long: `Attach to running processes (a thread id names its whole process), follow their threads
and the children they start from now on, and print their memory-mapping and process calls as
mmtrace trace does. On Ctrl-C, SIGTERM, SIGHUP, at the end of --duration, or when they have
all exited, mmtrace detaches from every thread, wherever it is stopped, and the processes run
on exactly as if never traced. If mmtrace itself is killed, the kernel detaches them and they
run on too.`,
		Example: `  mmtrace attach 1234
  mmtrace attach --duration 10s -o trace.txt 1234 5678`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				c.PrintErrln(c.UsageString())
				return &exitError{code: 2, err: errors.New("attach: no PID given")}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			pids, err := parsePids(args)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			return runAttach(&f, pids)
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().DurationVar(&f.duration, "duration", 0, "detach after `D` (e.g. 30s); 0 means until Ctrl-C")
	return cmd
}

func parsePids(args []string) ([]int, error) {
	pids := make([]int, 0, len(args))
	for _, a := range args {
		pid, err := strconv.Atoi(a)
		if err != nil || pid <= 0 {
			return nil, fmt.Errorf("attach: %q is not a process id", a)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

func runAttach(f *traceFlags, pids []int) error {
	if f.duration < 0 {
		return &exitError{code: 2, err: fmt.Errorf("--duration %v: must not be negative", f.duration)}
	}
	s, err := newTraceSession(f, false)
	if err != nil {
		return err
	}
	defer s.close()
	if f.decodePids.has(decodePidsPidns) {
		if err := samePidNamespace(pids); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	syscalls, err := s.tracedNumbers()
	if err != nil {
		return err
	}
	tracer := ptrace.New(ptrace.Options{Syscalls: syscalls, ExitStops: s.model != nil && s.model.Snapshots, Idle: s.idle, ResumeFirst: s.resumeFirst,
		Inject: s.injectOptions(), DetachOnExec: f.detachOn != ""}, s.handle)

	// As strace -p: these signals detach mmtrace from every thread, and once all it traced is
	// written, mmtrace dies of the signal (exit status 128+N).
	var ended endingSignal
	ended.catch(func(unix.Signal) { tracer.Stop() }, unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT)
	signal.Ignore(unix.SIGPIPE)
	if f.duration > 0 {
		timer := time.AfterFunc(f.duration, tracer.Stop)
		defer timer.Stop()
	}
	err = tracer.Attach(pids)
	s.finish()
	ended.stop()
	if err != nil {
		return err
	}
	if sig := ended.received(); sig != 0 {
		dieBySignal(int(sig))
	}
	return s.lost.exitStatus(0)
}

// samePidNamespace refuses --decode-pids=pidns for a process in another pid namespace than
// mmtrace's: strace would print its ids as that namespace numbers them, which mmtrace does not
// translate. In mmtrace's own namespace, pidns adds nothing to the output, as in strace's.
func samePidNamespace(pids []int) error {
	own, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return fmt.Errorf("--decode-pids=pidns: %w", err)
	}
	for _, pid := range pids {
		if ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid)); err == nil && ns != own {
			return fmt.Errorf("--decode-pids=pidns: process %d is in another pid namespace (%s), whose ids mmtrace does not translate", pid, ns)
		}
	}
	return nil
}
