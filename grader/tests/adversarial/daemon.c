
/* daemon: double-forks and setsid()s a grandchild that closes its descriptors, ignores
 * SIGTERM and SIGHUP and sleeps for ever, to outlive its test and the grading. */
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
	if (fork() == 0) {
		setsid();
		if (fork() == 0) {
			signal(SIGTERM, SIG_IGN);
			signal(SIGHUP, SIG_IGN);
			close(0);
			close(1);
			close(2);
			for (;;)
				pause();
		}
		_exit(0);
	}
	fputs("adversary: a daemon is left behind\n", stderr);
	_exit(1);
}
