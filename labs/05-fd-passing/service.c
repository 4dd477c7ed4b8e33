/*
 * service.c - the worker's service: read one line from a client and answer
 * it (see service.h).
 *
 * Provided: do not change this file.
 */
#include "service.h"
#include "sockio.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

/* The longest line a worker answers; the rest of a longer line is ignored. */
#define LINE_MAX_BYTES 512

/*
 * read_line - read one line from FD into BUF (SIZE >= 2), one byte at a time
 * so that nothing after the newline is consumed. The newline is dropped and
 * BUF is NUL-terminated; a line longer than SIZE - 1 bytes is cut there.
 * Returns the line's length, which may be 0 for an empty line; -1 at end of
 * stream before any byte arrived (errno 0) or on error (errno set). Retries
 * EINTR.
 */
static ssize_t
read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t got;
	char c;

	/* Bounded by the client: ends at a newline, EOF or an error. */
	for (;;) {
		got = readn(fd, &c, 1);
		if (got < 0)
			return -1;
		if (got == 0 && len == 0) {
			errno = 0;
			return -1;
		}
		if (got == 0 || c == '\n')
			break; /* a last line without a newline still counts */
		if (len < size - 1)
			buf[len++] = c;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

/*
 * serve_client - read one line from the client on CONN and answer
 * "worker ID (pid PID): LINE\n". Does NOT close CONN: that is the caller's
 * job. This is the worker's serving loop, so it reports an I/O error itself,
 * with warn().
 * Returns 0 when the answer was sent; -1 when the client hung up without
 * sending a line, or on an I/O error.
 */
int
serve_client(int conn, int id)
{
	char line[LINE_MAX_BYTES];
	char answer[LINE_MAX_BYTES + 64];
	ssize_t len;
	int n;

	len = read_line(conn, line, sizeof(line));
	if (len < 0) {
		if (errno != 0)
			warn("worker %d: read", id);
		return -1;
	}
	n = snprintf(answer, sizeof(answer), "worker %d (pid %ld): %s\n", id,
	    (long)getpid(), line);
	if (writen(conn, answer, (size_t)n) < 0) {
		warn("worker %d: write", id);
		return -1;
	}
	return 0;
}
