/* A program that installs a seccomp filter of its own: mmap calls of 70001 bytes fail with
 * EPERM without entering the kernel's mmap, every other call is allowed. It then makes five
 * such calls, and one mmap/munmap pair of 80001 bytes, and a forked child makes five more.
 * Prints "refused=N" (the calls that failed with EPERM, child's included) and exits 0 if all
 * ten were refused and the pair worked. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int refuse_five(void)
{
	int refused = 0;
	for (int i = 0; i < 5; i++)
		if (mmap(NULL, 70001, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EPERM)
			refused++;
	return refused;
}

int main(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 70001, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		perror("seccomp");
		return 2;
	}
	int refused = refuse_five();
	char *p = mmap(NULL, 80001, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p, 80001) != 0)
		return 1;
	pid_t child = fork();
	if (child == 0)
		_exit(refuse_five());
	int status;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return 1;
	refused += WEXITSTATUS(status);
	printf("refused=%d\n", refused);
	return refused == 10 ? 0 : 1;
}
