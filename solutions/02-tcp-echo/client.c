/*
 * client.c - a TCP echo client.
 *
 * usage: client <IP> <port>
 *
 * Connects to an echo server at IP:PORT, sends standard input to it chunk
 * by chunk, and after each chunk reads the whole echo of that chunk back
 * and prints it on standard output. At the end of the input it half-closes
 * the connection and waits for the server to close its side.
 */

/* ---- provided: do not change ---- */

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE 8192

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: client <IP> <port>\n");
	exit(2);
}

/*
 * parse_port - the TCP port written in S, as a number from 1 to 65535.
 *
 * Returns the port, or -1 if S is not a whole decimal number in that range.
 */
static int
parse_port(const char *s)
{
	char *end;
	long port;

	errno = 0;
	port = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || port < 1 || port > 65535)
		return -1;
	return (int)port;
}

/*
 * ignore_sigpipe - make writing to a closed connection fail with EPIPE
 * instead of killing the program, so that it can say what happened.
 * Returns 0, or -1 with errno set.
 */
static int
ignore_sigpipe(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* ---- your code below ---- */

ssize_t writen(int fd, const void *buf, size_t n);
ssize_t readn(int fd, void *buf, size_t n);
int connect_to(const char *ip, int port);
int echo_stdin(int sock);

/*
 * writen - write all N bytes of BUF to FD.
 *
 * write() may send fewer bytes than asked (a short count) or be
 * interrupted by a signal before sending anything (EINTR); both just mean
 * "carry on from where it stopped".
 * Returns N, or -1 with errno set if a write failed.
 */
ssize_t
writen(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t left = n;

	while (left > 0) {
		ssize_t done = write(fd, p, left);

		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return -1;
		p += done;
		left -= (size_t)done;
	}
	return (ssize_t)n;
}

/*
 * readn - read N bytes from FD into BUF, or as many as come before EOF.
 *
 * One read() returns what has arrived so far, which may be less than N:
 * keep reading. EINTR means no byte was read yet: try again.
 * Returns the number of bytes read (less than N only if EOF came first),
 * or -1 with errno set if a read failed.
 */
ssize_t
readn(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t left = n;

	while (left > 0) {
		ssize_t got = read(fd, p, left);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		p += got;
		left -= (size_t)got;
	}
	return (ssize_t)(n - left);
}

/*
 * connect_to - a TCP socket connected to the IPv4 address IP at PORT.
 *
 * Reports what failed on stderr: an address that is not IPv4 dotted
 * decimal, socket(), or connect() (e.g. "Connection refused" when nothing
 * listens at IP:PORT).
 * Returns the connected descriptor, or -1 (no descriptor left open).
 */
int
connect_to(const char *ip, int port)
{
	struct sockaddr_in addr;
	int fd;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
		warnx("invalid IPv4 address '%s'", ip);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		warn("socket");
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		warn("connect %s:%d", ip, port);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * read_input - one read() of standard input: up to N bytes, as many as
 * are available (a whole line from a terminal), retried after EINTR.
 * Returns the count, 0 at the end of the input, or -1 with errno set.
 */
static ssize_t
read_input(void *buf, size_t n)
{
	ssize_t got;

	do
		got = read(STDIN_FILENO, buf, n);
	while (got < 0 && errno == EINTR);
	return got;
}

/*
 * echo_stdin - send standard input to SOCK and print the echo.
 *
 * After sending each chunk, reads back exactly as many bytes as it sent
 * (the echo may come back in several pieces) and writes them to standard
 * output; if the server closes before all of them are back, prints what
 * did come back and fails. At the end of the input, half-closes the connection with
 * shutdown(SHUT_WR), so the server reads EOF, and reads on until the
 * server closes too: nothing more is due. Reports problems on stderr.
 * Returns 0 if every byte came back, -1 otherwise.
 */
int
echo_stdin(int sock)
{
	char buf[BUF_SIZE];
	unsigned long long sent = 0;
	ssize_t n, got;

	while ((n = read_input(buf, sizeof(buf))) > 0) {
		if (writen(sock, buf, (size_t)n) < 0) {
			warn("send to server");
			return -1;
		}
		got = readn(sock, buf, (size_t)n);
		if (got < 0) {
			warn("read echo from server");
			return -1;
		}
		if (writen(STDOUT_FILENO, buf, (size_t)got) < 0) {
			warn("write to standard output");
			return -1;
		}
		if (got < n) {
			warnx(
			    "server closed the connection early: sent %llu bytes, "
			    "got %llu back",
			    sent + (unsigned long long)n,
			    sent + (unsigned long long)got);
			return -1;
		}
		sent += (unsigned long long)n;
	}
	if (n < 0) {
		warn("read standard input");
		return -1;
	}

	if (shutdown(sock, SHUT_WR) < 0) {
		warn("shutdown");
		return -1;
	}
	got = readn(sock, buf, sizeof(buf));
	if (got < 0) {
		warn("read from server after shutdown");
		return -1;
	}
	if (got > 0) {
		warnx("server sent %zd bytes more than its echo", got);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int port, sock, status;

	if (argc != 3)
		usage();
	port = parse_port(argv[2]);
	if (port < 0)
		errx(1, "invalid port '%s' (expected a number from 1 to 65535)",
		    argv[2]);
	if (ignore_sigpipe() < 0)
		err(1, "sigaction");

	sock = connect_to(argv[1], port);
	if (sock < 0)
		return 1;
	status = echo_stdin(sock) < 0 ? 1 : 0;
	close(sock);
	return status;
}
