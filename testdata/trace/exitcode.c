/* Exits with the status given, or kills itself with the signal given: mmtrace must end the
 * same way. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 2 && argv[1][0] == 'k')
		kill(getpid(), atoi(argv[2]));
	return argc > 1 ? atoi(argv[1]) : 0;
}
