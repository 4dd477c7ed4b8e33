/*
 * nametool.c - the driver that puts names.c to work, one subcommand per
 * function, so that the tests watch each one in a real program.
 *
 * Provided: do not change this file. You write names.c.
 *
 *   nametool connect HOST SERVICE MS
 *       tcp_connect_name(HOST, SERVICE, MS). Prints "connected ADDR", ADDR
 *       the peer (getpeername(), through format_addr()); then reads until
 *       the peer closes, and exits 0. A name that does not resolve:
 *       "nametool: HOST SERVICE: <gai_strerror>" and exit 2; no address
 *       connected: "nametool: connect HOST SERVICE: <strerror>" and exit 1.
 *
 *   nametool serve SERVICE COUNT
 *       tcp_listen_any(SERVICE, 16). Prints "listening ADDR" (getsockname()
 *       through format_addr()); then accepts COUNT connections one at a
 *       time, prints "peer ADDR" for each (the address accept() gave, through
 *       format_addr()) and closes it; exits 0.
 *
 *   nametool format ADDR PORT
 *       format_addr() of a numeric IPv4 or IPv6 address ADDR (inet_pton())
 *       and PORT, with the length of its sockaddr_in or sockaddr_in6, and
 *       prints what it wrote.
 *
 * Exit status: 0 on success, 1 on a failed call, 2 on bad usage or a name
 * that does not resolve.
 */
#include "names.h"
#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_MS 600000

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: nametool connect HOST SERVICE MS\n"
	    "       nametool serve SERVICE COUNT\n"
	    "       nametool format ADDR PORT\n");
	exit(2);
}

/* number - parse S as a number from MIN to MAX, or exit 2 naming WHAT. */
static long
number(const char *s, long min, long max, const char *what)
{
	long v;

	if (parse_long(s, min, max, &v) < 0)
		errx(2, "invalid %s '%s' (expected a number from %ld to %ld)",
		    what, s, min, max);
	return v;
}

/* unresolved - report getaddrinfo()'s error GAIERR for HOST SERVICE; exit 2. */
static void
unresolved(const char *host, const char *service, int gaierr)
{
	if (gaierr == EAI_SYSTEM)
		err(2, "%s %s", host, service);
	errx(2, "%s %s: %s", host, service, gai_strerror(gaierr));
}

/* show - print LABEL and the address SA (LEN bytes) through format_addr(). */
static void
show(const char *label, const struct sockaddr *sa, socklen_t len)
{
	char text[ADDR_TEXT_MAX];

	if (format_addr(sa, len, text, sizeof(text)) < 0)
		err(1, "format_addr");
	printf("%s %s\n", label, text);
}

/* cmd_connect - nametool connect HOST SERVICE MS */
static int
cmd_connect(int argc, char **argv)
{
	struct sockaddr_storage peer;
	socklen_t len;
	char buf[512];
	ssize_t n;
	int fd, flags, gaierr = 0, ms;

	if (argc != 4)
		usage();
	ms = (int)number(argv[3], 1, MAX_MS, "time");
	fd = tcp_connect_name(argv[1], argv[2], ms, &gaierr);
	if (fd == NAME_UNRESOLVED)
		unresolved(argv[1], argv[2], gaierr);
	if (fd < 0)
		err(1, "connect %s %s", argv[1], argv[2]);
	len = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0)
		err(1, "getpeername");
	show("connected", (struct sockaddr *)&peer, len);
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0 && (flags & O_NONBLOCK))
		errx(1,
		    "the descriptor tcp_connect_name() returned is "
		    "non-blocking (O_NONBLOCK)");
	/* Bounded by the peer, which closes. */
	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0 || (n < 0 && errno == EINTR));
	close(fd);
	return 0;
}

/* cmd_serve - nametool serve SERVICE COUNT */
static int
cmd_serve(int argc, char **argv)
{
	struct sockaddr_storage addr;
	socklen_t len;
	long count, i;
	int lfd, fd, gaierr = 0;

	if (argc != 3)
		usage();
	count = number(argv[2], 1, 1000, "count");
	lfd = tcp_listen_any(argv[1], 16, &gaierr);
	if (lfd == NAME_UNRESOLVED)
		unresolved("*", argv[1], gaierr);
	if (lfd < 0)
		err(1, "listen on port %s", argv[1]);
	len = sizeof(addr);
	if (getsockname(lfd, (struct sockaddr *)&addr, &len) < 0)
		err(1, "getsockname");
	show("listening", (struct sockaddr *)&addr, len);
	for (i = 0; i < count; i++) {
		len = sizeof(addr);
		fd = accept(lfd, (struct sockaddr *)&addr, &len);
		if (fd < 0 && errno == EINTR) {
			i--;
			continue;
		}
		if (fd < 0)
			err(1, "accept");
		show("peer", (struct sockaddr *)&addr, len);
		close(fd);
	}
	close(lfd);
	return 0;
}

/* cmd_format - nametool format ADDR PORT */
static int
cmd_format(int argc, char **argv)
{
	struct sockaddr_in6 in6;
	struct sockaddr_in in4;
	uint16_t port;

	if (argc != 3)
		usage();
	port = htons((uint16_t)number(argv[2], 0, 65535, "port"));
	memset(&in4, 0, sizeof(in4));
	memset(&in6, 0, sizeof(in6));
	if (inet_pton(AF_INET, argv[1], &in4.sin_addr) == 1) {
		in4.sin_family = AF_INET;
		in4.sin_port = port;
		show("text", (struct sockaddr *)&in4, sizeof(in4));
	} else if (inet_pton(AF_INET6, argv[1], &in6.sin6_addr) == 1) {
		in6.sin6_family = AF_INET6;
		in6.sin6_port = port;
		show("text", (struct sockaddr *)&in6, sizeof(in6));
	} else
		errx(2, "invalid address '%s'", argv[1]);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "connect") == 0)
		return cmd_connect(argc - 1, argv + 1);
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(argv[1], "format") == 0)
		return cmd_format(argc - 1, argv + 1);
	usage();
}
