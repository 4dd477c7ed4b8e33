/*
 * unixsock.c - Unix domain sockets: on a path or in the abstract namespace,
 * stream, datagram and sequenced-packet, and the credentials of a peer.
 *
 * The functions are declared, with their contracts, in unixsock.h.
 * unixtool (the tests in tests/) puts each of them to work in a real
 * program.
 */
#define _GNU_SOURCE /* struct ucred */
#include "unixsock.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- your code below ---- */

/*
 * unix_address - fill ADDR and *LEN for NAME: a path, or '@' and an
 * abstract name.
 * A path's length counts its NUL; an abstract name's counts the leading
 * NUL and the name's bytes, nothing more (the kernel takes every byte of
 * the length as part of the name).
 * Returns 0; -1 with errno ENAMETOOLONG (too long) or EINVAL (empty).
 */
static int
unix_address(const char *name, struct sockaddr_un *addr, socklen_t *len)
{
	size_t n = strlen(name);

	if (n == 0 || (name[0] == '@' && n == 1)) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * A path and its NUL take n + 1 bytes; '@' and the name take n: the
	 * leading NUL and the name's n - 1 bytes.
	 */
	if (n + (name[0] == '@' ? 0 : 1) > sizeof(addr->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (name[0] == '@') {
		addr->sun_path[0] = '\0';
		memcpy(addr->sun_path + 1, name + 1, n - 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		memcpy(addr->sun_path, name, n + 1);
		*len =
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

/*
 * connect_address - connect FD to ADDR (LEN bytes), retrying EINTR.
 * Returns 0; -1 with errno set.
 */
static int
connect_address(int fd, const struct sockaddr_un *addr, socklen_t len)
{
	/* A Unix socket connects at once or fails: retrying EINTR is safe. */
	while (connect(fd, (const struct sockaddr *)addr, len) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/*
 * clear_stale - make room at the path in ADDR: remove a socket file
 * nobody serves; leave anything else alone.
 * Returns 0 when the path is free (or was made free); -1 with errno
 * EADDRINUSE when a live socket or another kind of file is there, or
 * errno set by the call that failed.
 */
static int
clear_stale(const struct sockaddr_un *addr, socklen_t len, int type)
{
	struct stat st;
	int probe, saved;

	if (lstat(addr->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EADDRINUSE; /* not ours to remove */
		return -1;
	}
	probe = socket(AF_UNIX, type, 0);
	if (probe < 0)
		return -1;
	if (connect_address(probe, addr, len) == 0) {
		close(probe);
		errno = EADDRINUSE; /* someone serves it */
		return -1;
	}
	saved = errno;
	close(probe);
	if (saved != ECONNREFUSED) {
		/* EPROTOTYPE: a live socket of another type. */
		errno = saved == EPROTOTYPE ? EADDRINUSE : saved;
		return -1;
	}
	if (unlink(addr->sun_path) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/*
 * unix_listen - a Unix socket of TYPE bound to NAME, listening unless it
 * is a datagram socket; a path's file gets exactly MODE.
 * Returns the descriptor; -1 with errno set.
 */
int
unix_listen(const char *name, int type, mode_t mode)
{
	struct sockaddr_un addr;
	socklen_t len;
	int fd, saved, is_path;

	if (unix_address(name, &addr, &len) < 0)
		return -1;
	is_path = name[0] != '@';
	if (is_path && clear_stale(&addr, len, type) < 0)
		return -1;
	fd = socket(AF_UNIX, type, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, len) < 0)
		goto fail_bind;
	/* bind() created the file with 0777 & ~umask: set the mode asked. */
	if (is_path && chmod(addr.sun_path, mode) < 0)
		goto fail_after_bind;
	if (type != SOCK_DGRAM && listen(fd, SOMAXCONN) < 0)
		goto fail_after_bind;
	return fd;

fail_after_bind:
	saved = errno;
	if (is_path)
		unlink(addr.sun_path);
	errno = saved;
fail_bind:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * unix_connect - a Unix socket of TYPE connected to NAME.
 * Returns the connected descriptor; -1 with errno set.
 */
int
unix_connect(const char *name, int type)
{
	struct sockaddr_un addr;
	socklen_t len;
	int fd, saved;

	if (unix_address(name, &addr, &len) < 0)
		return -1;
	fd = socket(AF_UNIX, type, 0);
	if (fd < 0)
		return -1;
	if (connect_address(fd, &addr, len) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * unix_accept - accept a connection on LFD and read who connected
 * (SO_PEERCRED of the NEW socket: the listener's would name the server).
 * Returns the connected descriptor; -1 with errno set.
 */
int
unix_accept(int lfd, uid_t *uid, gid_t *gid, pid_t *pid)
{
	struct ucred cred;
	socklen_t len;
	int fd, saved;

	do
		fd = accept(lfd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	*uid = cred.uid;
	*gid = cred.gid;
	*pid = cred.pid;
	return fd;
}

/*
 * recv_record - receive one message of at most LEN bytes into BUF.
 * Returns its length; 0 at the end of a SOCK_SEQPACKET connection; -1
 * with errno EMSGSIZE for a longer message, or errno set.
 */
ssize_t
recv_record(int fd, void *buf, size_t len)
{
	ssize_t n;

	/* MSG_TRUNC: return the message's real length, even if cut. */
	do
		n = recv(fd, buf, len, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n > (ssize_t)len) {
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}
