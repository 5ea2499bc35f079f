/* Load for the tracer: THREADS threads each make ITERS mmap/munmap pairs while CHILDREN
 * forked children each make CHILD_ITERS pairs, all at once. Every mapping has a length that
 * nothing else uses (20001 bytes in threads, 30001 in children), so that a trace's lines for
 * them can be counted. The program reports what it did itself:
 *   stdout: "thread TID mmap=N munmap=N" per thread, "child PID status S mmap=N munmap=N" per
 *           child (the child's counts come back through a pipe), and the leader's own pid;
 *   stderr: "mmap=N munmap=N" in total.
 * Each child exits with its own status (10 + its index % 100), which the parent checks with
 * waitpid; the program exits 0 (or STATUS, when given) only if every call succeeded and every
 * status came back, 1 otherwise. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREAD_LEN 20001
#define CHILD_LEN 30001

static long iters;

struct counts {
	long tid, mmaps, munmaps, failures;
};

static void pairs(long n, size_t len, struct counts *c)
{
	for (long i = 0; i < n; i++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		c->mmaps++;
		if (p == MAP_FAILED) {
			c->failures++;
			continue;
		}
		p[i % len] = 1;
		c->munmaps++;
		if (munmap(p, len) != 0)
			c->failures++;
	}
}

static void *run(void *arg)
{
	struct counts *c = arg;
	c->tid = syscall(SYS_gettid);
	pairs(iters, THREAD_LEN, c);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: load THREADS ITERS CHILDREN CHILD_ITERS [STATUS]\n");
		return 2;
	}
	int nthreads = atoi(argv[1]), nchildren = atoi(argv[3]);
	long child_iters = atol(argv[4]);
	iters = atol(argv[2]);
	int failures = 0;
	long mmaps = 0, munmaps = 0;

	pid_t *pids = calloc(nchildren, sizeof *pids);
	int (*pipes)[2] = calloc(nchildren, sizeof *pipes);
	for (int i = 0; i < nchildren; i++) {
		if (pipe(pipes[i]) != 0)
			return 3;
		pids[i] = fork();
		if (pids[i] < 0)
			return 3;
		if (pids[i] == 0) {
			struct counts c = {0};
			pairs(child_iters, CHILD_LEN, &c);
			if (write(pipes[i][1], &c, sizeof c) != sizeof c)
				_exit(1);
			_exit(c.failures ? 1 : 10 + i % 100);
		}
		close(pipes[i][1]);
	}

	pthread_t *threads = calloc(nthreads, sizeof *threads);
	struct counts *tc = calloc(nthreads, sizeof *tc);
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, run, &tc[i]) != 0)
			return 3;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(threads[i], NULL);
		printf("thread %ld mmap=%ld munmap=%ld\n", tc[i].tid, tc[i].mmaps, tc[i].munmaps);
		mmaps += tc[i].mmaps;
		munmaps += tc[i].munmaps;
		failures += tc[i].failures != 0;
	}

	for (int i = 0; i < nchildren; i++) {
		struct counts c = {0};
		int status;
		if (read(pipes[i][0], &c, sizeof c) != sizeof c)
			failures++;
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 10 + i % 100)
			failures++;
		printf("child %d status %d mmap=%ld munmap=%ld\n", (int)pids[i], WEXITSTATUS(status),
		       c.mmaps, c.munmaps);
		mmaps += c.mmaps;
		munmaps += c.munmaps;
	}
	printf("leader %d failures %d\n", (int)getpid(), failures);
	fprintf(stderr, "mmap=%ld munmap=%ld\n", mmaps, munmaps);
	return failures ? 1 : argc == 6 ? atoi(argv[5]) : 0;
}
