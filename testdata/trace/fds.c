/* fds LIST FD...: writes "fd N\n" through each descriptor N given, then writes to the file
 * LIST the numbers of the descriptors it started with, one a line, in increasing order: a
 * traced command must inherit its tracer's descriptors as it would without the tracer, and
 * none of the tracer's own. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FDS 1024

static int by_number(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: fds LIST FD...\n");
		return 2;
	}
	/* Listed first: the files opened later are not among them. */
	int fds[MAX_FDS], n = 0;
	DIR *dir = opendir("/proc/self/fd");
	if (dir == NULL) {
		perror("fds: /proc/self/fd");
		return 1;
	}
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != dirfd(dir) && n < MAX_FDS)
			fds[n++] = fd;
	}
	closedir(dir);
	qsort(fds, n, sizeof fds[0], by_number);

	for (int i = 2; i < argc; i++) {
		char line[32];
		int fd = atoi(argv[i]);
		int len = snprintf(line, sizeof line, "fd %d\n", fd);
		if (write(fd, line, len) != len) {
			fprintf(stderr, "fds: write to descriptor %d: %s\n", fd, strerror(errno));
			return 1;
		}
	}

	FILE *list = fopen(argv[1], "w");
	if (list == NULL) {
		perror(argv[1]);
		return 1;
	}
	for (int i = 0; i < n; i++)
		fprintf(list, "%d\n", fds[i]);
	return fclose(list) == 0 ? 0 : 1;
}
