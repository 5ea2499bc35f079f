/* runstat: run a command, report its wall time and peak memory, and leave
 * nothing behind.
 *
 * Usage: runstat OUTFILE TIMEOUT_SECONDS CMD [ARGS...]
 * Writes one line to OUTFILE:
 *   wall_s=S hwm_kb=K maxrss_kb=M status=N
 * wall_s    monotonic time from fork to reaping the command;
 * hwm_kb    the command's own peak RSS (VmHWM of its /proc status, sampled
 *           every 2 ms; 0 if it exited before the first sample);
 * maxrss_kb wait4's ru_maxrss, which is the largest of the command and every
 *           descendant it reaped. A tracer forks its tracee, so for mmtrace
 *           and strace this is often the tracee's peak, not the tracer's:
 *           that is why hwm_kb exists.
 * status    the exit status, 128+signal if killed, 124 on timeout.
 * Exits with the same status.
 *
 * The command runs in a process group of its own. When it exits, times out,
 * or runstat gets SIGINT/SIGTERM/SIGHUP, the whole group is killed, so a
 * crashed tracer cannot leave stopped tracees behind. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long vm_hwm(pid_t pid)
{
	char path[64], line[256];
	long kb = 0;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmHWM:", 6) == 0) {
			kb = atol(line + 6);
			break;
		}
	}
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: runstat OUTFILE TIMEOUT_SECONDS CMD [ARGS...]\n");
		return 2;
	}
	const char *out = argv[1];
	double timeout = atof(argv[2]);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: poll must return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	double start = now();
	pid_t pid = fork();
	if (pid < 0) {
		perror("runstat: fork");
		return 2;
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(argv[3], argv + 3);
		fprintf(stderr, "runstat: exec %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid); /* both sides, so the group exists before either goes on */

	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	long hwm = 0;
	int timed_out = 0;
	for (;;) {
		if (stop || (timeout > 0 && now() - start > timeout)) {
			timed_out = !stop;
			kill(-pid, SIGKILL);
			break;
		}
		int r;
		if (pidfd >= 0) {
			struct pollfd p = {.fd = pidfd, .events = POLLIN};
			r = poll(&p, 1, 2);
		} else {
			/* no pidfd (Linux < 5.3): the same, by peeking every 2 ms */
			siginfo_t si;
			memset(&si, 0, sizeof si);
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid != 0)
				r = 1;
			else
				r = usleep(2000) == 0 ? 0 : -1;
		}
		if (r > 0)
			break; /* exited (or waitid failed: go reap) */
		if (r == 0) {
			long kb = vm_hwm(pid);
			if (kb > hwm)
				hwm = kb;
		}
	}

	int status = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	double wall = now() - start;
	kill(-pid, SIGKILL); /* whatever of the group outlived its leader */

	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (timed_out)
		code = 124;
	FILE *f = fopen(out, "w");
	if (f == NULL) {
		perror("runstat: open output");
		return 2;
	}
	fprintf(f, "wall_s=%.6f hwm_kb=%ld maxrss_kb=%ld status=%d\n", wall, hwm, ru.ru_maxrss, code);
	fclose(f);
	if (stop) {
		signal(stop, SIG_DFL);
		raise(stop); /* die of it, so the shell sees the interrupt */
	}
	return code;
}
