/*
 * msgcheck - call the functions of msgio.c directly and print what they
 * return, for the tests.
 *
 * Provided: not part of the exercise. It links your msgio.c.
 *
 *     msgcheck writen N            writen() N bytes into a socket
 *     msgcheck writen-epipe        writen() to a peer that has closed
 *     msgcheck send_msg            send_msg() to a peer, then to a closed one
 *     msgcheck writev LEN,LEN,...  writev_all() iovecs of these lengths
 *     msgcheck readn               readn() through a stream that ends
 *     msgcheck recv_msg            recv_msg() on broken and odd streams
 *
 * Each runs on a stream socket pair (AF_UNIX): the other end is read or
 * written here with plain read()/write() loops, so that what reaches it
 * is exactly what your function sent (a writer runs in a child process,
 * so that the reader drains the socket meanwhile). Every case prints one
 * line,
 *
 *     CASE rc=RETURN errno=NAME [len=*LEN] [got=BYTES intact|differs]
 *
 * with errno shown only after a -1 (otherwise "-"). Exit status 0 unless
 * the checker itself failed (then 1, with the reason on stderr).
 */
#include "driver.h"
#include "msgio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The most bytes one case sends: fits in a socket pair's buffers. */
#define MAX_BYTES 100000
#define MAX_IOV 16

/* errno_name - a short name for the errno value E. */
static const char *
errno_name(int e)
{
	static char other[16];

	switch (e) {
	case EPROTO:
		return "EPROTO";
	case EMSGSIZE:
		return "EMSGSIZE";
	case EBADF:
		return "EBADF";
	case EPIPE:
		return "EPIPE";
	case ECONNRESET:
		return "ECONNRESET";
	case EINTR:
		return "EINTR";
	case ENOSYS:
		return "ENOSYS";
	case 0:
		return "0";
	default:
		snprintf(other, sizeof(other), "%d", e);
		return other;
	}
}

/* pair - a connected stream socket pair in SV; exits on failure. */
static void
pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		err(1, "socketpair");
}

/*
 * start_writer - fork the process that writes on SV[0]; the parent reads
 * SV[1]. Returns 0 in the child (which must exit), 1 in the parent, which
 * keeps only SV[1]; exits on failure.
 */
static pid_t writer;

static int
start_writer(int sv[2])
{
	writer = fork();
	if (writer < 0)
		err(1, "fork");
	if (writer == 0) {
		close(sv[1]);
		return 0;
	}
	close(sv[0]);
	return 1;
}

/* end_writer - wait for the writer, then close SV[1]. */
static void
end_writer(int sv[2])
{
	int status;

	if (waitpid(writer, &status, 0) < 0)
		err(1, "waitpid");
	close(sv[1]);
}

/* put - write all LEN bytes of BUF to FD with plain write(); exits on error. */
static void
put(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	/* Bounded: each pass writes at least one byte or exits. */
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err(1, "checker write");
		p += n;
		len -= (size_t)n;
	}
}

/*
 * drain - read FD until EOF into BUF (CAP bytes) with plain read().
 * Returns the number of bytes read.
 */
static size_t
drain(int fd, unsigned char *buf, size_t cap)
{
	size_t got = 0;

	/* Bounded by the peer's EOF (and CAP). */
	for (;;) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "checker read");
		if (n == 0 || (got += (size_t)n) == cap)
			return got;
	}
}

/* pattern - fill BUF (LEN bytes) with a pattern that starts at SEED. */
static void
pattern(unsigned char *buf, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)((i * 7 + seed * 13 + i / 251) & 0xff);
}

/* print_rc - "CASE rc=RC errno=E" without a newline. */
static void
print_rc(const char *name, long rc, int e)
{
	printf("%s rc=%ld errno=%s", name, rc, rc < 0 ? errno_name(e) : "-");
}

/* print_got - " got=N intact|differs" and a newline. */
static void
print_got(const unsigned char *want, size_t wlen, const unsigned char *got,
    size_t glen)
{
	printf(" got=%zu %s\n", glen,
	    glen == wlen && memcmp(want, got, wlen) == 0 ? "intact" :
	                                                   "differs");
}

/* check_writen - writen() N bytes; what arrived at the other end. */
static void
check_writen(size_t n)
{
	static unsigned char data[MAX_BYTES], got[MAX_BYTES + 1];
	int sv[2], e;
	ssize_t rc;

	pair(sv);
	pattern(data, n, 1);
	if (start_writer(sv) == 0) {
		errno = 0;
		rc = writen(sv[0], data, n);
		e = errno;
		print_rc("writen", (long)rc, e);
		printf("\n");
		close(sv[0]);
		exit(0);
	}
	printf("writen-received");
	print_got(data, n, got, drain(sv[1], got, sizeof(got)));
	end_writer(sv);
}

/* check_writen_epipe - writen() to a peer that has closed its socket. */
static void
check_writen_epipe(void)
{
	static unsigned char data[MAX_BYTES];
	int sv[2], e;
	ssize_t rc;

	pair(sv);
	close(sv[1]);
	pattern(data, sizeof(data), 2);
	errno = 0;
	rc = writen(sv[0], data, sizeof(data));
	e = errno;
	print_rc("writen-epipe", (long)rc, e);
	printf("\n");
	close(sv[0]);
}

/* check_send_msg - send_msg() of 5 bytes, then to a peer that has closed. */
static void
check_send_msg(void)
{
	static const unsigned char want[] = { 0, 0, 0, 5, 'h', 'e', 'l', 'l',
		'o' };
	unsigned char got[sizeof(want) + 1];
	int sv[2], rc, e;

	pair(sv);
	errno = 0;
	rc = send_msg(sv[0], "hello", 5);
	e = errno;
	shutdown(sv[0], SHUT_WR);
	print_rc("send_msg", rc, e);
	print_got(want, sizeof(want), got, drain(sv[1], got, sizeof(got)));
	close(sv[0]);
	close(sv[1]);

	pair(sv);
	close(sv[1]);
	errno = 0;
	rc = send_msg(sv[0], "hello", 5);
	e = errno;
	print_rc("send_msg-epipe", rc, e);
	printf("\n");
	close(sv[0]);
}

/*
 * check_writev - writev_all() of iovecs whose lengths are listed in SPEC
 * ("4,0,100"); then writev_all() of no iovec at all.
 */
static void
check_writev(const char *spec)
{
	static unsigned char data[MAX_BYTES], got[MAX_BYTES + 1];
	struct iovec iov[MAX_IOV];
	size_t total = 0;
	int sv[2], cnt = 0, e;
	ssize_t rc;
	char *copy, *tok, *save;

	copy = strdup(spec);
	if (copy == NULL)
		err(1, "strdup");
	for (tok = strtok_r(copy, ",", &save); tok != NULL && cnt < MAX_IOV;
	     tok = strtok_r(NULL, ",", &save)) {
		long len;

		if (parse_number(tok, 0, MAX_BYTES - (long)total, &len) < 0)
			errx(2, "bad length '%s'", tok);
		iov[cnt].iov_base = data + total;
		iov[cnt].iov_len = (size_t)len;
		total += (size_t)len;
		cnt++;
	}
	free(copy);
	pattern(data, total, 3);

	pair(sv);
	if (start_writer(sv) == 0) {
		errno = 0;
		rc = writev_all(sv[0], iov, cnt);
		e = errno;
		print_rc("writev_all", (long)rc, e);
		printf("\n");
		errno = 0;
		rc = writev_all(sv[0], iov, 0);
		e = errno;
		print_rc("writev_all-none", (long)rc, e);
		printf("\n");
		close(sv[0]);
		exit(0);
	}
	printf("writev_all-received");
	print_got(data, total, got, drain(sv[1], got, sizeof(got)));
	end_writer(sv);
}

/* check_readn - readn() across the end of a stream, of 0 bytes, and of a bad fd. */
static void
check_readn(void)
{
	unsigned char data[10], buf[32];
	int sv[2], e;
	ssize_t rc;

	pair(sv);
	pattern(data, sizeof(data), 4);
	put(sv[1], data, sizeof(data));
	shutdown(sv[1], SHUT_WR);

	errno = 0;
	rc = readn(sv[0], buf, 4);
	e = errno;
	print_rc("readn-part", (long)rc, e);
	print_got(data, 4, buf, rc > 0 ? (size_t)rc : 0);

	errno = 0;
	rc = readn(sv[0], buf, 0);
	e = errno;
	print_rc("readn-zero", (long)rc, e);
	printf("\n");

	errno = 0;
	rc = readn(sv[0], buf, 20);
	e = errno;
	print_rc("readn-eof-inside", (long)rc, e);
	print_got(data + 4, 6, buf, rc > 0 ? (size_t)rc : 0);

	errno = 0;
	rc = readn(sv[0], buf, 20);
	e = errno;
	print_rc("readn-at-eof", (long)rc, e);
	printf("\n");
	close(sv[0]);
	close(sv[1]);

	errno = 0;
	rc = readn(-1, buf, 4);
	e = errno;
	print_rc("readn-bad-fd", (long)rc, e);
	printf("\n");
}

/*
 * recv_case - feed STREAM (SLEN bytes, then EOF) to recv_msg() with CAP,
 * *len preset to 777777, and print what it did.
 */
static void
recv_case(const char *name, const void *stream, size_t slen, uint32_t cap)
{
	unsigned char buf[64];
	uint32_t len = 777777;
	int sv[2], rc, e;

	pair(sv);
	put(sv[1], stream, slen);
	shutdown(sv[1], SHUT_WR);
	errno = 0;
	rc = recv_msg(sv[0], buf, cap, &len);
	e = errno;
	print_rc(name, rc, e);
	printf(" len=%lu", (unsigned long)len);
	if (rc == 1)
		print_got((const unsigned char *)stream + 4, slen - 4, buf,
		    len <= sizeof(buf) ? len : 0);
	else
		printf("\n");
	close(sv[0]);
	close(sv[1]);
}

/* check_recv_msg - recv_msg() on the streams its contract names. */
static void
check_recv_msg(void)
{
	static const unsigned char whole[] = { 0, 0, 0, 5, 'h', 'e', 'l', 'l',
		'o' };
	static const unsigned char half_header[] = { 0, 0 };
	static const unsigned char short_body[] = { 0, 0, 0, 10, 'a', 'b',
		'c' };
	static const unsigned char too_big[] = { 0, 0, 0, 100, 'x' };
	static const unsigned char empty_msg[] = { 0, 0, 0, 0 };
	unsigned char buf[8];
	uint32_t len = 777777;
	int rc, e;

	recv_case("recv_msg-whole", whole, sizeof(whole), 64);
	recv_case("recv_msg-exact-cap", whole, sizeof(whole), 5);
	recv_case("recv_msg-empty-message", empty_msg, sizeof(empty_msg), 0);
	recv_case("recv_msg-clean-end", "", 0, 64);
	recv_case("recv_msg-eof-in-header", half_header, sizeof(half_header),
	    64);
	recv_case("recv_msg-eof-in-body", short_body, sizeof(short_body), 64);
	recv_case("recv_msg-over-cap", too_big, sizeof(too_big), 50);
	errno = 0;
	rc = recv_msg(-1, buf, sizeof(buf), &len);
	e = errno;
	print_rc("recv_msg-bad-fd", rc, e);
	printf(" len=%lu\n", (unsigned long)len);
}

int
main(int argc, char **argv)
{
	long n;

	/* A closed peer must show up as EPIPE, not kill the checker. */
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "writen") == 0) {
		if (parse_number(argv[2], 0, MAX_BYTES, &n) < 0)
			errx(2, "bad count '%s'", argv[2]);
		check_writen((size_t)n);
	} else if (argc == 2 && strcmp(argv[1], "writen-epipe") == 0) {
		check_writen_epipe();
	} else if (argc == 2 && strcmp(argv[1], "send_msg") == 0) {
		check_send_msg();
	} else if (argc == 3 && strcmp(argv[1], "writev") == 0) {
		check_writev(argv[2]);
	} else if (argc == 2 && strcmp(argv[1], "readn") == 0) {
		check_readn();
	} else if (argc == 2 && strcmp(argv[1], "recv_msg") == 0) {
		check_recv_msg();
	} else {
		fprintf(stderr,
		    "usage: msgcheck writen N | writen-epipe | send_msg | "
		    "writev LEN,... | readn | recv_msg\n");
		return 2;
	}
	return 0;
}
