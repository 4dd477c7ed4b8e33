/*
 * netio.c - the provided part of lab 04 (see netio.h). You do not need to
 * change anything here; read it to see what your code can rely on.
 *
 * Every function reports its own failure on stderr in the form
 * "PROGRAM: CALL: reason" and returns -1, so that callers only decide what
 * a failure means for them.
 */
#include "netio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define LISTEN_BACKLOG 16

/*
 * parse_port - parse TEXT as a TCP port number, 1 to 65535.
 * Returns 0 with *PORT set, or -1 if TEXT is not such a number.
 */
int
parse_port(const char *text, uint16_t *port)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < 1 ||
	    value > 65535)
		return -1;
	*port = (uint16_t)value;
	return 0;
}

/*
 * load_file - read the whole file PATH into a new buffer.
 * Returns 0 with *DATA (free it) and *LEN set, or -1 with errno set.
 * An empty file gives a non-NULL buffer of length 0.
 */
int
load_file(const char *path, unsigned char **data, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t done = 0;
	int fd, saved;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail_close;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail_close;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		goto fail_close;
	/* Bounded by the file's size: every pass reads at least one byte. */
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;  /* the file shrank under us */
			goto fail_free;
		}
		done += (size_t)n;
	}
	close(fd);
	*data = buf;
	*len = done;
	return 0;

fail_free:
	saved = errno;
	free(buf);
	errno = saved;
fail_close:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * write_all - write all LEN bytes of BUF to FD, however many calls it takes.
 * Returns LEN, or -1 with errno set (nothing is printed). write() may take
 * fewer bytes than asked, and a signal may interrupt it: both are retried.
 *
 * It uses plain write(): writing to a connection the peer has closed raises
 * SIGPIPE, which kills the process unless the program has decided otherwise.
 */
ssize_t
write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t left = len;

	/* Bounded: every pass writes at least one byte or returns. */
	while (left > 0) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		left -= (size_t)n;
	}
	return (ssize_t)len;
}

/*
 * tcp_listen - a TCP socket listening on every local address, port PORT.
 * Returns the listening descriptor, or -1 after printing what failed.
 */
int
tcp_listen(uint16_t port)
{
	struct sockaddr_in addr;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		warn("socket");
		return -1;
	}
	/* A restart must not wait for the last run's connections in TIME-WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		warn("setsockopt SO_REUSEADDR");
		goto fail;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		warn("bind port %u", (unsigned)port);
		goto fail;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0) {
		warn("listen");
		goto fail;
	}
	return fd;

fail:
	close(fd);
	return -1;
}

/*
 * accept_error_is_transient - whether accept() failing with ERR concerns
 * only the one pending connection (Linux passes its errors on to accept).
 */
static int
accept_error_is_transient(int err)
{
	switch (err) {
	case EINTR:
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
 * tcp_accept - wait for the next client on LISTEN_FD.
 * Returns the connected descriptor with PEER set to "IP:PORT", or -1 after
 * printing what failed. A connection that died while it waited in the
 * queue is skipped: -1 means the listening socket itself is in trouble.
 */
int
tcp_accept(int listen_fd, char *peer, size_t peerlen)
{
	/* Bounded by the clients: each pass either returns or skips one. */
	for (;;) {
		struct sockaddr_in addr;
		socklen_t addrlen = sizeof(addr);
		char ip[INET_ADDRSTRLEN];
		int fd = accept(listen_fd, (struct sockaddr *)&addr, &addrlen);

		if (fd < 0 && accept_error_is_transient(errno))
			continue;
		if (fd < 0) {
			warn("accept");
			return -1;
		}
		if (inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof(ip)) == NULL)
			snprintf(ip, sizeof(ip), "?");
		snprintf(peer, peerlen, "%s:%u", ip, (unsigned)ntohs(addr.sin_port));
		return fd;
	}
}

/*
 * tcp_connect - a TCP socket connected to IP (dotted quad) port PORT.
 * Returns the connected descriptor, or -1 after printing what failed.
 */
int
tcp_connect(const char *ip, uint16_t port)
{
	struct sockaddr_in addr;
	int fd;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
		warnx("'%s' is not an IPv4 address", ip);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		warn("socket");
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		warn("connect %s:%u", ip, (unsigned)port);
		close(fd);
		return -1;
	}
	return fd;
}
