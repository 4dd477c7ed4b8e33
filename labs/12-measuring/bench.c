/*
 * bench.c - sockbench, the driver that puts sockbench.c to work: it makes
 * the connections, times the runs and calls your functions.
 *
 * Provided: do not change this file. You write sockbench.c.
 *
 *   sockbench [-n REPS] [-s SIZE[,SIZE...]] [-b BYTES] [-r ROUNDS]
 *             [-c CPU] [-C PEERCPU] [-d] [-B BUFSIZE] [-w]
 *             stream|pingpong tcp|unix [ADDR]
 *
 *   stream     for each SIZE, REPS runs; each run is one new connection
 *              that gets BYTES bytes (default 16 MiB) by bench_stream() in
 *              writes of SIZE bytes, then a half-close; the run's time ends
 *              when the peer has read everything and closed. One "stream"
 *              line per run.
 *   pingpong   for each SIZE, REPS runs; each run is one new connection
 *              with ROUNDS (default 1000) round trips of SIZE bytes by
 *              bench_pingpong(). One "rtt" line per round trip, then one
 *              "latency" line per run (latency_summary()).
 *   tcp|unix   TCP on 127.0.0.1, or a Unix-domain stream socket.
 *   ADDR       where a peer listens (tcp: a PORT on 127.0.0.1; unix: a
 *              PATH): a stream peer must read to EOF and then close, a
 *              pingpong peer must echo. Without ADDR sockbench forks a peer
 *              of its own (a listener on a free port, or on a socket in a
 *              new directory under $TMPDIR or /tmp).
 *   -s SIZES   message sizes, comma-separated (default 64,1024,65536)
 *   -n REPS    repetitions of each size (default 5)
 *   -c CPU     pin_to_cpu(CPU) first (a forked peer inherits it)
 *   -C PEERCPU the forked peer calls pin_to_cpu(PEERCPU) itself
 *   -d, -B N   tune_socket(fd, 1, N) on each connection before connect()
 *              (and on the forked peer's listener, whose connections
 *              inherit it); after connect() sockbench reads the options
 *              back with getsockopt() and says on stderr:
 *              "sockbench: run K: nodelay 0|1|- sndbuf N rcvbuf N"
 *              (- for a Unix-domain socket, which has no such option)
 *   -w         when done, say "sockbench: done" on stderr and wait for
 *              SIGTERM before ending the peer and exiting (so a test can
 *              look at both processes)
 *
 * The results go to stdout through report(), one line each; nothing else
 * is printed there. Exit status: 0, 1 on a failed call (said on stderr),
 * 2 on bad usage.
 */
#include "sockbench.h"
#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZES 16
#define MAX_SIZE (16L << 20)
#define PEER_BUF (256 * 1024)

struct options {
	int stream;  /* 1: stream, 0: pingpong */
	int unixdom; /* 1: Unix-domain, 0: TCP */
	size_t sizes[MAX_SIZES];
	int nsizes;
	int reps;
	long bytes;
	int rounds;
	int cpu;
	int peercpu;
	int nodelay;
	int bufsize;
	int wait;
};

struct target {
	struct sockaddr_storage addr;
	socklen_t len;
};

static volatile sig_atomic_t stop;

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: sockbench [-n REPS] [-s SIZE[,SIZE...]] [-b BYTES] "
	    "[-r ROUNDS]\n"
	    "                 [-c CPU] [-C PEERCPU] [-d] [-B BUFSIZE] [-w]\n"
	    "                 stream|pingpong tcp|unix [ADDR]\n");
	exit(2);
}

/* on_term - SIGTERM/SIGINT: end the wait of -w. */
static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* number - parse S as a number from MIN to MAX, or exit 2 naming WHAT. */
static long
number(const char *s, long min, long max, const char *what)
{
	long v;

	if (parse_long(s, min, max, &v) < 0) {
		warnx("invalid %s '%s' (expected a number from %ld to %ld)",
		    what, s, min, max);
		usage();
	}
	return v;
}

/* parse_sizes - "A,B,..." into O's sizes, or exit 2. */
static void
parse_sizes(const char *s, struct options *o)
{
	char buf[256], *p, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		usage();
	strcpy(buf, s);
	o->nsizes = 0;
	for (p = strtok_r(buf, ",", &save); p != NULL;
	     p = strtok_r(NULL, ",", &save)) {
		if (o->nsizes == MAX_SIZES)
			usage();
		o->sizes[o->nsizes++] = (size_t)number(p, 1, MAX_SIZE, "size");
	}
	if (o->nsizes == 0)
		usage();
}

/* ns_now - CLOCK_MONOTONIC in nanoseconds. */
static uint64_t
ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* new_socket - a stream socket of the options' family, or exit 1. */
static int
new_socket(const struct options *o)
{
	int fd;

	fd = socket(o->unixdom ? AF_UNIX : AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		err(1, "socket");
	return fd;
}

/* intopt - getsockopt() of an int option, or exit 1 naming it. */
static int
intopt(int fd, int level, int name, const char *what)
{
	socklen_t len;
	int v;

	len = sizeof(v);
	if (getsockopt(fd, level, name, &v, &len) < 0)
		err(1, "getsockopt %s", what);
	return v;
}

/*
 * serve - the forked peer: accept connections on LFD one after another;
 * read each to EOF (stream) or echo it (pingpong), then close it. Returns
 * when accept() fails (the parent shuts the listener down).
 */
static void
serve(int lfd, int stream)
{
	unsigned char *buf;
	ssize_t n;
	int fd;

	if ((buf = malloc(PEER_BUF)) == NULL)
		return;
	/* Bounded by the parent: it shuts the listener down when done. */
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0)
			break;
		/* Bounded by the connection: it ends with EOF or an error. */
		while ((n = read(fd, buf, PEER_BUF)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 ||
			    (!stream && writen(fd, buf, (size_t)n) < 0))
				break;
		}
		close(fd);
	}
	free(buf);
}

/*
 * start_peer - fork the peer of its own onto a new listener; fill *T with
 * its address (and DIR with the directory of a Unix-domain socket).
 * Returns the peer's pid; *LFD gets the listener.
 */
static pid_t
start_peer(const struct options *o, struct target *t, char *dir, size_t dlen,
    int *lfd)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&t->addr;
	struct sockaddr_un *un = (struct sockaddr_un *)&t->addr;
	const char *tmp;
	pid_t pid;

	memset(t, 0, sizeof(*t));
	*lfd = new_socket(o);
	if ((o->nodelay || o->bufsize) &&
	    tune_socket(*lfd, o->nodelay, o->bufsize) < 0)
		err(1, "tune_socket on the peer's listener");
	if (o->unixdom) {
		tmp = getenv("TMPDIR");
		snprintf(dir, dlen, "%s/sockbench.XXXXXX",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
		if (mkdtemp(dir) == NULL)
			err(1, "mkdtemp %s", dir);
		un->sun_family = AF_UNIX;
		if (snprintf(un->sun_path, sizeof(un->sun_path), "%s/peer",
		        dir) >= (int)sizeof(un->sun_path))
			errx(1, "%s/peer: path too long", dir);
		t->len = sizeof(*un);
	} else {
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		t->len = sizeof(*in);
	}
	if (bind(*lfd, (struct sockaddr *)&t->addr, t->len) < 0)
		err(1, "bind the peer's listener");
	if (listen(*lfd, 16) < 0)
		err(1, "listen");
	if (!o->unixdom &&
	    getsockname(*lfd, (struct sockaddr *)&t->addr, &t->len) < 0)
		err(1, "getsockname");
	if ((pid = fork()) < 0)
		err(1, "fork");
	if (pid == 0) {
		/* A sockbench that fails (err()) takes its peer with it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
			_exit(1);
		if (o->peercpu >= 0 && pin_to_cpu(o->peercpu) < 0) {
			warn("peer: pin to CPU %d", o->peercpu);
			_exit(1);
		}
		serve(*lfd, o->stream);
		close(*lfd);
		_exit(0);
	}
	return pid;
}

/* target_of - fill *T from ADDR (a PORT or a PATH), or exit 2. */
static void
target_of(const struct options *o, const char *addr, struct target *t)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&t->addr;
	struct sockaddr_un *un = (struct sockaddr_un *)&t->addr;

	memset(t, 0, sizeof(*t));
	if (o->unixdom) {
		if (strlen(addr) >= sizeof(un->sun_path))
			usage();
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, addr);
		t->len = sizeof(*un);
	} else {
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		in->sin_port = htons((uint16_t)number(addr, 1, 65535, "port"));
		t->len = sizeof(*in);
	}
}

/* open_run - run K's connection: a socket, tune_socket(), connect(). */
static int
open_run(const struct options *o, const struct target *t, int k)
{
	char nd[16];
	int fd;

	fd = new_socket(o);
	if ((o->nodelay || o->bufsize) &&
	    tune_socket(fd, o->nodelay, o->bufsize) < 0)
		err(1, "tune_socket");
	if (connect(fd, (const struct sockaddr *)&t->addr, t->len) < 0)
		err(1, "connect");
	if (o->unixdom)
		strcpy(nd, "-");
	else
		snprintf(nd, sizeof(nd), "%d",
		    intopt(fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY") != 0);
	fprintf(stderr, "sockbench: run %d: nodelay %s sndbuf %d rcvbuf %d\n",
	    k, nd, intopt(fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF"),
	    intopt(fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF"));
	return fd;
}

/* emit - report(R) to stdout, or exit 1. */
static void
emit(const struct result *r)
{
	if (report(stdout, r) < 0)
		err(1, "report");
}

/* stream_run - one stream run of SIZE on FD, reported as R. */
static void
stream_run(int fd, size_t size, long bytes, struct result *r)
{
	unsigned char buf[4096];
	uint64_t t0;
	ssize_t sent, n;

	t0 = ns_now();
	if ((sent = bench_stream(fd, size, (size_t)bytes)) < 0)
		err(1, "bench_stream");
	if (shutdown(fd, SHUT_WR) < 0)
		err(1, "shutdown");
	/* Bounded by the peer: it closes once it has read everything. */
	while ((n = read(fd, buf, sizeof(buf))) != 0)
		if (n < 0 && errno != EINTR)
			err(1, "read the peer's EOF");
	r->kind = R_STREAM;
	r->ns = ns_now() - t0;
	if (r->ns == 0)
		r->ns = 1;
	r->bytes = (uint64_t)sent;
	r->mbps = mb_per_s(r->bytes, r->ns);
	emit(r);
}

/* pingpong_run - one ping-pong run of SIZE on FD, reported from R. */
static void
pingpong_run(int fd, size_t size, int rounds, struct result *r)
{
	uint64_t *samples;
	int i;

	if ((samples = calloc((size_t)rounds, sizeof(*samples))) == NULL)
		err(1, "calloc");
	if (bench_pingpong(fd, size, rounds, samples) < 0)
		err(1, "bench_pingpong");
	r->kind = R_RTT;
	for (i = 0; i < rounds; i++) {
		r->round = i + 1;
		r->ns = samples[i];
		emit(r);
	}
	r->kind = R_LATENCY;
	r->rounds = rounds;
	latency_summary(samples, (size_t)rounds, &r->median_ns, &r->p99_ns);
	emit(r);
	free(samples);
}

int
main(int argc, char *argv[])
{
	struct options o = { .nsizes = 3,
		.sizes = { 64, 1024, 65536 },
		.reps = 5,
		.bytes = 16L << 20,
		.rounds = 1000,
		.cpu = -1,
		.peercpu = -1 };
	struct sigaction sa;
	struct result r;
	struct target t;
	char dir[PATH_MAX] = "";
	pid_t peer = -1;
	int c, i, rep, fd, lfd = -1, k = 0;

	while ((c = getopt(argc, argv, "n:s:b:r:c:C:dB:w")) != -1) {
		switch (c) {
		case 'n':
			o.reps = (int)number(optarg, 1, 1000, "repetitions");
			break;
		case 's':
			parse_sizes(optarg, &o);
			break;
		case 'b':
			o.bytes = number(optarg, 1, 1L << 40, "bytes");
			break;
		case 'r':
			o.rounds = (int)number(optarg, 1, 10000000, "rounds");
			break;
		case 'c':
			o.cpu = (int)number(optarg, 0, 1 << 20, "CPU");
			break;
		case 'C':
			o.peercpu = (int)number(optarg, 0, 1 << 20, "CPU");
			break;
		case 'd':
			o.nodelay = 1;
			break;
		case 'B':
			o.bufsize =
			    (int)number(optarg, 1, 1 << 30, "buffer size");
			break;
		case 'w':
			o.wait = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc > 3)
		usage();
	if (strcmp(argv[0], "stream") == 0)
		o.stream = 1;
	else if (strcmp(argv[0], "pingpong") != 0)
		usage();
	if (strcmp(argv[1], "unix") == 0)
		o.unixdom = 1;
	else if (strcmp(argv[1], "tcp") != 0)
		usage();

	signal(SIGPIPE, SIG_IGN);
	if (o.cpu >= 0 && pin_to_cpu(o.cpu) < 0)
		err(1, "pin to CPU %d", o.cpu);
	if (argc == 3)
		target_of(&o, argv[2], &t);
	else
		peer = start_peer(&o, &t, dir, sizeof(dir), &lfd);

	memset(&r, 0, sizeof(r));
	r.transport = o.unixdom ? "unix" : "tcp";
	r.cpu = o.cpu;
	for (i = 0; i < o.nsizes; i++) {
		r.size = o.sizes[i];
		for (rep = 1; rep <= o.reps; rep++) {
			r.rep = rep;
			fd = open_run(&o, &t, ++k);
			if (o.stream)
				stream_run(fd, r.size, o.bytes, &r);
			else
				pingpong_run(fd, r.size, o.rounds, &r);
			close(fd);
		}
	}
	if (fflush(stdout) == EOF)
		err(1, "stdout");

	if (o.wait) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		fprintf(stderr, "sockbench: done\n");
		/* Bounded by the test: it sends SIGTERM. */
		while (!stop)
			pause();
	}
	if (peer > 0) {
		shutdown(lfd, SHUT_RDWR);
		close(lfd);
		waitpid(peer, NULL, 0);
		if (o.unixdom) {
			unlink(((struct sockaddr_un *)&t.addr)->sun_path);
			rmdir(dir);
		}
	}
	return 0;
}
