/*
 * nsholder.c - keep a network namespace alive for the length of a test.
 *
 * The harness starts "unshare -n nsholder READYFILE SECONDS" and then runs
 * the test's processes inside this process's namespace (nsenter -t PID -n).
 * A new namespace has only the loopback interface, and it starts down, so
 * nsholder brings it up before announcing itself ready by creating
 * READYFILE. It then waits to be killed, at most SECONDS, so that a test
 * that forgets to stop it cannot leave a process behind for ever.
 *
 * Exit status: 0 after SIGTERM/SIGINT or the time limit, 1 on any failure,
 * 2 on a usage error.
 */
#include "peerutil.h"
#include "sockio.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SECONDS 86400

/*
 * bring_lo_up - set the IFF_UP flag of the loopback interface.
 *
 * Does nothing if lo is already up (so nsholder also works, unprivileged,
 * outside a new namespace). Returns 0, or -1 with errno set and *WHAT naming
 * the call that failed.
 */
static int
bring_lo_up(const char **what)
{
	struct ifreq ifr;
	int fd, saved;

	/* Any socket will do: the ioctls act on the namespace it lives in. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		*what = "socket";
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		*what = "SIOCGIFFLAGS lo";
		goto fail;
	}
	if ((ifr.ifr_flags & IFF_UP) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
			*what = "SIOCSIFFLAGS lo";
			goto fail;
		}
	}
	close(fd);
	return 0;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * write_ready_file - create PATH holding "ready\n".
 *
 * The text is written to PATH.tmp and renamed into place, so whoever polls
 * for PATH never sees it empty. Returns 0, or -1 with errno set and *WHAT
 * naming the call that failed.
 */
static int
write_ready_file(const char *path, const char **what)
{
	static const char text[] = "ready\n";
	char tmp[PATH_MAX];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		*what = "ready file name";
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		*what = "open";
		return -1;
	}
	if (writen(fd, text, sizeof(text) - 1) < 0) {
		*what = "write";
		close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		*what = "close";
		return -1;
	}
	if (rename(tmp, path) < 0) {
		*what = "rename";
		return -1;
	}
	return 0;
}

/*
 * wait_for_signal - wait until a signal in SET arrives or SECONDS pass.
 *
 * The signals must be blocked already; they are taken synchronously with
 * sigtimedwait(), which leaves no window in which one could be missed.
 * Returns 0 either way, or -1 with errno set if waiting failed.
 */
static int
wait_for_signal(const sigset_t *set, long seconds)
{
	struct timespec now, deadline;

	if (clock_gettime(CLOCK_MONOTONIC, &deadline) < 0)
		return -1;
	deadline.tv_sec += seconds;

	/* Bounded by the deadline: each pass waits only for the time left. */
	for (;;) {
		struct timespec left;

		if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
			return -1;
		left.tv_sec = deadline.tv_sec - now.tv_sec;
		left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			return 0;
		if (sigtimedwait(set, NULL, &left) >= 0)
			return 0;
		if (errno == EAGAIN)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

int
main(int argc, char **argv)
{
	const char *what;
	sigset_t stop;
	long seconds;

	if (argc != 3) {
		fprintf(stderr, "usage: nsholder READYFILE SECONDS\n");
		return 2;
	}
	if (parse_long(argv[2], 0, MAX_SECONDS, &seconds) < 0)
		errx(2, "bad SECONDS '%s' (0-%d)", argv[2], MAX_SECONDS);

	/* Block now: a SIGTERM sent as soon as READYFILE appears must wait
	 * for sigtimedwait() instead of killing us with a non-zero status. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0)
		err(1, "sigprocmask");

	if (bring_lo_up(&what) < 0)
		err(1, "%s", what);
	if (write_ready_file(argv[1], &what) < 0)
		err(1, "%s %s", what, argv[1]);
	if (wait_for_signal(&stop, seconds) < 0)
		err(1, "sigtimedwait");
	return 0;
}
