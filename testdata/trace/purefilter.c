/* A program under a seccomp filter of its own that kills it at a call numbered -1 (what a
 * tracer makes of a call it skips) and allows every other; it then makes two madvise calls
 * and prints what they returned. Under -e inject=madvise:error=EPERM:syscall=getpid the
 * calls are replaced by getpid, which the filter allows, and fail with EPERM; without
 * syscall= the first one skipped kills the program. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		return 2;
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 2; i++) {
		int r = madvise(p, 4096, MADV_NORMAL);
		printf("madvise=%s ", r == 0 ? "0" : strerrorname_np(errno));
	}
	printf("\n");
	return 0;
}
