/*
 * pollchat.c - a chat server: one process, one poll() loop.
 *
 * usage: pollchat [-e] <port>
 *
 * Listens on 127.0.0.1:PORT. Every line a client sends (its bytes up to and
 * including '\n') goes to every other connected client, never back to its
 * sender; with -e (echo mode, for the benchmark) it goes back to its sender
 * only. A line longer than MAX_LINE bytes goes on in pieces of MAX_LINE;
 * what a client sent after its last '\n' when it leaves goes on as a line
 * of its own, with a '\n' added. Each client has its own output queue: a
 * client that reads slowly or never, one that says nothing and one that
 * half-closes never hold up the others. A client whose queue passes
 * MAX_QUEUED bytes is disconnected as too slow. SIGTERM or SIGINT stops the
 * server with exit status 0.
 */

/* ---- provided: do not change ---- */

#include "sockio.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* The longest line passed on whole; a longer one goes in pieces. */
#define MAX_LINE 4096
/* A client's queued output past which it is disconnected as too slow. */
#define MAX_QUEUED (16 * 1024 * 1024)

/* Set by the SIGTERM/SIGINT handler; the loop checks it after EINTR. */
static volatile sig_atomic_t stop;

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: pollchat [-e] <port>\n");
	exit(2);
}

/* on_stop_signal - SIGTERM/SIGINT handler: ask the loop to stop. */
static void
on_stop_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * install_signal_handlers - make SIGTERM and SIGINT set the stop flag (no
 * SA_RESTART: a blocked poll() returns -1 with EINTR), and ignore SIGPIPE,
 * so that writing to a client that has gone fails with EPIPE instead of
 * killing the server. Returns 0, or -1 with errno set.
 */
static int
install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/*
 * raise_fd_limit - raise the soft limit on open descriptors to the hard
 * one: each client costs a descriptor, and the soft limit is often 1024.
 * Returns the new soft limit.
 */
static long
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	(void)getrlimit(RLIMIT_NOFILE, &rl);
	return (long)rl.rlim_cur;
}

/* ---- your code below ---- */

/* One client: its partial input line and its output queue. */
struct client {
	char in[MAX_LINE];
	size_t inlen;
	char *out; /* out[sent..len) still to be sent */
	size_t len, sent, cap;
	int gone; /* to be closed and removed */
};

/* The server: pfd[0] is the listener, pfd[i] and cl[i] client i (i >= 1). */
struct chat {
	struct pollfd *pfd;
	struct client **cl;
	size_t n, cap;
	int echo; /* -e */
};

int add_client(struct chat *ch, int fd);
int queue_output(struct client *c, const char *buf, size_t len);
void pass_on(struct chat *ch, size_t from, const char *line, size_t len);
int read_client(struct chat *ch, size_t i);
int flush_client(struct client *c, int fd);
void remove_client(struct chat *ch, size_t i);
int chat_loop(int lfd, int echo);

/*
 * add_client - make the connected socket FD non-blocking and add it to CH
 * as a new client, watched for input. Returns 0, or -1 with errno set (FD
 * is then the caller's to close).
 */
int
add_client(struct chat *ch, int fd)
{
	struct pollfd *pfd;
	struct client **cl, *c;
	size_t cap;
	int flags;

	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	if (ch->n == ch->cap) {
		cap = ch->cap * 2;
		pfd = realloc(ch->pfd, cap * sizeof(*pfd));
		if (pfd == NULL)
			return -1;
		ch->pfd = pfd;
		cl = realloc(ch->cl, cap * sizeof(*cl));
		if (cl == NULL)
			return -1;
		ch->cl = cl;
		ch->cap = cap;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -1;
	ch->pfd[ch->n].fd = fd;
	ch->pfd[ch->n].events = POLLIN;
	ch->pfd[ch->n].revents = 0;
	ch->cl[ch->n] = c;
	ch->n++;
	return 0;
}

/*
 * queue_output - append LEN bytes of BUF to C's output queue.
 * Returns 0; -1 with errno set (ENOMEM; ENOBUFS when the queue would pass
 * MAX_QUEUED: the client does not read, and is to be disconnected).
 */
int
queue_output(struct client *c, const char *buf, size_t len)
{
	size_t need, cap;
	char *p;

	if (c->sent > 0) { /* move what is left to the front */
		memmove(c->out, c->out + c->sent, c->len - c->sent);
		c->len -= c->sent;
		c->sent = 0;
	}
	need = c->len + len;
	if (need > MAX_QUEUED) {
		errno = ENOBUFS;
		return -1;
	}
	if (need > c->cap) {
		cap = c->cap ? c->cap : MAX_LINE;
		while (cap < need)
			cap *= 2;
		p = realloc(c->out, cap);
		if (p == NULL)
			return -1;
		c->out = p;
		c->cap = cap;
	}
	memcpy(c->out + c->len, buf, len);
	c->len += len;
	return 0;
}

/*
 * pass_on - queue the LEN bytes of LINE, from client FROM, for every other
 * client (in echo mode: for FROM only), and watch each for POLLOUT. Nothing
 * is written here: a recipient that does not read must not stop the loop.
 * A recipient whose queue overflows is marked to be removed.
 */
void
pass_on(struct chat *ch, size_t from, const char *line, size_t len)
{
	size_t i;

	for (i = 1; i < ch->n; i++) {
		if (ch->cl[i]->gone || (ch->echo ? i != from : i == from))
			continue;
		if (queue_output(ch->cl[i], line, len) < 0) {
			warn("client on descriptor %d: dropped", ch->pfd[i].fd);
			ch->cl[i]->gone = 1;
			continue;
		}
		ch->pfd[i].events |= POLLOUT;
	}
}

/*
 * read_client - one read() from client I (poll() said it is readable, so
 * it does not block), passing on every whole line; a line that fills
 * MAX_LINE goes on as it is. At EOF, what is left goes on with a '\n'
 * added. Returns 0 to keep the client, -1 when it is gone (EOF or error).
 */
int
read_client(struct chat *ch, size_t i)
{
	struct client *c = ch->cl[i];
	char *nl;
	size_t used;
	ssize_t n;

	n = read(ch->pfd[i].fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		if (c->inlen > 0 && c->inlen < sizeof(c->in)) {
			c->in[c->inlen++] = '\n';
			pass_on(ch, i, c->in, c->inlen);
		}
		return -1;
	}
	c->inlen += (size_t)n;
	used = 0;
	/* Bounded: each pass passes on one line of what was read. */
	while ((nl = memchr(c->in + used, '\n', c->inlen - used)) != NULL) {
		pass_on(ch, i, c->in + used, (size_t)(nl - c->in) + 1 - used);
		used = (size_t)(nl - c->in) + 1;
	}
	if (used == 0 && c->inlen == sizeof(c->in)) {
		pass_on(ch, i, c->in, c->inlen); /* a long line: a piece */
		used = c->inlen;
	}
	memmove(c->in, c->in + used, c->inlen - used);
	c->inlen -= used;
	return 0;
}

/*
 * flush_client - write as much of C's queue to FD as it takes now (FD is
 * non-blocking: a short write or EAGAIN leaves the rest for the next
 * POLLOUT). Returns 1 when the queue is empty, 0 if some is left, -1 with
 * errno set if the client is gone.
 */
int
flush_client(struct client *c, int fd)
{
	ssize_t n;

	/* Bounded: each pass writes bytes or returns. */
	while (c->sent < c->len) {
		n = write(fd, c->out + c->sent, c->len - c->sent);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return -1;
		c->sent += (size_t)n;
	}
	c->len = c->sent = 0;
	return 1;
}

/*
 * remove_client - close client I and free it; the last entry takes its
 * place, so the arrays stay dense (no holes for poll() to skip).
 */
void
remove_client(struct chat *ch, size_t i)
{
	close(ch->pfd[i].fd);
	free(ch->cl[i]->out);
	free(ch->cl[i]);
	ch->n--;
	ch->pfd[i] = ch->pfd[ch->n];
	ch->cl[i] = ch->cl[ch->n];
}

/*
 * chat_loop - serve the clients of the listening socket LFD with poll()
 * until SIGTERM or SIGINT: new clients on the listener, one read() for
 * each readable client, queued output for each writable one; nothing
 * blocks but poll(). ECHO: echo mode (-e). At the end every client is
 * closed and freed.
 * Returns 0 when asked to stop, -1 if the server itself failed.
 */
int
chat_loop(int lfd, int echo)
{
	struct chat ch;
	size_t i, n;
	int fd, ready, status = 0;

	memset(&ch, 0, sizeof(ch));
	ch.echo = echo;
	ch.cap = 64;
	ch.pfd = calloc(ch.cap, sizeof(*ch.pfd));
	ch.cl = calloc(ch.cap, sizeof(*ch.cl));
	if (ch.pfd == NULL || ch.cl == NULL) {
		warn("calloc");
		status = -1;
		goto done;
	}
	ch.pfd[0].fd = lfd;
	ch.pfd[0].events = POLLIN;
	ch.n = 1;
	while (!stop) {
		ready = poll(ch.pfd, ch.n, -1);
		if (ready < 0 && errno == EINTR)
			continue; /* the loop checks stop */
		if (ready < 0) {
			warn("poll");
			status = -1;
			break;
		}
		n = ch.n; /* clients added below wait for the next poll() */
		for (i = 1; i < n; i++) {
			if (ch.pfd[i].revents & (POLLIN | POLLHUP | POLLERR) &&
			    !ch.cl[i]->gone && read_client(&ch, i) < 0)
				ch.cl[i]->gone = 1;
		}
		for (i = 1; i < n; i++) {
			if (ch.cl[i]->gone || !(ch.pfd[i].events & POLLOUT))
				continue;
			switch (flush_client(ch.cl[i], ch.pfd[i].fd)) {
			case 1:
				ch.pfd[i].events &= ~POLLOUT;
				break;
			case -1:
				ch.cl[i]->gone = 1;
				break;
			}
		}
		/* Bounded: each pass removes a client or moves on. */
		for (i = ch.n; i-- > 1;)
			if (ch.cl[i]->gone)
				remove_client(&ch, i);
		if (ch.pfd[0].revents & POLLIN) {
			fd = accept(lfd, NULL, NULL);
			if (fd < 0 && errno != EINTR &&
			    !accept_error_is_transient(errno))
				warn("accept");
			if (fd >= 0 && add_client(&ch, fd) < 0) {
				warn("add client");
				close(fd);
			}
		}
	}
done:
	while (ch.n > 1)
		remove_client(&ch, ch.n - 1);
	free(ch.pfd);
	free(ch.cl);
	return status;
}

int
main(int argc, char **argv)
{
	long port;
	int ch, echo = 0, lfd, status;

	while ((ch = getopt(argc, argv, "e")) != -1) {
		switch (ch) {
		case 'e':
			echo = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (parse_long(argv[optind], 1, 65535, &port) < 0)
		errx(1, "invalid port '%s' (expected a number from 1 to 65535)",
		    argv[optind]);
	if (install_signal_handlers() < 0)
		err(1, "sigaction");
	(void)raise_fd_limit();
	lfd = tcp_listen((uint16_t)port);
	if (lfd < 0)
		err(1, "listen on 127.0.0.1:%ld", port);
	status = chat_loop(lfd, echo) < 0 ? 1 : 0;
	close(lfd);
	return status;
}
