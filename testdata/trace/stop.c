/* Job control under the tracer: a child stops itself with SIGSTOP and later SIGTSTP; the
 * parent sees each stop (waitpid WUNTRACED) and continues it with SIGCONT. Untraced, that is
 * exactly what happens; traced, it must be too.
 *
 * SIGCHLD is not queued: one sent while another is pending is lost. So that the parent's
 * signals are the same in every run, it keeps SIGCHLD blocked and takes each one (sigsuspend)
 * before the child may send the next: after its SIGCONT, the child waits on a pipe until the
 * parent has taken the SIGCHLD that says it continued. Should one never come, the alarm ends
 * the program rather than leave it waiting. */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t taken;

static void on_chld(int sig) { (void)sig; taken++; }

/* take waits until n SIGCHLDs have been taken in all. */
static void take(int n, const sigset_t *unblocked)
{
	while (taken < n)
		sigsuspend(unblocked);
}

int main(void)
{
	alarm(20);
	sigset_t chld, unblocked;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	struct sigaction sa = {.sa_handler = on_chld};
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_BLOCK, &chld, &unblocked);
	int go[2];
	if (pipe(go) != 0)
		return 1;
	pid_t child = fork();
	if (child == 0) {
		char c;
		raise(SIGSTOP);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		munmap(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 4096);
		raise(SIGTSTP);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(5);
	}
	int status, stops = 0, signals = 0;
	for (;;) {
		if (waitpid(child, &status, WUNTRACED) != child)
			return 1;
		take(++signals, &unblocked); /* of the stop, or of the exit */
		if (!WIFSTOPPED(status))
			break;
		stops++;
		kill(child, SIGCONT);
		take(++signals, &unblocked); /* it continued */
		if (write(go[1], "x", 1) != 1)
			return 1;
	}
	return stops == 2 && signals == 5 && WIFEXITED(status) && WEXITSTATUS(status) == 5 ? 0 : 1;
}
