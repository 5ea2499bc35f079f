/* Calls over a region that change it (a split, a merge, new permissions, a flag) and calls
 * that are only hints about its pages (madvise's MADV_WILLNEED, MADV_DONTNEED, msync,
 * mincore, an mlock of the whole region): the annotation of each says which (~ now or
 * ~ covers). The four pages sit between two inaccessible ones, so that no neighbour can
 * merge with them. */
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *fence = mmap(NULL, 6 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fence == MAP_FAILED)
		return 1;
	char *p = fence + page, *part = p + page;
	size_t whole = 4 * page;
	int failed = 0;

	failed |= mprotect(p, whole, PROT_READ | PROT_WRITE);  /* now: split from the fence */
	p[0] = 1;
	failed |= mprotect(p, whole, PROT_READ | PROT_WRITE);  /* covers: the same permissions */
	failed |= madvise(p, whole, MADV_WILLNEED);            /* covers */
	failed |= madvise(p, whole, MADV_DONTNEED);            /* covers */
	failed |= madvise(p, whole, MADV_COLD);                /* covers */
	failed |= madvise(p, whole, MADV_DONTDUMP);            /* now: VM_DONTDUMP, no split */
	failed |= madvise(p, whole, MADV_DODUMP);              /* now */
	failed |= madvise(part, page, MADV_DONTFORK);          /* now: split */
	failed |= madvise(part, page, MADV_DOFORK);            /* now: merged back */
	failed |= madvise(p, whole, MADV_RANDOM);              /* now: VM_RAND_READ */
	failed |= madvise(p, whole, MADV_NORMAL);              /* now */
	failed |= msync(p, whole, MS_ASYNC);                   /* covers */
	unsigned char vec[4];
	failed |= mincore(p, whole, vec);                      /* covers */
	failed |= mlock(p, whole);                             /* covers: no split */
	failed |= munlock(p, whole);                           /* covers */
	failed |= mlock(part, page);                           /* now: split */
	failed |= munlock(part, page);                         /* now: merged back */
	failed |= mprotect(part, page, PROT_READ);             /* now: split */
	failed |= munmap(fence, 6 * page);
	return failed ? 2 : 0;
}
