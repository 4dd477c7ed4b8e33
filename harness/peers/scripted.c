/*
 * scripted.c - a test client that does exactly what it is told.
 *
 * Connects to ADDR and runs the steps given on the command line, in order:
 * send bytes (optionally in small chunks with pauses between them, to show
 * a student's server that one message may arrive in many reads), receive,
 * half-close, close, or reset the connection. Every event is logged on its
 * own line, so a test can check both sides of the conversation.
 *
 * All steps are checked before connecting: a bad step is a usage error
 * (exit 2) and nothing is sent. A step that fails at run time logs
 * "error WHAT: strerror" and ends the run with exit status 1.
 *
 * See docs/harness.md for the command line and the log format.
 */
#include "peerutil.h"
#include "sockio.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CHUNK (1024 * 1024)
#define MAX_MS 600000
#define MAX_RECV (1024L * 1024 * 1024)
#define RECV_BUF 65536

enum step_kind {
	STEP_SEND,     /* send:HEX, sendtext:TEXT (bytes already in data) */
	STEP_SENDFILE, /* sendfile:PATH */
	STEP_CHUNK,    /* chunk:N */
	STEP_DELAY,    /* delay:MS */
	STEP_PAUSE,    /* pause:MS */
	STEP_SHUT_WR,  /* shut:wr */
	STEP_SHUT_RD,  /* shut:rd */
	STEP_RECV,     /* recv:N */
	STEP_RECVALL,  /* recvall */
	STEP_CLOSE,    /* close */
	STEP_RST       /* rst */
};

struct step {
	enum step_kind kind;
	long n;              /* chunk:, delay:, pause:, recv: */
	unsigned char *data; /* send:, sendtext: */
	size_t len;
	const char *path; /* sendfile: */
};

/* What the steps change as they run. */
struct conn {
	int fd;        /* -1 once closed */
	long chunk;    /* largest write; 0 = the whole buffer at once */
	long delay_ms; /* pause between two chunked writes */
	int out_fd;    /* -O FILE, or -1 */
	const char *out_path;
};

/* usage - print the command line summary on stderr and exit 2. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: scripted [-o LOG] [-O FILE] ADDR STEP...\n"
	    "ADDR is HOST:PORT or unix:PATH\n"
	    "STEP is send:HEX | sendtext:TEXT | sendfile:PATH | chunk:N"
	    " | delay:MS | pause:MS\n"
	    "        | shut:wr | shut:rd | recv:N | recvall | close | rst\n");
	exit(2);
}

/*
 * parse_step - turn one step word WORD into *S.
 *
 * Returns 0, or -1 if WORD is not a valid step (unknown name, bad number,
 * bad hex).
 */
static int
parse_step(const char *word, struct step *s)
{
	const char *arg = strchr(word, ':');
	size_t namelen = arg ? (size_t)(arg - word) : strlen(word);

	memset(s, 0, sizeof(*s));
	if (arg != NULL)
		arg++;

#define IS(name) (namelen == strlen(name) && strncmp(word, name, namelen) == 0)
	if (IS("send") && arg != NULL) {
		s->kind = STEP_SEND;
		return hex_decode(arg, &s->data, &s->len);
	}
	if (IS("sendtext") && arg != NULL) {
		s->kind = STEP_SEND;
		s->len = strlen(arg);
		s->data = (unsigned char *)strdup(arg);
		return s->data ? 0 : -1;
	}
	if (IS("sendfile") && arg != NULL && *arg != '\0') {
		s->kind = STEP_SENDFILE;
		s->path = arg;
		return 0;
	}
	if (IS("chunk") && arg != NULL) {
		s->kind = STEP_CHUNK;
		return parse_long(arg, 1, MAX_CHUNK, &s->n);
	}
	if (IS("delay") && arg != NULL) {
		s->kind = STEP_DELAY;
		return parse_long(arg, 0, MAX_MS, &s->n);
	}
	if (IS("pause") && arg != NULL) {
		s->kind = STEP_PAUSE;
		return parse_long(arg, 0, MAX_MS, &s->n);
	}
	if (IS("shut") && arg != NULL && strcmp(arg, "wr") == 0) {
		s->kind = STEP_SHUT_WR;
		return 0;
	}
	if (IS("shut") && arg != NULL && strcmp(arg, "rd") == 0) {
		s->kind = STEP_SHUT_RD;
		return 0;
	}
	if (IS("recv") && arg != NULL) {
		s->kind = STEP_RECV;
		return parse_long(arg, 1, MAX_RECV, &s->n);
	}
	if (IS("recvall") && arg == NULL) {
		s->kind = STEP_RECVALL;
		return 0;
	}
	if (IS("close") && arg == NULL) {
		s->kind = STEP_CLOSE;
		return 0;
	}
	if (IS("rst") && arg == NULL) {
		s->kind = STEP_RST;
		return 0;
	}
#undef IS
	return -1;
}

/*
 * connect_to - open a stream socket connected to ADDR.
 *
 * Returns the descriptor, or -1 after logging "error socket: ..." or
 * "error connect: ...".
 */
static int
connect_to(const struct peer_addr *addr)
{
	int fd = socket(addr->ss.ss_family, SOCK_STREAM, 0);

	if (fd < 0) {
		log_event("error socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&addr->ss, addr->len) < 0) {
		log_event("error connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	log_event("connect %s", addr->text);
	return fd;
}

/*
 * send_bytes - send LEN bytes in writes of at most c->chunk bytes.
 *
 * Logs "send COUNT" for each write, sleeping c->delay_ms between them.
 * Returns 0, or -1 after logging "error send: ...".
 */
static int
send_bytes(struct conn *c, const unsigned char *data, size_t len)
{
	size_t done = 0;

	/* Bounded: every pass sends at least one byte or returns. */
	while (done < len) {
		size_t piece = len - done;

		if (c->chunk > 0 && piece > (size_t)c->chunk)
			piece = (size_t)c->chunk;
		if (done > 0)
			sleep_ms(c->delay_ms);
		if (writen(c->fd, data + done, piece) < 0) {
			log_event("error send: %s", strerror(errno));
			return -1;
		}
		log_event("send %zu", piece);
		done += piece;
	}
	return 0;
}

/*
 * recv_bytes - read up to LIMIT bytes, stopping early at EOF or reset.
 *
 * Logs "recv COUNT" for each read (so the test sees how the data was
 * split), then "eof" or "rst" if the stream ended. Received bytes go to
 * -O FILE. Returns 0 (EOF and reset are outcomes, not failures), or -1
 * after logging "error recv: ..." or "error write FILE: ...".
 */
static int
recv_bytes(struct conn *c, uint64_t limit)
{
	static unsigned char buf[RECV_BUF];
	uint64_t left = limit;

	/* Bounded by LIMIT and by the peer: ends at EOF, reset or error. */
	while (left > 0) {
		size_t want = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		ssize_t n = read(c->fd, buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET) {
			log_event("rst");
			return 0;
		}
		if (n < 0) {
			log_event("error recv: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			log_event("eof");
			return 0;
		}
		log_event("recv %zd", n);
		if (c->out_fd >= 0 && writen(c->out_fd, buf, (size_t)n) < 0) {
			log_event("error write %s: %s", c->out_path,
			    strerror(errno));
			return -1;
		}
		left -= (uint64_t)n;
	}
	return 0;
}

/*
 * run_step - carry out step S on connection C.
 *
 * Returns 0, or -1 if the step failed (the failure has been logged).
 */
static int
run_step(struct conn *c, const struct step *s)
{
	struct linger hard = { .l_onoff = 1, .l_linger = 0 };
	unsigned char *data;
	size_t len;
	int rc, how;

	switch (s->kind) {
	case STEP_SEND:
		return send_bytes(c, s->data, s->len);
	case STEP_SENDFILE:
		if (load_file(s->path, &data, &len) < 0) {
			log_event("error sendfile %s: %s", s->path,
			    strerror(errno));
			return -1;
		}
		rc = send_bytes(c, data, len);
		free(data);
		return rc;
	case STEP_CHUNK:
		c->chunk = s->n;
		return 0;
	case STEP_DELAY:
		c->delay_ms = s->n;
		return 0;
	case STEP_PAUSE:
		sleep_ms(s->n);
		return 0;
	case STEP_SHUT_WR:
	case STEP_SHUT_RD:
		how = s->kind == STEP_SHUT_WR ? SHUT_WR : SHUT_RD;
		if (shutdown(c->fd, how) < 0) {
			log_event("error shutdown: %s", strerror(errno));
			return -1;
		}
		log_event("shutdown %s",
		    s->kind == STEP_SHUT_WR ? "SHUT_WR" : "SHUT_RD");
		return 0;
	case STEP_RECV:
		return recv_bytes(c, (uint64_t)s->n);
	case STEP_RECVALL:
		return recv_bytes(c, UINT64_MAX);
	case STEP_CLOSE:
		if (close(c->fd) < 0) {
			log_event("error close: %s", strerror(errno));
			return -1;
		}
		c->fd = -1;
		log_event("close");
		return 0;
	case STEP_RST:
		/* Linger time 0: close() discards unsent data and sends RST. */
		rc = setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &hard,
		    sizeof(hard));
		if (rc < 0) {
			log_event("error setsockopt SO_LINGER: %s",
			    strerror(errno));
			return -1;
		}
		if (close(c->fd) < 0) {
			log_event("error close: %s", strerror(errno));
			return -1;
		}
		c->fd = -1;
		log_event("close rst");
		return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	struct conn c = { .fd = -1, .out_fd = -1 };
	struct peer_addr addr;
	struct sigaction sa;
	struct step *steps;
	const char *log_path = NULL, *why;
	int ch, nsteps, i, status = 0;

	/* "+": stop at ADDR, so that steps are never taken for options. */
	while ((ch = getopt(argc, argv, "+o:O:")) != -1) {
		switch (ch) {
		case 'o':
			log_path = optarg;
			break;
		case 'O':
			c.out_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();
	if (peer_addr_parse(argv[optind], PEER_ADDR_HOSTPORT, &addr, &why) < 0)
		errx(2, "%s: %s", argv[optind], why);

	nsteps = argc - optind - 1;
	steps = calloc((size_t)nsteps, sizeof(*steps));
	if (steps == NULL)
		err(1, "calloc");
	for (i = 0; i < nsteps; i++) {
		if (parse_step(argv[optind + 1 + i], &steps[i]) < 0) {
			warnx("bad step '%s'", argv[optind + 1 + i]);
			usage();
		}
	}

	if (log_path != NULL && log_open(log_path) < 0)
		err(1, "-o %s", log_path);
	if (c.out_path != NULL) {
		c.out_fd = open(c.out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (c.out_fd < 0)
			err(1, "-O %s", c.out_path);
	}

	/* A peer that went away must show up as EPIPE, not kill us. */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		err(1, "sigaction SIGPIPE");

	c.fd = connect_to(&addr);
	if (c.fd < 0)
		status = 1;
	for (i = 0; status == 0 && i < nsteps; i++) {
		if (run_step(&c, &steps[i]) < 0)
			status = 1;
	}
	if (c.fd >= 0) {
		close(c.fd);
		log_event("close");
	}

	if (c.out_fd >= 0 && close(c.out_fd) < 0)
		err(1, "close %s", c.out_path);
	for (i = 0; i < nsteps; i++)
		free(steps[i].data);
	free(steps);
	return status;
}
