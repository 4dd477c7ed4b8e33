/*
 * msgrecv - an iterative server that receives length-prefixed messages and
 * acknowledges each one.
 *
 * Provided: not part of the exercise. It links your msgio.c.
 *
 *     msgrecv [-m MAX] [-d DIR] [-n CONNS] PORT
 *
 * Listens on 127.0.0.1:PORT and serves one connection at a time. On each,
 * it receives messages with recv_msg() until the peer closes, and answers
 * each one with send_msg(): an 8-byte acknowledgement holding the length
 * and the CRC-32 of the body it received, both big-endian. On stdout:
 *
 *     connection C: accepted from ADDR
 *     message K: LEN bytes, crc32 XXXXXXXX
 *     connection C: closed by the peer after N message(s)
 *
 * A connection that goes wrong (the peer closes in the middle of a
 * message, announces a message larger than MAX, resets) is reported on
 * stderr as "msgrecv: connection C: ...", closed, and the server goes on
 * with the next one.
 *
 *   -m MAX    largest message body accepted (default 67108864, 64 MiB)
 *   -d DIR    save the body of message K of connection C as
 *             DIR/conn-C-msg-K.bin
 *   -n CONNS  exit after CONNS connections (default: until killed)
 */
#include "driver.h"
#include "msgio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ACK_LEN 8

struct options {
	long max;             /* -m */
	const char *save_dir; /* -d */
	long conns;           /* -n; 0 = until killed */
};

/* usage - print the command line summary on stderr and exit 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: msgrecv [-m MAX] [-d DIR] [-n CONNS] PORT\n");
	exit(2);
}

/*
 * open_listener - listen on 127.0.0.1:PORT.
 *
 * Returns the descriptor, or -1 with errno set and *WHAT naming the call
 * that failed.
 */
static int
open_listener(int port, const char **what)
{
	struct sockaddr_in sin;
	int fd, one = 1, saved;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		*what = "socket";
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		*what = "setsockopt SO_REUSEADDR";
		goto fail;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		*what = "bind";
		goto fail;
	}
	if (listen(fd, 16) < 0) {
		*what = "listen";
		goto fail;
	}
	return fd;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * report_recv_error - say on stderr why recv_msg() failed on message K of
 * connection C. LEN is what recv_msg() left in *len (0 if it read no whole
 * header).
 */
static void
report_recv_error(int c, int k, uint32_t len, long max)
{
	if (errno == EPROTO && len > 0)
		fprintf(stderr,
		    "msgrecv: connection %d: peer closed in the "
		    "middle of message %d, which announced %u bytes\n",
		    c, k, len);
	else if (errno == EPROTO)
		fprintf(stderr,
		    "msgrecv: connection %d: peer closed in the "
		    "middle of the header of message %d\n",
		    c, k);
	else if (errno == EMSGSIZE)
		fprintf(stderr,
		    "msgrecv: connection %d: message %d announces "
		    "%u bytes, more than the %ld-byte limit\n",
		    c, k, len, max);
	else
		fprintf(stderr,
		    "msgrecv: connection %d: message %d: recv_msg: "
		    "%s\n",
		    c, k, strerror(errno));
}

/*
 * save_body - save message K of connection C under -d DIR, if given.
 *
 * A failure is reported on stderr; the connection goes on anyway.
 */
static void
save_body(const struct options *o, int c, int k, const void *buf, uint32_t len)
{
	char path[PATH_MAX];

	if (o->save_dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/conn-%d-msg-%d.bin", o->save_dir, c,
	    k);
	if (save_file(path, buf, len) < 0)
		fprintf(stderr, "msgrecv: %s: %s\n", path, strerror(errno));
}

/*
 * serve - receive and acknowledge messages on connection C (FD) until the
 * peer closes or something goes wrong; BUF holds o->max bytes.
 *
 * Whatever happens is reported; FD is left open for the caller to close.
 */
static void
serve(int c, int fd, const struct options *o, unsigned char *buf)
{
	int k;

	/* Bounded by the peer: every pass consumes one message or ends. */
	for (k = 1;; k++) {
		uint32_t len = 0, ack[2];
		int rc = recv_msg(fd, buf, (uint32_t)o->max, &len);

		if (rc == 0) {
			printf(
			    "connection %d: closed by the peer after %d message(s)\n",
			    c, k - 1);
			return;
		}
		if (rc < 0) {
			report_recv_error(c, k, len, o->max);
			return;
		}
		ack[0] = htonl(len);
		ack[1] = htonl(crc32_of(buf, len));
		printf("message %d: %u bytes, crc32 %08x\n", k, len,
		    ntohl(ack[1]));
		save_body(o, c, k, buf, len);
		if (send_msg(fd, ack, ACK_LEN) < 0) {
			fprintf(stderr,
			    "msgrecv: connection %d: message %d: "
			    "send_msg: %s\n",
			    c, k, strerror(errno));
			return;
		}
	}
}

/*
 * accept_error_is_transient - whether accept() failing with ERR concerns
 * one pending connection only (log it and go on) rather than the server.
 */
static int
accept_error_is_transient(int err)
{
	return err == EINTR || err == ECONNABORTED || err == EPROTO ||
	    err == ENETDOWN || err == ENOPROTOOPT || err == EHOSTDOWN ||
	    err == ENONET || err == EHOSTUNREACH || err == EOPNOTSUPP ||
	    err == ENETUNREACH;
}

int
main(int argc, char **argv)
{
	struct options o = { .max = MSG_DEFAULT_MAX };
	struct sigaction sa;
	unsigned char *buf;
	const char *what;
	long port;
	int ch, lfd, c;

	while ((ch = getopt(argc, argv, "m:d:n:")) != -1) {
		switch (ch) {
		case 'm':
			if (parse_number(optarg, 0, INT32_MAX, &o.max) < 0)
				errx(2, "-m: bad size '%s'", optarg);
			break;
		case 'd':
			o.save_dir = optarg;
			break;
		case 'n':
			if (parse_number(optarg, 1, INT_MAX, &o.conns) < 0)
				errx(2, "-n: bad count '%s'", optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (parse_number(argv[optind], 1, 65535, &port) < 0)
		errx(2, "bad port '%s'", argv[optind]);

	/* A peer that goes away must show up as EPIPE, not kill us. */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		err(1, "sigaction SIGPIPE");
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* One byte more than MAX, so that a zero MAX still gets a buffer. */
	buf = malloc((size_t)o.max + 1);
	if (buf == NULL)
		err(1, "malloc %ld bytes", o.max);
	lfd = open_listener((int)port, &what);
	if (lfd < 0)
		err(1, "%s 127.0.0.1 port %ld", what, port);

	for (c = 1; o.conns == 0 || c <= o.conns;) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		char text[INET_ADDRSTRLEN];
		int fd = accept(lfd, (struct sockaddr *)&peer, &plen);

		if (fd < 0 && accept_error_is_transient(errno))
			continue;
		if (fd < 0)
			err(1, "accept");
		inet_ntop(AF_INET, &peer.sin_addr, text, sizeof(text));
		printf("connection %d: accepted from %s:%u\n", c, text,
		    ntohs(peer.sin_port));
		serve(c, fd, &o, buf);
		close(fd);
		c++;
	}
	close(lfd);
	free(buf);
	return 0;
}
