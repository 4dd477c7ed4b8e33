/*
 * sockio.c - the course's provided I/O and socket helpers (see sockio.h).
 *
 * readn() and writen() follow CS:APP's rio_readn/rio_writen and OpenBSD's
 * atomicio(): read() and write() may move fewer bytes than asked (a short
 * count), and a signal may interrupt them before they move any (EINTR), so
 * every whole read or write goes through one small loop that deals with
 * both. Nothing here prints: a failure is -1 with errno set.
 */
#include "sockio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* How many connections may wait for accept() before the kernel refuses more. */
#define LISTEN_BACKLOG 64

/*
 * readn - read N bytes from FD into BUF, stopping early only at EOF.
 * Returns N; fewer than N only if EOF came first (0 if it came before the
 * first byte); -1 with errno set if read() failed. Retries EINTR.
 */
ssize_t
readn(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t done = 0;
	ssize_t got;

	/* Bounded: every pass reads a byte or more, reaches EOF, or returns. */
	while (done < n) {
		got = read(fd, p + done, n - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		done += (size_t)got;
	}
	return (ssize_t)done;
}

/*
 * writen - write all N bytes of BUF to FD, however many calls it takes.
 * Returns N, or -1 with errno set if write() failed. Retries EINTR.
 *
 * It uses plain write(): writing to a connection the peer has closed raises
 * SIGPIPE, which kills the process unless the program has decided otherwise.
 */
ssize_t
writen(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t done = 0;
	ssize_t put;

	/* Bounded: every pass writes at least one byte or returns. */
	while (done < n) {
		put = write(fd, p + done, n - done);
		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			return -1;
		done += (size_t)put;
	}
	return (ssize_t)n;
}

/*
 * load_file - read the whole regular file PATH into a new buffer.
 * Returns 0 with *DATA (the caller frees it) and *LEN set; -1 with errno set
 * (EINVAL if PATH is not a regular file, EIO if it shrank while being read).
 * An empty file gives a non-NULL buffer of length 0.
 */
int
load_file(const char *path, unsigned char **data, size_t *len)
{
	struct stat st;
	unsigned char *buf = NULL;
	ssize_t got;
	int fd, saved;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		goto fail;
	got = readn(fd, buf, (size_t)st.st_size);
	if (got < 0)
		goto fail;
	if (got < st.st_size) {
		errno = EIO;
		goto fail;
	}
	close(fd);
	*data = buf;
	*len = (size_t)got;
	return 0;

fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return -1;
}

/*
 * parse_long - S as a whole decimal number from MIN to MAX, into *OUT.
 * Returns 0; -1 with errno set if S is not such a number (ERANGE: out of
 * range; EINVAL: empty, not a number, or followed by anything else).
 */
int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (errno != 0 || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * tcp_listen - a TCP socket listening on 127.0.0.1:PORT, with SO_REUSEADDR
 * set so that a restart need not wait for the last run's connections in
 * TIME-WAIT. PORT 0 lets the kernel choose a free port.
 * Returns the listening descriptor; -1 with errno set (nothing left open).
 */
int
tcp_listen(uint16_t port)
{
	struct sockaddr_in addr;
	int fd, one = 1, saved;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		goto fail;
	if (listen(fd, LISTEN_BACKLOG) < 0)
		goto fail;
	return fd;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * accept_error_is_transient - whether accept() failing with ERR concerns
 * only the one pending connection, so that a server should go on: Linux
 * passes the errors of a new connection on to accept(). EINTR is not one of
 * them: whether a signal ends the loop is the caller's decision.
 * Returns 1 or 0.
 */
int
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
 * tcp_accept - wait for the next client on LISTEN_FD.
 * Returns the connected descriptor with PEER set to "IP:PORT" (PEERLEN is
 * at least PEER_TEXT_MAX); -1 with errno set. A connection that died while
 * it waited in the queue is skipped, and EINTR is retried: -1 means the
 * listening socket itself is in trouble.
 */
int
tcp_accept(int listen_fd, char *peer, size_t peerlen)
{
	struct sockaddr_in addr;
	socklen_t addrlen;
	char ip[INET_ADDRSTRLEN];
	int fd;

	/* Bounded by the clients: each pass either returns or skips one. */
	for (;;) {
		addrlen = sizeof(addr);
		fd = accept(listen_fd, (struct sockaddr *)&addr, &addrlen);
		if (fd < 0 &&
		    (errno == EINTR || accept_error_is_transient(errno)))
			continue;
		if (fd < 0)
			return -1;
		if (inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof(ip)) == NULL)
			snprintf(ip, sizeof(ip), "?");
		snprintf(peer, peerlen, "%s:%u", ip,
		    (unsigned)ntohs(addr.sin_port));
		return fd;
	}
}

/*
 * tcp_connect - a TCP socket connected to IP (a dotted quad) port PORT.
 * Returns the connected descriptor; -1 with errno set (EINVAL if IP is not
 * an IPv4 address; nothing left open).
 */
int
tcp_connect(const char *ip, uint16_t port)
{
	struct sockaddr_in addr;
	int fd, saved;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}
