/*
 * forkserver.c - a TCP echo server that forks a child for each client.
 *
 * usage: forkserver <port>
 *
 * Listens on 127.0.0.1:PORT; for each client it accepts, it forks a child
 * that sends back every byte the client sends until the client's EOF, then
 * closes the connection and exits. The parent only accepts: it closes its
 * copy of each connected socket at once, each child closes its copy of the
 * listening socket, and a SIGCHLD handler reaps every child that has
 * exited, so that none stays a zombie. SIGTERM or SIGINT stops the parent
 * with exit status 0.
 */

/* ---- provided: do not change ---- */

#include "sockio.h"

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* How many bytes one read() asks for. */
#define READ_CHUNK 16384

/* Set by the SIGTERM/SIGINT handler; the accept loop checks it after EINTR. */
static volatile sig_atomic_t stop;

/* usage - print how to run the program and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: forkserver <port>\n");
	exit(2);
}

/* on_stop_signal - SIGTERM/SIGINT handler: ask the accept loop to stop. */
static void
on_stop_signal(int sig)
{
	(void)sig;
	stop = 1;
}

void on_sigchld(int sig);

/*
 * install_signal_handlers - SIGTERM and SIGINT set the stop flag, SIGCHLD
 * runs on_sigchld() (yours, below), SIGPIPE is ignored (a write to a client
 * that has gone fails with EPIPE instead of killing the child).
 *
 * None of them has SA_RESTART: when a child exits while the parent waits in
 * accept(), accept() fails with EINTR, and so does it on SIGTERM.
 * SA_NOCLDSTOP: a child that is stopped (not ended) sends no SIGCHLD.
 * Returns 0, or -1 with errno set.
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
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_NOCLDSTOP;
	if (sigaction(SIGCHLD, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* ---- your code below ---- */

int echo_client(int fd);
int serve_forever(int lfd);

/*
 * on_sigchld - SIGCHLD handler: reap every child that has exited.
 *
 * Signals do not queue: when several children exit close together the
 * parent may get one SIGCHLD for all of them, so the handler loops on
 * waitpid(-1, ..., WNOHANG) until no exited child is left (WNOHANG: it
 * never waits for a child still running). It saves and restores errno,
 * which waitpid() changes under the code it interrupted.
 */
void
on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	/* Bounded by the children: each pass reaps one. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		continue;
	errno = saved;
}

/*
 * echo_client - send back to FD every byte read from it, until EOF.
 * Returns 0 at the client's EOF, -1 with errno set if a read or a write
 * failed (the client reset the connection, or went away).
 */
int
echo_client(int fd)
{
	char buf[READ_CHUNK];
	ssize_t n;

	/* Bounded by the client's bytes: each pass echoes some or returns. */
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		if (writen(fd, buf, (size_t)n) < 0)
			return -1;
	}
}

/*
 * serve_forever - accept clients on LFD, each served by a child of its own,
 * until SIGTERM or SIGINT.
 *
 * The child closes the listening socket (it only serves its client), echoes,
 * closes the connection and exits: it never returns into this loop. The
 * parent closes its copy of the connection at once, or the client would
 * never see EOF and the parent would run out of descriptors. accept()
 * failing with EINTR (a child exited: SIGCHLD) is not an error: try again,
 * unless the stop flag is set.
 * Returns 0 when asked to stop, -1 if the listening socket failed.
 */
int
serve_forever(int lfd)
{
	pid_t pid;
	int fd, status;

	while (!stop) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0 &&
		    (errno == EINTR || accept_error_is_transient(errno)))
			continue; /* the loop checks stop */
		if (fd < 0) {
			warn("accept");
			return -1;
		}
		pid = fork();
		if (pid < 0) {
			/* This client is refused; the next may fit. */
			warn("fork");
			close(fd);
			continue;
		}
		if (pid == 0) {
			close(lfd);
			status = echo_client(fd) < 0 ? 1 : 0;
			close(fd);
			exit(status);
		}
		close(fd);
	}
	return 0;
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
	lfd = tcp_listen((uint16_t)port);
	if (lfd < 0)
		err(1, "listen on 127.0.0.1:%ld", port);
	status = serve_forever(lfd) < 0 ? 1 : 0;
	close(lfd);
	return status;
}
