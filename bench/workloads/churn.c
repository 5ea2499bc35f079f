/* churn: anonymous mmap/munmap pairs, the densest stream of traced calls.
 * Usage: churn [PAIRS]   (default 200000)
 * Each pair maps 1-4 pages, touches the first one (a real program writes what
 * it maps) and unmaps them. Prints traced_calls=N on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long pairs = argc > 1 ? atol(argv[1]) : 200000;
	long page = sysconf(_SC_PAGESIZE);
	long calls = 0;

	for (long i = 0; i < pairs; i++) {
		size_t len = (size_t)page * (size_t)(1 + i % 4);
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		p[0] = (char)i;
		if (munmap(p, len) != 0) {
			perror("munmap");
			return 1;
		}
		calls += 2;
	}
	fprintf(stderr, "traced_calls=%ld\n", calls);
	return 0;
}
