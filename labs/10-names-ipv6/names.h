/*
 * names.h - host names, IPv6 and dual-stack TCP sockets.
 *
 * Provided: do not change this file. You write names.c.
 *
 * One convention throughout, the course's: a function that fails returns
 * -1 with errno set and leaves no descriptor and no memory of its own
 * behind. The caller reports (nametool.c says what it was doing).
 */
#ifndef NAMES_H
#define NAMES_H

#include <stddef.h>
#include <sys/socket.h>

/* Room for "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535" and NUL. */
#define ADDR_TEXT_MAX 64

/* tcp_connect_name()'s result when the name did not resolve. */
#define NAME_UNRESOLVED (-2)

/*
 * format_addr - the address SA (LEN bytes, as accept(), getpeername() or
 * getaddrinfo() gave it) as text in BUF (SIZE bytes, ADDR_TEXT_MAX is
 * enough), numeric, with its port in host order:
 *     IPv4                          127.0.0.1:8080
 *     IPv6                          [::1]:8080     (brackets: the address
 *                                                   has colons of its own)
 *     IPv4-mapped IPv6 ::ffff:a.b.c.d  a.b.c.d:8080 (an IPv4 peer of a
 *                                                   dual-stack socket)
 * Returns 0; -1 with errno set (EAFNOSUPPORT for a family other than
 * AF_INET and AF_INET6, ENOSPC when SIZE is too small).
 */
int format_addr(const struct sockaddr *sa, socklen_t len, char *buf,
    size_t size);

/*
 * connect_addr - a TCP socket of SA's family connected to SA (LEN bytes),
 * giving up after TIMEOUT_MS milliseconds (TIMEOUT_MS >= 1) when no answer
 * comes. The descriptor returned is in blocking mode.
 * Returns the connected descriptor; -1 with errno set (ECONNREFUSED,
 * ETIMEDOUT, ...), with the socket closed.
 */
int connect_addr(const struct sockaddr *sa, socklen_t len, int timeout_ms);

/*
 * tcp_connect_name - a TCP connection to HOST (a name or a numeric IPv4 or
 * IPv6 address) on SERVICE (a port number or a service name).
 *
 * Tries every address getaddrinfo() returns for HOST, IPv6 and IPv4 alike,
 * once each, in the order it returns them, with connect_addr() and a limit
 * of TIMEOUT_MS for each; stops at the first that connects. It may report
 * each failed attempt on stderr ("connect ADDR: REASON").
 * Returns the connected descriptor; -1 with errno set to why the LAST
 * address failed when none connected (every socket closed);
 * NAME_UNRESOLVED when getaddrinfo() failed, with *GAIERR set to its
 * EAI_* code (gai_strerror() reads it; EAI_SYSTEM: errno holds why).
 * getaddrinfo()'s list is freed on every path.
 */
int tcp_connect_name(const char *host, const char *service, int timeout_ms,
    int *gaierr);

/*
 * tcp_listen_any - one TCP socket listening on SERVICE (a port number or a
 * service name) on every local address, IPv6 and IPv4 alike, with room for
 * BACKLOG connections not accepted yet, and SO_REUSEADDR set.
 *
 * Dual-stack: an AF_INET6 socket bound to [::] with IPV6_V6ONLY turned off
 * (IPv4 clients then arrive as ::ffff:a.b.c.d), whatever the system's
 * default (net.ipv6.bindv6only) is. Where the system has no IPv6 at all,
 * an AF_INET socket on 0.0.0.0 instead.
 * Returns the listening descriptor; -1 with errno set (EADDRINUSE, ...);
 * NAME_UNRESOLVED when SERVICE is no port, with *GAIERR set as above.
 */
int tcp_listen_any(const char *service, int backlog, int *gaierr);

#endif /* NAMES_H */
