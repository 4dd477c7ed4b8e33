/*
 * udpcast.c - send one UDP datagram to many listeners (broadcast or
 * multicast), or listen for them.
 *
 * usage: udpcast send [-b] [-i IFADDR] <addr> <port> <text>
 *        udpcast listen [-g GROUP] <port>
 *
 * send: sends TEXT as one datagram to ADDR:PORT and exits 0, or reports
 * what failed and exits 1. With -b the datagram may go to a broadcast
 * address (SO_BROADCAST). To a multicast address (224.0.0.0/4) it goes out
 * on the interface whose address is IFADDR (by default 127.0.0.1, the
 * loopback interface), with a TTL of 1 (never past the first router), and
 * is looped back to this host's own listeners.
 *
 * listen: binds every local address (INADDR_ANY) at PORT, sharing the port
 * with other listeners (SO_REUSEADDR), joins GROUP on the loopback
 * interface if -g is given, and prints every datagram it receives as one
 * line, "SENDER-ADDRESS:PORT TEXT", until SIGTERM or SIGINT stops it (exit
 * status 0).
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
	fprintf(stderr,
	    "usage: udpcast send [-b] [-i IFADDR] <addr> <port> <text>\n"
	    "       udpcast listen [-g GROUP] <port>\n");
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
void print_datagram(const struct sockaddr_in *from, const char *buf,
    size_t len);

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

/*
 * print_datagram - print the LEN bytes of BUF, a datagram from *FROM, as
 * one line "A.B.C.D:PORT TEXT" on stdout, at once (flushed).
 */
void
print_datagram(const struct sockaddr_in *from, const char *buf, size_t len)
{
	char peer[PEER_TEXT_MAX];

	addr_text(from, peer, sizeof(peer));
	printf("%s %.*s\n", peer, (int)len, buf);
	fflush(stdout);
}

/* parse_ipv4 - the dotted-quad TEXT into *ADDR, or exit naming WHAT. */
static void
parse_ipv4(const char *text, const char *what, struct in_addr *addr)
{
	if (inet_pton(AF_INET, text, addr) != 1)
		errx(1, "invalid %s '%s' (expected an IPv4 address)", what,
		    text);
}

/* ---- your code below ---- */

int open_sender(const struct sockaddr_in *to, int broadcast,
    struct in_addr ifaddr);
int open_listener(int port);
int join_group(int fd, struct in_addr group);
int print_datagrams(int fd);

/*
 * open_sender - a UDP socket ready to send to *TO.
 *
 * With BROADCAST, SO_BROADCAST is set: without it, sendto() a broadcast
 * address fails with EACCES. When *TO is a multicast address (224.0.0.0/4),
 * datagrams go out on the interface whose address is IFADDR
 * (IP_MULTICAST_IF), with a TTL of 1 (IP_MULTICAST_TTL) and a copy looped
 * back to this host's listeners (IP_MULTICAST_LOOP).
 * Reports the call that failed on stderr ("setsockopt SO_BROADCAST: ...").
 * Returns the descriptor, or -1 (no descriptor left open).
 */
int
open_sender(const struct sockaddr_in *to, int broadcast, struct in_addr ifaddr)
{
	unsigned char ttl = 1, loop = 1;
	int fd, on = 1;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		warn("socket");
		return -1;
	}
	if (broadcast &&
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) < 0) {
		warn("setsockopt SO_BROADCAST");
		goto setup_failed;
	}
	if (!IN_MULTICAST(ntohl(to->sin_addr.s_addr)))
		return fd;
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifaddr,
	        sizeof(ifaddr)) < 0) {
		warn("setsockopt IP_MULTICAST_IF");
		goto setup_failed;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) <
	    0) {
		warn("setsockopt IP_MULTICAST_TTL");
		goto setup_failed;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) <
	    0) {
		warn("setsockopt IP_MULTICAST_LOOP");
		goto setup_failed;
	}
	return fd;

setup_failed:
	close(fd);
	return -1;
}

/*
 * open_listener - a UDP socket bound to INADDR_ANY:PORT that other
 * listeners may share (SO_REUSEADDR, set before bind()).
 *
 * Bound to every address, it receives datagrams sent to a broadcast or
 * multicast address as well as to its own; one bound to 127.0.0.1 would
 * not.
 * Reports the call that failed on stderr ("bind 0.0.0.0:8080: ...").
 * Returns the descriptor, or -1 (no descriptor left open).
 */
int
open_listener(int port)
{
	struct sockaddr_in addr;
	int fd, on = 1;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		warn("socket");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0) {
		warn("setsockopt SO_REUSEADDR");
		goto setup_failed;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		warn("bind 0.0.0.0:%d", port);
		goto setup_failed;
	}
	return fd;

setup_failed:
	close(fd);
	return -1;
}

/*
 * join_group - make FD a member of the multicast GROUP on the loopback
 * interface (IP_ADD_MEMBERSHIP, interface 127.0.0.1).
 *
 * The interface must be named: with INADDR_ANY the kernel picks the one its
 * route to GROUP leads to, which need not be loopback.
 * Reports a failure on stderr ("setsockopt IP_ADD_MEMBERSHIP 239.0.6.1:
 * ...").
 * Returns 0, or -1.
 */
int
join_group(int fd, struct in_addr group)
{
	struct ip_mreq mreq;
	char text[INET_ADDRSTRLEN];

	memset(&mreq, 0, sizeof(mreq));
	mreq.imr_multiaddr = group;
	mreq.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) <
	    0) {
		if (inet_ntop(AF_INET, &group, text, sizeof(text)) == NULL)
			snprintf(text, sizeof(text), "?");
		warn("setsockopt IP_ADD_MEMBERSHIP %s", text);
		return -1;
	}
	return 0;
}

/*
 * print_datagrams - print every datagram received on FD with
 * print_datagram(), until SIGTERM or SIGINT asks to stop.
 *
 * EINTR with the stop flag unset is retried.
 * Returns 0 when asked to stop, -1 if recvfrom() failed otherwise.
 */
int
print_datagrams(int fd)
{
	static char buf[MAX_DATAGRAM];
	struct sockaddr_in from;
	socklen_t fromlen;
	ssize_t n;

	while (!stop) {
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		    &fromlen);
		if (n < 0 && errno == EINTR)
			continue; /* the loop checks stop */
		if (n < 0) {
			warn("recvfrom");
			return -1;
		}
		print_datagram(&from, buf, (size_t)n);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in to;
	struct in_addr ifaddr, group;
	const char *mode;
	long port;
	int ch, fd, broadcast = 0, joining = 0, status = 0;
	ssize_t n;

	if (argc < 2)
		usage();
	mode = argv[1];
	argc--;
	argv++;
	ifaddr.s_addr = htonl(INADDR_LOOPBACK);
	while ((ch = getopt(argc, argv,
	            strcmp(mode, "send") == 0 ? "bi:" : "g:")) != -1) {
		switch (ch) {
		case 'b':
			broadcast = 1;
			break;
		case 'i':
			parse_ipv4(optarg, "interface address", &ifaddr);
			break;
		case 'g':
			parse_ipv4(optarg, "group", &group);
			if (!IN_MULTICAST(ntohl(group.s_addr)))
				errx(1,
				    "invalid group '%s' (expected a multicast "
				    "address, 224.0.0.0 to 239.255.255.255)",
				    optarg);
			joining = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(mode, "send") == 0 && argc == 3) {
		memset(&to, 0, sizeof(to));
		to.sin_family = AF_INET;
		parse_ipv4(argv[0], "address", &to.sin_addr);
		if (parse_long(argv[1], 1, 65535, &port) < 0)
			errx(1,
			    "invalid port '%s' (expected a number from 1 to "
			    "65535)",
			    argv[1]);
		to.sin_port = htons((uint16_t)port);
		fd = open_sender(&to, broadcast, ifaddr);
		if (fd < 0)
			return 1;
		n = sendto(fd, argv[2], strlen(argv[2]), 0,
		    (struct sockaddr *)&to, sizeof(to));
		if (n < 0) {
			warn("sendto %s:%ld", argv[0], port);
			status = 1;
		}
		close(fd);
		return status;
	}
	if (strcmp(mode, "listen") != 0 || argc != 1)
		usage();
	if (parse_long(argv[0], 1, 65535, &port) < 0)
		errx(1, "invalid port '%s' (expected a number from 1 to 65535)",
		    argv[0]);
	if (install_signal_handlers() < 0)
		err(1, "sigaction");
	fd = open_listener((int)port);
	if (fd < 0)
		return 1;
	if (joining && join_group(fd, group) < 0)
		status = 1;
	else if (print_datagrams(fd) < 0)
		status = 1;
	close(fd);
	return status;
}
