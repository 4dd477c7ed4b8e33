/*
 * master.c - a pre-forked TCP server: one master, N workers, connections
 * passed by SCM_RIGHTS.
 *
 * usage: master PORT NWORKERS
 *
 * The master forks NWORKERS workers, each joined to it by a
 * socketpair(AF_UNIX, SOCK_STREAM), then accepts TCP connections on
 * 127.0.0.1:PORT and hands each one to the next worker in turn (round-robin)
 * with send_fds(), closing its own copy at once. A worker serves one
 * connection at a time: it reads a line and answers "worker K (pid P): LINE",
 * then closes it.
 *
 * A worker that dies is noticed (its end of the socket pair reaches end of
 * stream): the master reaps it, logs "master: worker K (pid P) died
 * (signal S)" and goes on with the others; with none left it exits with
 * status 1. SIGTERM or SIGINT stops the master cleanly: it closes every
 * worker's channel (each worker then exits), reaps them, and exits 0.
 */
#define _GNU_SOURCE /* ppoll() */

#include "fdpass.h"
#include "service.h"
#include "sockio.h"

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The most workers one master runs. */
#define MAX_WORKERS 64

/* One worker, as the master sees it. */
struct worker {
	int id;    /* 1 to NWORKERS, as in the answers and the log */
	pid_t pid; /* its process id; 0 once it has been reaped */
	int chan;  /* the master's end of its socket pair; -1 once gone */
};

/* Set by the SIGTERM/SIGINT handler; the master's loop then ends. */
static volatile sig_atomic_t stop_requested;

/* on_stop_signal - SIGTERM/SIGINT handler: ask the master's loop to end. */
static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * install_stop_handler - catch SIGTERM and SIGINT, and keep them blocked
 * except while the master waits in ppoll(WAITMASK): a signal can then never
 * slip in between checking stop_requested and going to sleep.
 * Returns 0; -1 on error (reported on stderr).
 */
static int
install_stop_handler(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, waitmask) < 0) {
		warn("sigprocmask");
		return -1;
	}
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0) {
		warn("sigaction");
		return -1;
	}
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	return 0;
}

/* ---- your code below ---- */

/*
 * worker_main - the worker's life: receive a connection from the master,
 * serve it, close it, and again, until the master closes the channel.
 * Never returns.
 */
static void
worker_main(int id, int chan)
{
	/*
	 * TODO: loop on recv_fds(chan, ...) with room for one descriptor and
	 * one data byte; serve_client() each connection, then close() it; at
	 * end of stream close the channel and _exit(0). A client that hangs
	 * up early must not stop the worker.
	 */
	(void)id;
	(void)chan;
	fprintf(stderr, "worker_main: not implemented yet\n");
	_exit(1);
} /* must: close every received descriptor, on every path */

/*
 * spawn_workers - fork N workers, W[i] with id i + 1, each joined to the
 * master by its own socketpair(AF_UNIX, SOCK_STREAM).
 * Returns 0 with W[0..N-1] filled in; -1 on error (reported on stderr; the
 * workers already started are stopped again).
 */
static int
spawn_workers(struct worker *w, int n, int listener)
{
	/*
	 * TODO: per worker: socketpair, fork; the child closes the master's
	 * end, the listener and the earlier workers' channels, then runs
	 * worker_main(); the parent closes the child's end and fills in W[i].
	 */
	(void)w;
	(void)n;
	(void)listener;
	(void)worker_main; /* quiets -Wunused-function until you call it */
	fprintf(stderr, "spawn_workers: not implemented yet\n");
	return -1;
} /* must: leave each worker holding its own end of its own pair, and nothing else */

/*
 * stop_workers - close the channels of the first N workers (each then sees
 * end of stream and exits) and reap them all with waitpid().
 */
static void
stop_workers(struct worker *w, int n)
{
	/*
	 * TODO: close every channel still open, then waitpid() every worker
	 * not yet reaped.
	 */
	(void)w;
	(void)n;
	fprintf(stderr, "stop_workers: not implemented yet\n");
} /* must: leave no zombie and no channel behind */

/*
 * run_master - accept and hand off connections, and notice dying workers,
 * until a stop signal arrives (WAITMASK lets it in during ppoll).
 * Returns 0 when stopped by a signal; -1 on error or when no worker is left.
 */
static int
run_master(int listener, struct worker *w, int n, const sigset_t *waitmask)
{
	/*
	 * TODO: until stop_requested: ppoll() the listener and every live
	 * worker's channel (a worker never writes: readable means it died).
	 * A dead worker: close its channel, waitpid() it, log "master: worker
	 * K (pid P) died (signal S)", skip it from now on. A new connection:
	 * accept(), send_fds() it to the next live worker (round-robin), then
	 * close() the master's copy.
	 */
	(void)listener;
	(void)w;
	(void)n;
	(void)waitmask;
	fprintf(stderr, "run_master: not implemented yet\n");
	return -1;
} /* must: keep no accepted descriptor, and keep serving after one worker or client fails */

/* ---- provided: main ---- */

int
main(int argc, char **argv)
{
	struct worker workers[MAX_WORKERS];
	sigset_t waitmask;
	long port, n;
	int listener, status;

	if (argc != 3)
		errx(2, "usage: master PORT NWORKERS");
	if (parse_long(argv[1], 1, 65535, &port) < 0)
		errx(2, "bad port '%s': expected a number from 1 to 65535",
		    argv[1]);
	if (parse_long(argv[2], 1, MAX_WORKERS, &n) < 0)
		errx(2, "bad worker count '%s': expected a number from 1 to %d",
		    argv[2], MAX_WORKERS);

	listener = tcp_listen((uint16_t)port);
	if (listener < 0)
		err(1, "listen on 127.0.0.1:%ld", port);
	if (spawn_workers(workers, (int)n, listener) < 0) {
		close(listener);
		errx(1, "cannot start the workers");
	}
	if (install_stop_handler(&waitmask) < 0) {
		stop_workers(workers, (int)n);
		close(listener);
		return 1;
	}
	/* Said once SIGTERM is caught: from this line on, it stops the master. */
	fprintf(stderr, "master: listening on 127.0.0.1:%ld with %ld workers\n",
	    port, n);
	status = run_master(listener, workers, (int)n, &waitmask);
	stop_workers(workers, (int)n);
	close(listener);
	return status < 0 ? 1 : 0;
}
