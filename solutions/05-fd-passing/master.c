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
	int conn, nfds, n, status = 0;
	char byte;

	for (;;) {
		n = recv_fds(chan, &conn, 1, &nfds, &byte, 1);
		if (n == 0)
			break; /* the master closed its end: time to go */
		if (n < 0 && errno == EMSGSIZE) {
			/* One bad message; the next may be fine. */
			warn("worker %d: recv_fds", id);
			continue;
		}
		if (n < 0) {
			warn("worker %d: recv_fds", id);
			status = 1;
			break;
		}
		if (nfds != 1) {
			warnx("worker %d: a message without a connection", id);
			continue;
		}
		/*
		 * A client that hangs up early is its own problem, not a reason
		 * to stop. Ours is the last reference: once it is closed, the
		 * client sees end of stream.
		 */
		(void)serve_client(conn, id);
		close(conn);
	}
	close(chan);
	_exit(status);
}

/*
 * reap_worker - wait for worker W's process and log how it ended (unless it
 * exited with 0).
 */
static void
reap_worker(struct worker *w)
{
	int status;
	pid_t r;

	do {
		r = waitpid(w->pid, &status, 0);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		warn("waitpid worker %d (pid %ld)", w->id, (long)w->pid);
	else if (WIFSIGNALED(status))
		warnx("worker %d (pid %ld) died (signal %d)", w->id,
		    (long)w->pid, WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		warnx("worker %d (pid %ld) exited with status %d", w->id,
		    (long)w->pid, WEXITSTATUS(status));
	w->pid = 0;
}

/*
 * forget_worker - close worker W's channel and reap it.
 */
static void
forget_worker(struct worker *w)
{
	if (w->chan >= 0) {
		close(w->chan);
		w->chan = -1;
	}
	if (w->pid > 0)
		reap_worker(w);
}

/*
 * stop_workers - close the channels of the first N workers (each then sees
 * end of stream and exits) and reap them all.
 */
static void
stop_workers(struct worker *w, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (w[i].chan >= 0) {
			close(w[i].chan);
			w[i].chan = -1;
		}
	for (i = 0; i < n; i++)
		forget_worker(&w[i]);
}

/*
 * start_worker - fork worker ALL[I] (its id I + 1), joined to the master by
 * a new socket pair; ALL[0..I-1] already run.
 * Returns 0 with ALL[I] filled in; -1 on error (reported on stderr).
 */
static int
start_worker(struct worker *all, int i, int listener)
{
	int pair[2], j;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0) {
		warn("socketpair");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		warn("fork");
		close(pair[0]);
		close(pair[1]);
		return -1;
	}
	if (pid == 0) {
		/*
		 * The worker keeps its own end only: not the listener, not its
		 * siblings' channels.
		 */
		close(pair[0]);
		close(listener);
		for (j = 0; j < i; j++)
			close(all[j].chan);
		worker_main(i + 1, pair[1]);
	}
	close(pair[1]);
	all[i].id = i + 1;
	all[i].pid = pid;
	all[i].chan = pair[0];
	return 0;
}

/*
 * spawn_workers - start N workers into W[0..N-1].
 * Returns 0; -1 on error (reported; the workers already started are stopped
 * again).
 */
static int
spawn_workers(struct worker *w, int n, int listener)
{
	int i;

	for (i = 0; i < n; i++) {
		if (start_worker(w, i, listener) < 0) {
			stop_workers(w, i);
			return -1;
		}
	}
	return 0;
}

/*
 * hand_off - accept one connection and pass it to the next live worker,
 * round-robin from *NEXT; then close the master's copy, whatever happened.
 */
static void
hand_off(int listener, struct worker *w, int n, int *next)
{
	struct worker *k;
	int conn, tries, sent = 0;

	conn = accept(listener, NULL, NULL);
	if (conn < 0) {
		if (errno != EINTR && errno != ECONNABORTED)
			warn("accept");
		return;
	}
	for (tries = 0; tries < n && !sent; tries++) {
		k = &w[*next];
		*next = (*next + 1) % n;
		if (k->chan < 0)
			continue;
		if (send_fds(k->chan, &conn, 1, NULL, 0) == 0)
			sent = 1;
		else
			warn("send_fds to worker %d", k->id);
	}
	if (!sent)
		warnx("no worker took the connection; closing it");
	/*
	 * The worker holds its own reference now; ours would keep the
	 * connection open.
	 */
	close(conn);
}

/*
 * live_workers - how many of the N workers still have a channel.
 */
static int
live_workers(const struct worker *w, int n)
{
	int i, live = 0;

	for (i = 0; i < n; i++)
		live += w[i].chan >= 0;
	return live;
}

/*
 * run_master - accept and hand off connections, and notice dying workers,
 * until a stop signal arrives (WAITMASK lets it in during ppoll).
 * Returns 0 when stopped by a signal; -1 on error or when no worker is left.
 */
static int
run_master(int listener, struct worker *w, int n, const sigset_t *waitmask)
{
	struct pollfd pfd[1 + MAX_WORKERS];
	int i, next = 0;

	while (!stop_requested) {
		if (live_workers(w, n) == 0) {
			warnx("no workers left");
			return -1;
		}
		pfd[0].fd = listener;
		pfd[0].events = POLLIN;
		/*
		 * A worker never writes: its channel turns readable only at
		 * end of stream. A dead worker's channel is -1, which poll()
		 * skips.
		 */
		for (i = 0; i < n; i++) {
			pfd[1 + i].fd = w[i].chan;
			pfd[1 + i].events = POLLIN;
		}
		if (ppoll(pfd, (nfds_t)(1 + n), NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			warn("ppoll");
			return -1;
		}
		for (i = 0; i < n; i++)
			if (pfd[1 + i].revents != 0)
				forget_worker(&w[i]);
		if (pfd[0].revents & POLLIN)
			hand_off(listener, w, n, &next);
	}
	return 0;
}

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
