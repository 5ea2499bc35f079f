/* threads: 4 pthreads that each mmap, mprotect (twice) and munmap in a loop,
 * so the tracer sees interleaved calls from several tasks at once.
 * Usage: threads [ITERATIONS_PER_THREAD]   (default 10000)
 * Prints traced_calls=N on stderr: the loops' calls, not pthread_create's own
 * stack mappings. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define THREADS 4

static long iterations;
static long page;

static void *work(void *arg)
{
	long *calls = arg;
	for (long i = 0; i < iterations; i++) {
		size_t len = (size_t)page * 4;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			exit(1);
		}
		p[0] = 1;
		if (mprotect(p, (size_t)page, PROT_READ) != 0 ||
		    mprotect(p, (size_t)page, PROT_READ | PROT_WRITE) != 0) {
			perror("mprotect");
			exit(1);
		}
		if (munmap(p, len) != 0) {
			perror("munmap");
			exit(1);
		}
		*calls += 4;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];
	long calls[THREADS] = {0}, total = 0;

	iterations = argc > 1 ? atol(argv[1]) : 10000;
	page = sysconf(_SC_PAGESIZE);
	for (int i = 0; i < THREADS; i++) {
		if (pthread_create(&t[i], NULL, work, &calls[i]) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		total += calls[i];
	}
	fprintf(stderr, "traced_calls=%ld\n", total);
	return 0;
}
