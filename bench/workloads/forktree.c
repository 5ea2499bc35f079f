/* forktree: a tree of forked processes (DEPTH levels below the root, FANOUT
 * children each) in which every process maps and unmaps memory, so the tracer
 * follows many short-lived tasks.
 * Usage: forktree [PAIRS [DEPTH [FANOUT]]]   (defaults 1000, 3, 3: 40 processes)
 * Prints traced_calls=N on stderr from the root: the mmap/munmap pairs, forks
 * and waits of the whole tree (not the exits). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static long pairs, page;
static int depth, fanout;

static void churn(void)
{
	for (long i = 0; i < pairs; i++) {
		char *p = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			_exit(1);
		}
		p[0] = 1;
		munmap(p, (size_t)page * 2);
	}
}

/* grow runs one process's share and returns 0 if its whole subtree succeeded. */
static int grow(int level)
{
	int failed = 0;
	churn();
	if (level == depth)
		return 0;
	for (int i = 0; i < fanout; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			_exit(grow(level + 1));
	}
	for (int i = 0; i < fanout; i++) {
		int status;
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	return failed;
}

int main(int argc, char **argv)
{
	pairs = argc > 1 ? atol(argv[1]) : 1000;
	depth = argc > 2 ? atoi(argv[2]) : 3;
	fanout = argc > 3 ? atoi(argv[3]) : 3;
	page = sysconf(_SC_PAGESIZE);

	long procs = 0, level_procs = 1;
	for (int l = 0; l <= depth; l++) {
		procs += level_procs;
		level_procs *= fanout;
	}
	if (grow(0) != 0) {
		fprintf(stderr, "forktree: a child failed\n");
		return 1;
	}
	/* every process: 2*pairs; every non-root: one fork and one wait by its parent */
	fprintf(stderr, "traced_calls=%ld processes=%ld\n", procs * 2 * pairs + 2 * (procs - 1), procs);
	return 0;
}
