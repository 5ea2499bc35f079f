/* A process whose main thread has ended (pthread_exit) while another thread maps and unmaps
 * memory for SECONDS: the main thread stays a zombie that ptrace cannot seize, and the
 * process lives on in its other thread. Exits 0 once that thread is done.
 * Usage: mainexit SECONDS */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static time_t deadline;

static void *run(void *arg)
{
	(void)arg;
	while (time(NULL) < deadline) {
		void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || munmap(p, 8192) != 0)
			exit(1);
		usleep(2000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	deadline = time(NULL) + (argc > 1 ? atoi(argv[1]) : 3);
	pthread_t t;
	if (pthread_create(&t, NULL, run, NULL) != 0)
		return 1;
	pthread_exit(NULL);
}
