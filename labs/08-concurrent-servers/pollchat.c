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

int chat_loop(int lfd, int echo);

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
	(void)lfd;
	(void)echo;
	/* TODO: a pollfd array (listener first), poll(), then accept / read / write what poll() reported. */
	fprintf(stderr, "chat_loop: not implemented yet\n");
	return -1;
} /* must: lines to every other client (with -e: to the sender only); per-client output queues; a client at EOF is closed; nothing blocks */

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
