/*
 * vecio.c - shortio test program: writev() and readv() on a socketpair.
 *
 * Writes 26 bytes from three buffers with writev() and reads them back
 * into two buffers with readv(), each in a loop that copes with short
 * counts. After every call it checks that the iovec array it passed is
 * unchanged. Prints each call's count ("writev N", "readv N"), then
 * "data intact" and "iovecs untouched"; exits 1 on the first failure.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define TOTAL 26

/*
 * advance - drop the first N bytes from the IOV array of *CNT entries.
 *
 * Returns the new start of the array (entries before it are used up).
 */
static struct iovec *
advance(struct iovec *iov, int *cnt, size_t n)
{
	/* Bounded by *CNT: each pass removes one entry or ends the loop. */
	while (*cnt > 0 && n >= iov->iov_len) {
		n -= iov->iov_len;
		iov++;
		(*cnt)--;
	}
	if (*cnt > 0) {
		iov->iov_base = (char *)iov->iov_base + n;
		iov->iov_len -= n;
	}
	return iov;
}

int
main(void)
{
	char a[] = "abcdefgh", b[] = "ijklmnopq", c[] = "rstuvwxyz";
	char in1[10], in2[16], joined[TOTAL];
	struct iovec out[3] = { { a, 8 }, { b, 9 }, { c, 9 } };
	struct iovec in[2] = { { in1, 10 }, { in2, 16 } };
	struct iovec *cur, before[3];
	int sv[2], cnt;
	size_t done;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		err(1, "socketpair");

	/* Bounded: each pass writes at least one byte or exits. */
	for (cur = out, cnt = 3, done = 0; done < TOTAL;) {
		ssize_t n;

		memcpy(before, cur, (size_t)cnt * sizeof(*cur));
		n = writev(sv[0], cur, cnt);
		if (n <= 0)
			err(1, "writev");
		if (memcmp(before, cur, (size_t)cnt * sizeof(*cur)) != 0)
			errx(1, "writev changed the caller's iovec");
		printf("writev %zd\n", n);
		done += (size_t)n;
		cur = advance(cur, &cnt, (size_t)n);
	}

	/* Bounded: each pass reads at least one byte or exits. */
	for (cur = in, cnt = 2, done = 0; done < TOTAL;) {
		ssize_t n;

		memcpy(before, cur, (size_t)cnt * sizeof(*cur));
		n = readv(sv[1], cur, cnt);
		if (n <= 0)
			err(1, "readv");
		if (memcmp(before, cur, (size_t)cnt * sizeof(*cur)) != 0)
			errx(1, "readv changed the caller's iovec");
		printf("readv %zd\n", n);
		done += (size_t)n;
		cur = advance(cur, &cnt, (size_t)n);
	}

	memcpy(joined, in1, 10);
	memcpy(joined + 10, in2, 16);
	if (memcmp(joined, "abcdefghijklmnopqrstuvwxyz", TOTAL) != 0)
		errx(1, "data garbled");
	printf("data intact\n");
	printf("iovecs untouched\n");
	return 0;
}
