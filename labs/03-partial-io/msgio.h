/*
 * msgio.h - robust I/O on stream sockets, and length-prefixed messages.
 *
 * Provided: do not change this file. You write the functions in msgio.c.
 *
 * read(), write() and writev() on a socket may move fewer bytes than asked
 * (a "short count"), and may fail with EINTR before moving any. The first
 * three functions hide both: they loop until the whole request is done,
 * the stream ends, or a real error happens.
 *
 * On top of them, a message is framed as
 *
 *     +----------------------------+----------------------+
 *     | length: 4 bytes, big-endian | body: `length` bytes |
 *     +----------------------------+----------------------+
 *
 * so 5 bytes "hello" go out as 00 00 00 05 68 65 6c 6c 6f, and a
 * zero-length message is the four bytes 00 00 00 00 alone.
 */
#ifndef MSGIO_H
#define MSGIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/* The largest body msgrecv accepts unless told otherwise (64 MiB). */
#define MSG_DEFAULT_MAX (64u * 1024 * 1024)

/*
 * readn - read exactly N bytes from FD into BUF.
 *
 * Returns N; fewer than N only if the stream ended first (0 if it ended
 * before the first byte); -1 with errno set on an error. Retries EINTR.
 */
ssize_t readn(int fd, void *buf, size_t n);

/*
 * writen - write all N bytes of BUF to FD.
 *
 * Returns N, or -1 with errno set. Retries EINTR; after a short write it
 * goes on from the first byte not yet written.
 */
ssize_t writen(int fd, const void *buf, size_t n);

/*
 * writev_all - write every byte of the IOVCNT buffers in IOV to FD.
 *
 * After a short writev() it goes on from the exact byte where that call
 * stopped: finished entries are skipped, and the entry written in part has
 * its iov_base and iov_len moved past the bytes already sent. IOV is
 * changed in the process. Returns the total number of bytes written, or -1
 * with errno set. Retries EINTR.
 */
ssize_t writev_all(int fd, struct iovec *iov, int iovcnt);

/*
 * send_msg - send one message: LEN as 4 bytes big-endian, then LEN bytes
 * of BODY, both in a single writev_all() call.
 *
 * Returns 0, or -1 with errno set.
 */
int send_msg(int fd, const void *body, uint32_t len);

/*
 * recv_msg - receive one message into BUF, which holds CAP bytes.
 *
 * Returns 1 with the body in BUF and its length in *LEN; 0 if the stream
 * ended cleanly before the first byte of a header (no message); -1 with
 * errno set on an error:
 *   EPROTO    the stream ended inside a header or a body (the peer closed
 *             in the middle of a message);
 *   EMSGSIZE  the header announced more than CAP bytes (the body is not
 *             read);
 *   anything else: the error of read() itself.
 * Once a whole header has been read, *LEN holds the length it announced,
 * also when -1 is returned afterwards (EPROTO in the body, EMSGSIZE);
 * before that, *LEN is left as it was.
 */
int recv_msg(int fd, void *buf, uint32_t cap, uint32_t *len);

#endif /* MSGIO_H */
