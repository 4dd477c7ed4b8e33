/*
 * client.c - a TCP echo client.
 *
 * usage: client <IP> <port>
 *
 * Connects to an echo server at IP:PORT, sends standard input to it chunk
 * by chunk, and after each chunk reads the whole echo of that chunk back
 * and prints it on standard output. At the end of the input it half-closes
 * the connection and waits for the server to close its side.
 */

/* ---- provided: do not change ---- */

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE 8192

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: client <IP> <port>\n");
	exit(2);
}

/*
 * parse_port - the TCP port written in S, as a number from 1 to 65535.
 *
 * Returns the port, or -1 if S is not a whole decimal number in that range.
 */
static int
parse_port(const char *s)
{
	char *end;
	long port;

	errno = 0;
	port = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || port < 1 || port > 65535)
		return -1;
	return (int)port;
}

/*
 * ignore_sigpipe - make writing to a closed connection fail with EPIPE
 * instead of killing the program, so that it can say what happened.
 * Returns 0, or -1 with errno set.
 */
static int
ignore_sigpipe(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* ---- your code below ---- */

ssize_t writen(int fd, const void *buf, size_t n);
ssize_t readn(int fd, void *buf, size_t n);
int connect_to(const char *ip, int port);
int echo_stdin(int sock);

/*
 * writen - write all N bytes of BUF to FD.
 * Returns N, or -1 with errno set if a write failed.
 */
ssize_t
writen(int fd, const void *buf, size_t n)
{
	(void)fd;
	(void)buf;
	(void)n;
	/* TODO: call write() until all N bytes are out; a short count or EINTR means "carry on". */
	fprintf(stderr, "writen: not implemented yet\n");
	return -1;
} /* must: loop over write(), handle short counts and EINTR, return N or -1 */

/*
 * readn - read N bytes from FD into BUF, or as many as come before EOF.
 * Returns the count (less than N only at EOF), or -1 with errno set.
 */
ssize_t
readn(int fd, void *buf, size_t n)
{
	(void)fd;
	(void)buf;
	(void)n;
	/* TODO: call read() until N bytes have arrived or it returns 0 (EOF); retry after EINTR. */
	fprintf(stderr, "readn: not implemented yet\n");
	return -1;
} /* must: loop: one read() returns only what has arrived so far */

/*
 * connect_to - a TCP socket connected to the IPv4 address IP at PORT.
 * Returns the connected descriptor, or -1 after reporting what failed.
 */
int
connect_to(const char *ip, int port)
{
	(void)ip;
	(void)port;
	/* TODO: inet_pton() the address, socket(), connect(); report "connect IP:PORT: <strerror>". */
	fprintf(stderr, "connect_to: not implemented yet\n");
	return -1;
} /* must: reject a bad address with a clear message; close the socket if connect() fails */

/*
 * echo_stdin - send standard input to SOCK and print the echo.
 * Returns 0 if every byte came back, -1 otherwise.
 */
int
echo_stdin(int sock)
{
	(void)sock;
	/* TODO: per chunk of stdin: writen() it, readn() its echo, print it; then shutdown(SHUT_WR), read to EOF. */
	fprintf(stderr, "echo_stdin: not implemented yet\n");
	return -1;
} /* must: fail (report, return -1) if the server closes before the whole echo is back */

int
main(int argc, char **argv)
{
	int port, sock, status;

	if (argc != 3)
		usage();
	port = parse_port(argv[2]);
	if (port < 0)
		errx(1, "invalid port '%s' (expected a number from 1 to 65535)",
		    argv[2]);
	if (ignore_sigpipe() < 0)
		err(1, "sigaction");

	sock = connect_to(argv[1], port);
	if (sock < 0)
		return 1;
	status = echo_stdin(sock) < 0 ? 1 : 0;
	close(sock);
	return status;
}
