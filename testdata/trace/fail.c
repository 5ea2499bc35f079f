/* Calls that fail, so that each error is printed as strace prints it. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);  /* EINVAL */
	mmap(NULL, page, PROT_READ, MAP_PRIVATE, 99, 0);                /* EBADF */
	mmap(NULL, 1UL << 46, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	mmap(NULL, 1UL << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /* ENOMEM */
	char *a = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mmap(a, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0); /* EEXIST */
	mremap(a, 2 * page, 64 * page, 0);                              /* ENOMEM: may not move */
	munmap(a + 1, page);                                            /* EINVAL: unaligned */
	mprotect(a, page, 0x10);                                        /* EINVAL: bad prot */
	madvise(a, page, 999);                                          /* EINVAL: bad advice */
	msync(a, page, MS_SYNC | MS_ASYNC);                             /* EINVAL */
	mmap(NULL, page, PROT_READ, 0xf, -1, 0);                        /* EINVAL: bad type */
	mmap(NULL, page, PROT_READ | 0x10, MAP_PRIVATE | MAP_ANONYMOUS | 0x200, -1, 0);
	mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << 26), -1, 0);
	munmap(a, 2 * page);
	return 0;
}
