/*
 * byteorder.c - byte order and IPv4 addresses (lab 01, reference).
 *
 * Every multi-byte number that leaves the program goes through hton*, and every
 * one that arrives goes through ntoh*. Those are the only places where byte
 * order is decided, so the same code is right on a little-endian x86 and on a
 * big-endian s390x, where they do nothing.
 */
#include "byteorder.h"

#include <arpa/inet.h>
#include <errno.h>
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

/*
 * parse_port - read a TCP port number, 1 to 65535, from TEXT, in base 10.
 * Returns 0 with *PORT set, or -1 if TEXT has no digits, has anything after
 * them, or is out of range. errno is reset first: strtol sets it only on failure.
 * A value too big for a long is ERANGE; one that fits is range-checked as a long,
 * never truncated to an int or a uint16_t first.
 */
int
parse_port(const char *text, uint16_t *port)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno == ERANGE)
		return -1;
	if (value < PORT_MIN || value > PORT_MAX)
		return -1;
	*port = (uint16_t)value;
	return 0;
}

/*
 * init_ipv4 - zero *SA (sin_zero included) and set its family and port.
 * PORT is in host byte order; sin_port gets it in network byte order.
 */
static void
init_ipv4(struct sockaddr_in *sa, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
}

/*
 * make_ipv4_addr - fill *SA with the dotted quad IP and PORT (host byte order).
 * Returns 0, or -1 if inet_pton did not return 1. (errno is then EINVAL for a
 * text that is not a dotted quad, inet_pton's own for a failure: a courtesy, not
 * part of the contract in byteorder.h.)
 */
int
make_ipv4_addr(const char *ip, uint16_t port, struct sockaddr_in *sa)
{
	int rc;

	init_ipv4(sa, port);
	rc = inet_pton(AF_INET, ip, &sa->sin_addr);
	if (rc == 1)
		return 0;
	if (rc == 0)
		errno = EINVAL;
	return -1;
}

/*
 * make_loopback_addr - fill *SA with 127.0.0.1 and PORT (host byte order).
 * INADDR_LOOPBACK is a host-order number, so it goes through htonl like any other.
 */
void
make_loopback_addr(uint16_t port, struct sockaddr_in *sa)
{
	init_ipv4(sa, port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* put_u16, put_u32 - store a host-order number at P in network byte order. */
static void
put_u16(unsigned char *p, uint16_t value)
{
	uint16_t net = htons(value);

	memcpy(p, &net, sizeof(net));
}

static void
put_u32(unsigned char *p, uint32_t value)
{
	uint32_t net = htonl(value);

	memcpy(p, &net, sizeof(net));
}

/*
 * put_u64 - store a host-order 64-bit number at P in network byte order.
 * There is no 64-bit htonl in POSIX: the high half goes first, each half big-endian.
 */
static void
put_u64(unsigned char *p, uint64_t value)
{
	put_u32(p, (uint32_t)(value >> 32));
	put_u32(p + 4, (uint32_t)value);
}

/* get_u16, get_u32 - the network-order number at P, in host byte order. */
static uint16_t
get_u16(const unsigned char *p)
{
	uint16_t net;

	memcpy(&net, p, sizeof(net));
	return ntohs(net);
}

static uint32_t
get_u32(const unsigned char *p)
{
	uint32_t net;

	memcpy(&net, p, sizeof(net));
	return ntohl(net);
}

/* get_u64 - the 64-bit network-order number at P (high half first), in host order. */
static uint64_t
get_u64(const unsigned char *p)
{
	return ((uint64_t)get_u32(p) << 32) | get_u32(p + 4);
}

/*
 * encode_header - write *H into OUT in its wire layout. The bytes are copied
 * one field at a time, never the struct as a whole: its padding and its byte
 * order are the compiler's, not the protocol's.
 */
void
encode_header(const struct msg_header *h, unsigned char out[HEADER_SIZE])
{
	out[OFF_VERSION] = h->version;
	out[OFF_TYPE] = h->type;
	put_u16(out + OFF_FLAGS, h->flags);
	put_u32(out + OFF_LENGTH, h->length);
	put_u64(out + OFF_SEQ, h->seq);
}

/*
 * decode_header - read a header in its wire layout from IN into *H.
 * memcpy (inside get_u*) because IN + 2 need not be aligned for a uint16_t.
 */
void
decode_header(const unsigned char in[HEADER_SIZE], struct msg_header *h)
{
	h->version = in[OFF_VERSION];
	h->type = in[OFF_TYPE];
	h->flags = get_u16(in + OFF_FLAGS);
	h->length = get_u32(in + OFF_LENGTH);
	h->seq = get_u64(in + OFF_SEQ);
}
