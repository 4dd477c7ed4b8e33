/*
 * server.c - an iterative TCP echo server.
 *
 * usage: server <port>
 *
 * Listens on every local address at PORT and serves one client at a time:
 * every byte the client sends is written back to it, until the client
 * closes (or half-closes) its side; then the next client is accepted.
 * SIGTERM or SIGINT stops the server with exit status 0.
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
 *
 * write() may send fewer bytes than asked (a short count) or be
 * interrupted by a signal before sending anything (EINTR); both just mean
 * "carry on from where it stopped".
 * Returns N, or -1 with errno set if a write failed.
 */
ssize_t
writen(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t left = n;

	while (left > 0) {
		ssize_t done = write(fd, p, left);

		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return -1;
		p += done;
		left -= (size_t)done;
	}
	return (ssize_t)n;
}

/*
 * open_listener - a TCP socket listening on every local address at PORT.
 *
 * SO_REUSEADDR is set before bind(), so that a restarted server can bind
 * the port while connections of its previous run are still in TIME-WAIT.
 * Reports the call that failed on stderr.
 * Returns the listening descriptor, or -1 (no descriptor left open).
 */
int
open_listener(int port)
{
	struct sockaddr_in addr;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		warn("socket");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		warn("setsockopt SO_REUSEADDR");
		goto setup_failed;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		warn("bind port %d", port);
		goto setup_failed;
	}
	if (listen(fd, BACKLOG) < 0) {
		warn("listen port %d", port);
		goto setup_failed;
	}
	return fd;

setup_failed:
	close(fd);
	return -1;
}

/*
 * echo_connection - send every byte read from CONN back on CONN.
 *
 * read() returns what has arrived so far (>0), 0 once the client has
 * closed or half-closed its side (EOF), or -1; EINTR means a signal came:
 * go on unless it asked the server to stop.
 * Returns 0 at EOF or when asked to stop, -1 with errno set if a read or
 * write failed (ECONNRESET, EPIPE: the client's problem, not the server's).
 */
int
echo_connection(int conn)
{
	char buf[BUF_SIZE];

	for (;;) {
		ssize_t n = read(conn, buf, sizeof(buf));

		if (n < 0 && errno == EINTR) {
			if (stop)
				return 0;
			continue;
		}
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (writen(conn, buf, (size_t)n) < 0)
			return -1;
	}
}

/*
 * accept_error_is_transient - whether accept() failing with ERR concerns
 * only the one connection it was about to return.
 *
 * Linux passes on a pending connection's network errors from accept();
 * accept(2) says to treat them like EAGAIN and accept again.
 */
static int
accept_error_is_transient(int err)
{
	switch (err) {
	case ECONNABORTED:
	case EPROTO:
	case ENETDOWN:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETUNREACH:
		return 1;
	default:
		return 0;
	}
}

/*
 * serve - accept clients on LISTEN_FD one after another and echo each one
 * until it closes.
 *
 * A client's error ends that client's connection only: it is reported and
 * the next client is accepted. The listening socket stays open.
 * Returns 0 when SIGTERM or SIGINT asked to stop, -1 if accept() failed
 * for a reason that is not about one client.
 */
int
serve(int listen_fd)
{
	while (!stop) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		char ip[INET_ADDRSTRLEN];
		int conn = accept(listen_fd, (struct sockaddr *)&peer, &len);

		if (conn < 0 &&
		    (errno == EINTR || accept_error_is_transient(errno)))
			continue;
		if (conn < 0) {
			warn("accept");
			return -1;
		}
		if (echo_connection(conn) < 0) {
			inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
			warn("client %s:%u", ip, ntohs(peer.sin_port));
		}
		close(conn);
	}
	return 0;
}

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
