/*
 * unixsock.h - Unix domain sockets: on a path or in the abstract namespace,
 * stream, datagram and sequenced-packet, and the credentials of a peer.
 *
 * Provided: do not change this file. You write unixsock.c.
 *
 * A NAME is either a path in the file system ("/tmp/app.sock") or, when
 * it starts with '@', a name in Linux's abstract namespace ("@app": the
 * name is "app"; no file is ever created, and the name goes away with the
 * last socket bound to it). TYPE is SOCK_STREAM, SOCK_SEQPACKET or
 * SOCK_DGRAM.
 *
 * One convention throughout, the course's: a function that fails returns
 * -1 with errno set, prints nothing, and leaves no descriptor of its own
 * open. The caller reports (unixtool.c says what it was doing).
 */
#ifndef UNIXSOCK_H
#define UNIXSOCK_H

#include <sys/types.h>

/*
 * unix_listen - a Unix domain socket of TYPE bound to NAME: listening
 * (SOCK_STREAM, SOCK_SEQPACKET) or just bound, ready to receive
 * (SOCK_DGRAM, which has no listen()).
 *
 * A path that does not fit in sun_path (strlen(PATH) >= sizeof sun_path,
 * 108 bytes on Linux, NUL included) is refused with ENAMETOOLONG, never
 * truncated; so is an abstract name of more than 107 bytes. An abstract
 * name is exactly the bytes after '@': the address length passed to bind()
 * counts them and nothing more (no NUL, no padding).
 *
 * For a path, what is already at PATH decides:
 *   nothing: bind there;
 *   a socket file nobody serves (a connect() to it is refused: a server
 *     that died left it behind): remove it, then bind;
 *   a socket a live process serves: leave it alone, fail with EADDRINUSE;
 *   anything else (a regular file, a directory, a link): leave it alone,
 *     fail with EADDRINUSE.
 * The socket file then has exactly the permission bits MODE (e.g. 0660),
 * whatever the process's umask. MODE is ignored for an abstract name.
 * Returns the descriptor; -1 with errno set.
 */
int unix_listen(const char *name, int type, mode_t mode);

/*
 * unix_connect - a Unix domain socket of TYPE connected to NAME (a path or
 * '@' and an abstract name, as for unix_listen). EINTR is retried.
 * Returns the connected descriptor; -1 with errno set (ENAMETOOLONG for a
 * name too long, ECONNREFUSED when nobody serves NAME, ENOENT when no
 * file is at the path).
 */
int unix_connect(const char *name, int type);

/*
 * unix_accept - accept the next connection on the listening socket LFD
 * (SOCK_STREAM or SOCK_SEQPACKET) and tell who is at its other end: the
 * user id, group id and process id the kernel recorded for the process
 * that connected (SO_PEERCRED), as *UID, *GID, *PID. EINTR is retried.
 * Returns the connected descriptor; -1 with errno set (nothing left open).
 */
int unix_accept(int lfd, uid_t *uid, gid_t *gid, pid_t *pid);

/*
 * recv_record - receive ONE message (a datagram, or a record of a
 * SOCK_SEQPACKET connection) of at most LEN bytes into BUF. EINTR is
 * retried.
 * Returns its length (0 for an empty message); 0 also at the end of a
 * SOCK_SEQPACKET connection. A message longer than LEN is consumed and
 * reported as an error: -1 with errno EMSGSIZE (its first LEN bytes may be
 * in BUF, but they are not the message). -1 with errno set on any other
 * error.
 */
ssize_t recv_record(int fd, void *buf, size_t len);

#endif /* UNIXSOCK_H */
