/*
 * naive_send.c - shortio test program: how many bytes does write() take?
 *
 *     naive_send [-l] tcp:PORT N
 *     naive_send [-l] file:PATH N
 *
 * Connects to 127.0.0.1:PORT (or creates PATH) and writes N bytes. Without
 * -l it makes ONE write() call, as a naive program would, and prints the
 * count write() returned. With -l it loops until all N bytes are written,
 * printing the count of every call on its own line, so a test can see (and
 * compare) the sequence of short counts. A failed write() prints
 * "error write: STRERROR" and exits 1; EINTR is not retried.
 */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_BYTES (16L * 1024 * 1024)

/*
 * parse_count - parse S as a decimal number in [0, MAX].
 *
 * Returns the number, or -1 if S is not one.
 */
static long
parse_count(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0 || v > max)
		return -1;
	return v;
}

/*
 * open_target - open "tcp:PORT" (connect to 127.0.0.1:PORT) or "file:PATH".
 *
 * Returns the descriptor, or -1 with errno set.
 */
static int
open_target(const char *target)
{
	struct sockaddr_in sin;
	long port;
	int fd;

	if (strncmp(target, "file:", 5) == 0)
		return open(target + 5, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (strncmp(target, "tcp:", 4) != 0 ||
	    (port = parse_count(target + 4, 65535)) < 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	int loop = 0, fd;
	long total;
	size_t done = 0;
	char *buf;

	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		loop = 1;
		argc--;
		argv++;
	}
	if (argc != 3 || (total = parse_count(argv[2], MAX_BYTES)) < 0) {
		fprintf(stderr,
		    "usage: naive_send [-l] tcp:PORT|file:PATH N\n");
		return 2;
	}
	buf = malloc((size_t)total + 1);
	if (buf == NULL)
		err(1, "malloc");
	memset(buf, 'x', (size_t)total);
	fd = open_target(argv[1]);
	if (fd < 0)
		err(1, "%s", argv[1]);

	/* Bounded: each pass writes at least one byte or exits. */
	do {
		ssize_t n = write(fd, buf + done, (size_t)total - done);

		if (n < 0) {
			printf("error write: %s\n", strerror(errno));
			return 1;
		}
		printf("%zd\n", n);
		if (n == 0)
			break;
		done += (size_t)n;
	} while (loop && done < (size_t)total);

	close(fd);
	free(buf);
	return 0;
}
