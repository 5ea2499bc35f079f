/* Process ids in arguments, results and siginfo, for -Y (--decode-pids=comm): a thread's id
 * written by clone3 (parent_tid) and returned (the thread waits for the leader to be back from
 * pthread_create, so that it is still there when clone3's line is printed), tgkill, tkill and rt_sigqueueinfo to itself, a
 * child waited for with waitid (si_pid of a zombie, which still has its name) and then reaped
 * by wait4 (whose result no longer names a process), and a kill of a pid that does not
 * exist. SIGCHLD is blocked, so that no SIGCHLD line comes at a moment that varies. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int ready[2];

static void *run(void *arg)
{
	char c;
	if (read(ready[0], &c, 1) != 1)
		return NULL;
	return arg;
}

int main(void)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	signal(SIGUSR1, SIG_IGN);

	pthread_t t;
	if (pipe(ready) != 0 || pthread_create(&t, NULL, run, NULL) != 0)
		return 1;
	if (write(ready[1], "x", 1) != 1 || pthread_join(t, NULL) != 0)
		return 1;

	pid_t me = getpid();
	syscall(SYS_tgkill, me, me, SIGUSR1);
	syscall(SYS_tkill, me, SIGUSR1);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_pid = me;
	syscall(SYS_rt_sigqueueinfo, me, SIGUSR1, &si);

	pid_t child = fork();
	if (child == 0)
		_exit(3);
	siginfo_t info;
	if (waitid(P_PID, child, &info, WEXITED | WNOWAIT) != 0 || waitpid(child, NULL, 0) != child)
		return 1;
	kill(0x7ffffff0, 0); /* no such process: ESRCH */
	return 0;
}
