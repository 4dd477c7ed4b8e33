/*
 * optool.c - the driver that puts netopt.c to work, one subcommand per
 * function, so that the tests watch each one in a real program.
 *
 * Provided: do not change this file. You write netopt.c.
 *
 *   optool connect IP PORT MS
 *       connect_timeout() to IP:PORT with a limit of MS milliseconds. Prints
 *       "connected" and then "mode blocking" or "mode non-blocking" (what
 *       the descriptor's flags say); or "refused"; or "timeout after T ms",
 *       T the time connect_timeout() took. A SIGUSR1 interrupts whatever
 *       connect_timeout() is blocked in (poll() fails with EINTR), as any
 *       signal with a handler would; "signals N" then says how many came.
 *
 *   optool serve [-b BACKLOG] [-n] [-c COUNT] PORT
 *       listen_reuse(PORT, BACKLOG) (default 16) and print "listening".
 *       Then accept connections one at a time, send each "hello\n" and
 *       close it first (so TIME_WAIT is on this side), and exit 0 after
 *       COUNT of them (default: serve until killed). -n: never accept.
 *
 *   optool read IP PORT MS
 *       Connect (plainly), set_read_timeout(MS), and read until EOF: "data
 *       N" for each read, then "eof"; or "timeout after T ms" when a read
 *       timed out, T the time that read() waited.
 *
 *   optool idle PORT MS
 *       listen_reuse(PORT, 1), print "listening", accept_client(MS), close
 *       the listener, print "accepted", then read as `read` does.
 *
 *   optool opts [-k IDLE,INTVL,COUNT] [-d 0|1] [-b RCVBUF,SNDBUF] IP PORT
 *       socket(); set_bufsizes() (-b), connect(), set_keepalive() (-k),
 *       set_nodelay() (-d). Then read every option back with getsockopt()
 *       and print "keepalive ON idle S intvl S count N", "nodelay ON",
 *       "rcvbuf N sndbuf N", and "ready"; then wait until the peer closes
 *       or SIGTERM comes.
 *
 *   optool info IP PORT
 *       Connect, send "ping\n", read 5 bytes back (the peer echoes), then
 *       tcp_stats(): print "state S rtt_us N rttvar_us N mss N cwnd N
 *       retrans N" and "ready"; then wait like opts.
 *
 *   optool nagle [-d] [-r ROUNDS]
 *       Nagle's algorithm meets delayed ACKs: a server of its own (a child
 *       process) answers each 12-byte request with 12 bytes; the client
 *       writes each request in two pieces (2 bytes, then 10) and reads the
 *       answer, ROUNDS (20) times, with TCP_NODELAY (-d: set_nodelay) or
 *       without. Prints the milliseconds per round.
 *
 * Exit status: 0 on success, 1 on a failed call, 2 on bad usage, 3 for a
 * refused connection, 4 for a timeout.
 */
#include "netopt.h"
#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_REFUSED 3
#define EXIT_TIMEOUT 4
#define MAX_MS 600000

static volatile sig_atomic_t stop;
static volatile sig_atomic_t interrupts;

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: optool connect IP PORT MS\n"
	    "       optool serve [-b BACKLOG] [-n] [-c COUNT] PORT\n"
	    "       optool read IP PORT MS\n"
	    "       optool idle PORT MS\n"
	    "       optool opts [-k IDLE,INTVL,COUNT] [-d 0|1] "
	    "[-b RCVBUF,SNDBUF] IP PORT\n"
	    "       optool info IP PORT\n"
	    "       optool nagle [-d] [-r ROUNDS]\n");
	exit(2);
}

/* on_term - SIGTERM/SIGINT: ask the waiting loop to stop. */
static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* catch_term - SIGTERM and SIGINT interrupt a blocked read (no SA_RESTART). */
static void
catch_term(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* on_usr1 - SIGUSR1: count it; the call it interrupts fails with EINTR. */
static void
on_usr1(int sig)
{
	(void)sig;
	interrupts++;
}

/* catch_usr1 - SIGUSR1 interrupts a blocked call (no SA_RESTART). */
static void
catch_usr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

/* number - parse S as a number from MIN to MAX, or exit 1 naming WHAT. */
static long
number(const char *s, long min, long max, const char *what)
{
	long v;

	if (parse_long(s, min, max, &v) < 0)
		errx(1, "invalid %s '%s' (expected a number from %ld to %ld)",
		    what, s, min, max);
	return v;
}

/* address - fill *ADDR with IP:PORT, or exit 1 naming what is wrong. */
static void
address(const char *ip, const char *port, struct sockaddr_in *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_port = htons((uint16_t)number(port, 1, 65535, "port"));
	if (inet_pton(AF_INET, ip, &addr->sin_addr) != 1)
		errx(1, "invalid IPv4 address '%s'", ip);
}

/* triple - parse "A,B[,C]" into N ints, or exit 1 naming WHAT. */
static void
triple(const char *s, int *v, int n, const char *what)
{
	char buf[64], *p, *save = NULL;
	int i;

	if (strlen(s) >= sizeof(buf))
		errx(1, "invalid %s '%s'", what, s);
	strcpy(buf, s);
	for (i = 0, p = strtok_r(buf, ",", &save); i < n;
	     i++, p = strtok_r(NULL, ",", &save)) {
		if (p == NULL)
			errx(1, "invalid %s '%s' (expected %d numbers)", what,
			    s, n);
		v[i] = (int)number(p, 1, 1 << 24, what);
	}
	if (p != NULL)
		errx(1, "invalid %s '%s' (expected %d numbers)", what, s, n);
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

/* ms_since - milliseconds since T0 (CLOCK_MONOTONIC), with fractions. */
static double
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * read_all - read FD until EOF, printing "data N" per read; "eof" then.
 * Returns 0 at EOF (or on SIGTERM), EXIT_TIMEOUT after printing "timeout
 * after MS ms" (how long that read waited) when a read timed out, 1 on
 * another error.
 */
static int
read_all(int fd)
{
	struct timespec t0;
	char buf[4096];
	ssize_t n;

	/* Bounded by the peer: it ends with EOF, an error or a timeout. */
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			printf("data %zd\n", n);
			fflush(stdout);
			continue;
		}
		if (n == 0) {
			printf("eof\n");
			return 0;
		}
		if (errno == EINTR && stop)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			printf("timeout after %.0f ms\n", ms_since(&t0));
			return EXIT_TIMEOUT;
		}
		warn("read");
		return 1;
	}
}

/* wait_for_close - wait until the peer closes FD, or SIGTERM comes. */
static void
wait_for_close(int fd)
{
	char buf[256];
	ssize_t n;

	fflush(stdout);
	/* Bounded by the peer or the signal. */
	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0 || (n < 0 && errno == EINTR && !stop));
}

/* cmd_connect - optool connect IP PORT MS */
static int
cmd_connect(int argc, char **argv)
{
	struct sockaddr_in addr;
	struct timespec t0;
	int fd, flags, ms, saved;

	if (argc != 4)
		usage();
	address(argv[1], argv[2], &addr);
	ms = (int)number(argv[3], 1, MAX_MS, "time");
	catch_usr1();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = connect_timeout(&addr, ms);
	saved = errno;
	if (fd < 0 && saved == ECONNREFUSED)
		printf("refused\n");
	else if (fd < 0 && saved == ETIMEDOUT)
		printf("timeout after %.0f ms\n", ms_since(&t0));
	if (interrupts > 0)
		printf("signals %d\n", (int)interrupts);
	if (fd < 0 && saved == ECONNREFUSED)
		return EXIT_REFUSED;
	if (fd < 0 && saved == ETIMEDOUT)
		return EXIT_TIMEOUT;
	if (fd < 0) {
		errno = saved;
		err(1, "connect_timeout %s:%s", argv[1], argv[2]);
	}
	flags = fcntl(fd, F_GETFL);
	printf("connected\nmode %s\n",
	    flags >= 0 && (flags & O_NONBLOCK) ? "non-blocking" : "blocking");
	close(fd);
	return 0;
}

/* cmd_serve - optool serve [-b BACKLOG] [-n] [-c COUNT] PORT */
static int
cmd_serve(int argc, char **argv)
{
	long backlog = 16, count = -1, served;
	int lfd, fd, ch, never = 0;

	while ((ch = getopt(argc, argv, "b:c:n")) != -1) {
		switch (ch) {
		case 'b':
			backlog = number(optarg, 0, 4096, "backlog");
			break;
		case 'c':
			count = number(optarg, 1, 1000000, "count");
			break;
		case 'n':
			never = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	lfd = listen_reuse((uint16_t)number(argv[optind], 1, 65535, "port"),
	    (int)backlog);
	if (lfd < 0)
		err(1, "listen_reuse 127.0.0.1:%s", argv[optind]);
	printf("listening\n");
	fflush(stdout);
	if (never) {
		/* Until killed: the connections wait in the accept queue. */
		for (;;)
			pause();
	}
	for (served = 0; count < 0 || served < count; served++) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0)
			err(1, "accept");
		if (writen(fd, "hello\n", 6) < 0)
			warn("write");
		close(fd);
	}
	close(lfd);
	return 0;
}

/* cmd_read - optool read IP PORT MS */
static int
cmd_read(int argc, char **argv)
{
	int fd, rc, ms;

	if (argc != 4)
		usage();
	ms = (int)number(argv[3], 0, MAX_MS, "time");
	fd = tcp_connect(argv[1], (uint16_t)number(argv[2], 1, 65535, "port"));
	if (fd < 0)
		err(1, "connect %s:%s", argv[1], argv[2]);
	if (set_read_timeout(fd, ms) < 0) {
		warn("set_read_timeout %d ms", ms);
		close(fd);
		return 1;
	}
	rc = read_all(fd);
	close(fd);
	return rc;
}

/* cmd_idle - optool idle PORT MS */
static int
cmd_idle(int argc, char **argv)
{
	int lfd, fd, rc, ms;

	if (argc != 3)
		usage();
	ms = (int)number(argv[2], 1, MAX_MS, "time");
	lfd = listen_reuse((uint16_t)number(argv[1], 1, 65535, "port"), 1);
	if (lfd < 0)
		err(1, "listen_reuse 127.0.0.1:%s", argv[1]);
	printf("listening\n");
	fflush(stdout);
	fd = accept_client(lfd, ms);
	close(lfd);
	if (fd < 0)
		err(1, "accept_client");
	printf("accepted\n");
	fflush(stdout);
	rc = read_all(fd);
	close(fd);
	return rc;
}

/* cmd_opts - optool opts [-k I,I,C] [-d 0|1] [-b R,S] IP PORT */
static int
cmd_opts(int argc, char **argv)
{
	struct sockaddr_in addr;
	int ka[3] = { 0, 0, 0 }, bufs[2] = { 0, 0 };
	int fd, ch, nodelay = -1;

	while ((ch = getopt(argc, argv, "k:d:b:")) != -1) {
		switch (ch) {
		case 'k':
			triple(optarg, ka, 3, "keepalive settings");
			break;
		case 'd':
			nodelay = (int)number(optarg, 0, 1, "nodelay");
			break;
		case 'b':
			triple(optarg, bufs, 2, "buffer sizes");
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	address(argv[optind], argv[optind + 1], &addr);
	catch_term();
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		err(1, "socket");
	if ((bufs[0] > 0 || bufs[1] > 0) &&
	    set_bufsizes(fd, bufs[0], bufs[1]) < 0)
		err(1, "set_bufsizes %d %d", bufs[0], bufs[1]);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		err(1, "connect %s:%s", argv[optind], argv[optind + 1]);
	if (ka[0] > 0 && set_keepalive(fd, ka[0], ka[1], ka[2]) < 0)
		err(1, "set_keepalive %d %d %d", ka[0], ka[1], ka[2]);
	if (nodelay >= 0 && set_nodelay(fd, nodelay) < 0)
		err(1, "set_nodelay %d", nodelay);
	printf("keepalive %d idle %d intvl %d count %d\n",
	    intopt(fd, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE"),
	    intopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"),
	    intopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"),
	    intopt(fd, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT"));
	printf("nodelay %d\n",
	    intopt(fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY"));
	printf("rcvbuf %d sndbuf %d\n",
	    intopt(fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF"),
	    intopt(fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF"));
	printf("ready\n");
	wait_for_close(fd);
	close(fd);
	return 0;
}

/* state_name - the name ss(8) gives TCP state S. */
static const char *
state_name(unsigned int s)
{
	static const char *names[] = { "?", "ESTAB", "SYN-SENT", "SYN-RECV",
		"FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "UNCONN", "CLOSE-WAIT",
		"LAST-ACK", "LISTEN", "CLOSING" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* cmd_info - optool info IP PORT */
static int
cmd_info(int argc, char **argv)
{
	struct tcp_stats st;
	char buf[5];
	int fd;

	if (argc != 3)
		usage();
	catch_term();
	fd = tcp_connect(argv[1], (uint16_t)number(argv[2], 1, 65535, "port"));
	if (fd < 0)
		err(1, "connect %s:%s", argv[1], argv[2]);
	if (writen(fd, "ping\n", 5) < 0 || readn(fd, buf, sizeof(buf)) < 5)
		err(1, "ping %s:%s", argv[1], argv[2]);
	memset(&st, 0, sizeof(st));
	if (tcp_stats(fd, &st) < 0)
		err(1, "tcp_stats");
	printf("state %s rtt_us %u rttvar_us %u mss %u cwnd %u retrans %u\n",
	    state_name(st.state), st.rtt_us, st.rttvar_us, st.snd_mss,
	    st.snd_cwnd, st.total_retrans);
	printf("ready\n");
	wait_for_close(fd);
	close(fd);
	return 0;
}

/* nagle_server - the child: answer each 12-byte request with 12 bytes. */
static void
nagle_server(int lfd)
{
	char req[12];
	int fd;

	fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (fd < 0)
		_exit(1);
	while (readn(fd, req, sizeof(req)) == (ssize_t)sizeof(req))
		if (writen(fd, req, sizeof(req)) < 0)
			break;
	close(fd);
	_exit(0);
}

/* cmd_nagle - optool nagle [-d] [-r ROUNDS] */
static int
cmd_nagle(int argc, char **argv)
{
	struct sockaddr_in addr;
	struct timespec t0;
	socklen_t len = sizeof(addr);
	char req[12] = "HDbody-body", ans[12];
	double ms, total = 0, worst = 0;
	long rounds = 20, i;
	int lfd, fd, ch, nodelay = 0, status;
	pid_t pid, parent;

	while ((ch = getopt(argc, argv, "dr:")) != -1) {
		switch (ch) {
		case 'd':
			nodelay = 1;
			break;
		case 'r':
			rounds = number(optarg, 1, 1000, "rounds");
			break;
		default:
			usage();
		}
	}
	if (argc != optind)
		usage();
	lfd = listen_reuse(0, 1);
	if (lfd < 0 || getsockname(lfd, (struct sockaddr *)&addr, &len) < 0)
		err(1, "listen_reuse 127.0.0.1:0");
	parent = getpid();
	pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		/* An optool that fails (err()) takes its server with it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(1);
		nagle_server(lfd);
	}
	close(lfd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		err(1, "connect");
	if (set_nodelay(fd, nodelay) < 0)
		err(1, "set_nodelay %d", nodelay);
	printf("nodelay %d\n",
	    intopt(fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY"));
	for (i = 0; i < rounds; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (writen(fd, req, 2) < 0 || writen(fd, req + 2, 10) < 0 ||
		    readn(fd, ans, sizeof(ans)) != (ssize_t)sizeof(ans))
			err(1, "round %ld", i + 1);
		ms = ms_since(&t0);
		total += ms;
		if (ms > worst)
			worst = ms;
	}
	close(fd);
	waitpid(pid, &status, 0);
	printf("rounds %ld: %.1f ms each on average, %.1f ms the slowest\n",
	    rounds, total / (double)rounds, worst);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "connect") == 0)
		return cmd_connect(argc - 1, argv + 1);
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(argv[1], "read") == 0)
		return cmd_read(argc - 1, argv + 1);
	if (strcmp(argv[1], "idle") == 0)
		return cmd_idle(argc - 1, argv + 1);
	if (strcmp(argv[1], "opts") == 0)
		return cmd_opts(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") == 0)
		return cmd_info(argc - 1, argv + 1);
	if (strcmp(argv[1], "nagle") == 0)
		return cmd_nagle(argc - 1, argv + 1);
	usage();
}
