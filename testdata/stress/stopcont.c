/* Job control in a traced tree: a child stops itself with SIGSTOP; its parent sees it
 * stopped (WUNTRACED), maps a page, sends SIGCONT, and the child maps a page and exits 4.
 * The parent exits 0 if it saw the stop and the child's status. It blocks SIGCHLD, which it
 * does not need: when the child continues and exits before the parent runs again, the two
 * SIGCHLDs merge into one, and the trace would then differ from strace's by chance. */
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
		char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		_exit(p == MAP_FAILED ? 1 : 4);
	}
	int status;
	if (waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP)
		return 1;
	char *p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || kill(child, SIGCONT) != 0)
		return 1;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 4)
		return 1;
	return 0;
}
