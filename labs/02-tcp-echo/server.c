/*
 * server.c - an iterative TCP echo server.
 *
 * usage: server <port>
 *
 * Listens on every local address at PORT and serves one client at a time:
 * every byte the client sends is written back to it, until the client
 * closes (or half-closes) its side; then the next client is accepted.
 * SIGTERM or SIGINT stops the server with exit status 0.
 *
 * The part above the "your code below" line is written for you. Below it,
 * main() is written too: it shows how the parts fit together. The four
 * functions it relies on are yours; the README explains each step.
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

#define BACKLOG 16
#define BUF_SIZE 8192

/* Set by the SIGTERM/SIGINT handler; the loops check it after EINTR. */
static volatile sig_atomic_t stop;

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: server <port>\n");
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

/* on_stop_signal - SIGTERM/SIGINT handler: ask the loops to stop. */
static void
on_stop_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * install_signal_handlers - ignore SIGPIPE; make SIGTERM and SIGINT set
 * the stop flag.
 *
 * Without SIGPIPE ignored, writing to a client that has gone away would
 * kill the whole server; ignored, write() fails with EPIPE instead. The
 * stop handler is installed WITHOUT SA_RESTART, so a blocked accept() or
 * read() returns -1 with errno EINTR when the signal arrives.
 * Returns 0, or -1 with errno set.
 */
static int
install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = 0; /* no SA_RESTART: see above */
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0)
		return -1;
	return 0;
}

/* ---- your code below ---- */

ssize_t writen(int fd, const void *buf, size_t n);
int open_listener(int port);
int echo_connection(int conn);
int serve(int listen_fd);

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
 * open_listener - a TCP socket listening on every local address at PORT.
 * Returns the listening descriptor, or -1 after reporting what failed.
 */
int
open_listener(int port)
{
	(void)port;
	/* TODO: socket(), setsockopt(SO_REUSEADDR), bind(INADDR_ANY, htons(port)), listen(). */
	fprintf(stderr, "open_listener: not implemented yet\n");
	return -1;
} /* must: set SO_REUSEADDR before bind(); on failure report it (e.g. "bind port 8080: Address already in use") and close the socket */

/*
 * echo_connection - send every byte read from CONN back on CONN.
 * Returns 0 at EOF or when asked to stop, -1 with errno set on an error.
 */
int
echo_connection(int conn)
{
	(void)conn;
	/* TODO: read() and writen() until read() returns 0; on EINTR return if stop is set, else retry. */
	fprintf(stderr, "echo_connection: not implemented yet\n");
	return -1;
} /* must: echo until EOF (read() == 0), which is the normal end, not an error */

/*
 * serve - accept clients on LISTEN_FD one after another and echo each one
 * until it closes.
 * Returns 0 when SIGTERM or SIGINT asked to stop, -1 if accept() failed.
 */
int
serve(int listen_fd)
{
	(void)listen_fd;
	/* TODO: loop until stop: accept(), echo_connection(), close(); EINTR from accept() means check stop. */
	fprintf(stderr, "serve: not implemented yet\n");
	return -1;
} /* must: survive any one client's error (report it, close that connection, accept the next) */

int
main(int argc, char **argv)
{
	int port, listen_fd, status;

	if (argc != 2)
		usage();
	port = parse_port(argv[1]);
	if (port < 0)
		errx(1, "invalid port '%s' (expected a number from 1 to 65535)",
		    argv[1]);
	if (install_signal_handlers() < 0)
		err(1, "sigaction");

	listen_fd = open_listener(port);
	if (listen_fd < 0)
		return 1;
	status = serve(listen_fd) < 0 ? 1 : 0;
	close(listen_fd);
	return status;
}
