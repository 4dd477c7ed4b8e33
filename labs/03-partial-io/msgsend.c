/*
 * msgsend - send files as length-prefixed messages, and check that the
 * server acknowledges each one.
 *
 * Provided: not part of the exercise. It links your msgio.c.
 *
 *     msgsend [-n | -r] HOST PORT FILE...
 *
 * Connects to HOST:PORT and sends each FILE as one message with send_msg().
 * After each message it waits for the server's acknowledgement, itself a
 * message (read with recv_msg()) whose 8-byte body holds the length and the
 * CRC-32 the server saw, both big-endian, and checks them. Prints
 *
 *     message K: LEN bytes, crc32 XXXXXXXX, acknowledged
 *
 * per message on stdout, then closes the connection. Exits 0 if every
 * message was sent (and acknowledged), 1 otherwise.
 *
 *   -n  send the messages but wait for no acknowledgement (for a peer that
 *       sends none, like the test's recorder); prints "..., sent"
 *   -r  raw: send each FILE's bytes as they are with writen(), without a
 *       length in front and without acknowledgements, to hand-craft a
 *       stream (a cut message, a bad length) for msgrecv
 */
#include "driver.h"
#include "msgio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum mode {
	MODE_ACKED, /* default: a message, then wait for its acknowledgement */
	MODE_NOACK, /* -n */
	MODE_RAW    /* -r */
};

/* The body of an acknowledgement: length and CRC-32, big-endian. */
#define ACK_LEN 8

/* usage - print the command line summary on stderr and exit 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: msgsend [-n | -r] HOST PORT FILE...\n");
	exit(2);
}

/*
 * connect_to - open a TCP connection to HOST:PORT.
 *
 * Returns the descriptor, or -1 after printing why on stderr.
 */
static int
connect_to(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "msgsend: %s port %s: %s\n", host, port,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		fprintf(stderr, "msgsend: connect %s port %s: %s\n", host, port,
		    strerror(errno));
	freeaddrinfo(res);
	return fd;
}

/*
 * await_ack - read the acknowledgement of message K (LEN bytes, CRC) and
 * check it.
 *
 * Returns 0 if it matches, or -1 after printing what went wrong.
 */
static int
await_ack(int fd, int k, uint32_t len, uint32_t crc)
{
	unsigned char body[ACK_LEN];
	uint32_t got_len = 0, ack_len, ack_crc;
	int rc = recv_msg(fd, body, sizeof(body), &got_len);

	if (rc == 0) {
		fprintf(stderr,
		    "msgsend: message %d: the server closed the "
		    "connection without acknowledging it\n",
		    k);
		return -1;
	}
	if (rc < 0 && errno == EPROTO) {
		fprintf(stderr,
		    "msgsend: message %d: the server closed the "
		    "connection in the middle of its acknowledgement\n",
		    k);
		return -1;
	}
	if (rc < 0) {
		fprintf(stderr, "msgsend: message %d: acknowledgement: %s\n", k,
		    strerror(errno));
		return -1;
	}
	if (got_len != ACK_LEN) {
		fprintf(stderr,
		    "msgsend: message %d: the acknowledgement has "
		    "%u bytes, expected %d\n",
		    k, got_len, ACK_LEN);
		return -1;
	}
	memcpy(&ack_len, body, 4);
	memcpy(&ack_crc, body + 4, 4);
	ack_len = ntohl(ack_len);
	ack_crc = ntohl(ack_crc);
	if (ack_len != len || ack_crc != crc) {
		fprintf(stderr,
		    "msgsend: message %d: the server received %u "
		    "bytes with crc32 %08x, but %u bytes with crc32 %08x were "
		    "sent\n",
		    k, ack_len, ack_crc, len, crc);
		return -1;
	}
	return 0;
}

/*
 * send_one - send FILE, the K-th, the way MODE says.
 *
 * Returns 0, or -1 after printing what went wrong.
 */
static int
send_one(int fd, int k, const char *file, enum mode mode)
{
	unsigned char *data;
	size_t len;
	uint32_t crc;
	int rc = -1;

	if (load_file(file, &data, &len) < 0) {
		fprintf(stderr, "msgsend: %s: %s\n", file, strerror(errno));
		return -1;
	}
	if (mode == MODE_RAW) {
		if (writen(fd, data, len) < 0) {
			fprintf(stderr, "msgsend: %s: writen: %s\n", file,
			    strerror(errno));
			goto done;
		}
		printf("file %d: %zu bytes, sent raw\n", k, len);
		rc = 0;
		goto done;
	}

	crc = crc32_of(data, len);
	if (send_msg(fd, data, (uint32_t)len) < 0) {
		fprintf(stderr, "msgsend: message %d: send_msg: %s\n", k,
		    strerror(errno));
		goto done;
	}
	if (mode == MODE_ACKED && await_ack(fd, k, (uint32_t)len, crc) < 0)
		goto done;
	printf("message %d: %zu bytes, crc32 %08x, %s\n", k, len, crc,
	    mode == MODE_ACKED ? "acknowledged" : "sent");
	rc = 0;
done:
	free(data);
	return rc;
}

int
main(int argc, char **argv)
{
	enum mode mode = MODE_ACKED;
	struct sigaction sa;
	int ch, fd, i, status = 0;

	while ((ch = getopt(argc, argv, "nr")) != -1) {
		switch (ch) {
		case 'n':
			mode = MODE_NOACK;
			break;
		case 'r':
			mode = MODE_RAW;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 3)
		usage();

	/* A server that goes away must show up as EPIPE, not kill us. */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		err(1, "sigaction SIGPIPE");
	/* The tests read stdout while we run: one line at a time. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = connect_to(argv[optind], argv[optind + 1]);
	if (fd < 0)
		return 1;
	for (i = optind + 2; i < argc; i++) {
		if (send_one(fd, i - optind - 1, argv[i], mode) < 0) {
			status = 1;
			break;
		}
	}
	if (close(fd) < 0)
		err(1, "close");
	return status;
}
