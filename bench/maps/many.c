// many makes a process with about N regions (default 60000) for benchmarks: one file mapped
// privately and one anonymous area, both cut into one-page regions by alternating
// protections, every page touched so that smaps has real numbers to count. It prints
// "ready" and waits until its standard input is closed.
//
//	many [N [DIR]]
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static void die(const char *what) {
	perror(what);
	exit(1);
}

// split maps n pages at p into n regions: every other page loses its write permission.
static void split(char *p, long n, long page) {
	for (long i = 0; i < n; i++) {
		p[i * page] = 1;
		if (i % 2 && mprotect(p + i * page, page, PROT_READ) < 0)
			die("mprotect");
	}
}

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 60000;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	long page = sysconf(_SC_PAGESIZE);
	long nfile = n / 6, nanon = n - nfile - 40; // leave room for the program's own regions

	char path[4096];
	snprintf(path, sizeof path, "%s/many-data-%d", dir, (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, nfile * page) < 0)
		die(path);
	unlink(path);
	char *f = mmap(NULL, nfile * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (f == MAP_FAILED)
		die("mmap file");
	split(f, nfile, page);

	char *a = mmap(NULL, nanon * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		die("mmap anon");
	split(a, nanon, page);

	printf("ready\n");
	fflush(stdout);
	char buf[64];
	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}
