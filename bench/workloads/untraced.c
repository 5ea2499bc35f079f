/* untraced: a loop of syscalls outside the traced set (getppid) with a
 * handful of mmaps. A tracer that stops at every syscall pays for each
 * iteration; one with a seccomp filter should cost nothing here.
 * Usage: untraced [ITERATIONS]   (default 400000)
 * Prints traced_calls=N on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAPS 16

int main(int argc, char **argv)
{
	long iterations = argc > 1 ? atol(argv[1]) : 400000;
	long page = sysconf(_SC_PAGESIZE);
	long calls = 0, sum = 0;

	for (long i = 0; i < iterations; i++) {
		/* syscall() so that no libc caches the answer */
		sum += syscall(SYS_getppid);
		if (i % (iterations / MAPS + 1) == 0) {
			char *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED) {
				perror("mmap");
				return 1;
			}
			p[0] = 1;
			munmap(p, (size_t)page);
			calls += 2;
		}
	}
	fprintf(stderr, "traced_calls=%ld getppid_calls=%ld checksum=%ld\n", calls, iterations, sum % 7);
	return 0;
}
