/* Job control under the tracer: a child stops itself with SIGSTOP and later SIGTSTP; the
 * parent sees each stop (waitpid WUNTRACED) and continues it with SIGCONT. Untraced, that is
 * exactly what happens; traced, it must be too. The parent blocks SIGCHLD, which it does not
 * need: SIGCHLD is not queued, and when the child continues and stops or exits before the
 * parent runs again, two of them merge into one, so that the trace would differ from
 * strace's by chance. */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	pid_t child = fork();
	if (child == 0) {
		raise(SIGSTOP);
		munmap(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 4096);
		raise(SIGTSTP);
		_exit(5);
	}
	int status, stops = 0;
	for (;;) {
		if (waitpid(child, &status, WUNTRACED) != child)
			return 1;
		if (WIFSTOPPED(status)) {
			stops++;
			kill(child, SIGCONT);
			continue;
		}
		break;
	}
	return stops == 2 && WIFEXITED(status) && WEXITSTATUS(status) == 5 ? 0 : 1;
}
