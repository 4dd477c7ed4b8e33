/*
 * fortified_read.c - shortio test program: read() under _FORTIFY_SOURCE.
 *
 * Built with -O2 -D_FORTIFY_SOURCE=2 (as Ubuntu's gcc does by default), a
 * read() into a buffer of known size whose count is not a compile-time
 * constant becomes a call to __read_chk(). This program writes 64 bytes
 * into a socketpair, makes one such read of WANT bytes (the argument) and
 * prints the count it returned.
 *
 * WANT is deliberately not checked against the buffer size here: if the
 * compiler could prove the count safe, it would call plain read() instead.
 * A WANT above 64 makes __read_chk() abort the program, as it should.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char buf[64], data[64];
	size_t done = 0;
	long want;
	char *end;
	int sv[2];
	ssize_t n;

	errno = 0;
	want = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	if (argc != 2 || *end != '\0' || errno != 0 || want < 1) {
		fprintf(stderr, "usage: fortified_read WANT (1-64)\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		err(1, "socketpair");
	memset(data, 'x', sizeof(data));
	/* Bounded: each pass writes at least one byte or exits. */
	while (done < sizeof(data)) {
		n = write(sv[0], data + done, sizeof(data) - done);
		if (n <= 0)
			err(1, "write");
		done += (size_t)n;
	}
	n = read(sv[1], buf, (size_t)want);
	if (n < 0)
		err(1, "read");
	printf("%zd\n", n);
	return 0;
}
