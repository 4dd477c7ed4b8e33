/*
 * icmp.c - ICMP echo (ping) by hand, and the IP and TCP headers of a
 * segment read from a raw socket.
 *
 * The functions are declared, with their contracts, in icmp.h. miniping
 * and sniff (the tests in tests/) put them to work in real programs.
 */
#include "icmp.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ---- your code below ---- */

static long us_since(const struct timespec *start);

/*
 * inet_checksum - the Internet checksum of LEN bytes (RFC 1071).
 * Returns it in network byte order.
 */
uint16_t
inet_checksum(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t sum = 0;
	uint16_t folded;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	folded = (uint16_t)~sum;
	return htons(folded);
}

/*
 * build_echo - an echo request for (ID, SEQ) carrying PAYLOAD, in BUF.
 * Returns its length.
 */
size_t
build_echo(unsigned char *buf, uint16_t id, uint16_t seq,
    const unsigned char *payload, size_t plen)
{
	uint16_t v;

	buf[0] = 8; /* echo request */
	buf[1] = 0;
	memset(buf + 2, 0, 2); /* the checksum covers a zero checksum field */
	v = htons(id);
	memcpy(buf + 4, &v, 2);
	v = htons(seq);
	memcpy(buf + 6, &v, 2);
	memcpy(buf + ECHO_HDR_LEN, payload, plen);
	v = inet_checksum(buf, ECHO_HDR_LEN + plen);
	memcpy(buf + 2, &v, 2);
	return ECHO_HDR_LEN + plen;
}

/*
 * parse_reply - whether BUF is the echo reply to (ID, SEQ).
 * Returns 1 if it is, 0 if not.
 */
int
parse_reply(const unsigned char *buf, size_t len, int raw, uint16_t id,
    uint16_t seq)
{
	uint16_t v;

	if (raw) {
		size_t hlen;

		if (len < 20 || buf[0] >> 4 != 4)
			return 0;
		hlen = (size_t)(buf[0] & 0x0f) * 4;
		if (hlen < 20 || len < hlen || buf[9] != IPPROTO_ICMP)
			return 0;
		buf += hlen;
		len -= hlen;
	}
	if (len < ECHO_HDR_LEN || buf[0] != 0 || buf[1] != 0)
		return 0;
	memcpy(&v, buf + 4, 2);
	if (ntohs(v) != id)
		return 0;
	memcpy(&v, buf + 6, 2);
	return ntohs(v) == seq;
}

/*
 * us_since - microseconds from START (CLOCK_MONOTONIC) until now.
 */
static long
us_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000000L +
	    (now.tv_nsec - start->tv_nsec) / 1000;
}

/*
 * ping_once - one echo request to DST and a wait of TIMEOUT_MS for its reply.
 * Returns 1 with *RTT_US set, 0 on a timeout, -1 with errno set.
 */
int
ping_once(int fd, int raw, const struct sockaddr_in *dst, uint16_t id,
    uint16_t seq, const unsigned char *payload, size_t plen, int timeout_ms,
    long *rtt_us)
{
	unsigned char req[ECHO_HDR_LEN + ECHO_MAX_DATA];
	unsigned char pkt[60 + ECHO_HDR_LEN + ECHO_MAX_DATA + 64];
	struct timespec sent;
	size_t len;

	len = build_echo(req, id, seq, payload, plen);
	clock_gettime(CLOCK_MONOTONIC, &sent);
	if (sendto(fd, req, len, 0, (const struct sockaddr *)dst,
	        sizeof(*dst)) < 0)
		return -1;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = timeout_ms - us_since(&sent) / 1000;
		ssize_t n;
		int ready;

		if (left <= 0)
			return 0;
		ready = poll(&pfd, 1, (int)left);
		if (ready < 0 && errno != EINTR)
			return -1;
		if (ready <= 0)
			continue; /* a signal, or the time is up: look again */
		n = recv(fd, pkt, sizeof(pkt), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (parse_reply(pkt, (size_t)n, raw, id, seq)) {
			*rtt_us = us_since(&sent);
			return 1;
		}
	}
}

/*
 * parse_segment - the IPv4 and TCP headers of PKT, into *SEG.
 * Returns 0; -1 with errno EINVAL for a packet that is not IPv4 and TCP or
 * is shorter than its headers.
 */
int
parse_segment(const unsigned char *pkt, size_t len, struct tcp_segment *seg)
{
	const unsigned char *tcp;
	uint16_t v;

	if (len < 20 || pkt[0] >> 4 != 4 || pkt[9] != IPPROTO_TCP)
		goto invalid;
	seg->ip_hlen = (unsigned)(pkt[0] & 0x0f) * 4;
	memcpy(&v, pkt + 2, 2);
	seg->ip_len = ntohs(v);
	if (seg->ip_hlen < 20 || seg->ip_len > len ||
	    seg->ip_len < seg->ip_hlen + 20)
		goto invalid;
	memcpy(&seg->src, pkt + 12, 4);
	memcpy(&seg->dst, pkt + 16, 4);
	tcp = pkt + seg->ip_hlen;
	memcpy(&v, tcp, 2);
	seg->sport = ntohs(v);
	memcpy(&v, tcp + 2, 2);
	seg->dport = ntohs(v);
	seg->tcp_hlen = (unsigned)(tcp[12] >> 4) * 4;
	seg->flags = tcp[13];
	if (seg->tcp_hlen < 20 || seg->ip_hlen + seg->tcp_hlen > seg->ip_len)
		goto invalid;
	seg->data_len = seg->ip_len - seg->ip_hlen - seg->tcp_hlen;
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}
