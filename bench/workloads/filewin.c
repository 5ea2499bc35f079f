/* filewin: windows of a temporary file, alternately MAP_SHARED and
 * MAP_PRIVATE, written to, msync'ed (shared ones) and unmapped.
 * Usage: filewin [WINDOWS [DIR]]   (default 20000 windows, DIR $TMPDIR or /tmp)
 * Put DIR on tmpfs (the benchmark uses /dev/shm when it exists) so that
 * msync costs a syscall, not a disk flush: the benchmark measures tracing.
 * Prints traced_calls=N on stderr (mmap, msync, munmap of the loop). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FILE_PAGES 256
#define WIN_PAGES 4

int main(int argc, char **argv)
{
	long windows = argc > 1 ? atol(argv[1]) : 20000;
	const char *dir = argc > 2 ? argv[2] : getenv("TMPDIR");
	long page = sysconf(_SC_PAGESIZE);
	long calls = 0;
	char path[4096];

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	snprintf(path, sizeof path, "%s/mmtrace-filewin-XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	unlink(path); /* nothing to clean up, whatever happens next */
	if (ftruncate(fd, (off_t)page * FILE_PAGES) != 0) {
		perror("ftruncate");
		return 1;
	}
	for (long i = 0; i < windows; i++) {
		int shared = i % 2 == 0;
		size_t len = (size_t)page * WIN_PAGES;
		off_t off = (off_t)page * (i % (FILE_PAGES - WIN_PAGES));
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, fd, off);
		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		calls++;
		memset(p, (int)i, 64);
		if (shared) {
			if (msync(p, len, i % 8 == 0 ? MS_SYNC : MS_ASYNC) != 0) {
				perror("msync");
				return 1;
			}
			calls++;
		}
		if (munmap(p, len) != 0) {
			perror("munmap");
			return 1;
		}
		calls++;
	}
	close(fd);
	fprintf(stderr, "traced_calls=%ld\n", calls);
	return 0;
}
