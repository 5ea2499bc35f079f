/* Maps and unmaps a page without end, so that a tracer always has lines to write. After 1000
 * pairs it creates READY. With "handle", SIGTERM and SIGHUP make it stop after the pair in
 * progress, write the number of pairs it made to COUNT and exit 3; without, they kill it.
 * Usage: busymap READY COUNT [handle] */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	if (argc > 3 && strcmp(argv[3], "handle") == 0) {
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
	}
	long pairs = 0;
	while (!stop) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		munmap(p, 4096);
		if (++pairs == 1000)
			close(open(argv[1], O_WRONLY | O_CREAT, 0644));
	}
	FILE *f = fopen(argv[2], "w");
	fprintf(f, "%ld\n", pairs);
	fclose(f);
	return 3;
}
