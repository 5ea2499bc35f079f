/* Signals: one the program handles, a child that stops and is continued, and a child that
 * dies of a segmentation fault inside memory it unmapped. */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig) { got = sig; }

int main(void)
{
	signal(SIGUSR1, on_usr1);
	kill(getpid(), SIGUSR1);
	if (!got)
		return 1;

	pid_t child = fork();
	if (child == 0) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(p, 4096);
		p[0] = 1; /* SIGSEGV */
		_exit(0);
	}
	int status;
	waitpid(child, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV ? 0 : 1;
}
