/*
 * netopt.c - timeouts and socket options on TCP sockets.
 *
 * The functions are declared, with their contracts, in netopt.h. optool
 * (the tests in tests/) puts each of them to work in a real program.
 */
#include "netopt.h"
#include "sockio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* ---- your code below ---- */

static int close_keep_errno(int fd);
static long ms_left(const struct timespec *deadline);
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
 * ms_left - milliseconds from now until DEADLINE (CLOCK_MONOTONIC), rounded
 * up so that a wait never ends before the deadline; 0 once it has passed.
 */
static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec + 999999) / 1000000;
	return ms > 0 ? ms : 0;
}

/*
 * wait_writable - wait at most TIMEOUT_MS milliseconds for FD to become
 * writable (a non-blocking connect() has finished, one way or the other).
 * A signal does not cut the wait short: poll() resumes with the time left.
 * Returns 1 when FD is ready; 0 when the time ran out; -1 with errno set.
 */
static int
wait_writable(int fd, int timeout_ms)
{
	struct timespec deadline;
	struct pollfd pfd;
	long left;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	left = timeout_ms;
	/* Bounded by the deadline: each pass waits for the time left. */
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
		left = ms_left(&deadline);
		if (n == 0 && left == 0)
			return 0;
	}
}

/*
 * listen_reuse - a TCP socket bound to 127.0.0.1:PORT and listening, with
 * SO_REUSEADDR set before bind() so that a restart during TIME_WAIT works.
 * Returns the listening descriptor; -1 with errno set (nothing left open).
 */
int
listen_reuse(uint16_t port, int backlog)
{
	struct sockaddr_in addr;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return close_keep_errno(fd);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return close_keep_errno(fd);
	if (listen(fd, backlog) < 0)
		return close_keep_errno(fd);
	return fd;
}

/*
 * connect_timeout - a TCP socket connected to ADDR within TIMEOUT_MS.
 *
 * connect() on a non-blocking socket returns at once, with EINPROGRESS
 * while the handshake goes on. poll() for POLLOUT waits until it is over,
 * successful or not: SO_ERROR then says which (0, or ECONNREFUSED, ...).
 * Returns the descriptor, blocking again; -1 with errno set (ETIMEDOUT
 * when the time ran out; nothing left open).
 */
int
connect_timeout(const struct sockaddr_in *addr, int timeout_ms)
{
	socklen_t len;
	int fd, flags, ready, soerr;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return close_keep_errno(fd);
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0) {
		if (errno != EINPROGRESS)
			return close_keep_errno(fd);
		ready = wait_writable(fd, timeout_ms);
		if (ready < 0)
			return close_keep_errno(fd);
		if (ready == 0) {
			errno = ETIMEDOUT;
			return close_keep_errno(fd);
		}
		len = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
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
 * set_read_timeout - SO_RCVTIMEO of TIMEOUT_MS milliseconds on FD: whole
 * seconds in tv_sec, the rest in tv_usec (always below 1000000). A zero
 * timeval means "no timeout", so TIMEOUT_MS below 1 is refused (EINVAL).
 * Returns 0; -1 with errno set.
 */
int
set_read_timeout(int fd, int timeout_ms)
{
	struct timeval tv;

	if (timeout_ms < 1) {
		errno = EINVAL;
		return -1;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/*
 * accept_client - the next connection on LISTEN_FD, with a read timeout of
 * its own (the listening socket's options are the listener's business).
 * Returns the connected descriptor; -1 with errno set (nothing left open).
 */
int
accept_client(int listen_fd, int timeout_ms)
{
	int fd;

	/* Bounded by the signals that interrupt it: EINTR is retried. */
	do
		fd = accept(listen_fd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	if (set_read_timeout(fd, timeout_ms) < 0)
		return close_keep_errno(fd);
	return fd;
}

/*
 * set_keepalive - SO_KEEPALIVE on, and its three Linux settings: the idle
 * time before the first probe, the interval between probes, the number of
 * unanswered probes that end the connection. Without them the system's
 * defaults apply (2 hours, 75 s, 9 probes: net.ipv4.tcp_keepalive_*).
 * Returns 0; -1 with errno set.
 */
int
set_keepalive(int fd, int idle, int intvl, int count)
{
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) < 0)
		return -1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) < 0)
		return -1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) <
	    0)
		return -1;
	return setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
}

/*
 * set_nodelay - TCP_NODELAY (level IPPROTO_TCP) to ON (1 or 0).
 * Returns 0; -1 with errno set.
 */
int
set_nodelay(int fd, int on)
{
	int value = on ? 1 : 0;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, sizeof(value));
}

/*
 * set_bufsizes - SO_RCVBUF and SO_SNDBUF as asked (0: left alone). The
 * kernel doubles each; the caller reads back what it really got.
 * Returns 0; -1 with errno set.
 */
int
set_bufsizes(int fd, int rcvbuf, int sndbuf)
{
	if (rcvbuf > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		return -1;
	if (sndbuf > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0)
		return -1;
	return 0;
}

/*
 * tcp_stats - the connection's state, round-trip time (microseconds, as
 * TCP_INFO gives it), MSS, congestion window and total retransmissions.
 * Returns 0; -1 with errno set.
 */
int
tcp_stats(int fd, struct tcp_stats *st)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	st->state = ti.tcpi_state;
	st->rtt_us = ti.tcpi_rtt;
	st->rttvar_us = ti.tcpi_rttvar;
	st->snd_mss = ti.tcpi_snd_mss;
	st->snd_cwnd = ti.tcpi_snd_cwnd;
	st->total_retrans = ti.tcpi_total_retrans;
	return 0;
}
