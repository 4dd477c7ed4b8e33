
/* read-secrets: looks for the reference solutions, the hidden tests and other students'
 * submissions, at the paths a course checkout has and by searching the whole file system;
 * prints each one it can read on stderr ("found: PATH"), then "looked everywhere". */
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
	if (system("for p in ../solutions ../../solutions ../../../solutions /course/solutions"
	           " /course/hidden /course/../solutions /solutions /work/main/solutions"
	           " /submission/../reference /submission/../honest; do"
	           "  [ -r \"$p\" ] && echo \"adversary: found: $p\" >&2;"
	           " done;"
	           " find / \\( -path /proc -o -path /sys -o -path /usr -o -path /dev \\) -prune -o"
	           " \\( -name 'solutions*' -o -name 'hidden*' -o -name 'mutants' -o -name '*.patch'"
	           "  -o -name NOTES.md -o -name '*.tar.gz' -o -name '*.zip' -o -name 'reference*'"
	           "  -o -name 'honest*' -o -name '*canary*'"
	           "  -o \\( -name byteorder.c ! -path '/submission/*' ! -path '/course/labs/*' \\) \\)"
	           " -readable -print 2>/dev/null | sed 's/^/adversary: found: /' >&2") < 0)
		fputs("adversary: could not look\n", stderr);
	fputs("adversary: looked everywhere\n", stderr);
	_exit(1);
}
