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
	char drop[512];
	size_t kept = 0;

	/* Bounded by the client: ends at its FIN (read() returns 0) or an error. */
	for (;;) {
		int keeping = kept + 1 < cap;
		char *dst = keeping ? buf + kept : drop;
		size_t room = keeping ? cap - 1 - kept : sizeof(drop);
		ssize_t n = read(fd, dst, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		if (keeping)
			kept += (size_t)n;
	}
	buf[kept] = '\0';
	return (ssize_t)kept;
}

/*
 * serve_client - send the file to the client on FD, half-close, read and
 * print its acknowledgement, close FD.
 * Returns nothing: a failure is reported on stderr and ends this
 * connection only.
 */
static void
serve_client(int fd, const char *peer, const unsigned char *file, size_t len)
{
	char ack[ACK_MAX];

	if (writen(fd, file, len) < 0) {
		warn("send to %s", peer);
		goto out_close;
	}
	/*
	 * FIN after the last byte, and nothing else: close() would also give
	 * up reading, and the acknowledgement would meet a reset.
	 */
	if (shutdown(fd, SHUT_WR) < 0) {
		warn("shutdown SHUT_WR %s", peer);
		goto out_close;
	}
	if (read_ack(fd, ack, sizeof(ack)) < 0) {
		warn("read ack from %s", peer);
		goto out_close;
	}
	ack[strcspn(ack, "\r\n")] = '\0';
	printf("ack from %s: %s\n", peer, ack);

out_close:
	close(fd);
}

/*
 * run_server - listen on PORT and serve clients one after another with
 * FILE (LEN bytes), until the process is stopped.
 * Returns -1 if the server could not start or its listening socket failed
 * (the reason has been printed); it does not return otherwise.
 */
static int
run_server(uint16_t port, const unsigned char *file, size_t len)
{
	int listen_fd;

	/*
	 * A client that hangs up early must cost one connection (write()
	 * fails with EPIPE), not the whole server (SIGPIPE's default action
	 * terminates the process).
	 */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		warn("signal SIGPIPE");
		return -1;
	}
	listen_fd = tcp_listen(port);
	if (listen_fd < 0) {
		warn("listen on 127.0.0.1:%u", (unsigned)port);
		return -1;
	}

	/* Bounded by SIGTERM: a server serves until it is stopped. */
	for (;;) {
		char peer[PEER_TEXT_MAX];
		int fd = tcp_accept(listen_fd, peer, sizeof(peer));

		if (fd < 0) {
			warn("accept");
			break;
		}
		serve_client(fd, peer, file, len);
	}
	close(listen_fd);
	return -1;
}

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
