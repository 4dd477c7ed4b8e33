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
 *
 * The part above the "your code below" line is written for you. Below it,
 * main() is written too: it shows how the parts fit together. The functions
 * it relies on are yours; the README explains each step.
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
 * Returns the descriptor, or -1 after reporting what failed.
 */
int
open_udp_socket(int port)
{
	(void)port;
	/* TODO: socket(AF_INET, SOCK_DGRAM, 0), bind(127.0.0.1, htons(port)). */
	fprintf(stderr, "open_udp_socket: not implemented yet\n");
	return -1;
} /* must: on failure report it (e.g. "bind 127.0.0.1:8080: Address already in use") and close the socket */

/*
 * recv_datagram - receive one datagram on FD: its first SIZE bytes into
 * BUF, its sender's address into *FROM.
 * Returns the datagram's whole length (more than SIZE if it did not fit),
 * or -1 with errno set.
 */
ssize_t
recv_datagram(int fd, void *buf, size_t size, struct sockaddr_in *from)
{
	(void)fd;
	(void)buf;
	(void)size;
	(void)from;
	/* TODO: one recvfrom() with MSG_TRUNC, so that a datagram longer than SIZE shows. */
	fprintf(stderr, "recv_datagram: not implemented yet\n");
	return -1;
} /* must: tell a datagram that did not fit from one that did; 0 is an empty datagram, not EOF */

/*
 * send_datagram - send the LEN bytes of BUF as one datagram to *TO.
 * Returns LEN, or -1 with errno set.
 */
ssize_t
send_datagram(int fd, const void *buf, size_t len, const struct sockaddr_in *to)
{
	(void)fd;
	(void)buf;
	(void)len;
	(void)to;
	/* TODO: sendto() to *TO; retry after EINTR; anything but LEN is a failure. */
	fprintf(stderr, "send_datagram: not implemented yet\n");
	return -1;
} /* must: check what sendto() returns */

/*
 * echo_datagrams - send every datagram received on FD back to its sender,
 * until SIGTERM or SIGINT asks to stop; BUFSIZE is the buffer's size.
 * Returns 0 when asked to stop, -1 if the socket itself failed.
 */
int
echo_datagrams(int fd, size_t bufsize)
{
	(void)fd;
	(void)bufsize;
	/* TODO: loop until stop: recv_datagram(), then send_datagram() the same bytes to the sender. */
	fprintf(stderr, "echo_datagrams: not implemented yet\n");
	return -1;
} /* must: one reply per datagram, to the address recvfrom() gave; drop and report one longer than BUFSIZE; never exit on one peer's datagram */

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
