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

int
unix_listen(const char *name, int type, mode_t mode)
{
	/*
	 * TODO: fill a struct sockaddr_un from NAME (a path, or '@' and an
	 * abstract name: sun_path[0] = '\0' and an address length that counts
	 * only the name's bytes); refuse a NAME too long with ENAMETOOLONG.
	 * For a path: lstat() what is there; remove only a socket file that
	 * nobody serves (a connect() to it fails with ECONNREFUSED). socket(),
	 * bind(), chmod() the file to MODE, listen() unless TYPE is SOCK_DGRAM.
	 */
	(void)name;
	(void)type;
	(void)mode;
	fprintf(stderr, "unix_listen: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: never remove a regular file or a live server's socket; MODE whatever the umask */

int
unix_connect(const char *name, int type)
{
	/* TODO: the same address as unix_listen; socket(), connect(). */
	(void)name;
	(void)type;
	fprintf(stderr, "unix_connect: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: return the connected descriptor, or -1 with errno set and nothing left open */

int
unix_accept(int lfd, uid_t *uid, gid_t *gid, pid_t *pid)
{
	/* TODO: accept(), then getsockopt(SO_PEERCRED) into a struct ucred. */
	(void)lfd;
	(void)uid;
	(void)gid;
	(void)pid;
	fprintf(stderr, "unix_accept: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: the credentials of the process that connected, not the server's own */

ssize_t
recv_record(int fd, void *buf, size_t len)
{
	/* TODO: one recv() that also tells a message longer than LEN. */
	(void)fd;
	(void)buf;
	(void)len;
	fprintf(stderr, "recv_record: not implemented yet\n");
	errno = ENOSYS;
	return -1;
} /* must: fail with EMSGSIZE for a message longer than LEN, never return a cut one */
