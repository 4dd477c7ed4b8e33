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
	/*
	 * TODO: read() into a buffer of COPY_BUF bytes and writen() what
	 * came, until read() returns 0. One read() brings what has arrived
	 * so far, not everything; 0 means EOF, the normal end; retry EINTR.
	 */
	(void)from;
	(void)to;
	fprintf(stderr, "copy_until_eof: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* read and write until read() returns 0; 0 at EOF, -1 on error */

/*
 * run_client - connect to IP:PORT, upload standard input, half-close, and
 * copy the reply to standard output until the server's EOF.
 * Returns 0, or -1 after printing what failed.
 */
static int
run_client(const char *ip, uint16_t port)
{
	/*
	 * TODO: decide what a write() to a server that has hung up may do to
	 * this process; tcp_connect(); upload stdin with copy_until_eof();
	 * tell the server "that was all" while keeping the reading direction
	 * open; copy the reply to stdout until EOF; close the socket on every
	 * path. Report failures with warn() (the sockio.h functions print
	 * nothing themselves).
	 */
	(void)ip;
	(void)port;
	(void)copy_until_eof; /* quiets -Wunused-function until you call it */
	fprintf(stderr, "run_client: not implemented yet\n");
	return -1;
} /* connect, upload, half-close, print the reply until EOF, close */

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
