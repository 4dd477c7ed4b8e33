/*
 * icmppeer.c - the tests' ICMP peer: it watches the echo requests that
 * arrive in the test's network namespace and, when asked, answers them
 * itself (the test has told the kernel not to, icmp_echo_ignore_all=1).
 *
 *   icmppeer [-o LOG] [-a] [-d MS] [-O OPTLEN] [-D] [-N MS]
 *
 * -o LOG     event log (default: stdout), one write() per line; appended to
 * -a         answer every echo request with an echo reply of its own
 * -d MS      wait MS milliseconds before each answer (default 0)
 * -O OPTLEN  put OPTLEN bytes of IP options (NOPs; a multiple of 4, at most
 *            40) in the answer's IP header, so that its IHL is 5 + OPTLEN/4
 * -D         before each answer, at once, send a decoy: for sequence number
 *            1, 4, 7 ... an echo reply with another identifier (ID + 1); for
 *            2, 5, 8 ... an echo reply with another sequence number (SEQ + 1);
 *            for 3, 6, 9 ... a timestamp request (type 13) with the same
 *            identifier and sequence number
 * -N MS      whenever MS milliseconds pass without an ICMP message, send
 *            an unrelated echo reply (identifier 0xffff, sequence 0) to
 *            127.0.0.1: traffic that must not stretch a ping's wait
 *
 * Log lines:
 *   ready
 *   request id ID seq SEQ len N cksum ok|bad data HEX   (an echo request)
 *   decoy other-id|other-seq|timestamp-request id ID seq SEQ
 *   answer id ID seq SEQ ihl IHL
 *   error WHAT: strerror
 *
 * ID and SEQ are read in network byte order. Needs CAP_NET_RAW. SIGTERM or
 * SIGINT end it with status 0; 1 after an error, 2 for bad usage.
 */
#include "sockio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int log_fd = 1;

static void logf_line(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static uint16_t checksum(const unsigned char *p, size_t len);
static void on_signal(int sig);
static int send_icmp(int fd, struct in_addr to, size_t optlen, int type,
    uint16_t id, uint16_t seq, const unsigned char *data, size_t dlen);

/*
 * logf_line - append one formatted line to the log with one write().
 */
static void
logf_line(const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)writen(log_fd, line, (size_t)n);
}

/*
 * checksum - the Internet checksum of LEN bytes at P, as a host number
 * (0 for data that carries its own correct checksum).
 */
static uint16_t
checksum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len % 2)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

/*
 * send_icmp - send an ICMP message (TYPE, code 0, ID, SEQ, DATA) to TO from
 * 127.0.0.1 on the IP_HDRINCL socket FD, with OPTLEN bytes of NOP options.
 * Returns 0; -1 with errno set.
 */
static int
send_icmp(int fd, struct in_addr to, size_t optlen, int type, uint16_t id,
    uint16_t seq, const unsigned char *data, size_t dlen)
{
	unsigned char pkt[60 + 8 + 2048];
	size_t hlen = 20 + optlen, len = hlen + 8 + dlen;
	struct sockaddr_in sin;
	uint16_t v;

	if (dlen > 2048) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(pkt, 0, hlen + 8);
	pkt[0] = (unsigned char)(0x40 | hlen / 4);
	v = htons((uint16_t)len);
	memcpy(pkt + 2, &v, 2);
	pkt[8] = 64;
	pkt[9] = IPPROTO_ICMP;
	inet_pton(AF_INET, "127.0.0.1", pkt + 12);
	memcpy(pkt + 16, &to, 4);
	memset(pkt + 20, 1, optlen); /* IPOPT_NOP */
	pkt[hlen] = (unsigned char)type;
	v = htons(id);
	memcpy(pkt + hlen + 4, &v, 2);
	v = htons(seq);
	memcpy(pkt + hlen + 6, &v, 2);
	memcpy(pkt + hlen + 8, data, dlen);
	v = htons(checksum(pkt + hlen, 8 + dlen));
	memcpy(pkt + hlen + 2, &v, 2);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = to;
	if (sendto(fd, pkt, len, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned char pkt[65536], ts[12] = { 0 };
	char hex[2 * 1024 + 1];
	long delay = 0, optlen = 0, noise = 0;
	int ch, answer = 0, decoys = 0, in, out;

	while ((ch = getopt(argc, argv, "o:ad:O:DN:")) != -1) {
		switch (ch) {
		case 'o':
			log_fd =
			    open(optarg, O_WRONLY | O_CREAT | O_APPEND, 0644);
			if (log_fd < 0) {
				fprintf(stderr, "icmppeer: %s: %s\n", optarg,
				    strerror(errno));
				return 2;
			}
			break;
		case 'a':
			answer = 1;
			break;
		case 'd':
			if (parse_long(optarg, 0, 60000, &delay) < 0)
				goto usage;
			break;
		case 'O':
			if (parse_long(optarg, 0, 40, &optlen) < 0 ||
			    optlen % 4 != 0)
				goto usage;
			break;
		case 'D':
			decoys = 1;
			break;
		case 'N':
			if (parse_long(optarg, 1, 60000, &noise) < 0)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((in = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)) < 0) {
		logf_line("error socket SOCK_RAW IPPROTO_ICMP: %s",
		    strerror(errno));
		return 1;
	}
	/* IPPROTO_RAW: the messages sent carry their own IP header. */
	if ((out = socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) < 0) {
		logf_line("error socket SOCK_RAW IPPROTO_RAW: %s",
		    strerror(errno));
		return 1;
	}
	logf_line("ready");
	for (;;) {
		struct pollfd pfd = { .fd = in, .events = POLLIN };
		const unsigned char *icmp;
		struct in_addr from;
		uint16_t id, seq;
		size_t hlen, ilen, dlen, i;
		ssize_t n;

		if (noise > 0 && poll(&pfd, 1, (int)noise) == 0) {
			struct in_addr lo = { htonl(INADDR_LOOPBACK) };

			if (send_icmp(out, lo, 0, 0, 0xffff, 0, ts, 0) < 0) {
				logf_line("error sendto: %s", strerror(errno));
				return 1;
			}
			continue;
		}
		n = recv(in, pkt, sizeof(pkt), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			logf_line("error recv: %s", strerror(errno));
			return 1;
		}
		if (n < 20)
			continue;
		hlen = (size_t)(pkt[0] & 0x0f) * 4;
		if ((size_t)n < hlen + 8)
			continue;
		icmp = pkt + hlen;
		ilen = (size_t)n - hlen;
		if (icmp[0] != 8)
			continue;
		id = (uint16_t)(icmp[4] << 8 | icmp[5]);
		seq = (uint16_t)(icmp[6] << 8 | icmp[7]);
		dlen = ilen - 8;
		for (i = 0; i < dlen && i < 1024; i++)
			snprintf(hex + 2 * i, 3, "%02x", icmp[8 + i]);
		hex[2 * i] = '\0';
		logf_line("request id %u seq %u len %zu cksum %s data %s", id,
		    seq, ilen, checksum(icmp, ilen) == 0 ? "ok" : "bad",
		    dlen ? hex : "-");
		if (!answer)
			continue;
		memcpy(&from, pkt + 12, 4);
		if (decoys) {
			int kind =
			    (seq + 2) % 3; /* seq 1, 2, 3: kind 0, 1, 2 */
			int r;

			if (kind == 0)
				r = send_icmp(out, from, 0, 0,
				    (uint16_t)(id + 1), seq, icmp + 8, dlen);
			else if (kind == 1)
				r = send_icmp(out, from, 0, 0, id,
				    (uint16_t)(seq + 1), icmp + 8, dlen);
			else
				r = send_icmp(out, from, 0, 13, id, seq, ts,
				    sizeof(ts));
			if (r < 0) {
				logf_line("error sendto: %s", strerror(errno));
				return 1;
			}
			logf_line("decoy %s id %u seq %u",
			    kind == 0     ? "other-id" :
			        kind == 1 ? "other-seq" :
			                    "timestamp-request",
			    id, seq);
		}
		if (delay > 0) {
			struct timespec d = { delay / 1000,
				(delay % 1000) * 1000000 };

			while (nanosleep(&d, &d) < 0 && errno == EINTR)
				;
		}
		if (send_icmp(out, from, (size_t)optlen, 0, id, seq, icmp + 8,
		        dlen) < 0) {
			logf_line("error sendto: %s", strerror(errno));
			return 1;
		}
		logf_line("answer id %u seq %u ihl %ld", id, seq,
		    5 + optlen / 4);
	}
usage:
	fprintf(stderr,
	    "usage: icmppeer [-o LOG] [-a] [-d MS] [-O OPTLEN] [-D] [-N MS]\n");
	return 2;
}
