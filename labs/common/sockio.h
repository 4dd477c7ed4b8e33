/*
 * sockio.h - the course's provided I/O and socket helpers, used by labs 04,
 * 05 and 06 and by the test peers in harness/peers.
 *
 * Provided: do not change this file or sockio.c. Read sockio.c to see what
 * your code can rely on: every function there starts with a comment saying
 * what it does and what it returns.
 *
 * One convention throughout: a function that fails returns -1 with errno
 * set and prints nothing. The caller knows what it was doing, so the caller
 * reports it: err() in main, warn() in the serving loop, as in
 *     server: listen on 127.0.0.1:9000: Address already in use
 */
#ifndef SOCKIO_H
#define SOCKIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Room for "255.255.255.255:65535" and its NUL. */
#define PEER_TEXT_MAX 22

/* Whole reads and writes, over short counts and EINTR. */
ssize_t readn(int fd, void *buf, size_t n);
ssize_t writen(int fd, const void *buf, size_t n);

/* A file's contents; a number from the command line. */
int load_file(const char *path, unsigned char **data, size_t *len);
int parse_long(const char *s, long min, long max, long *out);

/* TCP on 127.0.0.1: the socket set-up of lab 02. */
int tcp_listen(uint16_t port);
int tcp_accept(int listen_fd, char *peer, size_t peerlen);
int accept_error_is_transient(int err);
int tcp_connect(const char *ip, uint16_t port);

#endif /* SOCKIO_H */
