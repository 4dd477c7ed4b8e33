/*
 * udpclient.c - a UDP echo client that copes with lost datagrams.
 *
 * usage: udpclient [-t TIMEOUT_MS] [-r RETRIES] <IP> <port>
 *
 * Sends each line of standard input (its newline included) as one datagram
 * to the echo server at IP:PORT, waits at most TIMEOUT_MS (1000) for the
 * reply, sends the line again up to RETRIES (3) times when none came, and
 * prints the reply. The socket is connected, so replies from anyone but the
 * server are ignored, and a port where nothing listens is reported as
 * "connection refused" at once, not after the timeouts. Exit status 0 when
 * every line came back; 1 on the first line that did not.
 */

/* ---- provided: do not change ---- */

#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP). */
#define MAX_DATAGRAM 65507
#define DEFAULT_TIMEOUT_MS 1000
#define MAX_TIMEOUT_MS 60000
#define DEFAULT_RETRIES 3
#define MAX_RETRIES 100

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: udpclient [-t TIMEOUT_MS] [-r RETRIES] <IP> <port>\n");
	exit(2);
}

/* ---- your code below ---- */

int connect_udp(const char *ip, int port, long timeout_ms);
ssize_t exchange(int sock, const void *msg, size_t len, void *reply,
    size_t size, long retries, const char **what);
int echo_lines(int sock, const char *server, long retries);

/*
 * connect_udp - a UDP socket connected to the IPv4 address IP at PORT,
 * whose receives give up after TIMEOUT_MS milliseconds.
 *
 * connect() on a UDP socket sends nothing: it fixes the peer, so that
 * send()/recv() need no address, datagrams from any other address are
 * dropped by the kernel, and an ICMP "port unreachable" for what we sent
 * comes back as ECONNREFUSED from a later call. SO_RCVTIMEO makes recv()
 * fail with EAGAIN when nothing came in time.
 * Reports what failed on stderr (a bad address, socket, setsockopt,
 * connect). Returns the descriptor, or -1 (no descriptor left open).
 */
int
connect_udp(const char *ip, int port, long timeout_ms)
{
	struct sockaddr_in addr;
	struct timeval tv;
	int fd;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
		warnx("invalid IPv4 address '%s'", ip);
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		warn("socket");
		return -1;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		warn("setsockopt SO_RCVTIMEO");
		goto setup_failed;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		warn("connect %s:%d", ip, port);
		goto setup_failed;
	}
	return fd;

setup_failed:
	close(fd);
	return -1;
}

/*
 * exchange - send the LEN bytes of MSG as one datagram on the connected
 * SOCK and receive the reply into REPLY (SIZE bytes), sending MSG again
 * after each receive timeout, at most RETRIES more times.
 *
 * A datagram goes whole or not at all: send() returning anything but LEN
 * is a failure. EINTR means "call again".
 * Returns the reply's length; -1 with errno set and *WHAT naming the call
 * otherwise: ETIMEDOUT when every try timed out, ECONNREFUSED when nothing
 * listens at the server's port, EMSGSIZE when MSG cannot be one datagram.
 */
ssize_t
exchange(int sock, const void *msg, size_t len, void *reply, size_t size,
    long retries, const char **what)
{
	ssize_t n;
	long try;

	/* Bounded: RETRIES + 1 sends, each followed by one timed receive. */
	for (try = 0; try <= retries; try++) {
		do
			n = send(sock, msg, len, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0 || (size_t)n != len) {
			if (n >= 0)
				errno = EMSGSIZE;
			*what = "send";
			return -1;
		}
		do
			n = recv(sock, reply, size, 0);
		while (n < 0 && errno == EINTR);
		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			*what = "recv";
			return -1;
		}
	}
	*what = "recv";
	errno = ETIMEDOUT;
	return -1;
}

/*
 * echo_lines - send each line of standard input to the server on SOCK and
 * print its reply, giving each line RETRIES retransmissions.
 *
 * SERVER ("IP:PORT") names the server in messages. Reports the first line
 * that got no reply on stderr: "no reply from 127.0.0.1:8080 after 4
 * tries", "recv 127.0.0.1:8080: Connection refused", "send
 * 127.0.0.1:8080: Message too long".
 * Returns 0 if every line's reply was printed, -1 otherwise.
 */
int
echo_lines(int sock, const char *server, long retries)
{
	char *line = NULL, *reply;
	size_t cap = 0;
	ssize_t len, n;
	const char *what = "";
	int status = -1;

	reply = malloc(MAX_DATAGRAM);
	if (reply == NULL) {
		warn("malloc");
		return -1;
	}
	while ((len = getline(&line, &cap, stdin)) > 0) {
		n = exchange(sock, line, (size_t)len, reply, MAX_DATAGRAM,
		    retries, &what);
		if (n < 0 && errno == ETIMEDOUT) {
			warnx("no reply from %s after %ld tries", server,
			    retries + 1);
			goto done;
		}
		if (n < 0) {
			warn("%s %s", what, server);
			goto done;
		}
		if (writen(STDOUT_FILENO, reply, (size_t)n) < 0) {
			warn("write to standard output");
			goto done;
		}
	}
	if (ferror(stdin)) {
		warn("read standard input");
		goto done;
	}
	status = 0;
done:
	free(line);
	free(reply);
	return status;
}

int
main(int argc, char **argv)
{
	char server[PEER_TEXT_MAX];
	long port, timeout_ms = DEFAULT_TIMEOUT_MS, retries = DEFAULT_RETRIES;
	int ch, sock, status;

	while ((ch = getopt(argc, argv, "t:r:")) != -1) {
		switch (ch) {
		case 't':
			if (parse_long(optarg, 1, MAX_TIMEOUT_MS, &timeout_ms) <
			    0)
				errx(1,
				    "invalid timeout '%s' (expected a number "
				    "of milliseconds from 1 to %d)",
				    optarg, MAX_TIMEOUT_MS);
			break;
		case 'r':
			if (parse_long(optarg, 0, MAX_RETRIES, &retries) < 0)
				errx(1,
				    "invalid retry count '%s' (expected a "
				    "number from 0 to %d)",
				    optarg, MAX_RETRIES);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	if (parse_long(argv[optind + 1], 1, 65535, &port) < 0)
		errx(1, "invalid port '%s' (expected a number from 1 to 65535)",
		    argv[optind + 1]);
	snprintf(server, sizeof(server), "%.15s:%ld", argv[optind], port);

	sock = connect_udp(argv[optind], (int)port, timeout_ms);
	if (sock < 0)
		return 1;
	status = echo_lines(sock, server, retries) < 0 ? 1 : 0;
	close(sock);
	return status;
}
