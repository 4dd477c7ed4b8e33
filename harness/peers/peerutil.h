/*
 * peerutil.h - helpers shared by the C test peers (recorder, scripted,
 * nsholder): addresses, the event log, hex.
 *
 * Whole reads and writes, loading a file and parsing a number come from the
 * course's I/O module, labs/common/sockio.h, which the labs use too.
 */
#ifndef PEERUTIL_H
#define PEERUTIL_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Longest address text we print: "unix:" plus a full sun_path. */
#define PEER_ADDR_TEXT_MAX 128

/* A parsed command-line address: ready for bind()/connect(), and printable. */
struct peer_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int is_unix;
	char path[108];                /* the socket path, for unix: only */
	char text[PEER_ADDR_TEXT_MAX]; /* "127.0.0.1:8080" or "unix:PATH" */
};

/* Which forms peer_addr_parse() accepts. */
enum peer_addr_form {
	PEER_ADDR_PORT,    /* "PORT" (meaning 127.0.0.1:PORT) or "unix:PATH" */
	PEER_ADDR_HOSTPORT /* "HOST:PORT" (numeric IPv4) or "unix:PATH" */
};

int peer_addr_parse(const char *spec, enum peer_addr_form form,
    struct peer_addr *addr, const char **why);
void format_inet(const struct sockaddr_storage *ss, char *out, size_t outlen);

int log_open(const char *path);
void log_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void sleep_ms(long ms);
int hex_decode(const char *hex, unsigned char **data, size_t *len);
char *hex_encode(const unsigned char *data, size_t len);

#endif /* PEERUTIL_H */
