/*
 * floor: the least a ptrace tracer with mmtrace's seccomp filter can do (issue 3's "minimal C
 * tracer"). It runs CMD under a filter that stops it only at the calls mmtrace stops at by
 * default (its traced set and the address-space model's calls, on x86-64; a call of any other
 * architecture stops too), follows every child, and at each stop only resumes the task: it
 * reads no register, decodes and prints nothing. With -r it also reads each stop's registers
 * (PTRACE_GET_SYSCALL_INFO), as mmtrace and strace do. With -1 it reads them once a call, at
 * its exit (PTRACE_GETREGS: the number and arguments are still in their registers there, next
 * to the result): the least any tracer that prints a call's arguments and result must read,
 * though not enough for one that reads memory at a call's entry (execve's arguments are gone
 * once it has succeeded).
 *
 *   floor [-r|-1] CMD [ARGS...]  exits with CMD's status (128+N if a signal N killed it)
 *
 * x86-64 only: the bench runs where the launcher image does.
 */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static const int traced[] = {
	/* decode.DefaultSet */
	SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap, SYS_msync, SYS_madvise, SYS_brk, SYS_mlock,
	SYS_munlock, SYS_mlock2, SYS_mlockall, SYS_munlockall, SYS_remap_file_pages, SYS_mincore,
	SYS_fork, SYS_vfork, SYS_clone, SYS_clone3, SYS_execve, SYS_execveat, SYS_exit, SYS_exit_group,
	/* procmaps.ModelCalls not in it */
	SYS_pkey_mprotect, SYS_shmat, SYS_shmdt,
};
#define NTRACED (sizeof traced / sizeof traced[0])

static void install_filter(void)
{
	struct sock_filter f[4 + NTRACED + 2];
	unsigned i = 0;
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (unsigned k = 0; k < NTRACED; k++) /* on a match, jump to the last RET_TRACE */
		f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, traced[k], NTRACED - k, 0);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	struct sock_fprog prog = {.len = i, .filter = f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("floor: seccomp filter");
		_exit(127);
	}
}

int main(int argc, char **argv)
{
	int read_regs = argc > 1 && strcmp(argv[1], "-r") == 0;
	int read_once = argc > 1 && strcmp(argv[1], "-1") == 0;
	argv += read_regs + read_once;
	argc -= read_regs + read_once;
	if (argc < 2) {
		fprintf(stderr, "usage: floor [-r|-1] CMD [ARGS...]\n");
		return 2;
	}
	pid_t child = fork();
	if (child < 0) {
		perror("floor: fork");
		return 127;
	}
	if (child == 0) {
		raise(SIGSTOP); /* until the tracer has seized it */
		install_filter();
		execvp(argv[1], argv + 1);
		perror("floor: exec");
		_exit(127);
	}
	int st;
	if (waitpid(child, &st, WSTOPPED) != child ||
	    ptrace(PTRACE_SEIZE, child, 0,
		   PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
			   PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) {
		perror("floor: seize");
		kill(child, SIGKILL);
		return 127;
	}
	kill(child, SIGCONT);
	int code = 127;
	struct __ptrace_syscall_info info;
	struct user_regs_struct regs;
	for (;;) {
		pid_t p = wait4(-1, &st, __WALL, NULL);
		if (p < 0)
			break; /* ECHILD: every task is gone */
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (p == child)
				code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			continue;
		}
		int sig = WSTOPSIG(st), event = st >> 16;
		if (read_regs && (event == PTRACE_EVENT_SECCOMP || sig == (SIGTRAP | 0x80)))
			ptrace(PTRACE_GET_SYSCALL_INFO, p, (void *)sizeof info, &info);
		if (read_once && sig == (SIGTRAP | 0x80))
			ptrace(PTRACE_GETREGS, p, 0, &regs);
		if (event == PTRACE_EVENT_SECCOMP)
			ptrace(PTRACE_SYSCALL, p, 0, 0); /* on to the call's exit, as a tracer that prints it */
		else if (sig == (SIGTRAP | 0x80) || event != 0)
			ptrace(PTRACE_CONT, p, 0, 0); /* a call's exit, a new task, a fork or exec event */
		else
			ptrace(PTRACE_CONT, p, 0, sig); /* a signal, handed on */
	}
	return code;
}
