/*
 * fdtool.c - the driver that puts fdpass.c to work on its own.
 *
 * Provided: do not change this file. You write fdpass.c.
 *
 *   fdtool send [-m TEXT] PATH [FILE...]
 *       Connect to the Unix socket PATH (unix_connect), open every FILE
 *       read-write (creating it), write "sender: before\n" to each, and send
 *       all their descriptors in ONE message with TEXT as its data
 *       (send_fds; no -m: no data of our own). Then half-close, wait until
 *       the receiver closes the connection, and write "sender: after\n" to
 *       each FILE through the same descriptors. If the descriptors really
 *       were shared, each file then reads
 *       "sender: before\nreceiver\nsender: after\n": one file offset, moved
 *       by both. With no FILE, the message carries no descriptor at all.
 *
 *   fdtool recv [-n MAXFDS] PATH
 *       Listen on PATH (unix_listen), accept one connection and receive one
 *       message with room for MAXFDS descriptors (default FDPASS_MAX). Print
 *       the data and, for every descriptor received, its number, the
 *       identity of its file (st_dev:st_ino) and its current offset; then
 *       write "receiver\n" through it and close it. Finally remove PATH and
 *       check that no descriptor is left open (exit status 3 if one is).
 *
 * Exit status: 0 on success, 1 on a failed call, 2 on bad usage, 3 on a
 * leaked descriptor.
 */
#include "fdpass.h"
#include "sockio.h"

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_LEAK 3

/* Descriptors below this are watched for leaks (Valgrind's sit higher). */
#define WATCHED_FDS 1024

/* Which descriptors were open when fdtool started: those are not leaks. */
static unsigned char open_at_start[WATCHED_FDS];

/* usage - print the command line summary on stderr and exit 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: fdtool send [-m TEXT] PATH [FILE...]\n"
	    "       fdtool recv [-n MAXFDS] PATH\n");
	exit(EXIT_USAGE);
}

/*
 * report_call - report that CALL on PATH failed, with a hint for a path that
 * is too long.
 */
static void
report_call(const char *call, const char *path)
{
	int saved = errno;

	warn("%s %s", call, path);
	if (saved == ENAMETOOLONG)
		warnx(
		    "the path is %zu bytes; sun_path holds at most %zu and a NUL",
		    strlen(path),
		    sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
}

/*
 * write_text - write TEXT through FD (to WHAT), reporting a failure.
 * Returns 0; -1 on error.
 */
static int
write_text(int fd, const char *text, const char *what)
{
	if (writen(fd, text, strlen(text)) < 0) {
		warn("write to %s", what);
		return -1;
	}
	return 0;
}

/*
 * wait_for_close - read SOCK until the peer closes it.
 * Returns 0; -1 on an error (reported).
 */
static int
wait_for_close(int sock)
{
	char buf[256];
	ssize_t got;

	/* Bounded by the peer: ends at its close or an error. */
	for (;;) {
		got = read(sock, buf, sizeof(buf));
		if (got == 0)
			return 0;
		if (got < 0 && errno != EINTR) {
			warn("read");
			return -1;
		}
	}
}

/* close_all - close the first N descriptors of FDS. */
static void
close_all(const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

/* cmd_send - fdtool send: see the top of this file. Returns the exit status. */
static int
cmd_send(int argc, char **argv)
{
	const char *text = NULL, *path;
	char **files;
	int fds[FDPASS_MAX];
	int nfds = 0, sock, opt, fd, i, status = 1;

	while ((opt = getopt(argc, argv, "m:")) != -1) {
		if (opt != 'm')
			usage();
		text = optarg;
	}
	if (optind >= argc || argc - optind - 1 > FDPASS_MAX)
		usage();
	path = argv[optind];
	files = argv + optind + 1;

	sock = unix_connect(path);
	if (sock < 0) {
		report_call("unix_connect", path);
		return 1;
	}
	for (i = optind + 1; i < argc; i++) {
		fd = open(argv[i], O_RDWR | O_CREAT, 0644);
		if (fd < 0) {
			warn("open %s", argv[i]);
			goto out;
		}
		fds[nfds++] = fd;
		if (write_text(fd, "sender: before\n", argv[i]) < 0)
			goto out;
	}
	if (send_fds(sock, fds, nfds, text, text ? strlen(text) : 0) < 0) {
		warn("send_fds");
		goto out;
	}
	printf("sent %d descriptor(s) and %zu byte(s) of data\n", nfds,
	    text ? strlen(text) : 0);
	fflush(stdout);
	/* Half-close: a receiver still waiting for data sees end of stream. */
	shutdown(sock, SHUT_WR);
	if (wait_for_close(sock) < 0)
		goto out;
	for (i = 0; i < nfds; i++)
		if (write_text(fds[i], "sender: after\n", files[i]) < 0)
			goto out;
	status = 0;
out:
	close_all(fds, nfds);
	close(sock);
	return status;
}

/* print_data - print the LEN data bytes received, unprintable ones as \xNN. */
static void
print_data(const unsigned char *data, size_t len)
{
	size_t i;

	printf("data %zu byte(s): ", len);
	for (i = 0; i < len; i++) {
		if (isprint(data[i]) && data[i] != '\\')
			putchar(data[i]);
		else
			printf("\\x%02x", data[i]);
	}
	putchar('\n');
}

/*
 * report_fd - print what FD (the I-th received) refers to and its offset,
 * then write "receiver\n" through it.
 * Returns 0; -1 on error.
 */
static int
report_fd(int i, int fd)
{
	struct stat st;
	off_t off;

	if (fstat(fd, &st) < 0) {
		printf("fd %d: number %d: fstat: %s\n", i, fd, strerror(errno));
		return -1;
	}
	off = lseek(fd, 0, SEEK_CUR);
	printf("fd %d: number %d identity %ju:%ju offset %jd\n", i, fd,
	    (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)off);
	if (S_ISREG(st.st_mode))
		return write_text(fd, "receiver\n", "a received descriptor");
	return 0;
}

/*
 * for_each_open_fd - call FN(fd) for every open descriptor below
 * WATCHED_FDS but the one used for reading /proc/self/fd.
 * Returns how many calls returned non-zero.
 */
static int
for_each_open_fd(int (*fn)(int fd))
{
	struct dirent *e;
	DIR *dir;
	long fd;
	int hits = 0;

	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		return 0; /* no /proc: nothing to check with */
	while ((e = readdir(dir)) != NULL) {
		if (parse_long(e->d_name, 0, WATCHED_FDS - 1, &fd) < 0 ||
		    fd == dirfd(dir))
			continue;
		hits += fn((int)fd) != 0;
	}
	closedir(dir);
	return hits;
}

/* mark_open_at_start - remember FD as open before fdtool did anything. */
static int
mark_open_at_start(int fd)
{
	open_at_start[fd] = 1;
	return 0;
}

/*
 * report_if_leaked - if FD was opened since start, say so.
 * Returns 1 for a leak, 0 otherwise.
 */
static int
report_if_leaked(int fd)
{
	char link[64], target[256];
	ssize_t n;

	if (open_at_start[fd])
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	warnx(
	    "descriptor %d is still open (-> %s) though everything was closed",
	    fd, target);
	return 1;
}

/* cmd_recv - fdtool recv: see the top of this file. Returns the exit status. */
static int
cmd_recv(int argc, char **argv)
{
	int fds[FDPASS_MAX];
	unsigned char data[256];
	const char *path;
	long maxfds = FDPASS_MAX;
	int opt, listener, conn, i, nfds = 0, status = 1;
	ssize_t n;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			usage();
		if (parse_long(optarg, 1, FDPASS_MAX, &maxfds) < 0)
			errx(EXIT_USAGE,
			    "-n takes a number from 1 to %d, not '%s'",
			    FDPASS_MAX, optarg);
	}
	if (optind != argc - 1)
		usage();
	path = argv[optind];

	listener = unix_listen(path);
	if (listener < 0) {
		report_call("unix_listen", path);
		return 1;
	}
	printf("listening on %s\n", path);
	fflush(stdout);
	conn = accept(listener, NULL, NULL);
	if (conn < 0) {
		warn("accept");
		goto out_listener;
	}
	n = recv_fds(conn, fds, (int)maxfds, &nfds, data, sizeof(data));
	if (n < 0) {
		warn("recv_fds");
	} else if (n == 0) {
		warnx("recv_fds: end of stream before any message arrived");
	} else if (nfds < 0 || nfds > maxfds) {
		warnx("recv_fds reported %d descriptors, room was for %ld",
		    nfds, maxfds);
		/* Handed over all the same: ours to close. */
		if (nfds > maxfds && nfds <= FDPASS_MAX)
			close_all(fds, nfds);
	} else {
		print_data(data, (size_t)n);
		printf("descriptors: %d\n", nfds);
		status = 0;
		for (i = 0; i < nfds; i++)
			if (report_fd(i, fds[i]) < 0)
				status = 1;
		close_all(fds, nfds);
	}
	fflush(stdout);
	close(conn);
out_listener:
	close(listener);
	unlink(path);
	if (for_each_open_fd(report_if_leaked) > 0)
		status = EXIT_LEAK;
	return status;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	for_each_open_fd(mark_open_at_start);
	if (strcmp(argv[1], "send") == 0)
		return cmd_send(argc - 1, argv + 1);
	if (strcmp(argv[1], "recv") == 0)
		return cmd_recv(argc - 1, argv + 1);
	usage();
}
