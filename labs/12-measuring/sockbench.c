/*
 * sockbench.c - measuring sockets: the functions declared, with their
 * contracts, in sockbench.h. sockbench (bench.c, the provided driver) makes
 * the connections and calls them; the tests in tests/ watch it from the
 * peer's side and from outside the process.
 *
 * You write the functions below the marker line.
 */
#define _GNU_SOURCE
#include "sockbench.h"
#include "sockio.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- your code below ---- */

ssize_t
bench_stream(int fd, size_t size, size_t total)
{
	/*
	 * TODO: a buffer of SIZE bytes (malloc, free it on every path); send
	 * TOTAL bytes in writes of SIZE bytes (the last one may be shorter)
	 * with writen(), and count the bytes that went.
	 */
	(void)fd;
	(void)size;
	(void)total;
	fprintf(stderr, "bench_stream: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return the bytes sent (TOTAL), or -1 with errno set */

int
bench_pingpong(int fd, size_t size, int rounds, uint64_t *samples_ns)
{
	/*
	 * TODO: ROUNDS times: clock_gettime(CLOCK_MONOTONIC) before sending
	 * SIZE bytes (writen), read SIZE bytes back (readn: fewer than SIZE
	 * means the echo ended early), clock again; the difference in
	 * nanoseconds goes into samples_ns[i].
	 */
	(void)fd;
	(void)size;
	(void)rounds;
	(void)samples_ns;
	fprintf(stderr, "bench_pingpong: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return 0, or -1 with errno set (EPIPE for an echo that ended early) */

int
pin_to_cpu(int cpu)
{
	/* TODO: a cpu_set_t with CPU alone in it; sched_setaffinity() on pid 0. */
	(void)cpu;
	fprintf(stderr, "pin_to_cpu: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return 0, or -1 with errno set (EINVAL for a CPU that does not exist) */

int
tune_socket(int fd, int nodelay, int bufsize)
{
	/*
	 * TODO: NODELAY: TCP_NODELAY, on a TCP socket only (ask the socket's
	 * family: getsockopt SO_DOMAIN); BUFSIZE: SO_SNDBUF and SO_RCVBUF.
	 */
	(void)fd;
	(void)nodelay;
	(void)bufsize;
	fprintf(stderr, "tune_socket: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return 0, or -1 with errno set; a Unix-domain socket is not an error */

void
latency_summary(uint64_t *samples, size_t n, uint64_t *median, uint64_t *p99)
{
	/*
	 * TODO: sort the samples (qsort), then the median (the middle one, or
	 * the mean of the two middle ones, rounded down) and the sample at
	 * index ceil(0.99 * N) - 1.
	 */
	(void)samples;
	(void)n;
	fprintf(stderr, "latency_summary: not implemented yet\n");
	*median = 0;
	*p99 = 0;
} /* must: sort SAMPLES in place; *MEDIAN and *P99 from the sorted samples */

double
mb_per_s(uint64_t bytes, uint64_t ns)
{
	/* TODO: megabytes (10^6 bytes) a second, in floating point. */
	(void)bytes;
	(void)ns;
	fprintf(stderr, "mb_per_s: not implemented yet\n");
	return 0;
} /* must: return BYTES / (NS / 1e9) / 1e6 */

int
report(FILE *out, const struct result *r)
{
	/* TODO: one fprintf() per kind of line, fields separated by tabs. */
	(void)out;
	(void)r;
	fprintf(stderr, "report: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: print the line in the handout's exact format; 0, or -1 */
