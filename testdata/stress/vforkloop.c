/* vfork N times in a row: a child that _exits with I % 100, and every fourth one execs this
 * program again with "child I", which exits with I % 100 too. The parent checks each status
 * and prints "child PID status S" for each, then "leader PID failures F". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return atoi(argv[2]) % 100;
	if (argc != 2)
		return 2;
	int n = atoi(argv[1]), failures = 0;
	for (int i = 0; i < n; i++) {
		char arg[16];
		snprintf(arg, sizeof arg, "%d", i);
		char *args[] = {argv[0], "child", arg, NULL};
		pid_t pid = vfork();
		if (pid < 0)
			return 3;
		if (pid == 0) {
			if (i % 4 == 3)
				execv("/proc/self/exe", args);
			_exit(i % 100);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != i % 100)
			failures++;
		printf("child %d status %d\n", (int)pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	printf("leader %d failures %d\n", (int)getpid(), failures);
	return failures != 0;
}
