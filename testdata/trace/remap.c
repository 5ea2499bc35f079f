/* mremap in each of its forms, mprotect splitting a region, and madvise advice. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *a = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return 1;
	a[0] = 1;

	/* grow in place or move */
	char *b = mremap(a, 4 * page, 8 * page, MREMAP_MAYMOVE);
	/* shrink */
	b = mremap(b, 8 * page, 2 * page, 0);
	/* move to a chosen place */
	char *target = mmap(NULL, 16 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *c = mremap(b, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, target + 4 * page);
	/* keep the old range mapped */
	char *d = mremap(c, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);

	/* split a region in three by protecting its middle */
	char *e = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(e + page, page, PROT_READ);
	mprotect(e, 3 * page, PROT_READ | PROT_WRITE | PROT_EXEC);
	mprotect(e, page, PROT_NONE);

	madvise(e, 3 * page, MADV_DONTNEED);
	madvise(e, page, MADV_WILLNEED);
	madvise(e, page, MADV_SEQUENTIAL);
	madvise(e, page, MADV_HUGEPAGE);
	madvise(e, page, MADV_DONTFORK);
	madvise(e, page, MADV_FREE);

	munmap(e, 3 * page);
	munmap(target, 16 * page);
	if (d != MAP_FAILED && d != c)
		munmap(d, 2 * page);
	return 0;
}
