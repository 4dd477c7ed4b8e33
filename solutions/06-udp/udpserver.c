/*
 * udpserver.c - a UDP echo server.
 *
 * usage: udpserver [-b SIZE] <port>
 *
 * Binds 127.0.0.1:PORT and sends every datagram it receives back to the
 * address and port it came from: the same bytes, one reply per datagram. A
 * datagram longer than the server's buffer (SIZE bytes; by default 65507,
 * the largest UDP payload over IPv4) is reported and dropped, never echoed
 * cut short. One client's datagram, however odd, never stops the server.
 * SIGTERM or SIGINT stops it with exit status 0.
 */

/* ---- provided: do not change ---- */

#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP). */
#define MAX_DATAGRAM 65507

/* Set by the SIGTERM/SIGINT handler; the loop checks it after EINTR. */
static volatile sig_atomic_t stop;

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: udpserver [-b SIZE] <port>\n");
	exit(2);
}

/* on_stop_signal - SIGTERM/SIGINT handler: ask the loop to stop. */
static void
on_stop_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * install_signal_handlers - make SIGTERM and SIGINT set the stop flag.
 *
 * The handler is installed WITHOUT SA_RESTART, so a blocked recvfrom()
 * returns -1 with errno EINTR when the signal arrives.
 * Returns 0, or -1 with errno set.
 */
static int
install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = 0; /* no SA_RESTART: see above */
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0)
		return -1;
	return 0;
}

void addr_text(const struct sockaddr_in *sin, char *out, size_t outlen);

/*
 * addr_text - "A.B.C.D:PORT" for the IPv4 address SIN, into OUT (at least
 * PEER_TEXT_MAX bytes), for messages.
 */
void
addr_text(const struct sockaddr_in *sin, char *out, size_t outlen)
{
	char ip[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	snprintf(out, outlen, "%s:%u", ip, (unsigned)ntohs(sin->sin_port));
}

/* ---- your code below ---- */

int open_udp_socket(int port);
ssize_t recv_datagram(int fd, void *buf, size_t size, struct sockaddr_in *from);
ssize_t send_datagram(int fd, const void *buf, size_t len,
    const struct sockaddr_in *to);
int echo_datagrams(int fd, size_t bufsize);

/*
 * open_udp_socket - a UDP socket bound to 127.0.0.1:PORT.
 *
 * Reports the call that failed on stderr ("bind 127.0.0.1:8080: Address
 * already in use").
 * Returns the descriptor, or -1 (no descriptor left open).
 */
int
open_udp_socket(int port)
{
	struct sockaddr_in addr;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		warn("socket");
		return -1;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		warn("bind 127.0.0.1:%d", port);
		goto bind_failed;
	}
	return fd;

bind_failed:
	close(fd);
	return -1;
}

/*
 * recv_datagram - receive one datagram on FD: its first SIZE bytes into
 * BUF, its sender's address into *FROM.
 *
 * MSG_TRUNC makes recvfrom() return the datagram's real length even when
 * it was longer than SIZE (the rest is lost: one call, one datagram).
 * Returns the datagram's length: 0 for an empty datagram, more than SIZE
 * when it did not fit; -1 with errno set if recvfrom() failed (EINTR
 * included: the caller decides whether to stop).
 */
ssize_t
recv_datagram(int fd, void *buf, size_t size, struct sockaddr_in *from)
{
	socklen_t len = sizeof(*from);

	return recvfrom(fd, buf, size, MSG_TRUNC, (struct sockaddr *)from,
	    &len);
}

/*
 * send_datagram - send the LEN bytes of BUF as one datagram to *TO.
 *
 * A datagram goes whole or not at all; EINTR before it went means "send
 * it again".
 * Returns LEN, or -1 with errno set.
 */
ssize_t
send_datagram(int fd, const void *buf, size_t len, const struct sockaddr_in *to)
{
	ssize_t n;

	do
		n = sendto(fd, buf, len, 0, (const struct sockaddr *)to,
		    sizeof(*to));
	while (n < 0 && errno == EINTR);
	if (n >= 0 && (size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

/*
 * recv_error_is_transient - whether recvfrom() failing with ERR concerns
 * one peer only (an ICMP error about an earlier reply), not the socket.
 */
static int
recv_error_is_transient(int err)
{
	switch (err) {
	case ECONNREFUSED:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENOBUFS:
	case ENOMEM:
		return 1;
	default:
		return 0;
	}
}

/*
 * echo_datagrams - send every datagram received on FD back to its sender,
 * until SIGTERM or SIGINT asks to stop.
 *
 * Each datagram is received into a buffer of BUFSIZE bytes and answered
 * with exactly its bytes, to the address recvfrom() gave. One longer than
 * BUFSIZE is reported and dropped. A problem with one peer (a failed reply,
 * an ICMP error) is reported and the next datagram served.
 * Returns 0 when asked to stop, -1 if the socket itself failed.
 */
int
echo_datagrams(int fd, size_t bufsize)
{
	struct sockaddr_in from;
	char peer[PEER_TEXT_MAX];
	char *buf;
	ssize_t n;
	int status = 0;

	buf = malloc(bufsize);
	if (buf == NULL) {
		warn("malloc %zu bytes", bufsize);
		return -1;
	}
	while (!stop) {
		n = recv_datagram(fd, buf, bufsize, &from);
		if (n < 0 && errno == EINTR)
			continue; /* the loop checks stop */
		if (n < 0 && recv_error_is_transient(errno)) {
			warn("recvfrom");
			continue;
		}
		if (n < 0) {
			warn("recvfrom");
			status = -1;
			break;
		}
		addr_text(&from, peer, sizeof(peer));
		if ((size_t)n > bufsize) {
			warnx(
			    "datagram of %zd bytes from %s is longer than the "
			    "%zu-byte buffer: dropped, not echoed",
			    n, peer, bufsize);
			continue;
		}
		if (send_datagram(fd, buf, (size_t)n, &from) < 0)
			warn("sendto %s", peer);
	}
	free(buf);
	return status;
}

int
main(int argc, char **argv)
{
	long port, bufsize = MAX_DATAGRAM;
	int ch, fd, status;

	while ((ch = getopt(argc, argv, "b:")) != -1) {
		switch (ch) {
		case 'b':
			if (parse_long(optarg, 1, MAX_DATAGRAM, &bufsize) < 0)
				errx(1,
				    "invalid buffer size '%s' (expected a "
				    "number from 1 to %d)",
				    optarg, MAX_DATAGRAM);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (parse_long(argv[optind], 1, 65535, &port) < 0)
		errx(1, "invalid port '%s' (expected a number from 1 to 65535)",
		    argv[optind]);
	if (install_signal_handlers() < 0)
		err(1, "sigaction");

	fd = open_udp_socket((int)port);
	if (fd < 0)
		return 1;
	status = echo_datagrams(fd, (size_t)bufsize) < 0 ? 1 : 0;
	close(fd);
	return status;
}
