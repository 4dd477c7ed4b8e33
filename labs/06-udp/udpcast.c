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
 * open_sender - a UDP socket ready to send to *TO: SO_BROADCAST set if
 * BROADCAST; for a multicast *TO, sending on the interface whose address is
 * IFADDR, with TTL 1, looped back to this host.
 * Returns the descriptor, or -1 after reporting what failed.
 */
int
open_sender(const struct sockaddr_in *to, int broadcast, struct in_addr ifaddr)
{
	(void)to;
	(void)broadcast;
	(void)ifaddr;
	/* TODO: socket(); SO_BROADCAST if asked; for 224.0.0.0/4: IP_MULTICAST_IF, _TTL, _LOOP. */
	fprintf(stderr, "open_sender: not implemented yet\n");
	return -1;
} /* must: on failure report the call that failed (e.g. "setsockopt SO_BROADCAST: ...") and close the socket */

/*
 * open_listener - a UDP socket bound to INADDR_ANY:PORT that other
 * listeners may share.
 * Returns the descriptor, or -1 after reporting what failed.
 */
int
open_listener(int port)
{
	(void)port;
	/* TODO: socket(), SO_REUSEADDR, then bind(INADDR_ANY, htons(port)). */
	fprintf(stderr, "open_listener: not implemented yet\n");
	return -1;
} /* must: bind every address (a socket bound to 127.0.0.1 gets no broadcast); set SO_REUSEADDR before bind() */

/*
 * join_group - make FD a member of the multicast GROUP on the loopback
 * interface (127.0.0.1).
 * Returns 0, or -1 after reporting what failed.
 */
int
join_group(int fd, struct in_addr group)
{
	(void)fd;
	(void)group;
	/* TODO: IP_ADD_MEMBERSHIP with a struct ip_mreq: the group, and the interface 127.0.0.1. */
	fprintf(stderr, "join_group: not implemented yet\n");
	return -1;
} /* must: name the interface: INADDR_ANY lets the kernel pick one, by its route to the group */

/*
 * print_datagrams - print every datagram received on FD with
 * print_datagram(), until SIGTERM or SIGINT asks to stop.
 * Returns 0 when asked to stop, -1 if the socket itself failed.
 */
int
print_datagrams(int fd)
{
	(void)fd;
	/* TODO: loop until stop: recvfrom() into a buffer of MAX_DATAGRAM bytes, then print_datagram(). */
	fprintf(stderr, "print_datagrams: not implemented yet\n");
	return -1;
} /* must: a fresh address length before each recvfrom(); EINTR with stop unset means receive again */

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
