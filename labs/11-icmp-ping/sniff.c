/*
 * sniff.c - the driver that puts parse_segment() to work: a small sniffer
 * of the TCP segments that arrive on this machine.
 *
 * Provided: do not change this file. You write icmp.c.
 *
 *   sniff [-c COUNT]
 *
 * Opens a raw socket, socket(AF_INET, SOCK_RAW, IPPROTO_TCP) (it needs
 * CAP_NET_RAW), which receives a copy of every TCP segment the machine
 * receives, IP header first; prints "sniffing"; then for each segment one
 * line, from parse_segment():
 *
 *   tcp SRC:SPORT > DST:DPORT flags FLAGS ip_hlen N ip_len N tcp_hlen N data N
 *
 * FLAGS is the set flags as letters (F S R P A U, in that order; "-" for
 * none). A packet parse_segment() refuses is skipped. Exits 0
 * after COUNT segments (default: run until killed), 1 on a failed call,
 * 2 on bad usage.
 */
#include "icmp.h"
#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void flag_letters(unsigned flags, char *out);

/*
 * flag_letters - FLAGS as letters F S R P A U into OUT (room for 7), "-" for
 * none.
 */
static void
flag_letters(unsigned flags, char *out)
{
	static const struct {
		unsigned bit;
		char letter;
	} names[] = { { TH_FIN, 'F' }, { TH_SYN, 'S' }, { TH_RST, 'R' },
		{ TH_PUSH, 'P' }, { TH_ACK, 'A' }, { TH_URG, 'U' } };
	size_t i, n = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			out[n++] = names[i].letter;
	if (n == 0)
		out[n++] = '-';
	out[n] = '\0';
}

int
main(int argc, char **argv)
{
	unsigned char pkt[65536];
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN], flags[8];
	struct tcp_segment seg;
	long count = -1, printed = 0;
	ssize_t n;
	int ch, fd;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		switch (ch) {
		case 'c':
			if (parse_long(optarg, 1, 1000000, &count) < 0)
				errx(2, "bad count '%s'", optarg);
			break;
		default:
			fprintf(stderr, "usage: sniff [-c COUNT]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: sniff [-c COUNT]\n");
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_RAW, IPPROTO_TCP)) < 0)
		err(1, "raw TCP socket");
	printf("sniffing\n");
	fflush(stdout);
	while (count < 0 || printed < count) {
		n = recv(fd, pkt, sizeof(pkt), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err(1, "recv");
		}
		if (parse_segment(pkt, (size_t)n, &seg) < 0)
			continue;
		inet_ntop(AF_INET, &seg.src, src, sizeof(src));
		inet_ntop(AF_INET, &seg.dst, dst, sizeof(dst));
		flag_letters(seg.flags, flags);
		printf("tcp %s:%u > %s:%u flags %s ip_hlen %u ip_len %u "
		       "tcp_hlen %u data %u\n",
		    src, seg.sport, dst, seg.dport, flags, seg.ip_hlen,
		    seg.ip_len, seg.tcp_hlen, seg.data_len);
		fflush(stdout);
		printed++;
	}
	close(fd);
	return 0;
}
