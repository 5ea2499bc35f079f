/* The command exits 3 first; its child, reparented, goes on: it waits until its parent has
 * gone, maps and unmaps 50001 bytes, forks a grandchild that exits 9, waits for it and exits
 * 5. The child prints "reparented PID from PARENT to NEWPARENT grandchild 9" on stdout. */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int ready[2];
	if (pipe(ready) != 0)
		return 1;
	pid_t parent = getpid();
	pid_t child = fork();
	if (child < 0)
		return 1;
	if (child > 0)
		return 3; /* the write end closes with the parent */
	close(ready[1]);
	char c;
	if (read(ready[0], &c, 1) != 0)
		_exit(1);
	while (getppid() == parent)
		usleep(1000);
	char *p = mmap(NULL, 50001, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p, 50001) != 0)
		_exit(1);
	pid_t grandchild = fork();
	if (grandchild == 0)
		_exit(9);
	int status;
	if (waitpid(grandchild, &status, 0) != grandchild)
		_exit(1);
	printf("reparented %d from %d to %d grandchild %d\n", (int)getpid(), (int)parent, (int)getppid(),
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	fflush(stdout);
	_exit(5);
}
