/* The four kinds of mapping (the seed documents' two-by-two table): a shared and a private
 * mapping of a file, a shared anonymous mapping written by a forked child and read back by
 * its parent, and a private anonymous one; with msync on the shared file. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "kinds.dat";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 8192) != 0)
		return 1;

	char *file_shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *file_private = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 4096);
	char *anon_shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *anon_private = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (file_shared == MAP_FAILED || file_private == MAP_FAILED || anon_shared == MAP_FAILED ||
	    anon_private == MAP_FAILED)
		return 2;

	strcpy(file_shared, "written through MAP_SHARED");
	msync(file_shared, 8192, MS_SYNC | MS_INVALIDATE);
	file_private[0] = 'x'; /* copy-on-write: the file does not change */
	anon_private[0] = 'y';

	pid_t child = fork();
	if (child == 0) {
		strcpy(anon_shared, "from the child");
		anon_private[0] = 'z'; /* the parent keeps its 'y' */
		munmap(anon_private, 16384);
		_exit(0);
	}
	int status;
	waitpid(child, &status, 0);
	if (strcmp(anon_shared, "from the child") != 0 || anon_private[0] != 'y')
		return 3;

	msync(file_shared, 4096, MS_ASYNC);
	munmap(file_shared, 8192);
	munmap(file_private, 4096);
	munmap(anon_shared, 4096);
	munmap(anon_private, 16384);
	close(fd);
	unlink(path);
	return 0;
}
