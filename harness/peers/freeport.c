/*
 * freeport.c - print a TCP port that is free on 127.0.0.1.
 *
 * Listens on port 0, which makes the kernel pick a free ephemeral port,
 * prints that port and exits (closing the socket). The port stays free
 * until someone else binds it: a test should use it right away, and the
 * kernel hands out ephemeral ports in turn, so a port just printed is not
 * soon given out again.
 *
 * Exit status: 0 on success, 1 on failure, 2 on a usage error.
 */
#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: freeport\n");
		return 2;
	}
	fd = tcp_listen(0);
	if (fd < 0)
		err(1, "listen on 127.0.0.1:0");
	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		err(1, "getsockname");
	close(fd);
	if (printf("%u\n", (unsigned)ntohs(sin.sin_port)) < 0 ||
	    fflush(stdout) == EOF)
		err(1, "stdout");
	return 0;
}
