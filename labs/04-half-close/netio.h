/*
 * netio.h - the provided part of lab 04: everything that is not the lesson.
 *
 * Parsing a port, loading a file, writing a whole buffer, and the socket
 * set-up of lab 02 (listen, accept, connect) are written for you, so that
 * server.c and client.c are about one thing: how a connection ends.
 */
#ifndef NETIO_H
#define NETIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Room for "255.255.255.255:65535" and its NUL. */
#define PEER_TEXT_MAX 22

int parse_port(const char *text, uint16_t *port);
int load_file(const char *path, unsigned char **data, size_t *len);
ssize_t write_all(int fd, const void *buf, size_t len);

int tcp_listen(uint16_t port);
int tcp_accept(int listen_fd, char *peer, size_t peerlen);
int tcp_connect(const char *ip, uint16_t port);

#endif /* NETIO_H */
