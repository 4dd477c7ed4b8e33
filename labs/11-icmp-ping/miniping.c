/*
 * miniping.c - the driver that puts icmp.c to work: a small ping(8).
 *
 * Provided: do not change this file. You write icmp.c.
 *
 *   miniping [-r] [-c COUNT] [-W MS] [-s SIZE] [-e ID] ADDR
 *
 * Sends COUNT (default 3) echo requests to the IPv4 address ADDR, one after
 * another, each with ping_once() and a wait of MS milliseconds (default
 * 1000) for its reply; the sequence numbers count from 1. The payload is
 * SIZE bytes (default 56, at most ECHO_MAX_DATA), byte i holding i % 256.
 *
 * Without -r the socket is an ICMP datagram socket, socket(AF_INET,
 * SOCK_DGRAM, IPPROTO_ICMP), which needs no privilege where the system's
 * net.ipv4.ping_group_range admits the user's group; the kernel picks the
 * identifier (the socket's "port", read back with getsockname()). With -r
 * it is a raw socket, socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), which needs
 * CAP_NET_RAW; the identifier is ID (-e, default 0x4d50).
 *
 * Prints "PING ADDR: SIZE data bytes, id ID, raw|datagram socket", then for
 * each request "reply seq N time T ms" (T with three decimals) or "timeout
 * seq N", then "--- ADDR: S sent, R received, L lost".
 *
 * Exit status, as ping(8)'s: 0 if at least one reply came, 1 if none did,
 * 2 on bad usage or a failed call.
 */
#include "icmp.h"
#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void usage(void);
static int open_socket(int raw, uint16_t *id);

/*
 * usage - say how miniping is run, and exit 2.
 */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: miniping [-r] [-c COUNT] [-W MS] [-s SIZE] [-e ID] ADDR\n");
	exit(2);
}

/*
 * open_socket - an ICMP socket: raw if RAW, a datagram socket otherwise,
 * whose identifier (the kernel's choice) is stored in *ID.
 * Returns the descriptor; -1 with errno set.
 */
static int
open_socket(int raw, uint16_t *id)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int fd, saved;

	fd = socket(AF_INET, raw ? SOCK_RAW : SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0 || raw)
		return fd;
	/* Binding to port 0 makes the kernel pick the identifier now. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen) < 0)
		goto fail_bind;
	*id = ntohs(sin.sin_port);
	return fd;
fail_bind:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
main(int argc, char **argv)
{
	unsigned char payload[ECHO_MAX_DATA];
	struct sockaddr_in dst;
	long count = 3, wait_ms = 1000, size = 56, id = 0x4d50, rtt_us, i;
	long received = 0;
	uint16_t ident;
	int ch, raw = 0, fd, r;

	while ((ch = getopt(argc, argv, "rc:W:s:e:")) != -1) {
		switch (ch) {
		case 'r':
			raw = 1;
			break;
		case 'c':
			if (parse_long(optarg, 1, 1000, &count) < 0)
				errx(2, "bad count '%s'", optarg);
			break;
		case 'W':
			if (parse_long(optarg, 1, 60000, &wait_ms) < 0)
				errx(2, "bad wait '%s'", optarg);
			break;
		case 's':
			if (parse_long(optarg, 0, ECHO_MAX_DATA, &size) < 0)
				errx(2, "bad size '%s'", optarg);
			break;
		case 'e':
			if (parse_long(optarg, 0, 65535, &id) < 0)
				errx(2, "bad identifier '%s'", optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	if (inet_pton(AF_INET, argv[optind], &dst.sin_addr) != 1)
		errx(2, "bad IPv4 address '%s'", argv[optind]);
	for (i = 0; i < size; i++)
		payload[i] = (unsigned char)(i % 256);

	ident = (uint16_t)id;
	if ((fd = open_socket(raw, &ident)) < 0)
		err(2, "%s ICMP socket", raw ? "raw" : "datagram");
	printf("PING %s: %ld data bytes, id %u, %s socket\n", argv[optind],
	    size, ident, raw ? "raw" : "datagram");
	fflush(stdout);
	for (i = 1; i <= count; i++) {
		r = ping_once(fd, raw, &dst, ident, (uint16_t)i, payload,
		    (size_t)size, (int)wait_ms, &rtt_us);
		if (r < 0) {
			warn("ping seq %ld", i);
			close(fd);
			return 2;
		}
		if (r == 1) {
			received++;
			printf("reply seq %ld time %ld.%03ld ms\n", i,
			    rtt_us / 1000, rtt_us % 1000);
		} else {
			printf("timeout seq %ld\n", i);
		}
		fflush(stdout);
	}
	printf("--- %s: %ld sent, %ld received, %ld lost\n", argv[optind],
	    count, received, count - received);
	close(fd);
	return received > 0 ? 0 : 1;
}
