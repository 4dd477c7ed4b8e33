/*
 * sockbench.h - measuring sockets: throughput, round-trip latency, CPU
 * pinning, socket tuning and the results' format.
 *
 * Provided: do not change this file. You write sockbench.c.
 *
 * One convention throughout, the course's: a function that fails returns
 * -1 with errno set, prints nothing, and leaves no descriptor of its own
 * open. The caller (sockbench's driver, bench.c) reports.
 */
#ifndef SOCKBENCH_H
#define SOCKBENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * bench_stream - send TOTAL bytes on the connected socket FD, in writes of
 * SIZE bytes each (the last one may be shorter), and count them.
 * Returns the number of bytes that went into the socket (TOTAL when all
 * went); -1 with errno set when a write failed.
 */
ssize_t bench_stream(int fd, size_t size, size_t total);

/*
 * bench_pingpong - ROUNDS round trips on the connected socket FD, whose
 * peer echoes every byte: each round sends SIZE bytes and reads SIZE bytes
 * back, and SAMPLES_NS[i] gets round i's time in nanoseconds, from the
 * moment before the send to the moment the last byte came back, measured
 * on CLOCK_MONOTONIC.
 * Returns 0; -1 with errno set (EPIPE/ECONNRESET as the socket says; an
 * echo that ends early: EPIPE).
 */
int bench_pingpong(int fd, size_t size, int rounds, uint64_t *samples_ns);

/*
 * pin_to_cpu - pin the calling process to the one CPU numbered CPU
 * (sched_setaffinity), so the scheduler never moves it.
 * Returns 0; -1 with errno set (EINVAL for a CPU that does not exist or is
 * not allowed to the process).
 */
int pin_to_cpu(int cpu);

/*
 * tune_socket - on FD, before it connects: when NODELAY is 1 turn Nagle's
 * algorithm off (TCP_NODELAY; a TCP socket only: a Unix-domain socket has
 * no Nagle, so there it is skipped, not an error); when BUFSIZE is not 0
 * ask for send and receive buffers of BUFSIZE bytes each (SO_SNDBUF and
 * SO_RCVBUF, on either kind of socket).
 * Returns 0; -1 with errno set.
 */
int tune_socket(int fd, int nodelay, int bufsize);

/*
 * latency_summary - sort the N samples (N >= 1) in place, smallest first,
 * and give their median (the middle one; for an even N the mean of the two
 * middle ones, rounded down) in *MEDIAN and their 99th percentile (the
 * smallest sample that at least 99 % of the samples do not exceed: the
 * one at index ceil(0.99 * N) - 1 once sorted) in *P99.
 */
void latency_summary(uint64_t *samples, size_t n, uint64_t *median,
    uint64_t *p99);

/*
 * mb_per_s - the throughput of BYTES in NS nanoseconds (NS >= 1), in
 * megabytes per second: 1 MB is 1,000,000 bytes.
 */
double mb_per_s(uint64_t bytes, uint64_t ns);

/* One result of a run, as report() prints it. */
enum result_kind {
	R_STREAM,  /* one stream run: bytes, ns, mbps */
	R_RTT,     /* one round trip: round, ns */
	R_LATENCY, /* one ping-pong run's summary: rounds, median, p99 */
};

struct result {
	enum result_kind kind;
	const char *transport; /* "tcp" or "unix" */
	size_t size;           /* the message size of the run */
	int rep;               /* the run's repetition, from 1 */
	int cpu;               /* the CPU the run was pinned to; -1: none */
	uint64_t bytes;        /* R_STREAM */
	uint64_t ns;        /* R_STREAM: the run's time; R_RTT: the round's */
	double mbps;        /* R_STREAM */
	int round;          /* R_RTT, from 1 */
	int rounds;         /* R_LATENCY */
	uint64_t median_ns; /* R_LATENCY */
	uint64_t p99_ns;    /* R_LATENCY */
};

/*
 * report - print R to OUT as one line, its fields separated by one tab
 * each (the handout gives the format):
 *   stream   TRANSPORT SIZE REP BYTES NS MBPS CPU     (MBPS with 2 decimals)
 *   rtt      TRANSPORT SIZE REP ROUND NS CPU
 *   latency  TRANSPORT SIZE REP ROUNDS MEDIAN P99 CPU
 * Returns 0; -1 when the line could not be written.
 */
int report(FILE *out, const struct result *r);

#endif /* SOCKBENCH_H */
