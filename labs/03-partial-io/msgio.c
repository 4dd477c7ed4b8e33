/*
 * msgio.c - robust I/O on stream sockets, and length-prefixed messages.
 *
 * The exercise: write the five functions declared in msgio.h. The provided
 * programs msgsend and msgrecv link this file; README.md says how they are
 * tested. Every call to read(), write() and writev() may move fewer bytes
 * than asked, or fail with EINTR having moved none: handle both, here and
 * only here.
 */
#include "msgio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- your code below ---- */

ssize_t
readn(int fd, void *buf, size_t n)
{
	/* TODO: loop on read() until N bytes are in, read() returns 0 (EOF)
	 * or fails; retry EINTR. */
	(void)fd;
	(void)buf;
	(void)n;
	fprintf(stderr, "readn: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* returns n, fewer only at EOF (0 if EOF came first), -1 on error */

ssize_t
writen(int fd, const void *buf, size_t n)
{
	/* TODO: loop on write() until all N bytes are out, going on from the
	 * first byte not yet written; retry EINTR. */
	(void)fd;
	(void)buf;
	(void)n;
	fprintf(stderr, "writen: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* returns n or -1 */

ssize_t
writev_all(int fd, struct iovec *iov, int iovcnt)
{
	/* TODO: loop on writev(); after a short one, skip the entries written
	 * in full and move iov_base/iov_len of the one written in part past
	 * the bytes already sent; retry EINTR. */
	(void)fd;
	(void)iov;
	(void)iovcnt;
	fprintf(stderr, "writev_all: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* returns the total written (every byte of every entry) or -1 */

int
send_msg(int fd, const void *body, uint32_t len)
{
	/* TODO: a 4-byte big-endian header (htonl) and the body, as two
	 * iovecs in ONE writev_all() call. */
	(void)fd;
	(void)body;
	(void)len;
	fprintf(stderr, "send_msg: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* returns 0 or -1 */

int
recv_msg(int fd, void *buf, uint32_t cap, uint32_t *len)
{
	/* TODO: readn() the header, ntohl() it into *len, reject more than
	 * cap (EMSGSIZE), readn() the body; EOF before the header is a clean
	 * end (0), EOF inside the header or the body is an error (EPROTO). */
	(void)fd;
	(void)buf;
	(void)cap;
	(void)len;
	fprintf(stderr, "recv_msg: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* returns 1 with a message, 0 at a clean EOF, -1 on error */
