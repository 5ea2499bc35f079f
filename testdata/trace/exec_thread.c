/* A thread that is not the leader calls execve: it takes over the leader's pid. */
#include <pthread.h>
#include <unistd.h>

static void *run(void *arg)
{
	char *argv[] = {"true", NULL};
	(void)arg;
	execv("/bin/true", argv);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, run, NULL);
	pause(); /* the exec ends this */
	return 1;
}
