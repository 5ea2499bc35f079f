package ptrace

// Kind says what happened to a task.
type Kind uint8

const (
	// SyscallEntry: a traced call is about to run; Nr and Args are set.
	SyscallEntry Kind = iota + 1
	// SyscallExit: the traced call whose entry was reported has returned; Nr and Args repeat the
	// entry's, Ret and IsError are the result.
	SyscallExit
	// TaskStart: a task is traced for the first time (the command, or a new child or thread).
	TaskStart
	// Signal: a signal is about to be delivered to the task; Signal and Siginfo are set.
	Signal
	// GroupStop: the task stopped for a stop signal (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU).
	GroupStop
	// Exec: an execve succeeded. FormerTid is the tid of the thread that called it, which now
	// has the leader's tid (they differ when a non-leader thread ran execve).
	Exec
	// Exited: the task ended with exit code Status.
	Exited
	// Killed: the task was killed by Signal; CoreDumped tells whether it left a core.
	Killed
	// Fork: the task created Child (a thread when ChildPid == Pid), reported before the
	// creating call returns, while both are stopped.
	Fork
	// Exiting: the task is about to exit with Status (PTRACE_EVENT_EXIT, Options.ExitStops),
	// its address space still intact. LastTask: no other task of its process is traced.
	Exiting
	// Detached: the tracer let go of the task, which runs on untraced; InSyscall is set when
	// it was inside the traced call Nr.
	Detached
	// Attached: every thread of an attached process is seized (each reported by a TaskStart
	// first); Threads says how many. Tid is the id the process was named by.
	Attached
)

// Event is one thing that happened to one traced task. The Tracer reuses a single Event for
// every call of the Handler: a Handler that keeps anything must copy it.
type Event struct {
	Kind Kind
	Tid  int // the task the event is about
	Pid  int // its thread group (process) id

	// Arch is the task's AUDIT_ARCH_* value at this call: a 64-bit tracer can trace 32-bit
	// programs, whose syscall numbers come from another table.
	Arch    uint32
	Nr      uint64
	Args    [6]uint64
	Ret     int64
	IsError bool
	// Injected: the call was tampered with (Options.Inject): not run, its result (Ret,
	// IsError) made up.
	Injected bool
	// Delayed: the task was held at the call's entry or exit (Injection.Delayed).
	Delayed bool
	// InSyscall is set on Exited, Killed and Detached when the task ended inside the traced call Nr,
	// whose exit will never be seen (exit_group, or a kill during a blocking call).
	InSyscall bool

	Signal     int
	Siginfo    *[128]byte // raw siginfo_t from PTRACE_GETSIGINFO, valid during the Handler call
	Status     int
	CoreDumped bool
	FormerTid  int
	ParentTid  int  // on TaskStart: the task that created it, 0 if not known
	Seized     bool // on TaskStart: a thread of a process Attach seized, not followed from its creator
	Child      int  // on Fork: the new task
	ChildPid   int  // on Fork: the new task's process
	LastTask   bool
	Threads    int // on Attached

	// Task reads the stopped task's memory and file descriptors (valid during the Handler
	// call). For an event reported after the task was resumed (Options.ResumeFirst), they may
	// have changed since the stop.
	Task Task
}

// Handler receives events on the tracer's locked thread while the task is stopped, but for
// those Options.ResumeFirst lets it take while the task runs on.
type Handler func(ev *Event)
