
/* fork-bomb: every process forks for ever. The sandbox's process limit (prlimit --nproc) and
 * the harness's time limit on wire must stop it without slowing the students graded beside. */
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
	fputs("adversary: fork bomb\n", stderr);
	for (;;)
		fork();
}
