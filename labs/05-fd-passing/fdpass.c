/*
 * fdpass.c - passing open descriptors between processes over Unix domain
 * sockets.
 *
 * The functions are declared, with their contracts, in fdpass.h. fdtool
 * (tests/fdpass.bats) exercises them on their own; the master and its
 * workers use them to pass connections.
 */
#include "fdpass.h"
#include "sockio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- your code below ---- */

int
send_fds(int sock, const int *fds, int nfds, const void *data, size_t len)
{
	/*
	 * TODO: one sendmsg() with an SCM_RIGHTS control message holding the
	 * NFDS descriptors (none at all when NFDS is 0) and at least one byte
	 * of data; the rest of the data, if sendmsg() sent only part of it,
	 * with writen(). Retry EINTR; use MSG_NOSIGNAL.
	 */
	(void)sock;
	(void)fds;
	(void)nfds;
	(void)data;
	(void)len;
	fprintf(stderr, "send_fds: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: size msg_controllen with CMSG_SPACE() and cmsg_len with CMSG_LEN() */

int
recv_fds(int sock, int *fds, int maxfds, int *nfds, void *data, size_t len)
{
	/*
	 * TODO: one recvmsg() with room for MAXFDS descriptors; copy them out
	 * of every SCM_RIGHTS control message. Retry EINTR. Check msg_flags
	 * for MSG_CTRUNC.
	 */
	(void)sock;
	(void)fds;
	(void)maxfds;
	(void)data;
	(void)len;
	*nfds = 0;
	fprintf(stderr, "recv_fds: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: on MSG_CTRUNC close what did arrive and fail with EMSGSIZE */

int
unix_listen(const char *path)
{
	/*
	 * TODO: refuse a PATH that does not fit in sun_path (ENAMETOOLONG);
	 * remove a socket file already at PATH (lstat, S_ISSOCK), nothing
	 * else; socket, bind, listen.
	 */
	(void)path;
	fprintf(stderr, "unix_listen: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return the listening descriptor, or -1 with errno set and nothing left open */

int
unix_connect(const char *path)
{
	/*
	 * TODO: refuse a PATH that does not fit in sun_path (ENAMETOOLONG);
	 * socket, connect.
	 */
	(void)path;
	fprintf(stderr, "unix_connect: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return the connected descriptor, or -1 with errno set and nothing left open */
