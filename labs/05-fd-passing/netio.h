/*
 * netio.h - byte-stream helpers shared by fdtool, the master and its workers.
 *
 * Provided: do not change this file or netio.c. Use writen() wherever you write to a socket.
 */
#ifndef NETIO_H
#define NETIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * writen - write all N bytes of BUF to FD, retrying short writes and EINTR.
 * Returns N; -1 on error with errno set.
 */
ssize_t writen(int fd, const void *buf, size_t n);

/*
 * read_line - read one line from FD into BUF (SIZE >= 2), one byte at a time so that nothing
 * after the newline is consumed. The newline is dropped and BUF is NUL-terminated; a line
 * longer than SIZE - 1 bytes is cut there. Retries EINTR.
 * Returns the line's length, which may be 0 for an empty line; -1 at end of stream before
 * any byte arrived (errno 0) or on error (errno set).
 */
ssize_t read_line(int fd, char *buf, size_t size);

/*
 * tcp_listen - a TCP socket listening on 127.0.0.1:PORT, with SO_REUSEADDR set.
 * Reports the step that failed on stderr ("bind 127.0.0.1:9000: Address already in use").
 * Returns the listening descriptor; -1 on error.
 */
int tcp_listen(uint16_t port);

/*
 * serve_client - the worker's service: read one line from the client on CONN and answer
 * "worker ID (pid PID): LINE\n". Does NOT close CONN: that is the caller's job.
 * Returns 0 when the answer was sent; -1 when the client hung up without sending a line, or
 * on an I/O error (reported on stderr).
 */
int serve_client(int conn, int id);

#endif /* NETIO_H */
