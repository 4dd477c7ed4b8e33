/*
 * sockbench.c - measuring sockets: the functions declared, with their
 * contracts, in sockbench.h. sockbench (bench.c, the provided driver) makes
 * the connections and calls them; the tests in tests/ watch it from the
 * peer's side and from outside the process.
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

/*
 * bench_stream - send TOTAL bytes on FD in writes of SIZE bytes.
 * Returns the bytes written (TOTAL); -1 with errno set.
 */
ssize_t
bench_stream(int fd, size_t size, size_t total)
{
	unsigned char *buf;
	size_t sent = 0, n;

	if ((buf = malloc(size)) == NULL)
		return -1;
	memset(buf, 'x', size);
	/* Bounded: every pass sends n >= 1 bytes of what is left, or fails. */
	while (sent < total) {
		n = total - sent < size ? total - sent : size;
		if (writen(fd, buf, n) < 0) {
			free(buf);
			return -1;
		}
		sent += n;
	}
	free(buf);
	return (ssize_t)sent;
}

/* ns_now - CLOCK_MONOTONIC in nanoseconds. */
static uint64_t
ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * bench_pingpong - ROUNDS round trips of SIZE bytes on FD, each timed.
 * Returns 0; -1 with errno set (EPIPE when the echo ends early).
 */
int
bench_pingpong(int fd, size_t size, int rounds, uint64_t *samples_ns)
{
	unsigned char *buf;
	uint64_t t0;
	ssize_t got;
	int i, ret = -1;

	if ((buf = malloc(size)) == NULL)
		return -1;
	memset(buf, 'p', size);
	for (i = 0; i < rounds; i++) {
		t0 = ns_now();
		if (writen(fd, buf, size) < 0)
			goto out;
		if ((got = readn(fd, buf, size)) < 0)
			goto out;
		if ((size_t)got < size) {
			errno = EPIPE;
			goto out;
		}
		samples_ns[i] = ns_now() - t0;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

/*
 * pin_to_cpu - pin the calling process to CPU.
 * Returns 0; -1 with errno set (EINVAL: no such CPU, or not allowed).
 */
int
pin_to_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * tune_socket - TCP_NODELAY (TCP only) and SO_SNDBUF/SO_RCVBUF on FD.
 * Returns 0; -1 with errno set.
 */
int
tune_socket(int fd, int nodelay, int bufsize)
{
	int one = 1, domain;
	socklen_t len = sizeof(domain);

	if (nodelay) {
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
			return -1;
		if ((domain == AF_INET || domain == AF_INET6) &&
		    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		        sizeof(one)) < 0)
			return -1;
	}
	if (bufsize != 0) {
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize,
		        sizeof(bufsize)) < 0)
			return -1;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize,
		        sizeof(bufsize)) < 0)
			return -1;
	}
	return 0;
}

/* cmp_u64 - qsort's order for uint64_t, smallest first. */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * latency_summary - sort SAMPLES; their median and 99th percentile
 * (nearest rank) in *MEDIAN and *P99.
 */
void
latency_summary(uint64_t *samples, size_t n, uint64_t *median, uint64_t *p99)
{
	size_t rank;

	qsort(samples, n, sizeof(*samples), cmp_u64);
	if (n % 2 == 1)
		*median = samples[n / 2];
	else
		*median = samples[n / 2 - 1] / 2 + samples[n / 2] / 2 +
		    (samples[n / 2 - 1] % 2 + samples[n / 2] % 2) / 2;
	rank = (99 * n + 99) / 100; /* ceil(0.99 * n) */
	*p99 = samples[rank - 1];
}

/* mb_per_s - BYTES in NS nanoseconds, in megabytes (10^6 bytes) a second. */
double
mb_per_s(uint64_t bytes, uint64_t ns)
{
	return (double)bytes * 1e3 / (double)ns;
}

/*
 * report - print R to OUT as one tab-separated line.
 * Returns 0; -1 when it could not be written.
 */
int
report(FILE *out, const struct result *r)
{
	int n = -1;

	switch (r->kind) {
	case R_STREAM:
		n = fprintf(out,
		    "stream\t%s\t%zu\t%d\t%" PRIu64 "\t%" PRIu64 "\t%.2f\t%d\n",
		    r->transport, r->size, r->rep, r->bytes, r->ns, r->mbps,
		    r->cpu);
		break;
	case R_RTT:
		n = fprintf(out, "rtt\t%s\t%zu\t%d\t%d\t%" PRIu64 "\t%d\n",
		    r->transport, r->size, r->rep, r->round, r->ns, r->cpu);
		break;
	case R_LATENCY:
		n = fprintf(out,
		    "latency\t%s\t%zu\t%d\t%d\t%" PRIu64 "\t%" PRIu64 "\t%d\n",
		    r->transport, r->size, r->rep, r->rounds, r->median_ns,
		    r->p99_ns, r->cpu);
		break;
	}
	return n < 0 ? -1 : 0;
}
