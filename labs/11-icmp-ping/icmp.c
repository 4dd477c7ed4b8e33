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

uint16_t
inet_checksum(const void *buf, size_t len)
{
	/*
	 * TODO: add up the data as 16-bit big-endian words in a 32-bit sum
	 * (an odd last byte is the high byte of a last word), fold the
	 * carries back in until the sum fits in 16 bits, and return its
	 * ones' complement in network byte order.
	 */
	(void)buf;
	(void)len;
	fprintf(stderr, "inet_checksum: not implemented yet\n");
	return 0;
} /* must: handle an odd LEN; fold every carry; return network order */

size_t
build_echo(unsigned char *buf, uint16_t id, uint16_t seq,
    const unsigned char *payload, size_t plen)
{
	/*
	 * TODO: type 8, code 0, identifier and sequence in network byte
	 * order, the payload after the 8-byte header; the checksum last,
	 * computed with the checksum field at zero.
	 */
	(void)buf;
	(void)id;
	(void)seq;
	(void)payload;
	(void)plen;
	fprintf(stderr, "build_echo: not implemented yet\n");
	return 0;
} /* must: return ECHO_HDR_LEN + PLEN; whatever BUF held before */

int
parse_reply(const unsigned char *buf, size_t len, int raw, uint16_t id,
    uint16_t seq)
{
	/*
	 * TODO: on a raw socket, skip the IP header: its length is IHL * 4
	 * bytes (the low 4 bits of the first byte), not always 20. Then
	 * check the ICMP type (0) and code (0), the identifier and the
	 * sequence number, and that LEN holds all of it.
	 */
	(void)buf;
	(void)len;
	(void)raw;
	(void)id;
	(void)seq;
	fprintf(stderr, "parse_reply: not implemented yet\n");
	return 0;
} /* must: return 1 only for the echo reply to (ID, SEQ) */

int
ping_once(int fd, int raw, const struct sockaddr_in *dst, uint16_t id,
    uint16_t seq, const unsigned char *payload, size_t plen, int timeout_ms,
    long *rtt_us)
{
	/*
	 * TODO: build_echo() into a buffer, note the time (CLOCK_MONOTONIC),
	 * sendto() DST; then poll() and recv() until parse_reply() finds the
	 * reply or TIMEOUT_MS has passed since the request went out (other
	 * packets do not restart the wait).
	 */
	(void)fd;
	(void)raw;
	(void)dst;
	(void)id;
	(void)seq;
	(void)payload;
	(void)plen;
	(void)timeout_ms;
	(void)rtt_us;
	fprintf(stderr, "ping_once: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: 1 with *RTT_US, 0 after TIMEOUT_MS (never earlier), -1 on error */

int
parse_segment(const unsigned char *pkt, size_t len, struct tcp_segment *seg)
{
	/*
	 * TODO: check version 4 and protocol 6; the IP header is IHL * 4
	 * bytes, the TCP header after it is (data offset) * 4 bytes (the
	 * high 4 bits of its byte 12), the flags are its byte 13; ports and
	 * the total length are in network byte order.
	 */
	(void)pkt;
	(void)len;
	(void)seg;
	fprintf(stderr, "parse_segment: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: fill every field of *SEG, or fail with EINVAL */
