/*
 * client.c - lab 04, the upload client: send everything, half-close, then
 * read the server's answer to the end.
 *
 * usage: client IP PORT
 *
 * Uploads all of its standard input, then calls shutdown(SHUT_WR): a FIN
 * goes out after the last byte, which tells the server "that was all"
 * while the client's reading direction stays open. It then copies the
 * server's reply to standard output until EOF and exits 0. Any failure is
 * reported on stderr and the exit status is 1.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockio.h"

/* How much one read() may bring in. */
#define COPY_BUF 16384

static int copy_until_eof(int from, int to);
static int run_client(const char *ip, uint16_t port);

/* ---- your code below ---- */

/*
 * copy_until_eof - copy everything that can be read from FROM to TO.
 * Returns 0 once read() has returned 0 (EOF: the end of a file, or the
 * peer's FIN on a socket), or -1 with errno set if a read or a write
 * failed.
 */
static int
copy_until_eof(int from, int to)
{
	char buf[COPY_BUF];

	/* Bounded by FROM: ends at EOF or an error. */
	for (;;) {
		ssize_t n = read(from, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (writen(to, buf, (size_t)n) < 0)
			return -1;
	}
}

/*
 * run_client - connect to IP:PORT, upload standard input, half-close, and
 * copy the reply to standard output until the server's EOF.
 * Returns 0, or -1 after printing what failed.
 */
static int
run_client(const char *ip, uint16_t port)
{
	int fd, status = -1;

	/*
	 * A server that hangs up mid-upload is an error to report (EPIPE),
	 * not a reason to die silently of SIGPIPE.
	 */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		warn("signal SIGPIPE");
		return -1;
	}
	fd = tcp_connect(ip, port);
	if (fd < 0) {
		warn("connect %s:%u", ip, (unsigned)port);
		return -1;
	}
	if (copy_until_eof(STDIN_FILENO, fd) < 0) {
		warn("upload");
		goto out_close;
	}
	/* "That was all": FIN after the last byte; the reply can still come in. */
	if (shutdown(fd, SHUT_WR) < 0) {
		warn("shutdown SHUT_WR");
		goto out_close;
	}
	if (copy_until_eof(fd, STDOUT_FILENO) < 0) {
		warn("reply");
		goto out_close;
	}
	status = 0;

out_close:
	close(fd);
	return status;
}

/* ---- provided: main ---- */

/* usage - print the command line summary on stderr and exit 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: client IP PORT\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	long port;

	if (argc != 3)
		usage();
	if (parse_long(argv[2], 1, 65535, &port) < 0)
		errx(2, "bad port '%s' (1-65535)", argv[2]);
	if (run_client(argv[1], (uint16_t)port) < 0)
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}
