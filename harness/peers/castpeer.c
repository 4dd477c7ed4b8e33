/*
 * castpeer.c - a UDP broadcast and multicast test peer: a listener that
 * writes down every datagram with the interface it arrived on, or a sender
 * of one broadcast or multicast datagram.
 *
 * listen: binds 0.0.0.0:PORT (SO_REUSEADDR and SO_REUSEPORT, so that it
 * shares the port with a student's listeners), joins each -j GROUP@IFADDR,
 * logs "ready", then logs every datagram it receives until SIGTERM:
 *     recv SIZE FROM if=IFNAME to=DST ttl=TTL TEXT
 * (TEXT: the bytes, with anything unprintable as '.'). Tests read the log to
 * see on which interface a student's multicast datagram was sent, and with
 * which TTL.
 *
 * send: sends TEXT as one datagram to ADDR:PORT from 127.0.0.1:-l PORT (or
 * a port the kernel picks), with SO_BROADCAST (-b), and for a multicast
 * ADDR on the interface whose address is -i IFADDR (default 127.0.0.1).
 * Logs "sent SIZE FROM" or "error CALL: STRERROR" (exit 1).
 *
 * Used only inside a test's private network namespace. See docs/harness.md.
 */
#include "peerutil.h"
#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_DATAGRAM 65507
#define MAX_JOINS 8
#define TEXT_MAX 200

/* usage - print the command line summary on stderr and exit 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: castpeer [-o LOG] [-j GROUP@IFADDR]... listen PORT\n"
	    "       castpeer [-o LOG] [-b] [-i IFADDR] [-l PORT] send "
	    "ADDR:PORT TEXT\n");
	exit(2);
}

/* on_terminate - SIGTERM/SIGINT handler: exit at once with status 0. */
static void
on_terminate(int sig)
{
	(void)sig;
	_exit(0);
}

/* parse_in - dotted-quad TEXT into *ADDR, or exit 2. */
static void
parse_in(const char *text, struct in_addr *addr)
{
	if (inet_pton(AF_INET, text, addr) != 1)
		errx(2, "bad IPv4 address '%s'", text);
}

/* log_datagram - the "recv" line for N bytes of BUF received as MSG. */
static void
log_datagram(const char *buf, ssize_t n, const struct sockaddr_in *from,
    struct msghdr *msg)
{
	char peer[64], dst[INET_ADDRSTRLEN] = "?", ifname[IF_NAMESIZE] = "?";
	char text[TEXT_MAX + 1];
	struct cmsghdr *c;
	struct in_pktinfo pi;
	int ttl = -1;
	size_t i, len = (size_t)n < TEXT_MAX ? (size_t)n : TEXT_MAX;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != IPPROTO_IP)
			continue;
		if (c->cmsg_type == IP_PKTINFO) {
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			if (if_indextoname((unsigned)pi.ipi_ifindex, ifname) ==
			    NULL)
				snprintf(ifname, sizeof(ifname), "%d",
				    pi.ipi_ifindex);
			inet_ntop(AF_INET, &pi.ipi_addr, dst, sizeof(dst));
		} else if (c->cmsg_type == IP_TTL) {
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
		}
	}
	for (i = 0; i < len; i++)
		text[i] = buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '.';
	text[len] = '\0';
	inet_ntop(AF_INET, &from->sin_addr, peer, sizeof(peer));
	log_event("recv %zd %s:%u if=%s to=%s ttl=%d %s", n, peer,
	    (unsigned)ntohs(from->sin_port), ifname, dst, ttl, text);
}

/* do_listen - the listen mode; never returns but by SIGTERM or an error. */
static int
do_listen(long port, char **joins, int njoins)
{
	static char buf[MAX_DATAGRAM];
	char control[256];
	struct sockaddr_in addr, from;
	struct ip_mreq mreq;
	struct iovec iov;
	struct msghdr msg;
	int fd, i, on = 1;
	ssize_t n;
	char *at;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		err(1, "socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on)) < 0)
		err(1, "setsockopt");
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		log_event("error bind: %s", strerror(errno));
		err(1, "bind 0.0.0.0:%ld", port);
	}
	for (i = 0; i < njoins; i++) {
		memset(&mreq, 0, sizeof(mreq));
		at = strchr(joins[i], '@');
		if (at == NULL)
			usage();
		*at = '\0';
		parse_in(joins[i], &mreq.imr_multiaddr);
		parse_in(at + 1, &mreq.imr_interface);
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
		        sizeof(mreq)) < 0) {
			log_event("error IP_ADD_MEMBERSHIP: %s",
			    strerror(errno));
			err(1, "IP_ADD_MEMBERSHIP %s@%s", joins[i], at + 1);
		}
	}
	log_event("ready 0.0.0.0:%ld", port);
	for (;;) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		n = recvmsg(fd, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "recvmsg");
		log_datagram(buf, n, &from, &msg);
	}
}

/* do_send - the send mode: one datagram. Returns the exit status. */
static int
do_send(const char *dest, const char *text, int broadcast,
    struct in_addr ifaddr, long local_port)
{
	struct peer_addr to;
	struct sockaddr_in local;
	socklen_t len = sizeof(local);
	char from[64];
	const char *why;
	int fd, on = 1;

	if (peer_addr_parse(dest, PEER_ADDR_HOSTPORT, &to, &why) < 0 ||
	    to.is_unix)
		errx(2, "bad address '%s'", dest);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		err(1, "socket");
	memset(&local, 0, sizeof(local));
	local.sin_family = AF_INET;
	local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	local.sin_port = htons((uint16_t)local_port);
	if ((broadcast &&
	        setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) <
	            0) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifaddr,
	        sizeof(ifaddr)) < 0)
		err(1, "setsockopt");
	if (ifaddr.s_addr == htonl(INADDR_LOOPBACK) &&
	    bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0)
		err(1, "bind 127.0.0.1:%ld", local_port);
	if (sendto(fd, text, strlen(text), 0, (struct sockaddr *)&to.ss,
	        to.len) < 0) {
		log_event("error sendto: %s", strerror(errno));
		warn("sendto %s", to.text);
		close(fd);
		return 1;
	}
	if (getsockname(fd, (struct sockaddr *)&local, &len) < 0)
		err(1, "getsockname");
	inet_ntop(AF_INET, &local.sin_addr, from, sizeof(from));
	log_event("sent %zu %s:%u", strlen(text), from,
	    (unsigned)ntohs(local.sin_port));
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	char *joins[MAX_JOINS];
	struct in_addr ifaddr;
	long port, local_port = 0;
	int ch, njoins = 0, broadcast = 0;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_terminate);
	signal(SIGINT, on_terminate);
	ifaddr.s_addr = htonl(INADDR_LOOPBACK);
	while ((ch = getopt(argc, argv, "o:j:bi:l:")) != -1) {
		switch (ch) {
		case 'o':
			if (log_open(optarg) < 0)
				err(2, "%s", optarg);
			break;
		case 'j':
			if (njoins == MAX_JOINS)
				errx(2, "at most %d -j", MAX_JOINS);
			joins[njoins++] = optarg;
			break;
		case 'b':
			broadcast = 1;
			break;
		case 'i':
			parse_in(optarg, &ifaddr);
			break;
		case 'l':
			if (parse_long(optarg, 0, 65535, &local_port) < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 2 && strcmp(argv[0], "listen") == 0) {
		if (parse_long(argv[1], 1, 65535, &port) < 0)
			usage();
		return do_listen(port, joins, njoins);
	}
	if (argc == 3 && strcmp(argv[0], "send") == 0)
		return do_send(argv[1], argv[2], broadcast, ifaddr, local_port);
	usage();
	return 2;
}
