/* Forks N short children, at most 8 at a time, each of which execs this program again with
 * "child I": the child maps and unmaps one page and exits with status I % 200. The parent
 * reports on stdout "child PID status S" for every child and "leader PID failures F" at the
 * end, and exits 0 only if every child ran and ended with its own status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_LEN 40001

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "child") == 0) {
		char *p = mmap(NULL, CHILD_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || munmap(p, CHILD_LEN) != 0)
			return 255;
		return atoi(argv[2]) % 200;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: forkexec N\n");
		return 2;
	}
	int n = atoi(argv[1]), running = 0, failures = 0;
	pid_t *pids = calloc(n, sizeof *pids);
	for (int i = 0; i < n || running > 0;) {
		if (i < n && running < 8) {
			pids[i] = fork();
			if (pids[i] < 0)
				return 3;
			if (pids[i] == 0) {
				char arg[16];
				snprintf(arg, sizeof arg, "%d", i);
				execl("/proc/self/exe", argv[0], "child", arg, (char *)NULL);
				_exit(254);
			}
			i++;
			running++;
			continue;
		}
		int status;
		pid_t pid = wait(&status);
		if (pid < 0)
			return 3;
		running--;
		int j = 0;
		while (j < n && pids[j] != pid)
			j++;
		if (j == n || !WIFEXITED(status) || WEXITSTATUS(status) != j % 200)
			failures++;
		printf("child %d status %d\n", (int)pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	printf("leader %d failures %d\n", (int)getpid(), failures);
	return failures ? 1 : 0;
}
