/*
 * loadpeer.c - a TCP test peer that is many echo clients at once: it opens
 * CONNS connections to an echo server and keeps them all open together,
 * sends messages on them and checks that each comes back whole, and writes
 * down what it saw as simple lines a test can read (counts, stalls,
 * latencies, requests per second).
 *
 * A run has two phases. Opening: the connections are made (at most WINDOW
 * at a time still waiting for their first echo, so that a server's listen
 * backlog never overflows), and each sends one message and waits for its
 * echo; once every connection has had its echo, "open N" is logged. Then
 * the ACTIVE connections each exchange ROUNDS more messages (or keep
 * exchanging them for -T MS), all at the same time, one message in flight
 * per connection. On top of the CONNS, -i IDLE connections are made first
 * and never send anything, and -X BYTES makes one more connection that
 * sends BYTES and never reads a byte: a server must serve the others all
 * the same. With -h each connection half-closes (shutdown SHUT_WR) once its
 * opening message is sent, and must get its whole echo and then EOF.
 *
 * Messages are SIZE bytes: SIZE-1 letters that depend on the connection and
 * the message, then '\n', so a line-based server can echo them too, and a
 * byte in the wrong place shows. One event loop (epoll) does everything, so
 * 10,000 connections cost one process; the soft RLIMIT_NOFILE is raised to
 * the hard one first. SIGTERM or SIGINT ends a run early (status 1), or
 * the hold of -H (status 0).
 *
 * See docs/harness.md for the command line and the log format.
 */
#include "peerutil.h"
#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 100000
#define MAX_SIZE (64L * 1024 * 1024)
#define MAX_EVENTS 512
#define IO_CHUNK 65536

enum role {
	R_LOAD,
	R_IDLE,
	R_NOREAD
};
enum state {
	S_CONNECTING,
	S_SENDING,
	S_WAITING,
	S_RESTING,
	S_CLOSED
};

struct conn {
	int fd;
	enum role role;
	enum state state;
	long index;      /* 1-based, in the order the connections are made */
	long msg;        /* messages started on this connection */
	size_t sent;     /* bytes of the current message sent */
	size_t got;      /* bytes of its echo received */
	long long start; /* when the current message started (us) */
};

struct options {
	const char *log_path;
	long conns, active, rounds, duration_ms, size, idle, noread, window;
	long stall_s;
	int whole_first, hold, half;
};

static struct options opt = { NULL, 1, -1, 1, 0, 64, 0, 0, 64, 10, 0, 0, 0 };
static struct conn *conns;
static long nconns;
static int epfd;
static long long *lat;
static long nlat, lat_cap;
static volatile sig_atomic_t stop;

/* usage - print how to run the peer and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: loadpeer [-o LOG] [-n CONNS] [-s SIZE] [-a ACTIVE] "
	    "[-r ROUNDS | -T MS] [-i IDLE] [-X BYTES] [-w WINDOW] [-W] "
	    "[-t SECS] [-H] [-h] HOST:PORT\n");
	exit(2);
}

/* on_stop - SIGTERM/SIGINT handler: end the hold (-H). */
static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* now_us - a monotonic clock in microseconds. */
static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* msg_byte - byte I of message M on connection C: a letter, '\n' last. */
static unsigned char
msg_byte(const struct conn *c, size_t i)
{
	if (i == (size_t)opt.size - 1)
		return '\n';
	return (
	    unsigned char)('a' + (c->index * 7 + c->msg * 3 + (long)i) % 26);
}

/* watch - set what epoll reports for C (EPOLLIN, EPOLLOUT or both). */
static void
watch(struct conn *c, unsigned events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = c;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		err(1, "epoll_ctl");
}

/* start_connect - begin connection C to ADDR (non-blocking). Returns 0/-1. */
static int
start_connect(struct conn *c, const struct sockaddr_in *addr)
{
	struct epoll_event ev;
	int rcvbuf = 4096;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		log_event("error %ld socket: %s", c->index, strerror(errno));
		c->state = S_CLOSED;
		return -1;
	}
	/* A client that does not read keeps a small window, so what it has
	 * not read backs up at the server at once instead of in the kernel. */
	if (c->role == R_NOREAD || c->role == R_IDLE || opt.whole_first)
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	if (connect(c->fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0 &&
	    errno != EINPROGRESS) {
		log_event("error %ld connect: %s", c->index, strerror(errno));
		close(c->fd);
		c->state = S_CLOSED;
		return -1;
	}
	c->state = S_CONNECTING;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT;
	ev.data.ptr = c;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		err(1, "epoll_ctl");
	return 0;
}

/* close_conn - close C for good, logging WHY (NULL: silently). */
static void
close_conn(struct conn *c, const char *why)
{
	if (c->state == S_CLOSED)
		return;
	if (why != NULL)
		log_event("%s %ld sent %zu got %zu of message %ld", why,
		    c->index, c->sent, c->got, c->msg);
	close(c->fd);
	c->state = S_CLOSED;
}

/* begin_message - start the next message on C. */
static void
begin_message(struct conn *c)
{
	c->msg++;
	c->sent = c->got = 0;
	c->start = now_us();
	c->state = S_SENDING;
	watch(c, opt.whole_first ? EPOLLOUT : EPOLLIN | EPOLLOUT);
}

/* record - keep one latency sample. */
static void
record(long long us)
{
	long long *p;

	if (nlat == lat_cap) {
		lat_cap = lat_cap ? lat_cap * 2 : 4096;
		p = realloc(lat, (size_t)lat_cap * sizeof(*lat));
		if (p == NULL)
			err(1, "realloc");
		lat = p;
	}
	lat[nlat++] = us;
}

/*
 * on_writable - send more of C's message. Returns 1 on progress, 0 if
 * nothing moved, -1 if the connection failed (closed and logged).
 */
static int
on_writable(struct conn *c)
{
	unsigned char buf[IO_CHUNK];
	size_t want, i;
	ssize_t n;
	int progress = 0, soerr = 0;
	socklen_t len = sizeof(soerr);

	if (c->state == S_CONNECTING) {
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
		if (soerr != 0) {
			log_event("error %ld connect: %s", c->index,
			    strerror(soerr));
			close(c->fd);
			c->state = S_CLOSED;
			return -1;
		}
		if (c->role == R_IDLE) {
			c->state = S_RESTING;
			watch(c, EPOLLIN);
			return 1;
		}
		begin_message(c);
		progress = 1;
	}
	/* Bounded: each pass sends bytes or returns. */
	while (c->state == S_SENDING &&
	    (c->role == R_NOREAD || c->sent < (size_t)opt.size)) {
		want = c->role == R_NOREAD ? (size_t)opt.noread - c->sent :
		                             (size_t)opt.size - c->sent;
		if (want == 0)
			break;
		if (want > sizeof(buf))
			want = sizeof(buf);
		for (i = 0; i < want; i++)
			buf[i] = c->role == R_NOREAD ? 'x' :
			                               msg_byte(c, c->sent + i);
		n = send(c->fd, buf, want, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return progress;
		if (n < 0) {
			log_event("error %ld send: %s", c->index,
			    strerror(errno));
			close_conn(c, NULL);
			return -1;
		}
		c->sent += (size_t)n;
		progress = 1;
	}
	if (c->role == R_NOREAD) {
		log_event("noread sent %zu", c->sent);
		c->state = S_RESTING;
		watch(c, 0);
		return 1;
	}
	if (c->state == S_SENDING) {
		c->state = S_WAITING;
		watch(c, EPOLLIN);
		if (opt.half && shutdown(c->fd, SHUT_WR) < 0)
			log_event("error %ld shutdown: %s", c->index,
			    strerror(errno));
	}
	return progress;
}

/*
 * on_readable - take in C's echo. Returns 1 when the echo is complete, 0
 * on partial progress, -1 if the connection ended or failed (closed and
 * logged).
 */
static int
on_readable(struct conn *c)
{
	unsigned char buf[IO_CHUNK];
	size_t i;
	ssize_t n;

	if (c->role != R_LOAD) {
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			log_event("%s %ld closed by the server",
			    c->role == R_IDLE ? "idle" : "noread", c->index);
			close_conn(c, NULL);
		}
		return 0;
	}
	/* Bounded: each pass reads bytes or returns. */
	for (;;) {
		if (c->got >= (size_t)opt.size && !opt.half)
			return 1;
		n = recv(c->fd, buf,
		    (size_t)opt.size - c->got < sizeof(buf) ?
		        (size_t)opt.size - c->got :
		        sizeof(buf),
		    0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			close_conn(c, errno == ECONNRESET ? "rst" : "error");
			return -1;
		}
		if (n == 0 && opt.half && c->got == (size_t)opt.size) {
			/* -h: the whole echo, then the server's EOF. */
			log_event("eof %ld after the whole echo", c->index);
			return 1;
		}
		if (n == 0) {
			close_conn(c, "eof");
			return -1;
		}
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] != msg_byte(c, c->got + i)) {
				log_event("mismatch %ld at byte %zu of message "
				          "%ld",
				    c->index, c->got + i, c->msg);
				close_conn(c, NULL);
				return -1;
			}
		}
		c->got += (size_t)n;
		if (c->got > c->sent) {
			log_event("mismatch %ld more bytes back than sent",
			    c->index);
			close_conn(c, NULL);
			return -1;
		}
	}
}

/* cmp_ll - qsort order of long longs. */
static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* report_stall - log which load connections are stuck, and how. */
static void
report_stall(void)
{
	long i, waiting = 0, shown = 0;

	for (i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];

		if (c->role != R_LOAD ||
		    (c->state != S_SENDING && c->state != S_WAITING &&
		        c->state != S_CONNECTING))
			continue;
		waiting++;
		if (shown++ < 3)
			log_event(
			    "stuck %ld %s sent %zu got %zu of message %ld",
			    c->index,
			    c->state == S_CONNECTING  ? "connecting" :
			        c->state == S_SENDING ? "sending" :
			                                "waiting",
			    c->sent, c->got, c->msg);
	}
	log_event("stall %ld after %ld s without progress", waiting,
	    opt.stall_s);
}

/* raise_nofile - raise the soft RLIMIT_NOFILE to the hard one; the limit. */
static long
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	return rl.rlim_cur == RLIM_INFINITY ? MAX_CONNS : (long)rl.rlim_cur;
}

/* parse_opt - option OPTARG of -CH as a number from MIN to MAX. */
static long
parse_opt(int ch, long min, long max)
{
	long v;

	if (parse_long(optarg, min, max, &v) < 0)
		errx(2, "-%c: expected a number from %ld to %ld, not '%s'", ch,
		    min, max, optarg);
	return v;
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[MAX_EVENTS];
	struct peer_addr pa;
	struct sockaddr_in addr;
	struct sigaction sa;
	const char *why;
	long i, limit, next = 0, inflight = 0, opened = 0, failed = 0, done = 0;
	long active_left = 0, echoed = 0, load_first, nload;
	long long last_progress, phase2_start = 0, end_at = 0, elapsed, started;
	int ch, n, k, phase = 1, status = 0, r;

	while ((ch = getopt(argc, argv, "o:n:s:a:r:T:i:X:w:Wt:Hh")) != -1) {
		switch (ch) {
		case 'o':
			opt.log_path = optarg;
			break;
		case 'n':
			opt.conns = parse_opt(ch, 0, MAX_CONNS);
			break;
		case 's':
			opt.size = parse_opt(ch, 1, MAX_SIZE);
			break;
		case 'a':
			opt.active = parse_opt(ch, 0, MAX_CONNS);
			break;
		case 'r':
			opt.rounds = parse_opt(ch, 0, 1000000);
			break;
		case 'T':
			opt.duration_ms = parse_opt(ch, 1, 600000);
			break;
		case 'i':
			opt.idle = parse_opt(ch, 0, MAX_CONNS);
			break;
		case 'X':
			opt.noread = parse_opt(ch, 1, MAX_SIZE);
			break;
		case 'w':
			opt.window = parse_opt(ch, 1, MAX_CONNS);
			break;
		case 'W':
			opt.whole_first = 1;
			break;
		case 't':
			opt.stall_s = parse_opt(ch, 1, 600);
			break;
		case 'H':
			opt.hold = 1;
			break;
		case 'h':
			opt.half = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (peer_addr_parse(argv[optind], PEER_ADDR_HOSTPORT, &pa, &why) < 0 ||
	    pa.is_unix)
		errx(2, "bad address '%s': %s", argv[optind],
		    pa.is_unix ? "TCP only" : why);
	memcpy(&addr, &pa.ss, sizeof(addr));
	if (opt.log_path != NULL && log_open(opt.log_path) < 0)
		err(2, "%s", opt.log_path);
	if (opt.active < 0 || opt.active > opt.conns)
		opt.active = opt.conns;

	nconns = opt.idle + (opt.noread > 0) + opt.conns;
	limit = raise_nofile();
	if (nconns + 16 > limit) {
		log_event("error RLIMIT_NOFILE %ld is too low for %ld "
		          "connections",
		    limit, nconns);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	conns = calloc((size_t)nconns + 1, sizeof(*conns));
	if (conns == NULL)
		err(1, "calloc");
	epfd = epoll_create1(0);
	if (epfd < 0)
		err(1, "epoll_create1");
	for (i = 0; i < nconns; i++) {
		conns[i].index = i + 1;
		conns[i].fd = -1;
		conns[i].state = S_CLOSED;
		conns[i].role = i < opt.idle        ? R_IDLE :
		    i < opt.idle + (opt.noread > 0) ? R_NOREAD :
		                                      R_LOAD;
	}
	load_first = opt.idle + (opt.noread > 0);
	nload = opt.conns;
	/* The idle and never-reading connections come first, all at once. */
	for (i = 0; i < load_first; i++)
		start_connect(&conns[i], &addr);
	next = load_first;
	last_progress = started = now_us();

	/* Bounded: every pass either makes progress or counts toward a stall;
	 * SIGTERM or SIGINT ends it too. */
	while (phase < 3 && !stop) {
		/* Opening: keep at most WINDOW connections in flight. */
		while (phase == 1 && next < nconns && inflight < opt.window) {
			if (start_connect(&conns[next], &addr) < 0)
				failed++;
			else
				inflight++;
			next++;
		}
		if (phase == 1 && opened + failed == nload) {
			log_event("open %ld", opened);
			log_event("opened in %lld ms",
			    (now_us() - started) / 1000);
			if (failed > 0)
				log_event("failed %ld", failed);
			phase = 2;
			phase2_start = now_us();
			if (opt.duration_ms > 0)
				end_at =
				    phase2_start + opt.duration_ms * 1000LL;
			nlat = 0;
			for (i = load_first; i < load_first + opt.active; i++) {
				if (conns[i].state != S_RESTING)
					continue;
				if (opt.rounds == 0 && opt.duration_ms == 0)
					continue;
				begin_message(&conns[i]);
				active_left++;
			}
			continue;
		}
		if (phase == 2 && active_left == 0) {
			phase = 3;
			break;
		}
		n = epoll_wait(epfd, evs, MAX_EVENTS, 100);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "epoll_wait");
		for (k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			enum state before = c->state;

			if (c->state == S_CLOSED)
				continue;
			if (c->state == S_RESTING) {
				/* Nothing is expected: only an end or extra bytes. */
				if (c->role == R_LOAD) {
					c->got = 0;
					c->sent = 0;
					(void)on_readable(c);
				} else {
					(void)on_readable(c);
				}
				continue;
			}
			r = 0;
			if (evs[k].events & (EPOLLOUT | EPOLLERR | EPOLLHUP) &&
			    (c->state == S_CONNECTING || c->state == S_SENDING))
				r = on_writable(c);
			if (r >= 0 && c->state != S_CLOSED &&
			    c->state != S_CONNECTING && c->role == R_LOAD &&
			    (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				r = on_readable(c) == 1 ? 2 : r;
			if (r != 0)
				last_progress = now_us();
			if (c->role != R_LOAD)
				continue;
			if (c->state == S_CLOSED) {
				/* The connection was lost on the way. */
				if (phase == 1) {
					inflight--;
					failed++;
				} else {
					active_left--;
					status = 1;
				}
				continue;
			}
			if (r != 2 || before == S_RESTING)
				continue;
			/* A whole echo came back. */
			if (phase == 1) {
				c->state = S_RESTING;
				watch(c, EPOLLIN);
				inflight--;
				opened++;
				if (opt.half) { /* its one message is done */
					close(c->fd);
					c->state = S_CLOSED;
					c->msg = 0;
				}
				continue;
			}
			record(now_us() - c->start);
			echoed++;
			if ((opt.duration_ms > 0 && now_us() < end_at) ||
			    (opt.duration_ms == 0 && c->msg <= opt.rounds)) {
				begin_message(c);
			} else {
				c->state = S_RESTING;
				watch(c, EPOLLIN);
				active_left--;
			}
		}
		if (now_us() - last_progress > opt.stall_s * 1000000LL) {
			report_stall();
			status = 1;
			break;
		}
	}

	if (stop && phase < 3) {
		log_event("stopped by a signal before the end");
		status = 1;
	}
	if (failed > 0)
		status = 1;
	if (phase == 3 || phase == 2) {
		elapsed = now_us() - phase2_start;
		log_event("echoed %ld", echoed);
		if (nlat > 0 && elapsed > 0) {
			qsort(lat, (size_t)nlat, sizeof(*lat), cmp_ll);
			log_event("latency p50 %lld p99 %lld us", lat[nlat / 2],
			    lat[(nlat * 99) / 100]);
			log_event("rate %lld per second",
			    (long long)echoed * 1000000LL / elapsed);
		}
	}
	/* Connections the server closed while they rested count too. */
	for (i = load_first; i < nconns; i++)
		if (conns[i].state == S_CLOSED && conns[i].msg > 0)
			done++;
	if (phase >= 2 && done > 0) {
		log_event("lost %ld", done);
		status = 1;
	}
	if (opt.hold && phase == 3) {
		log_event("hold");
		/* Bounded: until SIGTERM or SIGINT. */
		while (!stop) {
			n = epoll_wait(epfd, evs, MAX_EVENTS, 100);
			for (k = 0; k < n; k++) {
				struct conn *c = evs[k].data.ptr;

				c->got = c->sent = 0;
				(void)on_readable(c);
				if (c->state != S_CLOSED)
					watch(c, 0);
			}
		}
	}
	for (i = 0; i < nconns; i++)
		close_conn(&conns[i], NULL);
	close(epfd);
	free(conns);
	free(lat);
	log_event("done %s", status == 0 ? "ok" : "failed");
	return status;
}
