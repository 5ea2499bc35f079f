/* Mapped files whose names change under their mappings, with no mapping call: sem_open
 * (glibc maps a temporary file of /dev/shm, links it to the semaphore's name and unlinks
 * the temporary one), a mapped file renamed, and a mapped file unlinked. All stay mapped
 * until the exit, where the kernel shows them by their new names or as "(deleted)".
 * The renamed file stays, in the directory given (default: the current one). */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* mapShared maps a new file of one page at path, shared. */
static char *mapShared(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 4096) != 0)
		return MAP_FAILED;
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	char sem_name[64], renamed_from[4096], renamed_to[4096], unlinked[4096];
	snprintf(sem_name, sizeof sem_name, "/mmtrace-rename-%d", (int)getpid());
	snprintf(renamed_from, sizeof renamed_from, "%s/rename-from.dat", dir);
	snprintf(renamed_to, sizeof renamed_to, "%s/rename-to.dat", dir);
	snprintf(unlinked, sizeof unlinked, "%s/unlinked.dat", dir);

	sem_t *sem = sem_open(sem_name, O_CREAT | O_EXCL, 0600, 1);
	if (sem == SEM_FAILED)
		return 1;
	sem_wait(sem);
	sem_post(sem);

	char *renamed = mapShared(renamed_from);
	char *gone = mapShared(unlinked);
	if (renamed == MAP_FAILED || gone == MAP_FAILED)
		return 2;
	renamed[0] = 'r';
	gone[0] = 'u';
	if (rename(renamed_from, renamed_to) != 0 || unlink(unlinked) != 0)
		return 3;

	/* The semaphore's own name goes too; its mapping stays, as the other two do. */
	sem_unlink(sem_name);
	return 0;
}
