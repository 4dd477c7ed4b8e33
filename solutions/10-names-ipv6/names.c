/*
 * names.c - host names, IPv6 and dual-stack TCP sockets.
 *
 * The functions are declared, with their contracts, in names.h. nametool
 * (the tests in tests/) puts each of them to work in a real program.
 */
#include "names.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- your code below ---- */

static int close_keep_errno(int fd);
static int wait_writable(int fd, int timeout_ms);

/*
 * close_keep_errno - close FD without losing the errno of what failed.
 * Returns -1, for `return close_keep_errno(fd);` on a failure path.
 */
static int
close_keep_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
	return -1;
}

/*
 * wait_writable - wait at most TIMEOUT_MS milliseconds for FD to become
 * writable (a non-blocking connect() has finished, one way or the other);
 * a signal does not cut the wait short.
 * Returns 1 when FD is ready; 0 when the time ran out; -1 with errno set.
 */
static int
wait_writable(int fd, int timeout_ms)
{
	struct timespec start, now;
	struct pollfd pfd;
	long left = timeout_ms;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	/* Bounded by the time limit: each pass waits for what is left. */
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms -
		    ((now.tv_sec - start.tv_sec) * 1000 +
		        (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0)
			return 0;
	}
}

/*
 * format_addr - SA as numeric text: "a.b.c.d:PORT" or "[v6]:PORT", an
 * IPv4-mapped IPv6 address as the IPv4 address it stands for.
 * getnameinfo() with NI_NUMERICHOST | NI_NUMERICSERV does the numbers.
 * Returns 0; -1 with errno set.
 */
int
format_addr(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	const struct sockaddr_in6 *in6;
	struct sockaddr_in in4;
	char host[INET6_ADDRSTRLEN], port[8];
	int rc, n;

	if (sa->sa_family == AF_INET6 &&
	    len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		in6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			/* ::ffff:a.b.c.d is an IPv4 peer: its last 4 bytes. */
			memset(&in4, 0, sizeof(in4));
			in4.sin_family = AF_INET;
			in4.sin_port = in6->sin6_port;
			memcpy(&in4.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
			sa = (const struct sockaddr *)&in4;
			len = sizeof(in4);
		}
	} else if (sa->sa_family != AF_INET) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	rc = getnameinfo(sa, len, host, sizeof(host), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV);
	if (rc != 0) {
		errno = rc == EAI_SYSTEM ? errno : EINVAL;
		return -1;
	}
	n = snprintf(buf, size, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	    host, port);
	if (n < 0 || (size_t)n >= size) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

/*
 * connect_addr - a TCP socket connected to SA within TIMEOUT_MS: a
 * non-blocking connect(), poll() for POLLOUT, then SO_ERROR says how it
 * ended (lab 07's connect_timeout, for any address family).
 * Returns the descriptor, blocking again; -1 with errno set (ETIMEDOUT
 * when the time ran out; the socket closed).
 */
int
connect_addr(const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	socklen_t errlen;
	int fd, flags, ready, soerr;

	fd = socket(sa->sa_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return close_keep_errno(fd);
	if (connect(fd, sa, len) < 0) {
		if (errno != EINPROGRESS)
			return close_keep_errno(fd);
		ready = wait_writable(fd, timeout_ms);
		if (ready < 0)
			return close_keep_errno(fd);
		if (ready == 0) {
			errno = ETIMEDOUT;
			return close_keep_errno(fd);
		}
		errlen = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &errlen) < 0)
			return close_keep_errno(fd);
		if (soerr != 0) {
			errno = soerr;
			return close_keep_errno(fd);
		}
	}
	if (fcntl(fd, F_SETFL, flags) < 0)
		return close_keep_errno(fd);
	return fd;
}

/*
 * tcp_connect_name - a connection to the first of HOST's addresses that
 * accepts one, each tried once, in getaddrinfo()'s order. Each failure is
 * reported on stderr, as nc -v does.
 * Returns the descriptor; -1 with errno set (the last address's reason);
 * NAME_UNRESOLVED with *GAIERR set. The address list is freed either way.
 */
int
tcp_connect_name(const char *host, const char *service, int timeout_ms,
    int *gaierr)
{
	struct addrinfo hints, *res, *ai;
	char text[ADDR_TEXT_MAX];
	int fd = -1, rc, saved;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;     /* IPv6 and IPv4 */
	hints.ai_socktype = SOCK_STREAM; /* each address once, for TCP */
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		*gaierr = rc;
		return NAME_UNRESOLVED;
	}
	errno = ENOENT; /* an empty list: getaddrinfo() never gives one */
	/* Bounded by the list: one attempt per address. */
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = connect_addr(ai->ai_addr, ai->ai_addrlen, timeout_ms);
		if (fd >= 0)
			break;
		saved = errno;
		if (format_addr(ai->ai_addr, ai->ai_addrlen, text,
		        sizeof(text)) == 0)
			fprintf(stderr, "connect %s: %s\n", text,
			    strerror(saved));
		errno = saved;
	}
	saved = errno;
	freeaddrinfo(res);
	errno = saved;
	return fd;
}

/*
 * tcp_listen_any - a dual-stack listener on SERVICE: AF_INET6 on [::] with
 * IPV6_V6ONLY off, set explicitly since net.ipv6.bindv6only may say
 * otherwise; AF_INET on 0.0.0.0 where the kernel has no IPv6.
 * Returns the listening descriptor; -1 with errno set (nothing left open);
 * NAME_UNRESOLVED with *GAIERR set.
 */
int
tcp_listen_any(const char *service, int backlog, int *gaierr)
{
	struct addrinfo hints, *res;
	int fd, rc, one = 1, off = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET6;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE; /* no host: the wildcard, [::] */
	rc = getaddrinfo(NULL, service, &hints, &res);
	if (rc != 0) {
		*gaierr = rc;
		return NAME_UNRESOLVED;
	}
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (fd < 0 && errno == EAFNOSUPPORT) {
		/* No IPv6 in this kernel: an IPv4 listener on 0.0.0.0. */
		freeaddrinfo(res);
		hints.ai_family = AF_INET;
		rc = getaddrinfo(NULL, service, &hints, &res);
		if (rc != 0) {
			*gaierr = rc;
			return NAME_UNRESOLVED;
		}
		fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	}
	if (fd < 0)
		goto fail_socket;
	if (res->ai_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0)
		goto fail_setup;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail_setup;
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0)
		goto fail_setup;
	if (listen(fd, backlog) < 0)
		goto fail_setup;
	freeaddrinfo(res);
	return fd;

fail_setup:
	close_keep_errno(fd);
fail_socket:
	rc = errno;
	freeaddrinfo(res);
	errno = rc;
	return -1;
}
