/*
 * unixtool.c - the driver that puts unixsock.c to work, one subcommand per
 * use, so that the tests watch each function in a real program.
 *
 * Provided: do not change this file. You write unixsock.c.
 *
 * NAME is a path or '@' and an abstract name (unixsock.h).
 *
 *   unixtool serve [-r UID] [-m MODE] [-c COUNT] NAME
 *       unix_listen(NAME, SOCK_STREAM, MODE) (MODE in octal, default 0600)
 *       and print "listening". Then unix_accept() each client and print
 *       "client uid U gid G pid P"; a client whose uid is UID is refused:
 *       print "refused uid U" and close its connection without a word;
 *       any other client is sent "hello uid U gid G pid P\n" and its
 *       connection closed. Exit 0 after COUNT clients (default: serve until
 *       SIGTERM or SIGINT). On that clean exit the socket file of a path is
 *       removed; a server that is killed (SIGKILL) leaves it behind.
 *
 *   unixtool hello NAME
 *       unix_connect(NAME, SOCK_STREAM), read until EOF and print what
 *       came, or "closed without a greeting" when nothing did.
 *
 *   unixtool credcheck NAME
 *       unix_listen(NAME, SOCK_STREAM, 0600), fork a child that connects
 *       with unix_connect() and waits for EOF, unix_accept() its connection,
 *       and print "self uid U gid G pid P" (this process), "child pid C" and
 *       "peer uid U gid G pid P" (what unix_accept() reported).
 *
 *   unixtool recv -t TYPE [-b SIZE] [-n COUNT] NAME
 *       TYPE dgram or seqpacket. unix_listen(NAME, TYPE, 0600), print
 *       "listening"; for seqpacket unix_accept() one connection and print
 *       "accepted". Then recv_record() with a buffer of SIZE bytes (default
 *       256): print "record N TEXT" for each message (N its length),
 *       "too long" when recv_record() fails with EMSGSIZE, and "eof" (then
 *       exit) at the end of a seqpacket connection. Exit 0 after COUNT
 *       messages (default: until eof, SIGTERM or SIGINT).
 *
 *   unixtool send -t TYPE NAME MSG...
 *       TYPE stream, dgram or seqpacket. unix_connect(NAME, TYPE), send
 *       each MSG with one send() and print "sent N"; then close.
 *
 * Exit status: 0 on success, 1 on a failed call, 2 on bad usage.
 */
#define _GNU_SOURCE /* ppoll */
#include "sockio.h"
#include "unixsock.h"

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static sigset_t waitmask; /* the mask ppoll() waits with: TERM, INT open */

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: unixtool serve [-r UID] [-m MODE] [-c COUNT] NAME\n"
	    "       unixtool hello NAME\n"
	    "       unixtool credcheck NAME\n"
	    "       unixtool recv -t dgram|seqpacket [-b SIZE] [-n COUNT] "
	    "NAME\n"
	    "       unixtool send -t stream|dgram|seqpacket NAME MSG...\n");
	exit(2);
}

/* on_term - SIGTERM/SIGINT: ask the waiting loop to stop. */
static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * catch_term - SIGTERM and SIGINT set stop; they are blocked except while
 * wait_readable() waits, so none is lost between a check and the wait.
 */
static void
catch_term(void)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
}

/*
 * wait_readable - wait until FD is readable (a client to accept, a message
 * to receive).
 * Returns 0 when it is; -1 when SIGTERM or SIGINT came first.
 */
static int
wait_readable(int fd)
{
	struct pollfd p;

	p.fd = fd;
	p.events = POLLIN;
	/* Bounded by the peer or the signal. */
	while (!stop) {
		if (ppoll(&p, 1, NULL, &waitmask) > 0)
			return 0;
		if (errno != EINTR)
			err(1, "ppoll");
	}
	return -1;
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

/* socktype - SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET named by S. */
static int
socktype(const char *s)
{
	if (strcmp(s, "stream") == 0)
		return SOCK_STREAM;
	if (strcmp(s, "dgram") == 0)
		return SOCK_DGRAM;
	if (strcmp(s, "seqpacket") == 0)
		return SOCK_SEQPACKET;
	errx(2, "invalid type '%s' (stream, dgram or seqpacket)", s);
}

/* remove_path - remove NAME's socket file at a clean exit (not '@'). */
static void
remove_path(const char *name)
{
	if (name[0] != '@')
		unlink(name);
}

/* cmd_serve - unixtool serve [-r UID] [-m MODE] [-c COUNT] NAME */
static int
cmd_serve(int argc, char **argv)
{
	long refuse = -1, count = -1, served, mode = 0600;
	char line[128];
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int lfd, fd, ch, n;
	const char *name;

	while ((ch = getopt(argc, argv, "c:m:r:")) != -1) {
		switch (ch) {
		case 'c':
			count = number(optarg, 1, 1000000, "count");
			break;
		case 'm':
			if (strspn(optarg, "01234567") != strlen(optarg) ||
			    strlen(optarg) == 0 || strlen(optarg) > 4)
				errx(2, "invalid mode '%s' (octal)", optarg);
			mode = strtol(optarg, NULL, 8);
			break;
		case 'r':
			refuse = number(optarg, 0, 4294967294L, "uid");
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	name = argv[optind];
	catch_term();
	lfd = unix_listen(name, SOCK_STREAM, (mode_t)mode);
	if (lfd < 0)
		err(1, "unix_listen %s", name);
	printf("listening\n");
	fflush(stdout);
	for (served = 0; count < 0 || served < count; served++) {
		if (wait_readable(lfd) < 0)
			break;
		fd = unix_accept(lfd, &uid, &gid, &pid);
		if (fd < 0) {
			warn("unix_accept");
			continue;
		}
		printf("client uid %u gid %u pid %ld\n", (unsigned)uid,
		    (unsigned)gid, (long)pid);
		if ((long)uid == refuse) {
			printf("refused uid %u\n", (unsigned)uid);
		} else {
			n = snprintf(line, sizeof(line),
			    "hello uid %u gid %u pid %ld\n", (unsigned)uid,
			    (unsigned)gid, (long)pid);
			if (send(fd, line, (size_t)n, MSG_NOSIGNAL) < 0)
				warn("send");
		}
		fflush(stdout);
		close(fd);
	}
	close(lfd);
	remove_path(name);
	return 0;
}

/* cmd_hello - unixtool hello NAME */
static int
cmd_hello(int argc, char **argv)
{
	char buf[512];
	size_t got = 0;
	ssize_t n;
	int fd;

	if (argc != 2)
		usage();
	fd = unix_connect(argv[1], SOCK_STREAM);
	if (fd < 0)
		err(1, "unix_connect %s", argv[1]);
	/* Bounded by the server: it closes after its greeting. */
	while (got < sizeof(buf) - 1) {
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warn("read");
			close(fd);
			return 1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	if (got == 0)
		printf("closed without a greeting\n");
	else
		fputs(buf, stdout);
	return 0;
}

/* cmd_credcheck - unixtool credcheck NAME */
static int
cmd_credcheck(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;
	pid_t pid, child;
	char c;
	ssize_t n;
	int lfd, fd, status;

	if (argc != 2)
		usage();
	lfd = unix_listen(argv[1], SOCK_STREAM, 0600);
	if (lfd < 0)
		err(1, "unix_listen %s", argv[1]);
	fflush(stdout);
	child = fork();
	if (child < 0) {
		warn("fork");
		close(lfd);
		remove_path(argv[1]);
		return 1;
	}
	if (child == 0) {
		close(lfd);
		fd = unix_connect(argv[1], SOCK_STREAM);
		if (fd < 0)
			err(1, "child: unix_connect %s", argv[1]);
		/* Bounded by the parent: it closes the connection. */
		do
			n = read(fd, &c, 1);
		while (n > 0 || (n < 0 && errno == EINTR));
		close(fd);
		_exit(0);
	}
	printf("self uid %u gid %u pid %ld\nchild pid %ld\n",
	    (unsigned)getuid(), (unsigned)getgid(), (long)getpid(),
	    (long)child);
	fd = unix_accept(lfd, &uid, &gid, &pid);
	close(lfd);
	remove_path(argv[1]);
	if (fd < 0) {
		warn("unix_accept");
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
		return 1;
	}
	printf("peer uid %u gid %u pid %ld\n", (unsigned)uid, (unsigned)gid,
	    (long)pid);
	close(fd);
	if (waitpid(child, &status, 0) < 0 || status != 0) {
		warnx("the connecting child failed");
		return 1;
	}
	return 0;
}

/* cmd_recv - unixtool recv -t TYPE [-b SIZE] [-n COUNT] NAME */
static int
cmd_recv(int argc, char **argv)
{
	long size = 256, count = -1, got;
	int type = -1, lfd, fd, ch, rc = 0;
	char *buf;
	ssize_t n;
	uid_t uid;
	gid_t gid;
	pid_t pid;

	while ((ch = getopt(argc, argv, "b:n:t:")) != -1) {
		switch (ch) {
		case 'b':
			size = number(optarg, 1, 65536, "buffer size");
			break;
		case 'n':
			count = number(optarg, 1, 1000000, "count");
			break;
		case 't':
			type = socktype(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 ||
	    (type != SOCK_DGRAM && type != SOCK_SEQPACKET))
		usage();
	catch_term();
	lfd = unix_listen(argv[optind], type, 0600);
	if (lfd < 0)
		err(1, "unix_listen %s", argv[optind]);
	printf("listening\n");
	fflush(stdout);
	fd = lfd;
	if (type == SOCK_SEQPACKET) {
		fd = wait_readable(lfd) < 0 ?
		    -1 :
		    unix_accept(lfd, &uid, &gid, &pid);
		if (fd < 0) {
			if (!stop)
				warn("unix_accept");
			rc = !stop;
			goto done_listener;
		}
		printf("accepted\n");
		fflush(stdout);
	}
	buf = malloc((size_t)size + 1);
	if (buf == NULL) {
		warn("malloc");
		rc = 1;
		goto done_conn;
	}
	for (got = 0; count < 0 || got < count; got++) {
		if (wait_readable(fd) < 0)
			break;
		n = recv_record(fd, buf, (size_t)size);
		if (n < 0 && errno == EMSGSIZE) {
			printf("too long\n");
		} else if (n < 0) {
			warn("recv_record");
			rc = 1;
			break;
		} else if (n == 0 && type == SOCK_SEQPACKET) {
			printf("eof\n");
			break;
		} else {
			buf[n] = '\0';
			printf("record %zd %s\n", n, buf);
		}
		fflush(stdout);
	}
	free(buf);
done_conn:
	if (fd != lfd)
		close(fd);
done_listener:
	close(lfd);
	remove_path(argv[optind]);
	return rc;
}

/* cmd_send - unixtool send -t TYPE NAME MSG... */
static int
cmd_send(int argc, char **argv)
{
	int type = -1, fd, ch, i;
	ssize_t n;

	while ((ch = getopt(argc, argv, "t:")) != -1) {
		if (ch != 't')
			usage();
		type = socktype(optarg);
	}
	if (argc - optind < 2 || type < 0)
		usage();
	fd = unix_connect(argv[optind], type);
	if (fd < 0)
		err(1, "unix_connect %s", argv[optind]);
	for (i = optind + 1; i < argc; i++) {
		do
			n = send(fd, argv[i], strlen(argv[i]), MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			warn("send");
			close(fd);
			return 1;
		}
		printf("sent %zd\n", n);
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(argv[1], "hello") == 0)
		return cmd_hello(argc - 1, argv + 1);
	if (strcmp(argv[1], "credcheck") == 0)
		return cmd_credcheck(argc - 1, argv + 1);
	if (strcmp(argv[1], "recv") == 0)
		return cmd_recv(argc - 1, argv + 1);
	if (strcmp(argv[1], "send") == 0)
		return cmd_send(argc - 1, argv + 1);
	usage();
}
