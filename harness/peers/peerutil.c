/*
 * peerutil.c - helpers shared by the C test peers: address parsing, the
 * event log, hex.
 */
#include "peerutil.h"
#include "sockio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/*
 * format_inet - write "A.B.C.D:PORT" for the IPv4 address in SS into OUT.
 *
 * Always NUL-terminates OUT. Prints "?" for anything that is not AF_INET.
 */
void
format_inet(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	char host[INET_ADDRSTRLEN];

	if (ss->ss_family != AF_INET ||
	    inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host)) == NULL) {
		snprintf(out, outlen, "?");
		return;
	}
	snprintf(out, outlen, "%s:%u", host, (unsigned)ntohs(sin->sin_port));
}

/*
 * parse_unix - fill *ADDR for the unix socket path PATH.
 *
 * Returns 0, or -1 and points *WHY at a short reason.
 */
static int
parse_unix(const char *path, struct peer_addr *addr, const char **why)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&addr->ss;

	if (*path == '\0') {
		*why = "empty unix socket path";
		return -1;
	}
	/* sun_path needs room for the terminating NUL too. */
	if (strlen(path) >= sizeof(sun->sun_path) ||
	    strlen(path) >= sizeof(addr->path)) {
		*why = "unix socket path too long";
		return -1;
	}
	sun->sun_family = AF_UNIX;
	strcpy(sun->sun_path, path);
	strcpy(addr->path, path);
	addr->len = (socklen_t)sizeof(*sun);
	addr->is_unix = 1;
	snprintf(addr->text, sizeof(addr->text), "unix:%s", path);
	return 0;
}

/*
 * parse_inet - fill *ADDR for "PORT" (on 127.0.0.1) or "HOST:PORT".
 *
 * With PEER_ADDR_PORT, SPEC is a port 0-65535 (0: the kernel picks one);
 * with PEER_ADDR_HOSTPORT, HOST is a numeric IPv4 address and PORT 1-65535.
 * Returns 0, or -1 and points *WHY at a short reason.
 */
static int
parse_inet(const char *spec, enum peer_addr_form form, struct peer_addr *addr,
    const char **why)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&addr->ss;
	const char *portstr = spec;
	long port;

	sin->sin_family = AF_INET;
	if (form == PEER_ADDR_PORT) {
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		const char *colon = strrchr(spec, ':');
		char host[INET_ADDRSTRLEN];
		size_t hostlen = colon ? (size_t)(colon - spec) : 0;

		if (colon == NULL) {
			*why = "expected HOST:PORT or unix:PATH";
			return -1;
		}
		if (hostlen == 0 || hostlen >= sizeof(host)) {
			*why = "bad host (expected a numeric IPv4 address)";
			return -1;
		}
		memcpy(host, spec, hostlen);
		host[hostlen] = '\0';
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
			*why = "bad host (expected a numeric IPv4 address)";
			return -1;
		}
		portstr = colon + 1;
	}
	if (parse_long(portstr, form == PEER_ADDR_PORT ? 0 : 1, 65535, &port) <
	    0) {
		*why = "bad port";
		return -1;
	}
	sin->sin_port = htons((unsigned short)port);
	addr->len = (socklen_t)sizeof(*sin);
	format_inet(&addr->ss, addr->text, sizeof(addr->text));
	return 0;
}

/*
 * peer_addr_parse - turn a command-line address into a socket address.
 *
 * SPEC is "unix:PATH", or for PEER_ADDR_PORT a port (the address being
 * 127.0.0.1), or for PEER_ADDR_HOSTPORT "HOST:PORT". Returns 0 and fills
 * *ADDR, or -1 and points *WHY at a short reason.
 */
int
peer_addr_parse(const char *spec, enum peer_addr_form form,
    struct peer_addr *addr, const char **why)
{
	memset(addr, 0, sizeof(*addr));
	if (strncmp(spec, "unix:", 5) == 0)
		return parse_unix(spec + 5, addr, why);
	return parse_inet(spec, form, addr, why);
}

/* Where log_event() writes; stdout unless log_open() was called. */
static int log_fd = STDOUT_FILENO;

/*
 * log_open - send the event log to PATH instead of stdout.
 *
 * The file is opened for appending (never truncated), so that several peers
 * may share one log and each line lands whole. Returns 0, or -1 with errno.
 */
int
log_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);

	if (fd < 0)
		return -1;
	log_fd = fd;
	return 0;
}

/*
 * log_event - write one formatted event line (a newline is added).
 *
 * The line goes out in a single write() at once, so nothing waits in a
 * buffer: a test reading the log sees every event as soon as it happened,
 * even if the peer is killed right after. A failure to log is reported on
 * stderr once; the peer carries on.
 */
void
log_event(const char *fmt, ...)
{
	static int complained;
	char small[256];
	char *line = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small) - 1) {
		/* Long line (a recv line with hex): format again into the heap. */
		line = malloc((size_t)n + 2);
		if (line == NULL)
			return;
		va_start(ap, fmt);
		vsnprintf(line, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	line[n] = '\n';
	if (writen(log_fd, line, (size_t)n + 1) < 0 && !complained) {
		complained = 1;
		fprintf(stderr, "log write: %s\n", strerror(errno));
	}
	if (line != small)
		free(line);
}

/*
 * sleep_ms - pause for MS milliseconds, resuming the sleep after signals.
 *
 * Returns nothing; MS <= 0 returns at once.
 */
void
sleep_ms(long ms)
{
	struct timespec left;

	if (ms <= 0)
		return;
	left.tv_sec = ms / 1000;
	left.tv_nsec = (ms % 1000) * 1000000L;
	/* Bounded: nanosleep() stores the time still left, which only shrinks. */
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		continue;
}

/* hex_value - the value of one hex digit C, or -1 if C is not one. */
static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * hex_decode - turn a string of hex digit pairs into bytes.
 *
 * Stores a malloc'd buffer in *DATA and its length in *LEN and returns 0.
 * Returns -1 if HEX has an odd length or a character that is not a hex
 * digit, or if memory runs out.
 */
int
hex_decode(const char *hex, unsigned char **data, size_t *len)
{
	size_t n = strlen(hex), i;
	unsigned char *buf;

	if (n % 2 != 0)
		return -1;
	buf = malloc(n / 2 + 1); /* +1: malloc(0) may return NULL */
	if (buf == NULL)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = hex_value(hex[2 * i]);
		int lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(buf);
			return -1;
		}
		buf[i] = (unsigned char)(hi * 16 + lo);
	}
	*data = buf;
	*len = n / 2;
	return 0;
}

/*
 * hex_encode - the LEN bytes at DATA as lowercase hex, no spaces.
 *
 * Returns a malloc'd NUL-terminated string owned by the caller, or NULL if
 * memory runs out.
 */
char *
hex_encode(const unsigned char *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *out = malloc(2 * len + 1);
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 0x0f];
	}
	out[2 * len] = '\0';
	return out;
}
