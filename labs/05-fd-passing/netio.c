/*
 * netio.c - byte-stream helpers shared by fdtool, the master and its workers.
 *
 * Provided: do not change this file.
 */
#include "netio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* How many connections may wait for accept() before the kernel refuses more. */
#define LISTEN_BACKLOG 64

/* The longest line a worker answers; the rest of a longer line is ignored. */
#define LINE_MAX_BYTES 512

/*
 * writen - write all N bytes of BUF to FD, retrying short writes and EINTR.
 * Returns N; -1 on error with errno set.
 */
ssize_t writen(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t left = n;

	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	return (ssize_t)n;
}

/*
 * read_line - read one line from FD into BUF, without reading past its newline.
 * Returns the line's length (newline dropped); -1 at end of stream before any byte (errno 0)
 * or on error (errno set).
 */
ssize_t read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;
	int got_any = 0;

	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) {
			if (!got_any) {
				errno = 0;
				return -1;
			}
			break;  /* a last line without a newline still counts */
		}
		got_any = 1;
		if (c == '\n')
			break;
		if (len < size - 1)
			buf[len++] = c;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

/*
 * tcp_listen - a TCP socket listening on 127.0.0.1:PORT, with SO_REUSEADDR set.
 * Returns the listening descriptor; -1 on error (the failed step reported on stderr).
 */
int tcp_listen(uint16_t port)
{
	struct sockaddr_in addr;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		fprintf(stderr, "socket: %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		fprintf(stderr, "setsockopt SO_REUSEADDR: %s\n", strerror(errno));
		goto fail_after_socket;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "bind 127.0.0.1:%u: %s\n", (unsigned)port, strerror(errno));
		goto fail_after_socket;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0) {
		fprintf(stderr, "listen: %s\n", strerror(errno));
		goto fail_after_socket;
	}
	return fd;

fail_after_socket:
	close(fd);
	return -1;
}

/*
 * serve_client - read one line from CONN and answer "worker ID (pid PID): LINE\n".
 * Returns 0 when answered; -1 when the client sent no line or on an I/O error.
 * CONN stays open.
 */
int serve_client(int conn, int id)
{
	char line[LINE_MAX_BYTES];
	char answer[LINE_MAX_BYTES + 64];
	ssize_t len = read_line(conn, line, sizeof(line));
	int n;

	if (len < 0) {
		if (errno != 0)
			fprintf(stderr, "worker %d: read: %s\n", id, strerror(errno));
		return -1;  /* errno 0: the client hung up without a line */
	}
	n = snprintf(answer, sizeof(answer), "worker %d (pid %ld): %s\n", id, (long)getpid(), line);
	if (writen(conn, answer, (size_t)n) < 0) {
		fprintf(stderr, "worker %d: write: %s\n", id, strerror(errno));
		return -1;
	}
	return 0;
}
