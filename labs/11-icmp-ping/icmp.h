/*
 * icmp.h - ICMP echo (ping) by hand, and the IP and TCP headers of a
 * segment read from a raw socket.
 *
 * Provided: do not change this file. You write icmp.c.
 *
 * One convention throughout, the course's: a function that fails returns
 * -1 with errno set and prints nothing. The caller reports (miniping.c and
 * sniff.c say what they were doing). Every field on the wire is in network
 * byte order; every number these functions take or give is in host order.
 */
#ifndef ICMP_H
#define ICMP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define ECHO_HDR_LEN 8     /* type, code, checksum, identifier, sequence */
#define ECHO_MAX_DATA 1024 /* the largest payload build_echo() is given */

/*
 * inet_checksum - the Internet checksum of the LEN bytes at BUF (RFC 1071):
 * the ones' complement of the ones' complement sum of the data taken as
 * 16-bit big-endian words. An odd last byte counts as a word whose low byte
 * is zero. Carries out of the top bit are added back in ("folded").
 * Returns the checksum in network byte order, ready to be stored in a
 * header as it is; the checksum of data that contains its own correct
 * checksum is 0.
 */
uint16_t inet_checksum(const void *buf, size_t len);

/*
 * build_echo - write an ICMP echo request (type 8, code 0) with identifier
 * ID, sequence number SEQ and the PLEN bytes of PAYLOAD after its 8-byte
 * header into BUF (room for ECHO_HDR_LEN + PLEN bytes), with its checksum
 * computed over the whole message. BUF may hold anything before the call
 * (the caller reuses it from one request to the next).
 * Returns the message's length, ECHO_HDR_LEN + PLEN.
 */
size_t build_echo(unsigned char *buf, uint16_t id, uint16_t seq,
    const unsigned char *payload, size_t plen);

/*
 * parse_reply - whether the LEN bytes at BUF, read from an ICMP socket, are
 * the echo reply (type 0, code 0) with identifier ID and sequence SEQ.
 * On a raw socket (RAW non-zero) BUF starts with the IPv4 header, whose
 * length is in its IHL field (20 to 60 bytes); on an ICMP datagram socket
 * it starts with the ICMP header. Anything else a socket may deliver (a
 * reply to another ping, an old reply, a request, a short packet) is not it.
 * Returns 1 if it is; 0 if it is not.
 */
int parse_reply(const unsigned char *buf, size_t len, int raw, uint16_t id,
    uint16_t seq);

/*
 * ping_once - send one echo request (ID, SEQ, PAYLOAD) to DST on the ICMP
 * socket FD (raw if RAW is non-zero, an ICMP datagram socket otherwise) and
 * wait at most TIMEOUT_MS milliseconds (>= 1) for its reply, reading and
 * ignoring every other packet that arrives meanwhile. On a datagram socket
 * the kernel puts the socket's own identifier in the request and delivers
 * only replies that carry it: the caller passes that identifier as ID.
 * Returns 1 when the reply came, with *RTT_US the microseconds from just
 * before the request was sent to just after the reply was read (measured
 * on a clock that never jumps); 0 when TIMEOUT_MS passed without it (never
 * earlier); -1 with errno set if sending or receiving failed.
 */
int ping_once(int fd, int raw, const struct sockaddr_in *dst, uint16_t id,
    uint16_t seq, const unsigned char *payload, size_t plen, int timeout_ms,
    long *rtt_us);

/* A TCP segment, as parse_segment() reads it out of an IPv4 packet. */
struct tcp_segment {
	struct in_addr src, dst; /* addresses, as in the header */
	uint16_t sport, dport;   /* ports, in host byte order */
	unsigned ip_hlen;        /* IP header length in bytes (IHL * 4) */
	unsigned ip_len;         /* IP total length in bytes */
	unsigned tcp_hlen; /* TCP header length in bytes (data offset * 4) */
	unsigned flags;    /* the flag bits: TH_FIN, TH_SYN, ... TH_URG */
	unsigned data_len; /* bytes of payload after the TCP header */
};

/*
 * parse_segment - read the IPv4 and TCP headers of the packet of LEN bytes
 * at PKT (as a raw IPPROTO_TCP socket delivers it: the IP header first)
 * into *SEG. The TCP header starts after the whole IP header (IHL), the
 * payload after the whole TCP header (data offset), and the payload ends
 * where the IP total length says.
 * Returns 0; -1 with errno EINVAL if PKT is not an IPv4 packet carrying TCP
 * or is shorter than its headers say.
 */
int parse_segment(const unsigned char *pkt, size_t len,
    struct tcp_segment *seg);

#endif
