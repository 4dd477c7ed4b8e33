/*
 * netopt.h - timeouts and socket options on TCP sockets.
 *
 * Provided: do not change this file. You write netopt.c.
 *
 * One convention throughout, the course's: a function that fails returns
 * -1 with errno set, prints nothing, and leaves no descriptor of its own
 * open. The caller reports (optool.c says what it was doing).
 */
#ifndef NETOPT_H
#define NETOPT_H

#include <netinet/in.h>
#include <stdint.h>

/*
 * listen_reuse - a TCP socket bound to 127.0.0.1:PORT and listening, with
 * room for BACKLOG connections that are not accepted yet.
 *
 * SO_REUSEADDR is set before bind(), so the port can be bound again at once
 * while connections of an earlier run of the server wait in TIME_WAIT.
 * Returns the listening descriptor; -1 with errno set (EADDRINUSE when
 * another socket listens on PORT).
 */
int listen_reuse(uint16_t port, int backlog);

/*
 * connect_timeout - a TCP socket connected to ADDR, giving up after
 * TIMEOUT_MS milliseconds (TIMEOUT_MS >= 1).
 *
 * The connection is started without blocking and waited for with a time
 * limit; whether it succeeded is then asked of the socket. The descriptor
 * returned is in blocking mode again, as a socket from socket() is.
 * Returns the connected descriptor; -1 with errno set: ETIMEDOUT when no
 * answer came within TIMEOUT_MS (never earlier), ECONNREFUSED when the peer
 * refused (at once, not after the time limit), or why it failed otherwise.
 */
int connect_timeout(const struct sockaddr_in *addr, int timeout_ms);

/*
 * set_read_timeout - make every later blocking read on FD give up after
 * TIMEOUT_MS milliseconds (TIMEOUT_MS >= 1; a read that times out fails
 * with EAGAIN or EWOULDBLOCK). 0 would mean "wait forever": it is refused
 * with EINVAL.
 * Returns 0; -1 with errno set.
 */
int set_read_timeout(int fd, int timeout_ms);

/*
 * accept_client - accept the next connection on LISTEN_FD and give IT a
 * read timeout of TIMEOUT_MS milliseconds (set_read_timeout). EINTR is
 * retried.
 * Returns the connected descriptor; -1 with errno set (nothing left open).
 */
int accept_client(int listen_fd, int timeout_ms);

/*
 * set_keepalive - turn TCP keepalive on for FD: after IDLE seconds without
 * traffic the kernel sends a probe, then one every INTVL seconds, and
 * drops the connection (ETIMEDOUT) after COUNT probes go unanswered.
 * Returns 0; -1 with errno set.
 */
int set_keepalive(int fd, int idle, int intvl, int count);

/*
 * set_nodelay - ON 1: turn Nagle's algorithm off on FD (TCP_NODELAY), so
 * small writes go out at once; ON 0: turn it back on.
 * Returns 0; -1 with errno set.
 */
int set_nodelay(int fd, int on);

/*
 * set_bufsizes - ask for a receive buffer of RCVBUF bytes and a send buffer
 * of SNDBUF bytes on FD (0: leave that one as it is). Linux doubles what it
 * is asked for (the rest is its bookkeeping), and reads back the doubled
 * value. Call it before connect() or listen(): the window scale a
 * connection uses is chosen from the receive buffer in the handshake.
 * Returns 0; -1 with errno set.
 */
int set_bufsizes(int fd, int rcvbuf, int sndbuf);

/* What tcp_stats() reports about a connection, from the kernel's TCP_INFO. */
struct tcp_stats {
	unsigned int state;         /* TCP_ESTABLISHED, ... (netinet/tcp.h) */
	unsigned int rtt_us;        /* smoothed round-trip time, microseconds */
	unsigned int rttvar_us;     /* its variation, microseconds */
	unsigned int snd_mss;       /* the sender's maximum segment size */
	unsigned int snd_cwnd;      /* the congestion window, in segments */
	unsigned int total_retrans; /* segments retransmitted, in all */
};

/*
 * tcp_stats - fill *ST from the kernel's TCP_INFO for the connection FD.
 * Returns 0; -1 with errno set.
 */
int tcp_stats(int fd, struct tcp_stats *st);

#endif /* NETOPT_H */
