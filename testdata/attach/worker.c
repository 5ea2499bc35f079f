/* A long-running program that checks its own memory: threads map, fill, verify and unmap
 * memory in a loop, and the main thread forks children that do the same and report by exit
 * status. It runs until SECONDS have passed and exits 0 only if every check held, so a tracer
 * that harmed it in any way (a lost signal, a changed result, a stop) shows as a failure.
 * SIGUSR1 makes it finish at once, as if its time were up.
 * Usage: worker SECONDS [THREADS] */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int failures;
static volatile time_t deadline;

static void finish_now(int sig)
{
	(void)sig;
	deadline = 0;
}

static int cycle(unsigned seed)
{
	size_t len = 4096 * (1 + seed % 8);
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(seed + i);
	if (mprotect(p, len, PROT_READ) != 0)
		return 1;
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(seed + i))
			return 1;
	return munmap(p, len) != 0;
}

static void *run(void *arg)
{
	unsigned seed = (unsigned)(long)arg;
	while (time(NULL) < deadline) {
		if (cycle(seed++))
			__sync_fetch_and_add(&failures, 1);
		usleep(1000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 5;
	int nthreads = argc > 2 ? atoi(argv[2]) : 3;
	deadline = time(NULL) + seconds;
	struct sigaction sa = {.sa_handler = finish_now, .sa_flags = SA_RESTART};
	sigaction(SIGUSR1, &sa, NULL);
	pthread_t threads[64];
	for (int i = 0; i < nthreads && i < 64; i++)
		pthread_create(&threads[i], NULL, run, (void *)(long)(i * 1000));

	unsigned children = 0;
	while (time(NULL) < deadline) {
		pid_t c = fork();
		if (c == 0)
			_exit(cycle(children) ? 3 : 0);
		int status;
		if (waitpid(c, &status, 0) != c || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			__sync_fetch_and_add(&failures, 1);
		children++;
		usleep(20000);
	}
	for (int i = 0; i < nthreads && i < 64; i++)
		pthread_join(threads[i], NULL);
	printf("children=%u failures=%d\n", children, failures);
	return failures != 0;
}
