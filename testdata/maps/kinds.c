// kinds creates one region of every kind and role mmtrace maps knows, prints where each is,
// then waits until its standard input is closed (so a test can read its maps) and cleans up.
//
//	kinds DIR
//
// Each line on stdout is "KIND ROLE ADDRESS [SHMID]"; the last is "ready". Files are made in
// DIR with names that are hard to parse: spaces, a newline, a name ending in " (deleted)".
// Any failure to create a region is fatal: a test that expects every kind must not pass on
// a machine where one could not be made.
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

static long page;

static void die(const char *what) {
	perror(what);
	exit(1);
}

static void show(const char *kind, const char *role, void *addr) {
	printf("%s %s %p\n", kind, role, addr);
}

static void touch(char *p, size_t n) {
	for (size_t i = 0; i < n; i += page)
		p[i] = 1;
}

static int make_file(const char *dir, const char *name, size_t size) {
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, size) < 0)
		die(path);
	return fd;
}

static void *map(size_t n, int prot, int flags, int fd, const char *what) {
	void *p = mmap(NULL, n, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		die(what);
	return p;
}

// anon_inode maps the submission ring of an io_uring, or a perf event buffer where
// io_uring is disabled.
static void *anon_inode(void) {
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	int fd = syscall(SYS_io_uring_setup, 4, &p);
	if (fd >= 0)
		return map(p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_POPULATE, fd, "mmap io_uring");
	struct perf_event_attr pa;
	memset(&pa, 0, sizeof pa);
	pa.size = sizeof pa;
	pa.type = PERF_TYPE_SOFTWARE;
	pa.config = PERF_COUNT_SW_DUMMY;
	fd = syscall(SYS_perf_event_open, &pa, 0, -1, -1, 0);
	if (fd < 0)
		die("io_uring_setup and perf_event_open");
	return map(2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, "mmap perf event");
}

int main(int argc, char **argv) {
	if (argc != 2) {
		fprintf(stderr, "usage: kinds DIR\n");
		return 2;
	}
	const char *dir = argv[1];
	page = sysconf(_SC_PAGESIZE);
	size_t n = 4 * page;

	int fd = make_file(dir, "shared  two spaces ", n);
	char *p = map(n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, "mmap shared file");
	touch(p, n);
	show("file-shared", "file", p);

	fd = make_file(dir, "private\nnewline", n);
	p = map(n, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, "mmap private file");
	touch(p, n);
	show("file-private", "file", p);
	show("file-private", "guard", map(n, PROT_NONE, MAP_PRIVATE, fd, "mmap file guard"));

	fd = make_file(dir, "gone (deleted)", n);
	p = map(n, PROT_READ, MAP_PRIVATE, fd, "mmap deleted file");
	char gone[4096];
	snprintf(gone, sizeof gone, "%s/gone (deleted)", dir);
	if (unlink(gone) < 0)
		die("unlink");
	show("file-private", "deleted", p);

	p = map(n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, "mmap shared anon");
	touch(p, n);
	show("anon-shared", "anon", p);

	// Executable, so that it does not merge with neighbours of the same permissions.
	p = map(n, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, "mmap private anon");
	touch(p, n);
	show("anon-private", "anon", p);
	show("anon-private", "guard", map(n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, "mmap guard"));

	int zero = open("/dev/zero", O_RDWR);
	if (zero < 0)
		die("/dev/zero");
	p = map(n, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, "mmap private /dev/zero");
	touch(p, n);
	show("anon-private", "anon", p);
	p = map(n, PROT_READ | PROT_WRITE, MAP_SHARED, zero, "mmap shared /dev/zero");
	touch(p, n);
	show("anon-shared", "anon", p);

	char *heap = malloc(64);
	heap[0] = 1;
	show("anon-private", "heap", heap);
	int local = 0;
	show("anon-private", "stack", &local);
	show("anon-private", "vdso", (void *)getauxval(AT_SYSINFO_EHDR));

	int mfd = memfd_create("mmtrace memfd", 0);
	if (mfd < 0 || ftruncate(mfd, n) < 0)
		die("memfd_create");
	p = map(n, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, "mmap memfd");
	touch(p, n);
	show("file-shared", "memfd", p);
	show("file-private", "memfd", map(n, PROT_READ, MAP_PRIVATE, mfd, "mmap private memfd"));

	int shmid = shmget(IPC_PRIVATE, n, IPC_CREAT | 0600);
	if (shmid < 0)
		die("shmget");
	p = shmat(shmid, NULL, 0);
	if (p == (void *)-1)
		die("shmat");
	shmctl(shmid, IPC_RMID, NULL); // gone once detached, even if we are killed
	touch(p, n);
	printf("anon-shared sysv-shm %p %d\n", (void *)p, shmid);

	char shm[64];
	snprintf(shm, sizeof shm, "/mmtrace-kinds-%d", (int)getpid());
	int sfd = shm_open(shm, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (sfd < 0 || ftruncate(sfd, n) < 0)
		die("shm_open");
	p = map(n, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, "mmap posix shm");
	touch(p, n);
	show("file-shared", "posix-shm", p);

	// Huge pages need none reserved to be mapped, only to be touched.
	size_t huge = 2 << 20;
	show("anon-private", "hugetlb", map(huge, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE, -1, "mmap MAP_HUGETLB private"));
	show("anon-shared", "hugetlb", map(huge, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE, -1, "mmap MAP_HUGETLB shared"));

	show("file-shared", "anon-inode", anon_inode());

	printf("ready\n");
	fflush(stdout);
	char buf[64];
	while (read(0, buf, sizeof buf) > 0)
		;
	shm_unlink(shm);
	return 0;
}
