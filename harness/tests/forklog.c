/*
 * forklog.c - shortio test program: two processes calling on one socket
 * pair at the same time, for the call log.
 *
 *     forklog N
 *
 * Makes a stream socket pair and forks. The child writes N single bytes
 * to one end, shuts down its writing direction and closes it; the parent
 * reads the other end byte by byte until EOF, then closes it. Both write
 * their calls into the same SHORTIO_LOG at the same time. Prints
 * "child wrote N" and "parent read N"; exits 1 on a failure.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int sv[2], i, n, status;
	long got = 0;
	pid_t pid;
	char c = 'x';

	if (argc != 2 || (n = atoi(argv[1])) <= 0)
		errx(2, "usage: forklog N");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		err(1, "socketpair");
	pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		close(sv[1]);
		/* Bounded by N. */
		for (i = 0; i < n; i++) {
			if (write(sv[0], &c, 1) != 1)
				err(1, "write");
		}
		if (shutdown(sv[0], SHUT_WR) < 0)
			err(1, "shutdown");
		close(sv[0]);
		printf("child wrote %d\n", n);
		return 0;
	}
	close(sv[0]);
	/* Bounded by the child: ends at its EOF. */
	for (;;) {
		ssize_t r = read(sv[1], &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err(1, "read");
		if (r == 0)
			break;
		got += r;
	}
	close(sv[1]);
	if (waitpid(pid, &status, 0) < 0)
		err(1, "waitpid");
	printf("parent read %ld\n", got);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
