/*
 * byteorder.h - byte order and IPv4 addresses: what byteorder.c provides.
 *
 * Provided code: do not edit. The functions are yours to write in byteorder.c;
 * wire.c (the driver) calls them.
 */
#ifndef BYTEORDER_H
#define BYTEORDER_H

#include <netinet/in.h>
#include <stdint.h>

/*
 * One message header, as the program holds it: every field in host byte order.
 *
 * On the wire it takes exactly HEADER_SIZE bytes, no padding, every multi-byte
 * field big-endian (network byte order):
 *
 *   offset  size  field
 *        0     1  version
 *        1     1  type
 *        2     2  flags
 *        4     4  length
 *        8     8  seq     (the high 32 bits first, then the low 32 bits)
 *
 * The struct's own layout in memory (padding, byte order) is the compiler's
 * business and never goes on the wire as it is.
 */
struct msg_header {
	uint8_t version;
	uint8_t type;
	uint16_t flags;
	uint32_t length;
	uint64_t seq;
};

#define HEADER_SIZE 16

/*
 * parse_port - read a TCP port number, 1 to 65535, from TEXT: a decimal number
 * (base 10, as strtol reads it) with nothing after it. errno may hold anything
 * when it is called.
 * Returns 0 with *PORT set, or -1 if TEXT has no digits, has anything after them,
 * is not base 10 or is out of range: "", "80abc", "0x50", "0", "-1", "65536".
 * Leading blanks and a '+', which strtol skips, may be accepted or not.
 */
int parse_port(const char *text, uint16_t *port);

/*
 * make_ipv4_addr - fill *SA with the IPv4 address IP (a dotted quad such as
 * "127.0.0.1") and PORT (host byte order), ready for connect() or bind():
 * sin_family AF_INET, sin_port and sin_addr in network byte order, every other
 * byte (sin_zero) zero.
 * Returns 0, or -1 if IP is not a valid dotted quad (four decimal numbers 0-255).
 */
int make_ipv4_addr(const char *ip, uint16_t port, struct sockaddr_in *sa);

/*
 * make_loopback_addr - fill *SA with 127.0.0.1 and PORT (host byte order), as
 * make_ipv4_addr does: AF_INET, network byte order, sin_zero zero.
 */
void make_loopback_addr(uint16_t port, struct sockaddr_in *sa);

/*
 * encode_header - write *H into OUT in its wire layout (above).
 */
void encode_header(const struct msg_header *h, unsigned char out[HEADER_SIZE]);

/*
 * decode_header - read a header in its wire layout from IN into *H.
 */
void decode_header(const unsigned char in[HEADER_SIZE], struct msg_header *h);

#endif
