/* A traced program that tries to be a debugger or to be debugged: PTRACE_TRACEME from itself
 * and from a child, PTRACE_ATTACH and PTRACE_SEIZE to its own child. Traced, each fails with
 * EPERM (a task has one tracer); untraced they would succeed. Prints "traceme=E child=E
 * attach=E seize=E" with the errno names and exits 0 when all four are EPERM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PTRACE_SEIZE
#define PTRACE_SEIZE 0x4206
#endif

static const char *result(long r)
{
	return r == 0 ? "ok" : errno == EPERM ? "EPERM" : strerror(errno);
}

int main(void)
{
	const char *me = result(ptrace(PTRACE_TRACEME, 0, 0, 0));
	int ready[2];
	if (pipe(ready) != 0)
		return 1;
	pid_t child = fork();
	if (child == 0) {
		close(ready[0]);
		char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(p, 4096);
		long r = ptrace(PTRACE_TRACEME, 0, 0, 0);
		int e = r == 0 ? 0 : errno;
		if (write(ready[1], &e, sizeof e) != sizeof e)
			_exit(1);
		pause(); /* until the parent kills it */
		_exit(0);
	}
	close(ready[1]);
	int e;
	if (read(ready[0], &e, sizeof e) != sizeof e)
		return 1;
	errno = e;
	const char *childs = result(e == 0 ? 0 : -1);
	const char *attach = result(ptrace(PTRACE_ATTACH, child, 0, 0));
	const char *seize = result(ptrace(PTRACE_SEIZE, child, 0, 0));
	kill(child, SIGKILL);
	int status;
	waitpid(child, &status, 0);
	printf("traceme=%s child=%s attach=%s seize=%s\n", me, childs, attach, seize);
	return strcmp(me, "EPERM") || strcmp(childs, "EPERM") || strcmp(attach, "EPERM") || strcmp(seize, "EPERM");
}
