/* execve calls that fail, and a process that goes on after them: a path that does not exist
 * (ENOENT), a file that is not executable (EACCES), an executable file of no known format
 * (ENOEXEC), a script whose interpreter does not exist (ENOENT), an argument longer than the
 * kernel takes (E2BIG); then a child whose execve fails exits 127, which the parent checks.
 * Exits 0 if every execve failed with its errno, after a last successful execve of
 * /bin/true from a thread-less process. The directory for the scratch files is argv[1]. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void expect(const char *path, char **argv, int want)
{
	char *env[] = {"A=1", NULL};
	execve(path, argv, env);
	if (errno != want) {
		fprintf(stderr, "execve %s: errno %d, want %d\n", path, errno, want);
		failures++;
	}
}

static void write_file(const char *path, const char *text, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0)
		exit(2);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	char plain[4096], junk[4096], script[4096];
	snprintf(plain, sizeof plain, "%s/plain", argv[1]);
	snprintf(junk, sizeof junk, "%s/junk", argv[1]);
	snprintf(script, sizeof script, "%s/script", argv[1]);
	write_file(plain, "not a program\n", 0644);
	write_file(junk, "\x01\x02\x03\x04 not a program either\n", 0755);
	write_file(script, "#!/no/such/interpreter\n", 0755);

	char *none[] = {"/no/such/program", NULL};
	expect(none[0], none, ENOENT);
	char *args[] = {plain, NULL};
	expect(plain, args, EACCES);
	args[0] = junk;
	expect(junk, args, ENOEXEC);
	args[0] = script;
	expect(script, args, ENOENT);
	size_t big = 200 * 1024;
	char *huge = malloc(big + 1);
	memset(huge, 'x', big);
	huge[big] = 0;
	char *toolong[] = {"/bin/true", huge, NULL};
	expect("/bin/true", toolong, E2BIG);
	free(huge);

	pid_t pid = fork();
	if (pid == 0) {
		execve(none[0], none, NULL);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 127)
		failures++;
	if (failures)
		return 1;
	char *ok[] = {"/bin/true", NULL};
	char *env[] = {"A=1", NULL};
	execve("/bin/true", ok, env);
	return 1;
}
