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
 *
 * The part above the "your code below" line is written for you. Below it,
 * main() is written too: it shows how the parts fit together. The functions
 * it relies on are yours; the README explains each step.
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
 * Returns the descriptor, or -1 after reporting what failed.
 */
int
connect_udp(const char *ip, int port, long timeout_ms)
{
	(void)ip;
	(void)port;
	(void)timeout_ms;
	/* TODO: inet_pton(), socket(SOCK_DGRAM), setsockopt(SO_RCVTIMEO), connect(). */
	fprintf(stderr, "connect_udp: not implemented yet\n");
	return -1;
} /* must: reject a bad address by name; connect() so that ICMP errors come back; close the socket on failure */

/*
 * exchange - send MSG (LEN bytes) as one datagram on SOCK and receive the
 * reply into REPLY (SIZE bytes), sending again after each timeout, at most
 * RETRIES more times.
 * Returns the reply's length; -1 with errno set (ETIMEDOUT when every try
 * timed out) and *WHAT naming the call that failed.
 */
ssize_t
exchange(int sock, const void *msg, size_t len, void *reply, size_t size,
    long retries, const char **what)
{
	(void)sock;
	(void)msg;
	(void)len;
	(void)reply;
	(void)size;
	(void)retries;
	*what = "exchange";
	/* TODO: up to RETRIES + 1 times: send(), recv(); EAGAIN from recv() is a timeout: send again. */
	fprintf(stderr, "exchange: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: check send()'s return; retransmit on a timeout only; ECONNREFUSED is not a timeout */

/*
 * echo_lines - send each line of standard input to the server on SOCK and
 * print its reply; SERVER ("IP:PORT") names it in messages.
 * Returns 0 if every line's reply was printed, -1 otherwise.
 */
int
echo_lines(int sock, const char *server, long retries)
{
	(void)sock;
	(void)server;
	(void)retries;
	/* TODO: per line (getline()): exchange(), print the reply; report the first failure. */
	fprintf(stderr, "echo_lines: not implemented yet\n");
	return -1;
} /* must: one datagram per line, newline included; say "no reply" or "connection refused" and stop at the first failure */

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
