/*
 * recorder.c - a test server that writes down everything it receives.
 *
 * Listens on 127.0.0.1:PORT or on a unix socket, serves connections one
 * after another, and logs each event (accept, every read with its byte
 * count, EOF, reset, errors, close) on its own line. Tests read that log to
 * see exactly how a student's client behaved on the wire: how its data was
 * split into reads, whether it half-closed, whether it reset the connection.
 *
 * A misbehaving peer never stops the recorder: the error is logged, the
 * connection is closed, and the next one is served.
 *
 * See docs/harness.md for the command line and the log format.
 */
#include "peerutil.h"
#include "sockio.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CHUNK 65536
#define MAX_CHUNK (1024 * 1024)
#define MAX_WAIT_MS 600000
#define LISTEN_BACKLOG 16

struct options {
	long conns;             /* -n: stop after this many; 0 = never */
	const char *log_path;   /* -o */
	const char *save_dir;   /* -d */
	int hex;                /* -x */
	int echo;               /* -e */
	long chunk;             /* -c */
	long wait_ms;           /* -w */
	long rcvbuf;            /* -r; 0 = leave the default */
	const char *greet_path; /* -s */
	int shut_wr;            /* -S */
	const char *reply_path; /* -a */
	int reset;              /* -R */
	unsigned char *greet;   /* contents of -s FILE */
	size_t greet_len;
	unsigned char *reply; /* contents of -a FILE */
	size_t reply_len;
};

/* usage - print the command line summary on stderr and exit 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: recorder [-n CONNS] [-o LOG] [-d DIR] [-x] [-e] [-c CHUNK]"
	    " [-w MS] [-r BYTES]\n"
	    "                [-s FILE] [-S] [-a FILE] [-R] ADDR\n"
	    "ADDR is PORT (on 127.0.0.1) or unix:PATH\n");
	exit(2);
}

/*
 * on_terminate - SIGTERM/SIGINT handler: exit at once with status 0.
 *
 * Nothing is buffered in the process (every log line and saved byte is
 * written straight to its descriptor), so there is nothing to flush, and the
 * kernel closes every descriptor on exit. _exit() is async-signal-safe, and
 * exiting from the handler leaves no window in which a signal that arrives
 * just before a blocking accept() or read() would be missed.
 */
static void
on_terminate(int sig)
{
	(void)sig;
	_exit(0);
}

/*
 * open_listener - create, bind and listen on the socket for ADDR.
 *
 * A unix socket file left behind by an earlier run is removed first (but
 * never a file that is not a socket). Returns the listening descriptor, or
 * -1 with errno set and *WHAT naming the call that failed.
 */
static int
open_listener(const struct peer_addr *addr, long rcvbuf, const char **what)
{
	int fd, one = 1, saved;

	if (addr->is_unix) {
		struct stat st;

		if (lstat(addr->path, &st) == 0) {
			if (!S_ISSOCK(st.st_mode)) {
				*what = "remove stale socket";
				errno = ENOTSOCK;
				return -1;
			}
			if (unlink(addr->path) < 0) {
				*what = "remove stale socket";
				return -1;
			}
		}
	}

	fd = socket(addr->ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0) {
		*what = "socket";
		return -1;
	}
	/* Lets a test restart a recorder on a port still in TIME_WAIT. */
	if (!addr->is_unix &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		*what = "setsockopt SO_REUSEADDR";
		goto fail;
	}
	/* Set before listen() so that accepted sockets inherit the size. */
	if (rcvbuf > 0) {
		int size = (int)rcvbuf;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) <
		    0) {
			*what = "setsockopt SO_RCVBUF";
			goto fail;
		}
	}
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) < 0) {
		*what = "bind";
		goto fail;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0) {
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
 * send_logged - send LEN bytes on connection K and log the outcome.
 *
 * Logs "send K LEN" once all bytes are out, or "error K send: ..." on
 * failure. Returns 0 on success, -1 on failure.
 */
static int
send_logged(int k, int fd, const unsigned char *data, size_t len)
{
	if (writen(fd, data, len) < 0) {
		log_event("error %d send: %s", k, strerror(errno));
		return -1;
	}
	log_event("send %d %zu", k, len);
	return 0;
}

/*
 * open_save_file - open DIR/conn-K.bin for the bytes of connection K.
 *
 * Returns the descriptor, or -1 if -d was not given or the file could not
 * be created (that failure is logged; the connection is served anyway).
 */
static int
open_save_file(int k, const struct options *o, char *path, size_t pathlen)
{
	int fd;

	if (o->save_dir == NULL)
		return -1;
	snprintf(path, pathlen, "%s/conn-%d.bin", o->save_dir, k);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		log_event("error %d open %s: %s", k, path, strerror(errno));
	return fd;
}

/*
 * log_recv - log one read of N bytes on connection K, with hex if asked.
 *
 * Returns nothing; if memory for the hex runs out the line has no hex.
 */
static void
log_recv(int k, const unsigned char *buf, size_t n, int with_hex)
{
	char *hex = with_hex ? hex_encode(buf, n) : NULL;

	if (hex != NULL)
		log_event("recv %d %zu %s", k, n, hex);
	else
		log_event("recv %d %zu", k, n);
	free(hex);
}

/*
 * serve - handle connection K on FD from start to close.
 *
 * Sends the greeting (-s), half-closes (-S), reads until EOF or reset,
 * echoing (-e) and saving (-d) as it goes, sends the reply (-a) after EOF,
 * then closes FD. Every event is logged; nothing is returned because
 * whatever the peer does, the recorder goes on to the next connection.
 */
static void
serve(int k, int fd, const struct options *o, unsigned char *buf)
{
	char save_path[PATH_MAX];
	int save_fd = open_save_file(k, o, save_path, sizeof(save_path));

	if (o->greet != NULL && send_logged(k, fd, o->greet, o->greet_len) < 0)
		goto done;
	if (o->shut_wr) {
		if (shutdown(fd, SHUT_WR) < 0) {
			log_event("error %d shutdown: %s", k, strerror(errno));
			goto done;
		}
		log_event("shutdown %d SHUT_WR", k);
	}

	/*
	 * Bounded by the peer: the loop ends at EOF, a reset or an error; a
	 * peer that never closes is cut off by the test's time limit.
	 */
	for (;;) {
		ssize_t n = read(fd, buf, (size_t)o->chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET) {
			log_event("rst %d", k);
			goto done;
		}
		if (n < 0) {
			log_event("error %d read: %s", k, strerror(errno));
			goto done;
		}
		if (n == 0) {
			log_event("eof %d", k);
			break;
		}
		log_recv(k, buf, (size_t)n, o->hex);
		if (save_fd >= 0 && writen(save_fd, buf, (size_t)n) < 0) {
			log_event("error %d write %s: %s", k, save_path,
			    strerror(errno));
			close(save_fd);
			save_fd = -1;
		}
		if (o->echo && send_logged(k, fd, buf, (size_t)n) < 0)
			goto done;
		sleep_ms(o->wait_ms);
	}

	if (o->reply != NULL)
		(void)send_logged(k, fd, o->reply, o->reply_len);

done:
	close(fd);
	log_event("close %d", k);
	if (save_fd >= 0)
		close(save_fd);
}

int
main(int argc, char **argv)
{
	struct options o = { .chunk = DEFAULT_CHUNK };
	struct peer_addr addr;
	struct sigaction sa;
	const char *why, *what;
	unsigned char *buf;
	int lfd, ch, k;

	while ((ch = getopt(argc, argv, "n:o:d:xec:w:r:s:Sa:R")) != -1) {
		switch (ch) {
		case 'n':
			if (parse_long(optarg, 1, INT_MAX, &o.conns) < 0)
				errx(2, "-n: bad connection count '%s'",
				    optarg);
			break;
		case 'o':
			o.log_path = optarg;
			break;
		case 'd':
			o.save_dir = optarg;
			break;
		case 'x':
			o.hex = 1;
			break;
		case 'R':
			o.reset = 1;
			break;
		case 'e':
			o.echo = 1;
			break;
		case 'c':
			if (parse_long(optarg, 1, MAX_CHUNK, &o.chunk) < 0)
				errx(2, "-c: bad chunk size '%s' (1-%d)",
				    optarg, MAX_CHUNK);
			break;
		case 'w':
			if (parse_long(optarg, 0, MAX_WAIT_MS, &o.wait_ms) < 0)
				errx(2, "-w: bad pause '%s' (0-%d ms)", optarg,
				    MAX_WAIT_MS);
			break;
		case 'r':
			if (parse_long(optarg, 1, INT_MAX, &o.rcvbuf) < 0)
				errx(2, "-r: bad buffer size '%s'", optarg);
			break;
		case 's':
			o.greet_path = optarg;
			break;
		case 'S':
			o.shut_wr = 1;
			break;
		case 'a':
			o.reply_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (peer_addr_parse(argv[optind], PEER_ADDR_PORT, &addr, &why) < 0)
		errx(2, "%s: %s", argv[optind], why);

	/* Read the files now, so that a wrong path fails before listening. */
	if (o.greet_path != NULL &&
	    load_file(o.greet_path, &o.greet, &o.greet_len) < 0)
		err(1, "-s %s", o.greet_path);
	if (o.reply_path != NULL &&
	    load_file(o.reply_path, &o.reply, &o.reply_len) < 0)
		err(1, "-a %s", o.reply_path);
	if (o.log_path != NULL && log_open(o.log_path) < 0)
		err(1, "-o %s", o.log_path);
	buf = malloc((size_t)o.chunk);
	if (buf == NULL)
		err(1, "malloc");

	/* A peer that goes away must show up as EPIPE, not kill us. */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		err(1, "sigaction SIGPIPE");
	sa.sa_handler = on_terminate;
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0)
		err(1, "sigaction SIGTERM");

	lfd = open_listener(&addr, o.rcvbuf, &what);
	if (lfd < 0)
		err(1, "%s %s", what, addr.text);

	/* Port 0 asks the kernel for a free port: report the one we got. */
	if (!addr.is_unix) {
		struct sockaddr_storage bound;
		socklen_t blen = sizeof(bound);

		if (getsockname(lfd, (struct sockaddr *)&bound, &blen) < 0)
			err(1, "getsockname");
		format_inet(&bound, addr.text, sizeof(addr.text));
	}
	/* Tests wait for this line: it must come after listen() succeeded. */
	log_event("listen %s", addr.text);

	/*
	 * Bounded by -n, or by SIGTERM from the test's teardown. Connections
	 * are served one at a time, so log lines of two connections never
	 * interleave.
	 */
	for (k = 1; o.conns == 0 || k <= o.conns;) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		char peer_text[PEER_ADDR_TEXT_MAX];
		int cfd = accept(lfd, (struct sockaddr *)&peer, &plen);

		if (cfd < 0 && errno == EINTR)
			continue;
		if (cfd < 0 && accept_error_is_transient(errno)) {
			log_event("error %d accept: %s", k, strerror(errno));
			continue;
		}
		if (cfd < 0)
			err(1, "accept");

		/* Unix clients are unnamed: name the socket they came in on. */
		if (addr.is_unix)
			snprintf(peer_text, sizeof(peer_text), "%s", addr.text);
		else
			format_inet(&peer, peer_text, sizeof(peer_text));
		log_event("accept %d %s", k, peer_text);
		if (o.reset) {
			/* -R: a reset the client sees for certain, at once:
			 * SO_LINGER with a time of 0 makes close() send RST. */
			struct linger now = { 1, 0 };

			if (setsockopt(cfd, SOL_SOCKET, SO_LINGER, &now,
			        sizeof(now)) < 0)
				err(1, "setsockopt SO_LINGER");
			close(cfd);
			log_event("reset %d", k);
		} else {
			serve(k, cfd, &o, buf);
		}
		k++;
	}

	close(lfd);
	free(buf);
	free(o.greet);
	free(o.reply);
	return 0;
}
