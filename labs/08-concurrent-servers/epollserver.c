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
 *
 * The part above the "your code below" line is written for you. Below it,
 * main() is written too: it shows how the parts fit together. The functions
 * it relies on are yours; the README explains each step.
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
	int eof;                  /* the client half-closed */
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
	(void)fd;
	/* TODO: fcntl(F_GETFL), then F_SETFL with O_NONBLOCK added. */
	fprintf(stderr, "set_nonblocking: not implemented yet\n");
	return -1;
} /* must: keep the flags already set */

/*
 * accept_clients - accept every client waiting on the non-blocking LFD and
 * add each, non-blocking, to EPFD (edge-triggered) and to the list *ALL.
 * Returns 0; -1 with errno set if the listening socket itself failed.
 */
int
accept_clients(int lfd, int epfd, struct conn **all)
{
	(void)lfd;
	(void)epfd;
	(void)all;
	/* TODO: accept() until EAGAIN; for each: a struct conn, O_NONBLOCK, EPOLL_CTL_ADD. */
	fprintf(stderr, "accept_clients: not implemented yet\n");
	return -1;
} /* must: drain the listener (one event may stand for many clients); one client's failure is not the server's */

/*
 * flush_output - write as much of C's queued output as the socket takes
 * now; the rest stays queued for the next EPOLLOUT event.
 * Returns 0, or -1 with errno set if the connection failed.
 */
int
flush_output(struct conn *c)
{
	(void)c;
	/* TODO: write() from out + sent until all is sent or EAGAIN. */
	fprintf(stderr, "flush_output: not implemented yet\n");
	return -1;
} /* must: a short write or EAGAIN keeps the rest; nothing is ever dropped */

/*
 * serve_client - do all there is to do for C after an event: send what is
 * queued, read until EAGAIN, queue each piece as its echo.
 * Returns 0 to keep the connection, 1 when it is finished (the client
 * half-closed and has all its echo), -1 with errno set if it failed.
 */
int
serve_client(struct conn *c)
{
	(void)c;
	/* TODO: flush, then read() until EAGAIN, appending to c->out; read() 0 sets c->eof. */
	fprintf(stderr, "serve_client: not implemented yet\n");
	return -1;
} /* must: drain to EAGAIN (edge-triggered); stop reading from a client whose queue is past MAX_QUEUED until it reads */

/*
 * close_conn - close C's socket, unlink it from *ALL and free it.
 */
void
close_conn(int epfd, struct conn *c, struct conn **all)
{
	(void)epfd;
	(void)c;
	(void)all;
	/* TODO: close(), unlink from the list, free the buffer and the struct. */
} /* must: leak nothing */

/*
 * event_loop - serve every client of LFD with one epoll instance until
 * SIGTERM or SIGINT; at the end close and free everything.
 * Returns 0 when asked to stop, -1 if the server itself failed.
 */
int
event_loop(int lfd)
{
	(void)lfd;
	/* TODO: epoll_create1(), add LFD (EPOLLIN | EPOLLET), loop on epoll_wait(). */
	fprintf(stderr, "event_loop: not implemented yet\n");
	return -1;
} /* must: EINTR with stop set ends the loop; every connection closed and freed at the end */

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
