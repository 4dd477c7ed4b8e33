/*
 * wire.c - the lab's driver: puts the functions of byteorder.c to work.
 *
 *   wire addr IP PORT
 *       show the sockaddr_in that make_ipv4_addr builds, byte for byte; no traffic
 *   wire loopback PORT
 *       the same for make_loopback_addr
 *   wire send IP PORT VERSION TYPE FLAGS LENGTH SEQ
 *       connect to IP:PORT (loopback only), send one encoded header, close
 *   wire serve PORT
 *       listen on 127.0.0.1:PORT, accept connections until one has delivered a
 *       whole header, print its fields
 *
 * Provided code: do not edit. Numbers for send may be decimal or 0x-hex.
 */
#include "byteorder.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ADDR_TEXT_LEN (INET_ADDRSTRLEN + sizeof(":65535"))
#define LISTEN_BACKLOG 8
/* What cmd_addr fills a sockaddr_in with first: the garbage a stack variable may hold. */
#define GARBAGE 0xa5

/*
 * readn - read exactly N bytes from FD into BUF, retrying short reads and EINTR.
 * Returns N, fewer than N if the peer closed the connection first, or -1 on error.
 */
static ssize_t
readn(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t got = read(fd, p + done, n - done);
		if (got == 0)
			break;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)got;
	}
	return (ssize_t)done;
}

/*
 * writen - write all N bytes of BUF to FD, retrying short writes and EINTR.
 * Returns 0, or -1 on error.
 */
static int
writen(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t put = write(fd, p + done, n - done);
		if (put < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)put;
	}
	return 0;
}

/*
 * hex_of - the N bytes at P as lowercase hex, in memory order, into OUT (2N+1 bytes).
 */
static void
hex_of(const void *p, size_t n, char *out)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/*
 * addr_text - "IP:PORT" for *SA, read back the way the kernel will read it
 * (inet_ntop on sin_addr, ntohs on sin_port), into OUT (ADDR_TEXT_LEN bytes).
 */
static void
addr_text(const struct sockaddr_in *sa, char *out)
{
	char ip[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof(ip)) == NULL)
		strcpy(ip, "?");
	snprintf(out, ADDR_TEXT_LEN, "%s:%u", ip,
	    (unsigned)ntohs(sa->sin_port));
}

/*
 * parse_number - read an unsigned number, decimal or 0x-hex, no larger than MAX.
 * Returns 0 with *VALUE set, or -1 (after a message naming WHAT) on bad input.
 */
static int
parse_number(const char *what, const char *text, uint64_t max, uint64_t *value)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 0);
	if (end == text || *end != '\0' || text[0] == '-' || errno == ERANGE ||
	    v > max) {
		warnx("invalid %s '%s': must be a number from 0 to %" PRIu64,
		    what, text, max);
		return -1;
	}
	*value = v;
	return 0;
}

/*
 * get_port - parse_port with a message for the user. errno is ERANGE when
 * parse_port starts, as an earlier failed call may have left it: strtol sets
 * errno only on failure, so parse_port must set it to 0 before it looks.
 * Returns 0 with *PORT set, or -1.
 */
static int
get_port(const char *text, uint16_t *port)
{
	errno = ERANGE;
	if (parse_port(text, port) == -1) {
		warnx("invalid port '%s': must be 1-65535", text);
		return -1;
	}
	return 0;
}

/*
 * get_ipv4_addr - parse_port and make_ipv4_addr with messages for the user.
 * Returns 0 with *SA filled in, or -1.
 */
static int
get_ipv4_addr(const char *ip, const char *port_text, struct sockaddr_in *sa)
{
	uint16_t port;

	if (get_port(port_text, &port) == -1)
		return -1;
	if (make_ipv4_addr(ip, port, sa) == -1) {
		warnx(
		    "invalid IPv4 address '%s': expected a dotted quad such as 127.0.0.1",
		    ip);
		return -1;
	}
	return 0;
}

/*
 * print_addr - print *SA back, and the raw bytes of sin_port, sin_addr and
 * sin_zero in memory order (network order reads 1f90 for 8080).
 */
static void
print_addr(const struct sockaddr_in *sa)
{
	char text[ADDR_TEXT_LEN], port_hex[5], addr_hex[9], family[16];
	char zero_hex[2 * sizeof(sa->sin_zero) + 1];

	addr_text(sa, text);
	hex_of(&sa->sin_port, sizeof(sa->sin_port), port_hex);
	hex_of(&sa->sin_addr, sizeof(sa->sin_addr), addr_hex);
	hex_of(sa->sin_zero, sizeof(sa->sin_zero), zero_hex);
	if (sa->sin_family == AF_INET)
		strcpy(family, "AF_INET");
	else
		snprintf(family, sizeof(family), "%u",
		    (unsigned)sa->sin_family);
	printf("%s sin_family=%s sin_port=%s sin_addr=%s sin_zero=%s\n", text,
	    family, port_hex, addr_hex, zero_hex);
}

/*
 * cmd_addr - wire addr IP PORT: print the sockaddr_in make_ipv4_addr builds.
 * The struct starts out full of garbage, as an uninitialised one on the stack
 * may be, so a byte the function does not set shows up as a5.
 * Returns 0, or -1 on bad input.
 */
static int
cmd_addr(char **argv)
{
	struct sockaddr_in sa;

	memset(&sa, GARBAGE, sizeof(sa));
	if (get_ipv4_addr(argv[0], argv[1], &sa) == -1)
		return -1;
	print_addr(&sa);
	return 0;
}

/*
 * cmd_loopback - wire loopback PORT: print the sockaddr_in make_loopback_addr
 * builds, from a struct full of garbage as in cmd_addr. Returns 0, or -1 on bad input.
 */
static int
cmd_loopback(char **argv)
{
	struct sockaddr_in sa;
	uint16_t port;

	if (get_port(argv[0], &port) == -1)
		return -1;
	memset(&sa, GARBAGE, sizeof(sa));
	make_loopback_addr(port, &sa);
	print_addr(&sa);
	return 0;
}

/*
 * is_loopback - true if *SA is in 127.0.0.0/8. Tested on the first byte in
 * memory, which is the first byte on the wire whatever the host's byte order.
 */
static int
is_loopback(const struct sockaddr_in *sa)
{
	return ((const unsigned char *)&sa->sin_addr)[0] == 127;
}

/*
 * get_header - the header fields from the command line.
 * Returns 0 with *H filled in, or -1 on bad input.
 */
static int
get_header(char **argv, struct msg_header *h)
{
	uint64_t version, type, flags, length, seq;

	if (parse_number("version", argv[0], UINT8_MAX, &version) == -1 ||
	    parse_number("type", argv[1], UINT8_MAX, &type) == -1 ||
	    parse_number("flags", argv[2], UINT16_MAX, &flags) == -1 ||
	    parse_number("length", argv[3], UINT32_MAX, &length) == -1 ||
	    parse_number("seq", argv[4], UINT64_MAX, &seq) == -1)
		return -1;
	h->version = (uint8_t)version;
	h->type = (uint8_t)type;
	h->flags = (uint16_t)flags;
	h->length = (uint32_t)length;
	h->seq = seq;
	return 0;
}

/*
 * send_header - connect to *SA and send *H, encoded. TEXT names *SA in messages.
 * Returns 0, or -1 after a message.
 */
static int
send_header(const struct sockaddr_in *sa, const char *text,
    const struct msg_header *h)
{
	unsigned char wire[HEADER_SIZE];
	char hex[2 * HEADER_SIZE + 1];
	int fd, rc = -1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1) {
		warn("socket");
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == -1) {
		warn("connect %s", text);
		goto out_close;
	}
	encode_header(h, wire);
	if (writen(fd, wire, sizeof(wire)) == -1) {
		warn("write to %s", text);
		goto out_close;
	}
	hex_of(wire, sizeof(wire), hex);
	printf("sent %d bytes to %s: %s\n", HEADER_SIZE, text, hex);
	rc = 0;
out_close:
	if (close(fd) == -1 && rc == 0) {
		warn("close");
		rc = -1;
	}
	return rc;
}

/*
 * cmd_send - wire send IP PORT VERSION TYPE FLAGS LENGTH SEQ.
 * Refuses any address outside 127.0.0.0/8, so that a mistake in byte order can
 * never send traffic off this machine. Returns 0, or -1 after a message.
 */
static int
cmd_send(char **argv)
{
	struct sockaddr_in sa;
	struct msg_header h;
	char text[ADDR_TEXT_LEN], ip[INET_ADDRSTRLEN];

	if (get_ipv4_addr(argv[0], argv[1], &sa) == -1 ||
	    get_header(argv + 2, &h) == -1)
		return -1;
	addr_text(&sa, text);
	if (!is_loopback(&sa)) {
		if (inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip)) != NULL &&
		    strcmp(ip, argv[0]) != 0)
			warnx(
			    "refusing to connect to %s (from '%s'): the course only talks to loopback"
			    " (127.0.0.0/8); was the address converted with htonl/inet_pton?",
			    ip, argv[0]);
		else
			warnx(
			    "refusing to connect to %s: the course only talks to loopback (127.0.0.0/8)",
			    text);
		return -1;
	}
	return send_header(&sa, text, &h);
}

/*
 * open_listener - a TCP socket bound to *SA and listening. TEXT names *SA in messages.
 * Returns the descriptor, or -1 after a message.
 */
static int
open_listener(const struct sockaddr_in *sa, const char *text)
{
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1) {
		warn("socket");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1) {
		warn("setsockopt SO_REUSEADDR");
		goto fail_close;
	}
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) == -1) {
		warn("bind %s", text);
		goto fail_close;
	}
	if (listen(fd, LISTEN_BACKLOG) == -1) {
		warn("listen %s", text);
		goto fail_close;
	}
	return fd;
fail_close:
	close(fd);
	return -1;
}

/*
 * read_header - read one whole header from connection FD (peer named PEER).
 * Returns 0 with WIRE filled in, or -1 after a message (error or early EOF).
 */
static int
read_header(int fd, const char *peer, unsigned char wire[HEADER_SIZE])
{
	ssize_t got = readn(fd, wire, HEADER_SIZE);

	if (got == -1) {
		warn("read from %s", peer);
		return -1;
	}
	if (got < HEADER_SIZE) {
		warnx("%s closed the connection after %zd of %d header bytes",
		    peer, got, HEADER_SIZE);
		return -1;
	}
	return 0;
}

/*
 * serve_one - accept connections on LFD until one delivers a whole header; decode
 * it into *H. A peer that fails is reported and the next one is served.
 * Returns 0, or -1 if accept() itself fails.
 */
static int
serve_one(int lfd, struct msg_header *h)
{
	unsigned char wire[HEADER_SIZE];

	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		char text[ADDR_TEXT_LEN];
		int fd, rc;

		fd = accept(lfd, (struct sockaddr *)&peer, &len);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			warn("accept");
			return -1;
		}
		addr_text(&peer, text);
		rc = read_header(fd, text, wire);
		close(fd);
		if (rc == 0)
			break;
	}
	decode_header(wire, h);
	return 0;
}

/*
 * cmd_serve - wire serve PORT: bind 127.0.0.1:PORT (make_loopback_addr), read one
 * header, print its fields in decimal. Returns 0, or -1 after a message.
 */
static int
cmd_serve(char **argv)
{
	struct sockaddr_in sa;
	struct msg_header h;
	char text[ADDR_TEXT_LEN];
	uint16_t port;
	int lfd, rc;

	if (get_port(argv[0], &port) == -1)
		return -1;
	make_loopback_addr(port, &sa);
	addr_text(&sa, text);
	lfd = open_listener(&sa, text);
	if (lfd == -1)
		return -1;
	rc = serve_one(lfd, &h);
	close(lfd);
	if (rc == -1)
		return -1;
	printf("version=%u type=%u flags=%u ", (unsigned)h.version,
	    (unsigned)h.type, (unsigned)h.flags);
	printf("length=%" PRIu32 " seq=%" PRIu64 "\n", h.length, h.seq);
	return 0;
}

/* usage - print the command lines wire takes and exit with status 2. */
_Noreturn static void
usage(void)
{
	fprintf(stderr,
	    "usage: wire addr IP PORT\n"
	    "       wire loopback PORT\n"
	    "       wire send IP PORT VERSION TYPE FLAGS LENGTH SEQ\n"
	    "       wire serve PORT\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int rc;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "addr") == 0 && argc == 4)
		rc = cmd_addr(argv + 2);
	else if (strcmp(argv[1], "loopback") == 0 && argc == 3)
		rc = cmd_loopback(argv + 2);
	else if (strcmp(argv[1], "send") == 0 && argc == 9)
		rc = cmd_send(argv + 2);
	else if (strcmp(argv[1], "serve") == 0 && argc == 3)
		rc = cmd_serve(argv + 2);
	else
		usage();
	if (fflush(stdout) == EOF)
		err(1, "stdout");
	return rc == 0 ? 0 : 1;
}
