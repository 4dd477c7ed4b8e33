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

int
format_addr(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	/*
	 * TODO: an IPv4-mapped IPv6 address (IN6_IS_ADDR_V4MAPPED) becomes a
	 * sockaddr_in first; then getnameinfo() with NI_NUMERICHOST |
	 * NI_NUMERICSERV, and "[%s]:%s" for IPv6, "%s:%s" for IPv4.
	 */
	(void)sa;
	(void)len;
	if (size > 0)
		buf[0] = '\0';
	fprintf(stderr, "format_addr: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: 127.0.0.1:8080, [::1]:8080, and ::ffff:127.0.0.1 as 127.0.0.1:8080 */

int
connect_addr(const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	/*
	 * TODO: socket() of SA's family; O_NONBLOCK; connect(fd, SA, LEN)
	 * (EINPROGRESS is not a failure); poll() for POLLOUT for at most
	 * TIMEOUT_MS; SO_ERROR; the old flags back. Lab 07 did it for IPv4.
	 */
	(void)sa;
	(void)len;
	(void)timeout_ms;
	fprintf(stderr, "connect_addr: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: fail with ETIMEDOUT after TIMEOUT_MS, close the socket on failure */

int
tcp_connect_name(const char *host, const char *service, int timeout_ms,
    int *gaierr)
{
	/*
	 * TODO: getaddrinfo() with hints (AF_UNSPEC, SOCK_STREAM); on failure
	 * *GAIERR = its code and return NAME_UNRESOLVED. Then connect_addr()
	 * to each address of the list in turn until one connects;
	 * freeaddrinfo() before returning, whatever happened.
	 */
	(void)host;
	(void)service;
	(void)timeout_ms;
	*gaierr = 0;
	fprintf(stderr, "tcp_connect_name: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: try every address once, in order; free the list on every path */

int
tcp_listen_any(const char *service, int backlog, int *gaierr)
{
	/*
	 * TODO: getaddrinfo(NULL, SERVICE) with AI_PASSIVE and AF_INET6;
	 * socket(); IPV6_V6ONLY set to 0; SO_REUSEADDR; bind(); listen().
	 * Where socket() fails with EAFNOSUPPORT, the same with AF_INET.
	 */
	(void)service;
	(void)backlog;
	*gaierr = 0;
	fprintf(stderr, "tcp_listen_any: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: one listener that IPv4 and IPv6 clients both reach */
