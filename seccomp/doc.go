// Package seccomp builds and installs the classic BPF filter behind mmtrace's
// seccomp fast path.
//
// It has its own home, apart from package ptrace, because it runs on the other
// side of the fence: the filter is built from the traced set (architecture to
// syscall numbers) by the tracer, then installed by the tracee-side stub on its
// locked OS thread just before execve, so that the kernel stops the tracee only
// for the calls mmtrace reports and lets every other call run at full speed.
// The package knows nothing of ptrace stops, events or decoding: it turns a set
// of numbers into a program and loads that program, and its tests can check
// both without a tracer.
//
// A syscall that the filter answers with SECCOMP_RET_TRACE fails with ENOSYS
// when no tracer is attached, so a process running under this filter must stay
// traced for its whole life (the tracer should set PTRACE_O_EXITKILL).
package seccomp
