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

int
listen_reuse(uint16_t port, int backlog)
{
	/*
	 * TODO: socket(), setsockopt(SO_REUSEADDR) BEFORE bind(), bind() to
	 * 127.0.0.1:PORT, listen(BACKLOG). Close the socket on failure.
	 */
	(void)port;
	(void)backlog;
	fprintf(stderr, "listen_reuse: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return the listening descriptor, or -1 with errno set and nothing left open */

int
connect_timeout(const struct sockaddr_in *addr, int timeout_ms)
{
	/*
	 * TODO: socket(); O_NONBLOCK with fcntl(); connect() (EINPROGRESS is
	 * not a failure); poll() for POLLOUT for at most TIMEOUT_MS; then
	 * getsockopt(SO_ERROR) says how the connect ended. Put the old flags
	 * back before returning the descriptor.
	 */
	(void)addr;
	(void)timeout_ms;
	fprintf(stderr, "connect_timeout: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: fail with ETIMEDOUT (not before TIMEOUT_MS) or ECONNREFUSED (at once) */

int
set_read_timeout(int fd, int timeout_ms)
{
	/* TODO: setsockopt(SO_RCVTIMEO) with TIMEOUT_MS as a struct timeval. */
	(void)fd;
	(void)timeout_ms;
	fprintf(stderr, "set_read_timeout: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: refuse TIMEOUT_MS below 1 with EINVAL (a zero timeval waits forever) */

int
accept_client(int listen_fd, int timeout_ms)
{
	/* TODO: accept() (again after EINTR), then set_read_timeout(). */
	(void)listen_fd;
	(void)timeout_ms;
	fprintf(stderr, "accept_client: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: the timeout goes on the accepted descriptor */

int
set_keepalive(int fd, int idle, int intvl, int count)
{
	/* TODO: SO_KEEPALIVE, then TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT. */
	(void)fd;
	(void)idle;
	(void)intvl;
	(void)count;
	fprintf(stderr, "set_keepalive: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return 0, or -1 with errno set */

int
set_nodelay(int fd, int on)
{
	/* TODO: setsockopt(TCP_NODELAY) to ON. */
	(void)fd;
	(void)on;
	fprintf(stderr, "set_nodelay: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return 0, or -1 with errno set */

int
set_bufsizes(int fd, int rcvbuf, int sndbuf)
{
	/* TODO: SO_RCVBUF and SO_SNDBUF, each only when it is not 0. */
	(void)fd;
	(void)rcvbuf;
	(void)sndbuf;
	fprintf(stderr, "set_bufsizes: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return 0, or -1 with errno set */

int
tcp_stats(int fd, struct tcp_stats *st)
{
	/* TODO: getsockopt(TCP_INFO) into a struct tcp_info; copy the fields. */
	(void)fd;
	memset(st, 0, sizeof(*st));
	fprintf(stderr, "tcp_stats: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return 0, or -1 with errno set */
