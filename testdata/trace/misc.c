/* The rest of the default set: brk, mlock and friends, mincore, remap_file_pages. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	void *start = sbrk(0);
	brk((char *)start + 3 * page);
	brk(start);

	char *a = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a[0] = 1;
	mlock(a, page);
	munlock(a, page);
	syscall(SYS_mlock2, a, 2 * page, MLOCK_ONFAULT);
	munlock(a, 2 * page);
	mlockall(MCL_CURRENT | MCL_FUTURE);
	munlockall();

	unsigned char vec[4];
	mincore(a, 4 * page, vec);

	const char *path = argc > 1 ? argv[1] : "misc.dat";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(fd, 4 * page);
	char *f = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	remap_file_pages(f, page, 0, 2, 0);
	munmap(f, 4 * page);
	close(fd);
	unlink(path);
	munmap(a, 4 * page);
	return 0;
}
