/*
 * server.c - lab 04, the file server: send a file, half-close, then still
 * read what the client has to say.
 *
 * usage: server PORT FILE
 *
 * Serves clients one at a time. To each it sends the whole of FILE, then
 * calls shutdown(SHUT_WR): a FIN goes out after the last byte, so the
 * client's read() returns 0 once it has everything, while the server's
 * reading direction stays open. The server then reads the client's
 * acknowledgement until EOF, prints its first line as
 *     ack from IP:PORT: TEXT
 * and closes. A client that misbehaves ends its own connection only.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockio.h"

/* Longest acknowledgement kept for printing; the rest is read and dropped. */
#define ACK_MAX 256

static ssize_t read_ack(int fd, char *buf, size_t cap);
static void serve_client(int fd, const char *peer, const unsigned char *file,
    size_t len);
static int run_server(uint16_t port, const unsigned char *file, size_t len);

/* ---- your code below ---- */

/*
 * read_ack - read the client's acknowledgement from FD until EOF.
 * Keeps the first CAP - 1 bytes in BUF, NUL-terminated (CAP >= 1); bytes
 * beyond those are read and dropped, so that the connection still ends in
 * an orderly way. Returns the number of bytes kept (0 for an empty
 * acknowledgement), or -1 with errno set if read() failed.
 */
static ssize_t
read_ack(int fd, char *buf, size_t cap)
{
	/*
	 * TODO: call read() until it returns 0. One read() returns what has
	 * arrived so far, not the whole acknowledgement; 0 is the client's
	 * FIN (the normal end, not an error); retry on EINTR.
	 */
	(void)fd;
	(void)buf;
	(void)cap;
	fprintf(stderr, "read_ack: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* read until EOF, keep at most cap - 1 bytes plus a NUL, -1 on error */

/*
 * serve_client - send the file to the client on FD, half-close, read and
 * print its acknowledgement, close FD.
 * Returns nothing: a failure is reported on stderr and ends this
 * connection only.
 */
static void
serve_client(int fd, const char *peer, const unsigned char *file, size_t len)
{
	/*
	 * TODO: writen() the file; end the sending direction only (the
	 * client must see EOF, and the server must still be able to read);
	 * read_ack(); print "ack from PEER: TEXT" (TEXT up to the first
	 * newline) on stdout; close FD on every path. Report failures with
	 * warn() and return: the server goes on with the next client.
	 */
	(void)peer;
	(void)file;
	(void)len;
	(void)read_ack; /* quiets -Wunused-function until you call it */
	fprintf(stderr, "serve_client: not implemented yet\n");
	close(fd);
} /* send, half-close, read the ack until EOF, print it, close */

/*
 * run_server - listen on PORT and serve clients one after another with
 * FILE (LEN bytes), until the process is stopped.
 * Returns -1 if the server could not start or its listening socket failed
 * (the reason has been printed); it does not return otherwise.
 */
static int
run_server(uint16_t port, const unsigned char *file, size_t len)
{
	/*
	 * TODO: decide what a write() to a client that has already hung up
	 * may do to this process (see "EPIPE and SIGPIPE" in the handout);
	 * tcp_listen(); then, forever, tcp_accept() and serve_client().
	 * Report failures with warn() (the sockio.h functions print nothing
	 * themselves).
	 */
	(void)port;
	(void)file;
	(void)len;
	(void)serve_client; /* quiets -Wunused-function until you call it */
	fprintf(stderr, "run_server: not implemented yet\n");
	return -1;
} /* survive clients that hang up, listen, serve one client at a time */

/* ---- provided: main ---- */

/* usage - print the command line summary on stderr and exit 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: server PORT FILE\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	unsigned char *file;
	size_t len;
	long port;
	int status;

	if (argc != 3)
		usage();
	if (parse_long(argv[1], 1, 65535, &port) < 0)
		errx(2, "bad port '%s' (1-65535)", argv[1]);
	if (load_file(argv[2], &file, &len) < 0)
		err(1, "%s", argv[2]);
	/* One line per client, visible at once even when stdout is a file. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	status = run_server((uint16_t)port, file, len);
	free(file);
	return status < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
