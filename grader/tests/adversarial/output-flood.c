
/* output-flood: writes 8 GiB to stdout and stderr, as fast as it can. */
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
	static char buf[1 << 20];
	int i;

	if (!first_test(argc, argv))
		_exit(1);
	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < 8192; i++)
		if (write(1, buf, sizeof(buf)) < 0 || write(2, buf, sizeof(buf)) < 0)
			break;
	_exit(0);
}
