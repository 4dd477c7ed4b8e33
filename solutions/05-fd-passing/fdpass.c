/*
 * fdpass.c - passing open descriptors between processes over Unix domain
 * sockets.
 *
 * The functions are declared, with their contracts, in fdpass.h.
 */
#include "fdpass.h"
#include "sockio.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- your code below ---- */

/*
 * Room for FDPASS_MAX descriptors in one control message. The union gives
 * the buffer the alignment of struct cmsghdr, which CMSG_FIRSTHDR() and
 * CMSG_DATA() rely on.
 */
union fd_control {
	char buf[CMSG_SPACE(FDPASS_MAX * sizeof(int))];
	struct cmsghdr align;
};

/*
 * send_fds - send NFDS descriptors and LEN bytes of DATA (at least one byte)
 * in one message.
 * Returns 0; -1 on error with errno set.
 */
int
send_fds(int sock, const int *fds, int nfds, const void *data, size_t len)
{
	static const char filler = '\0';
	union fd_control control;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	size_t fdbytes;
	ssize_t sent;

	if (nfds < 0 || nfds > FDPASS_MAX) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * On a stream socket a message with no data bytes carries no
	 * descriptors either.
	 */
	if (len == 0) {
		data = &filler;
		len = 1;
	}
	iov.iov_base = (void *)data;
	iov.iov_len = len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		fdbytes = (size_t)nfds * sizeof(int);
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(fdbytes);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		/* The header and the fds, no trailing padding. */
		cmsg->cmsg_len = CMSG_LEN(fdbytes);
		memcpy(CMSG_DATA(cmsg), fds, fdbytes);
	}
	do {
		sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (sent < 0 && errno == EINTR);
	if (sent < 0)
		return -1;
	/*
	 * The descriptors went with the first byte; the rest of the data is
	 * plain bytes.
	 */
	if ((size_t)sent < len &&
	    writen(sock, (const char *)data + sent, len - (size_t)sent) < 0)
		return -1;
	return 0;
}

/*
 * close_received - close the N descriptors that arrived in control message
 * CMSG.
 */
static void
close_received(struct cmsghdr *cmsg, int n)
{
	int i, fd;

	for (i = 0; i < n; i++) {
		memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(fd));
		close(fd);
	}
}

/*
 * fds_in - how many descriptors control message CMSG carries; 0 if it is
 * not SCM_RIGHTS.
 */
static int
fds_in(const struct cmsghdr *cmsg)
{
	if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
		return 0;
	return (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
}

/*
 * count_fds - how many descriptors arrived with MSG, in all its control
 * messages.
 */
static int
count_fds(struct msghdr *msg)
{
	struct cmsghdr *c;
	int n = 0;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c))
		n += fds_in(c);
	return n;
}

/*
 * refuse_fds - close every descriptor that arrived with MSG and fail with
 * EMSGSIZE.
 * Returns -1.
 */
static int
refuse_fds(struct msghdr *msg)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c))
		close_received(c, fds_in(c));
	errno = EMSGSIZE;
	return -1;
}

/*
 * recv_fds - receive one message: data into DATA, descriptors into FDS,
 * their count in *NFDS.
 * Returns the data byte count; 0 at end of stream; -1 on error (EMSGSIZE:
 * more descriptors came than MAXFDS).
 */
int
recv_fds(int sock, int *fds, int maxfds, int *nfds, void *data, size_t len)
{
	union fd_control control;
	struct msghdr msg;
	struct cmsghdr *c;
	struct iovec iov;
	ssize_t got;
	int n;

	*nfds = 0;
	if (maxfds < 1 || maxfds > FDPASS_MAX || len == 0) {
		errno = EINVAL;
		return -1;
	}
	iov.iov_base = data;
	iov.iov_len = len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = CMSG_SPACE((size_t)maxfds * sizeof(int));
	do {
		got = recvmsg(sock, &msg, 0);
	} while (got < 0 && errno == EINTR);
	if (got <= 0)
		return (int)got;

	/*
	 * MSG_CTRUNC: more descriptors came than there was room for, and the
	 * kernel closed the rest. And CMSG_SPACE() rounds up, so its padding
	 * may hold one more than MAXFDS.
	 */
	if ((msg.msg_flags & MSG_CTRUNC) || count_fds(&msg) > maxfds)
		return refuse_fds(&msg);
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		n = fds_in(c);
		memcpy(fds + *nfds, CMSG_DATA(c), (size_t)n * sizeof(int));
		*nfds += n;
	}
	return (int)got;
}

/*
 * fill_unix_addr - put PATH into ADDR.
 * Returns 0; -1 with errno ENAMETOOLONG if PATH and its NUL do not fit in
 * sun_path.
 */
static int
fill_unix_addr(struct sockaddr_un *addr, const char *path)
{
	size_t len = strlen(path);

	if (len >= sizeof(addr->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path, path, len + 1);
	return 0;
}

/*
 * remove_stale_socket - unlink PATH if a socket file is there (one a dead
 * server left). Anything else is left alone.
 * Returns 0; -1 on error with errno set.
 */
static int
remove_stale_socket(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode))
		return 0; /* not ours to remove: bind() reports EADDRINUSE */
	return unlink(path);
}

/*
 * unix_listen - a SOCK_STREAM Unix socket listening on PATH (a stale socket
 * file replaced).
 * Returns the listening descriptor; -1 on error with errno set.
 */
int
unix_listen(const char *path)
{
	struct sockaddr_un addr;
	int fd, saved;

	if (fill_unix_addr(&addr, path) < 0 || remove_stale_socket(path) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		goto fail_after_socket;
	if (listen(fd, SOMAXCONN) < 0)
		goto fail_after_bind;
	return fd;

fail_after_bind:
	saved = errno;
	unlink(path);
	errno = saved;
fail_after_socket:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * unix_connect - a SOCK_STREAM Unix socket connected to the listener at
 * PATH.
 * Returns the connected descriptor; -1 on error with errno set.
 */
int
unix_connect(const char *path)
{
	struct sockaddr_un addr;
	int fd, saved;

	if (fill_unix_addr(&addr, path) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	/* Unix sockets connect at once or fail: retrying EINTR is safe. */
	while (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		if (errno == EINTR)
			continue;
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}
