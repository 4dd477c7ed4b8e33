/*
 * byteorder.c - byte order and IPv4 addresses (lab 01).
 *
 * Write the five functions declared in byteorder.h. The driver wire.c calls
 * them; read README.md for what each one must do and how it is graded.
 */
#include "byteorder.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where each field of the header starts on the wire (see byteorder.h). */
enum {
	OFF_VERSION = 0,
	OFF_TYPE = 1,
	OFF_FLAGS = 2,
	OFF_LENGTH = 4,
	OFF_SEQ = 8
};

#define PORT_MIN 1
#define PORT_MAX 65535

/* ---- your code below ---- */

int
parse_port(const char *text, uint16_t *port)
{
	/* TODO: errno = 0, strtol in base 10 with an end pointer, range-check the long;
	 * reject "", "80abc", "0x50", 0, -1 and anything above 65535. */
	(void)text;
	(void)port;
	fprintf(stderr, "parse_port: not implemented yet\n");
	return -1;
} /* parse_port: 0 with *port set for "1".."65535", -1 for anything else */

int
make_ipv4_addr(const char *ip, uint16_t port, struct sockaddr_in *sa)
{
	/* TODO: zero *sa, AF_INET, sin_port = htons(port), inet_pton into sin_addr. */
	(void)ip;
	(void)port;
	(void)sa;
	fprintf(stderr, "make_ipv4_addr: not implemented yet\n");
	return -1;
} /* make_ipv4_addr: 0 if inet_pton returned 1; -1 if it returned 0 (not a dotted quad) or -1 */

void
make_loopback_addr(uint16_t port, struct sockaddr_in *sa)
{
	/* TODO: zero *sa, AF_INET, sin_port = htons(port), sin_addr.s_addr = htonl(INADDR_LOOPBACK). */
	(void)port;
	fprintf(stderr, "make_loopback_addr: not implemented yet\n");
	memset(sa, 0, sizeof(*sa));
} /* make_loopback_addr: *sa is 127.0.0.1:port, both in network byte order */

void
encode_header(const struct msg_header *h, unsigned char out[HEADER_SIZE])
{
	/* TODO: one field at a time: hton* into a local, memcpy it to out + OFF_*. */
	(void)h;
	fprintf(stderr, "encode_header: not implemented yet\n");
	memset(out, 0, HEADER_SIZE);
} /* encode_header: out holds version, type, flags, length, seq, each big-endian, no padding */

void
decode_header(const unsigned char in[HEADER_SIZE], struct msg_header *h)
{
	/* TODO: the reverse of encode_header: memcpy from in + OFF_* into a local, then ntoh*. */
	(void)in;
	fprintf(stderr, "decode_header: not implemented yet\n");
	memset(h, 0, sizeof(*h));
} /* decode_header: *h holds the five fields in host byte order */
