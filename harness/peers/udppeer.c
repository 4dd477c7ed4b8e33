/*
 * udppeer.c - a UDP test peer: a client that sends exact datagrams and
 * writes down every reply, or a server that echoes, drops or answers from a
 * stranger's port.
 *
 * send: binds 127.0.0.1 (at -l PORT, or a port the kernel picks), sends the
 * datagrams given on the command line back to back, then logs each reply
 * with its size and the address it came from, until as many replies as
 * datagrams (or -n COUNT) have come or -w MS pass without one. Tests read the
 * log to see what a student's server did with each datagram: one reply each,
 * the same bytes, to the right port.
 *
 * serve: binds 127.0.0.1:PORT and logs every datagram it receives with its
 * whole length (even one longer than its buffer); drops the first -d DROP of
 * them, echoes the rest to their sender, from PORT or, with -F, from a
 * second socket on another port. Tests use it to lose a student client's
 * datagrams, and to send it a reply from an address it never sent to.
 *
 * See docs/harness.md for the command line and the log format.
 */
#include "peerutil.h"
#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The largest UDP payload over IPv4: 65535 - 20 (IP) - 8 (UDP). */
#define MAX_DATAGRAM 65507
#define RECV_BUF 65536
#define MAX_WAIT_MS 600000
#define MAX_DATAGRAMS 64

struct options {
	const char *log_path; /* -o */
	const char *save_dir; /* -O */
	int hex;              /* -x */
	long local_port;      /* -l; 0 = the kernel picks */
	long wait_ms;         /* -w */
	long count;           /* -n; 0 = one reply per datagram */
	long drop;            /* -d */
	int stranger;         /* -F */
};

/* One datagram to send, already in memory. */
struct dgram {
	unsigned char *data;
	size_t len;
};

/* usage - print the command line summary on stderr and exit 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: udppeer [-o LOG] [-O DIR] [-x] [-l PORT] [-w MS] [-n COUNT]"
	    " send HOST:PORT DGRAM...\n"
	    "       udppeer [-o LOG] [-O DIR] [-x] [-d DROP] [-F] serve PORT\n"
	    "DGRAM is text:TEXT | hex:HEX | file:PATH\n");
	exit(2);
}

/* on_terminate - SIGTERM/SIGINT handler: exit at once with status 0. */
static void
on_terminate(int sig)
{
	(void)sig;
	_exit(0);
}

/*
 * parse_dgram - turn one DGRAM word into *D (its bytes in a malloc'd buffer).
 * Returns 0, or -1 and points *WHY at a short reason.
 */
static int
parse_dgram(const char *word, struct dgram *d, const char **why)
{
	if (strncmp(word, "text:", 5) == 0) {
		d->len = strlen(word + 5);
		d->data = malloc(d->len + 1);
		if (d->data == NULL) {
			*why = "out of memory";
			return -1;
		}
		memcpy(d->data, word + 5, d->len + 1);
		return 0;
	}
	if (strncmp(word, "hex:", 4) == 0) {
		if (hex_decode(word + 4, &d->data, &d->len) < 0) {
			*why = "bad hex";
			return -1;
		}
		return 0;
	}
	if (strncmp(word, "file:", 5) == 0) {
		if (load_file(word + 5, &d->data, &d->len) < 0) {
			*why = strerror(errno);
			return -1;
		}
		if (d->len > MAX_DATAGRAM) {
			*why =
			    "longer than 65507 bytes, the most one datagram holds";
			return -1;
		}
		return 0;
	}
	*why = "expected text:, hex: or file:";
	return -1;
}

/*
 * open_udp - a UDP socket bound to 127.0.0.1:PORT (0: the kernel picks).
 * Returns the descriptor; -1 with errno set and *WHAT naming the call.
 */
static int
open_udp(long port, const char **what)
{
	struct sockaddr_in addr;
	int fd, saved;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		*what = "socket";
		return -1;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		*what = "bind";
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * local_text - "127.0.0.1:PORT" for the address FD is bound to, into OUT.
 */
static void
local_text(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		snprintf(out, outlen, "?");
	else
		format_inet(&ss, out, outlen);
}

/*
 * save_datagram - write datagram K's LEN bytes to DIR/K.bin (no DIR: nothing).
 * Returns 0, or -1 with errno set.
 */
static int
save_datagram(const char *dir, long k, const unsigned char *buf, size_t len)
{
	char path[PATH_MAX];
	int fd, saved;

	if (dir == NULL)
		return 0;
	if (snprintf(path, sizeof(path), "%s/%ld.bin", dir, k) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (writen(fd, buf, len) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/*
 * log_datagram - log "WORD K COUNT ADDR" for a datagram of COUNT bytes (its
 * whole length) of which the first KEPT are in BUF, with the hex of those
 * under -x.
 */
static void
log_datagram(const struct options *o, const char *word, long k, ssize_t count,
    const char *addr, const unsigned char *buf, size_t kept)
{
	char *hex = NULL;

	if (o->hex)
		hex = hex_encode(buf, kept);
	log_event("%s %ld %zd %s%s%s", word, k, count, addr, hex ? " " : "",
	    hex ? hex : "");
	free(hex);
}

/*
 * recv_one - receive one datagram on FD into BUF (RECV_BUF bytes), its
 * sender's address text into FROM.
 * Returns the datagram's whole length (MSG_TRUNC: more than RECV_BUF if it
 * was cut), or -1 with errno set. Retries EINTR.
 */
static ssize_t
recv_one(int fd, unsigned char *buf, char *from, size_t fromlen,
    struct sockaddr_storage *ss, socklen_t *sslen)
{
	ssize_t n;

	do {
		*sslen = sizeof(*ss);
		n = recvfrom(fd, buf, RECV_BUF, MSG_TRUNC,
		    (struct sockaddr *)ss, sslen);
	} while (n < 0 && errno == EINTR);
	if (n >= 0)
		format_inet(ss, from, fromlen);
	return n;
}

/*
 * run_send - send the N datagrams D to TO from a socket of our own, then log
 * the replies until COUNT have come or WAIT_MS pass without one.
 * Returns 0, or -1 after logging "error WHAT: strerror".
 */
static int
run_send(const struct options *o, const struct peer_addr *to,
    const struct dgram *d, int n)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char me[PEER_ADDR_TEXT_MAX], from[PEER_ADDR_TEXT_MAX];
	unsigned char *buf;
	const char *what = NULL;
	long want = o->count > 0 ? o->count : n, got = 0;
	int fd, i, status = -1;
	ssize_t r;

	buf = malloc(RECV_BUF);
	if (buf == NULL) {
		log_event("error malloc: %s", strerror(errno));
		return -1;
	}
	fd = open_udp(o->local_port, &what);
	if (fd < 0) {
		log_event("error %s: %s", what, strerror(errno));
		goto no_socket;
	}
	local_text(fd, me, sizeof(me));
	log_event("bound %s", me);
	for (i = 0; i < n; i++) {
		do
			r = sendto(fd, d[i].data, d[i].len, 0,
			    (const struct sockaddr *)&to->ss, to->len);
		while (r < 0 && errno == EINTR);
		if (r < 0) {
			log_event("error sendto %s: %s", to->text,
			    strerror(errno));
			goto done;
		}
		log_event("send %d %zd %s", i + 1, r, to->text);
	}
	/* Bounded: every pass receives a reply (at most WANT) or waits less
	 * than WAIT_MS for one. */
	while (got < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ready;

		/* EINTR: the handled signals end the peer, so none comes. */
		do
			ready = poll(&p, 1, (int)o->wait_ms);
		while (ready < 0 && errno == EINTR);
		if (ready < 0) {
			log_event("error poll: %s", strerror(errno));
			goto done;
		}
		if (ready == 0) {
			log_event("quiet %ld", o->wait_ms);
			break;
		}
		r = recv_one(fd, buf, from, sizeof(from), &ss, &sslen);
		if (r < 0) {
			log_event("error recvfrom: %s", strerror(errno));
			goto done;
		}
		got++;
		if (save_datagram(o->save_dir, got, buf,
		        (size_t)r < RECV_BUF ? (size_t)r : RECV_BUF) < 0)
			log_event("error save %ld: %s", got, strerror(errno));
		log_datagram(o, "reply", got, r, from, buf,
		    (size_t)r < RECV_BUF ? (size_t)r : RECV_BUF);
	}
	status = 0;
done:
	close(fd);
no_socket:
	free(buf);
	return status;
}

/*
 * run_serve - serve PORT until killed: log each datagram, drop the first
 * DROP, echo the others to their sender (from a second socket under -F).
 * Returns -1 after logging "error WHAT: strerror" (it never returns
 * otherwise).
 */
static int
run_serve(const struct options *o, long port)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char me[PEER_ADDR_TEXT_MAX], from[PEER_ADDR_TEXT_MAX];
	char other[PEER_ADDR_TEXT_MAX];
	unsigned char *buf;
	const char *what = NULL;
	long k;
	int fd, out, status = -1;
	ssize_t r;
	size_t kept;

	buf = malloc(RECV_BUF);
	if (buf == NULL) {
		log_event("error malloc: %s", strerror(errno));
		return -1;
	}
	fd = open_udp(port, &what);
	if (fd < 0) {
		log_event("error %s: %s", what, strerror(errno));
		goto no_socket;
	}
	out = fd;
	if (o->stranger) {
		out = open_udp(0, &what);
		if (out < 0) {
			log_event("error %s: %s", what, strerror(errno));
			goto no_stranger;
		}
	}
	local_text(fd, me, sizeof(me));
	local_text(out, other, sizeof(other));
	log_event("bound %s", me);
	for (k = 1;; k++) {
		r = recv_one(fd, buf, from, sizeof(from), &ss, &sslen);
		if (r < 0) {
			/* An ICMP error about an earlier reply: log it, go on. */
			log_event("error recvfrom: %s", strerror(errno));
			k--;
			continue;
		}
		kept = (size_t)r < RECV_BUF ? (size_t)r : RECV_BUF;
		log_datagram(o, "recv", k, r, from, buf, kept);
		if (save_datagram(o->save_dir, k, buf, kept) < 0)
			log_event("error save %ld: %s", k, strerror(errno));
		if (k <= o->drop) {
			log_event("drop %ld", k);
			continue;
		}
		do
			r = sendto(out, buf, kept, 0, (struct sockaddr *)&ss,
			    sslen);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			log_event("error sendto %s: %s", from, strerror(errno));
		else
			log_event("echo %ld %zd %s from %s", k, r, from, other);
	}
	if (out != fd)
		close(out);
no_stranger:
	close(fd);
no_socket:
	free(buf);
	return status;
}

int
main(int argc, char **argv)
{
	struct options o = { .wait_ms = 1000 };
	struct peer_addr to;
	struct dgram d[MAX_DATAGRAMS];
	struct sigaction sa;
	const char *why;
	long port;
	int ch, i, n, status;

	while ((ch = getopt(argc, argv, "o:O:xl:w:n:d:F")) != -1) {
		switch (ch) {
		case 'o':
			o.log_path = optarg;
			break;
		case 'O':
			o.save_dir = optarg;
			break;
		case 'x':
			o.hex = 1;
			break;
		case 'l':
			if (parse_long(optarg, 1, 65535, &o.local_port) < 0)
				errx(2, "-l: bad port '%s'", optarg);
			break;
		case 'w':
			if (parse_long(optarg, 0, MAX_WAIT_MS, &o.wait_ms) < 0)
				errx(2, "-w: bad wait '%s' (0-%d ms)", optarg,
				    MAX_WAIT_MS);
			break;
		case 'n':
			if (parse_long(optarg, 1, INT_MAX, &o.count) < 0)
				errx(2, "-n: bad count '%s'", optarg);
			break;
		case 'd':
			if (parse_long(optarg, 0, INT_MAX, &o.drop) < 0)
				errx(2, "-d: bad count '%s'", optarg);
			break;
		case 'F':
			o.stranger = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_terminate;
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0)
		err(1, "sigaction");
	if (o.log_path != NULL && log_open(o.log_path) < 0)
		err(1, "open log %s", o.log_path);

	if (strcmp(argv[optind], "serve") == 0) {
		if (argc - optind != 2)
			usage();
		if (parse_long(argv[optind + 1], 1, 65535, &port) < 0)
			errx(2, "bad port '%s'", argv[optind + 1]);
		return run_serve(&o, port) < 0 ? 1 : 0;
	}
	if (strcmp(argv[optind], "send") != 0)
		usage();
	if (argc - optind < 3)
		usage();
	if (peer_addr_parse(argv[optind + 1], PEER_ADDR_HOSTPORT, &to, &why) <
	        0 ||
	    to.is_unix)
		errx(2, "bad address '%s': %s", argv[optind + 1],
		    to.is_unix ? "expected HOST:PORT" : why);
	n = argc - optind - 2;
	if (n > MAX_DATAGRAMS)
		errx(2, "at most %d datagrams", MAX_DATAGRAMS);
	for (i = 0; i < n; i++) {
		if (parse_dgram(argv[optind + 2 + i], &d[i], &why) < 0)
			errx(2, "bad datagram '%s': %s", argv[optind + 2 + i],
			    why);
	}
	status = run_send(&o, &to, d, n) < 0 ? 1 : 0;
	for (i = 0; i < n; i++)
		free(d[i].data);
	return status;
}
