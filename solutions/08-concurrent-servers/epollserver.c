/*
 * epollserver.c - a TCP echo server for thousands of clients: one process,
 * one epoll event loop, edge-triggered, every socket non-blocking.
 *
 * usage: epollserver <port>
 *
 * Listens on 127.0.0.1:PORT and sends every byte each client sends back to
 * it. Nothing ever blocks: a client that sends a lot, one that reads slowly
 * or never, and one that says nothing all get their own output buffer and
 * never hold up the others. A client that half-closes gets the rest of its
 * echo, then EOF. SIGTERM or SIGINT stops the server with exit status 0.
 */

/* ---- provided: do not change ---- */

#include "sockio.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* How many bytes one read() asks for. */
#define READ_CHUNK 16384
/* A client's queued echo past which the server stops reading from it. */
#define MAX_QUEUED (4 * 1024 * 1024)
/* How many events one epoll_wait() returns at most. */
#define MAX_EVENTS 256

/* Set by the SIGTERM/SIGINT handler; the loop checks it after EINTR. */
static volatile sig_atomic_t stop;

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: epollserver <port>\n");
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
 * SA_RESTART: a blocked epoll_wait() returns -1 with EINTR), and ignore
 * SIGPIPE, so that writing to a client that has gone fails with EPIPE
 * instead of killing the server. Returns 0, or -1 with errno set.
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

/* One client: its socket and the echo still to be sent to it. */
struct conn {
	int fd;
	char *out; /* queued output, out[sent..len) still to go */
	size_t len, sent, cap;
	int eof; /* the client half-closed: close once out is sent */
	struct conn *prev, *next; /* every open connection, for the end */
};

int set_nonblocking(int fd);
int accept_clients(int lfd, int epfd, struct conn **all);
int flush_output(struct conn *c);
int serve_client(struct conn *c);
void close_conn(int epfd, struct conn *c, struct conn **all);
int event_loop(int lfd);

/*
 * set_nonblocking - put FD in non-blocking mode (O_NONBLOCK).
 * Returns 0, or -1 with errno set.
 */
int
set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/*
 * accept_clients - accept every client waiting on the non-blocking LFD,
 * until accept() says EAGAIN (edge-triggered: there is no second event for
 * the clients already waiting), and add each, non-blocking, to EPFD for
 * input and output, edge-triggered, and to the list *ALL.
 * Returns 0; -1 with errno set if the listening socket itself failed.
 */
int
accept_clients(int lfd, int epfd, struct conn **all)
{
	struct epoll_event ev;
	struct conn *c;
	int fd;

	/* Bounded by the clients waiting: each pass takes one or returns. */
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (fd < 0 &&
		    (errno == EINTR || accept_error_is_transient(errno)))
			continue;
		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			warn("accept");
			return 0; /* the next edge brings it back */
		}
		if (fd < 0)
			return -1;
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			warn("calloc");
			goto alloc_failed;
		}
		c->fd = fd;
		if (set_nonblocking(fd) < 0) {
			warn("fcntl O_NONBLOCK");
			goto setup_failed;
		}
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
		ev.data.ptr = c;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			warn("epoll_ctl ADD");
			goto setup_failed;
		}
		c->next = *all;
		if (*all != NULL)
			(*all)->prev = c;
		*all = c;
		continue;

setup_failed:
		free(c);
alloc_failed:
		close(fd);
	}
}

/*
 * flush_output - write as much of C's queued output as the socket takes
 * now. A short write or EAGAIN leaves the rest queued for the next
 * EPOLLOUT event; nothing is ever dropped.
 * Returns 0 (all sent, or the socket is full); -1 with errno set if the
 * connection failed.
 */
int
flush_output(struct conn *c)
{
	ssize_t n;

	/* Bounded: each pass writes bytes or returns. */
	while (c->sent < c->len) {
		n = write(c->fd, c->out + c->sent, c->len - c->sent);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -1;
		c->sent += (size_t)n;
	}
	c->len = c->sent = 0;
	return 0;
}

/*
 * queue_output - append LEN bytes of BUF to C's output.
 * Returns 0, or -1 with errno set (ENOMEM).
 */
static int
queue_output(struct conn *c, const char *buf, size_t len)
{
	size_t need, cap;
	char *p;

	if (c->sent > 0 && c->sent == c->len)
		c->len = c->sent = 0;
	need = c->len + len;
	if (need > c->cap) {
		cap = c->cap ? c->cap : READ_CHUNK;
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
 * serve_client - do all there is to do for C after an event: send what is
 * queued, then read until read() says EAGAIN (edge-triggered: the data
 * already waiting brings no second event), queueing each piece as its echo
 * and sending it at once. While more than MAX_QUEUED bytes wait for a
 * client that does not read, the server stops reading from it; the
 * EPOLLOUT event that comes when it reads again resumes both.
 * Returns 0 to keep the connection, 1 when it is finished (the client
 * half-closed and has all its echo), -1 with errno set if it failed.
 */
int
serve_client(struct conn *c)
{
	char buf[READ_CHUNK];
	ssize_t n;

	/* Bounded: each pass reads bytes, or returns. */
	for (;;) {
		if (flush_output(c) < 0)
			return -1;
		if (c->eof || c->len - c->sent > MAX_QUEUED)
			break;
		n = read(c->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return -1;
		if (n == 0) {
			c->eof = 1;
			continue; /* flush what is left, then finish */
		}
		if (queue_output(c, buf, (size_t)n) < 0)
			return -1;
	}
	return c->eof && c->sent == c->len ? 1 : 0;
}

/*
 * close_conn - close C's socket (which also takes it out of EPFD), unlink
 * it from *ALL and free it.
 */
void
close_conn(int epfd, struct conn *c, struct conn **all)
{
	(void)epfd; /* close() removes the descriptor from the epoll set */
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		*all = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c->out);
	free(c);
}

/*
 * event_loop - serve every client of the listening socket LFD with one
 * epoll instance until SIGTERM or SIGINT: LFD non-blocking and
 * edge-triggered too, each event handled without blocking. At the end
 * every connection is closed and freed, and the epoll descriptor closed.
 * Returns 0 when asked to stop, -1 if the server itself failed.
 */
int
event_loop(int lfd)
{
	struct epoll_event ev, events[MAX_EVENTS];
	struct conn *all = NULL, *c;
	int epfd, n, i, r, status = 0;

	if (set_nonblocking(lfd) < 0) {
		warn("fcntl O_NONBLOCK");
		return -1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		warn("epoll_create1");
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLET;
	ev.data.ptr = NULL; /* NULL: the listening socket */
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0) {
		warn("epoll_ctl ADD listener");
		status = -1;
		goto done;
	}
	while (!stop) {
		n = epoll_wait(epfd, events, MAX_EVENTS, -1);
		if (n < 0 && errno == EINTR)
			continue; /* the loop checks stop */
		if (n < 0) {
			warn("epoll_wait");
			status = -1;
			break;
		}
		for (i = 0; i < n; i++) {
			c = events[i].data.ptr;
			if (c == NULL) {
				if (accept_clients(lfd, epfd, &all) < 0) {
					warn("accept");
					status = -1;
					goto done;
				}
				continue;
			}
			r = serve_client(c);
			if (r < 0 && errno != ECONNRESET && errno != EPIPE)
				warn("client");
			if (r != 0)
				close_conn(epfd, c, &all);
		}
	}
done:
	while (all != NULL)
		close_conn(epfd, all, &all);
	close(epfd);
	return status;
}

int
main(int argc, char **argv)
{
	long port;
	int lfd, status;

	if (argc != 2)
		usage();
	if (parse_long(argv[1], 1, 65535, &port) < 0)
		errx(1, "invalid port '%s' (expected a number from 1 to 65535)",
		    argv[1]);
	if (install_signal_handlers() < 0)
		err(1, "sigaction");
	(void)raise_fd_limit();
	lfd = tcp_listen((uint16_t)port);
	if (lfd < 0)
		err(1, "listen on 127.0.0.1:%ld", port);
	status = event_loop(lfd) < 0 ? 1 : 0;
	close(lfd);
	return status;
}
