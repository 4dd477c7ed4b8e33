/*
 * fdpass.h - passing open descriptors between processes over Unix domain sockets.
 *
 * Provided: do not change this file. You write fdpass.c.
 *
 * A descriptor travels as SCM_RIGHTS ancillary data on sendmsg()/recvmsg(). What arrives is
 * a new descriptor number in the receiver that refers to the SAME open file description as
 * the sender's: same file or connection, same file offset, same status flags.
 */
#ifndef FDPASS_H
#define FDPASS_H

#include <stddef.h>

/* The most descriptors one message may carry in this course. */
#define FDPASS_MAX 16

/*
 * send_fds - send NFDS descriptors (0 to FDPASS_MAX) and LEN bytes of DATA in one message.
 *
 * At least one data byte always goes with the descriptors: when LEN is 0, one '\0' byte is
 * sent in place of DATA (which may then be NULL). With NFDS 0 the message carries no control
 * data at all. A dead peer gives EPIPE, never SIGPIPE.
 * Returns 0 when everything was sent; -1 on error with errno set (EINVAL for a bad NFDS).
 * The caller still owns FDS and closes them when it no longer needs them.
 */
int send_fds(int sock, const int *fds, int nfds, const void *data, size_t len);

/*
 * recv_fds - receive one message: up to LEN data bytes (LEN >= 1) into DATA and up to MAXFDS
 * descriptors (1 to FDPASS_MAX) into FDS, their count into *NFDS.
 *
 * Returns the number of data bytes received (1 or more); 0 at end of stream (the peer closed
 * before sending anything; *NFDS is 0); -1 on error with errno set. A message that carried
 * more descriptors than MAXFDS is an error: the descriptors that did arrive are closed, *NFDS
 * is 0 and errno is EMSGSIZE. (The kernel sets MSG_CTRUNC when they did not all fit; but
 * CMSG_SPACE() rounds up, so for an odd MAXFDS one more may fit in the padding.)
 * On success the caller owns the FDS received and must close them.
 */
int recv_fds(int sock, int *fds, int maxfds, int *nfds, void *data, size_t len);

/*
 * unix_listen - a SOCK_STREAM Unix domain socket bound to PATH and listening.
 *
 * A PATH that does not fit in sun_path (strlen(PATH) >= sizeof sun_path, 108 bytes on Linux)
 * is refused with ENAMETOOLONG, never truncated. A socket file already at PATH (left behind
 * by a process that died) is removed first; any other kind of file there is left alone, and
 * bind() then fails with EADDRINUSE.
 * Returns the listening descriptor; -1 on error with errno set.
 */
int unix_listen(const char *path);

/*
 * unix_connect - a SOCK_STREAM Unix domain socket connected to the listener at PATH.
 *
 * A PATH that does not fit in sun_path is refused with ENAMETOOLONG.
 * Returns the connected descriptor; -1 on error with errno set.
 */
int unix_connect(const char *path);

#endif /* FDPASS_H */
