/* A thread other than the leader calls execve while THREADS other threads make mmap/munmap
 * pairs as fast as they can: the new program (this one again, with "after") maps and unmaps a
 * page of 60001 bytes and exits 42. The execing thread first waits until every busy thread
 * has made a hundred pairs. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static atomic_int warm;

static void *busy(void *arg)
{
	(void)arg;
	for (long i = 0;; i++) {
		char *p = mmap(NULL, 20001, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			munmap(p, 20001);
		if (i == 100)
			atomic_fetch_add(&warm, 1);
	}
	return NULL;
}

static int nthreads;

static void *execer(void *arg)
{
	char **argv = arg;
	while (atomic_load(&warm) < nthreads)
		usleep(1000);
	char *args[] = {argv[0], "after", NULL};
	execv("/proc/self/exe", args);
	_exit(1);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "after") == 0) {
		char *p = mmap(NULL, 60001, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || munmap(p, 60001) != 0)
			return 1;
		return 42;
	}
	nthreads = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t t;
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&t, NULL, busy, NULL) != 0)
			return 1;
	if (pthread_create(&t, NULL, execer, argv) != 0)
		return 1;
	busy(NULL); /* the leader is busy too, until the execve ends it */
	return 1;
}
