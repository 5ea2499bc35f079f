/* vfork, then execve in the child; a second child whose execve fails. */
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	char *argv[] = {"true", "an argument", NULL};
	char *envp[] = {"A=1", NULL};
	pid_t child = vfork();
	if (child == 0) {
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	int status;
	waitpid(child, &status, 0);
	child = fork();
	if (child == 0) {
		execve("/no/such/program", argv, envp);
		_exit(7);
	}
	waitpid(child, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 7 ? 0 : 1;
}
