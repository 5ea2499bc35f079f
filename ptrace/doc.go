// Package ptrace runs and follows traced processes and turns their stops into Events.
//
// Every ptrace request for a tracee must come from the OS thread that attached it, so a
// Tracer does all its work (starting the command, seizing, waiting, resuming, and calling the
// Handler) on the one goroutine that called Run, locked to its OS thread. The Handler runs
// while the task is stopped, which is what lets it read the tracee's memory (execve's argv
// before the exec replaces it) and what keeps an event in step with the address space it
// describes. It knows raw syscall numbers only: naming them is package decode's job.
//
// Two ways of stopping a tracee at the calls of interest:
//   - seccomp (the default): the command runs under a BPF filter (package seccomp) that asks for
//     a tracer stop only at the traced calls, so every other system call runs at full speed;
//   - plain PTRACE_SYSCALL: every system call stops twice, the untraced ones are resumed at once.
//
// Both produce the same events.
package ptrace
