/* A thread that is not the leader calls execve: it takes over the leader's pid. The thread
 * waits until the leader is back from pthread_create, so that the leader's clone3 has ended
 * before the exec (a call still in progress in the leader would be lost with it). */
#include <pthread.h>
#include <unistd.h>

static int ready[2];

static void *run(void *arg)
{
	char *argv[] = {"true", NULL};
	char c;
	(void)arg;
	if (read(ready[0], &c, 1) != 1)
		return NULL;
	execv("/bin/true", argv);
	return NULL;
}

int main(void)
{
	pthread_t t;
	if (pipe(ready) != 0 || pthread_create(&t, NULL, run, NULL) != 0)
		return 1;
	if (write(ready[1], "x", 1) != 1)
		return 1;
	pause(); /* the exec ends this */
	return 1;
}
