/*
 * msgio.c - robust I/O on stream sockets, and length-prefixed messages.
 *
 * The reference. The three I/O helpers follow CS:APP's rio_readn/rio_writen
 * and OpenBSD's atomicio(): one loop per direction deals with short counts
 * and EINTR, and everything else goes through them.
 */
#include "msgio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- your code below ---- */

/*
 * readn - read exactly N bytes from FD into BUF.
 *
 * Returns N; fewer than N only if the stream ended first (0 if it ended
 * before the first byte); -1 with errno set on an error. Retries EINTR.
 */
ssize_t
readn(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t left = n;

	/* Bounded: every pass reads at least one byte, or leaves the loop. */
	while (left > 0) {
		ssize_t got = read(fd, p, left);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break; /* EOF: report what arrived before it */
		p += got;
		left -= (size_t)got;
	}
	return (ssize_t)(n - left);
}

/*
 * writen - write all N bytes of BUF to FD.
 *
 * Returns N, or -1 with errno set. Retries EINTR; after a short write it
 * goes on from the first byte not yet written.
 */
ssize_t
writen(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t left = n;

	/* Bounded: every pass writes at least one byte, or returns. */
	while (left > 0) {
		ssize_t put = write(fd, p, left);

		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			return -1;
		p += put;
		left -= (size_t)put;
	}
	return (ssize_t)n;
}

/*
 * skip_written - move IOV past the first DONE bytes written from it.
 *
 * Entries written in full are dropped from the front; the one written in
 * part has its base and length moved past the bytes already sent. Returns
 * the new start of the array; *IOVCNT is reduced to match.
 */
static struct iovec *
skip_written(struct iovec *iov, int *iovcnt, size_t done)
{
	while (*iovcnt > 0 && done >= iov->iov_len) {
		done -= iov->iov_len;
		iov++;
		(*iovcnt)--;
	}
	if (*iovcnt > 0) {
		iov->iov_base = (unsigned char *)iov->iov_base + done;
		iov->iov_len -= done;
	}
	return iov;
}

/*
 * writev_all - write every byte of the IOVCNT buffers in IOV to FD.
 *
 * Returns the total number of bytes written, or -1 with errno set. IOV is
 * changed. Retries EINTR; a short writev() is continued from the exact
 * byte where it stopped.
 */
ssize_t
writev_all(int fd, struct iovec *iov, int iovcnt)
{
	size_t total = 0;

	/* Drop empty entries first, so that the loop ends with the last byte. */
	iov = skip_written(iov, &iovcnt, 0);
	/* Bounded: every pass writes at least one byte, or returns. */
	while (iovcnt > 0) {
		ssize_t put = writev(fd, iov, iovcnt);

		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			return -1;
		total += (size_t)put;
		iov = skip_written(iov, &iovcnt, (size_t)put);
	}
	return (ssize_t)total;
}

/*
 * send_msg - send LEN as 4 bytes big-endian, then the LEN bytes of BODY,
 * in one writev_all() call.
 *
 * Returns 0, or -1 with errno set.
 */
int
send_msg(int fd, const void *body, uint32_t len)
{
	uint32_t header = htonl(len);
	struct iovec iov[2];

	iov[0].iov_base = &header;
	iov[0].iov_len = sizeof(header);
	iov[1].iov_base = (void *)body; /* writev() never writes to it */
	iov[1].iov_len = len;
	return writev_all(fd, iov, 2) < 0 ? -1 : 0;
}

/*
 * recv_msg - receive one message into BUF, which holds CAP bytes.
 *
 * Returns 1 with the body in BUF and its length in *LEN; 0 at a clean end
 * of the stream before a header; -1 with errno set: EPROTO if the stream
 * ended inside a header or body, EMSGSIZE if the length exceeds CAP, or
 * read()'s error. *LEN is set as soon as a whole header has been read.
 */
int
recv_msg(int fd, void *buf, uint32_t cap, uint32_t *len)
{
	uint32_t header;
	ssize_t got;

	got = readn(fd, &header, sizeof(header));
	if (got < 0)
		return -1;
	if (got == 0)
		return 0; /* the peer closed between two messages */
	if ((size_t)got < sizeof(header)) {
		errno = EPROTO;
		return -1;
	}
	*len = ntohl(header);
	if (*len > cap) {
		errno = EMSGSIZE;
		return -1;
	}
	got = readn(fd, buf, *len);
	if (got < 0)
		return -1;
	if ((size_t)got < *len) {
		errno = EPROTO;
		return -1;
	}
	return 1;
}
