/* A process of a fixed number of threads that wait in pause() until killed: something to attach
 * to whose threads do not change. Usage: idle THREADS (the main thread included). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *wait_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 1;
	for (int i = 1; i < threads; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, wait_forever, NULL) != 0)
			return 1;
	}
	wait_forever(NULL);
	return 0;
}
