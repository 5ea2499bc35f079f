/* The main thread ends first (pthread_exit) while another thread goes on mapping and then
 * exits the process with status 7: mmtrace's status is the process's, 7. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static void *run(void *arg)
{
	(void)arg;
	usleep(20000); /* after the main thread has gone */
	for (int i = 0; i < 100; i++) {
		char *p = mmap(NULL, 20001, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || munmap(p, 20001) != 0)
			exit(1);
	}
	exit(7);
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, run, NULL) != 0)
		return 1;
	pthread_exit(NULL);
}
