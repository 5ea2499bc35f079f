/* Faults inside a mapped region. "crash": writes to a read-only mapping and dies of SIGSEGV.
 * "handled": the SIGSEGV handler makes the page writable (mprotect) and the write is made
 * again; exits 0. "bus": touches a file mapping past the end of its file and dies of SIGBUS.
 * No core is dumped (RLIMIT_CORE 0), so the end does not depend on core_pattern. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static char *page;

static void handler(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	if ((char *)si->si_addr != page + 100 || mprotect(page, 4096, PROT_READ | PROT_WRITE) != 0)
		_exit(3);
}

int main(int argc, char **argv)
{
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "bus") == 0) {
		char path[] = "/tmp/mmtrace-segv-XXXXXX";
		int fd = mkstemp(path);
		if (fd < 0)
			return 2;
		unlink(path);
		page = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
		if (page == MAP_FAILED)
			return 2;
		return page[4096 + 7]; /* the file is empty: SIGBUS */
	}
	page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 2;
	if (strcmp(argv[1], "handled") == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = handler;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
	}
	*(volatile char *)(page + 100) = 1;
	if (munmap(page, 4096) != 0)
		return 4;
	return 0;
}
