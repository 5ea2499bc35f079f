/* A process killed by SIGKILL while one of its threads is inside a traced call. The thread
 * calls mlock on a page registered with userfaultfd, which blocks in the kernel until the
 * fault is resolved; the main thread reads the fault message (so the thread is surely inside
 * mlock) and kills its own process. With "m" the blocked call is madvise(MADV_POPULATE_WRITE)
 * instead. Exits 1 if userfaultfd is unavailable. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static char *page;
static int use_madvise;

static void *run(void *arg)
{
	(void)arg;
	if (use_madvise)
		madvise(page, 4096, MADV_POPULATE_WRITE);
	else
		mlock(page, 4096);
	return NULL;
}

int main(int argc, char **argv)
{
	use_madvise = argc > 1 && argv[1][0] == 'm';
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0) {
		perror("userfaultfd");
		return 1;
	}
	struct uffdio_api api = {.api = UFFD_API};
	if (ioctl(uffd, UFFDIO_API, &api) != 0) {
		perror("UFFDIO_API");
		return 1;
	}
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 1;
	struct uffdio_register reg = {
		.range = {.start = (unsigned long)page, .len = 4096},
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0) {
		perror("UFFDIO_REGISTER");
		return 1;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, run, NULL) != 0)
		return 1;
	struct uffd_msg msg;
	if (read(uffd, &msg, sizeof msg) != sizeof msg || msg.event != UFFD_EVENT_PAGEFAULT) {
		fprintf(stderr, "no page fault message\n");
		return 1;
	}
	kill(getpid(), SIGKILL);
	pause();
	return 1;
}
