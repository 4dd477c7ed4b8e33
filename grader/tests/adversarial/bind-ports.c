
/* bind-ports: binds every TCP port, 1 to 65535, on all addresses (0.0.0.0), in children that
 * hold them for ever: 1000 ports each, under the limit on open files. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PER_CHILD 1000

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
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int first, port, fd, bound = 0;

	if (!first_test(argc, argv))
		_exit(1);
	for (first = 1; first < 65536; first += PER_CHILD) {
		if (fork() != 0)
			continue;
		for (port = first; port < first + PER_CHILD && port < 65536; port++) {
			if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
				break;
			sa.sin_port = htons((unsigned short)port);
			if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 1) == 0)
				bound++;
		}
		if (first == 1)
			fprintf(stderr, "adversary: the first child holds %d ports\n", bound);
		for (;;)
			pause();
	}
	fputs("adversary: every port is taken\n", stderr);
	_exit(1);
}
