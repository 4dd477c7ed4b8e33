/*
 * passfd.c - shortio test program: descriptor passing survives the cuts.
 *
 * Sends 10 bytes and the write end of a pipe (SCM_RIGHTS) over a unix
 * socketpair with sendmsg(), receives them with recvmsg() into a 10-byte
 * buffer, and checks that the descriptor arrived and works (writing
 * through it reaches the pipe) and that recvmsg() left the caller's
 * iovec alone. Prints one line per fact; exits 1 on the first failure.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int
main(void)
{
	union {
		struct cmsghdr align; /* cmsg buffers must be aligned */
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	char data[10] = "0123456789", got[10], check[3] = "";
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg;
	struct cmsghdr *cmsg;
	int sv[2], pipefd[2], passed = -1;
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		err(1, "socketpair");
	if (pipe(pipefd) < 0)
		err(1, "pipe");

	memset(&msg, 0, sizeof(msg));
	memset(&ctl, 0, sizeof(ctl));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &pipefd[1], sizeof(int));
	n = sendmsg(sv[0], &msg, 0);
	if (n < 0)
		err(1, "sendmsg");
	printf("sent %zd\n", n);
	close(pipefd[1]);

	memset(&msg, 0, sizeof(msg));
	memset(&ctl, 0, sizeof(ctl));
	iov.iov_base = got;
	iov.iov_len = sizeof(got);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	n = recvmsg(sv[1], &msg, 0);
	if (n < 0)
		err(1, "recvmsg");
	printf("received %zd\n", n);
	if (iov.iov_base != got || iov.iov_len != sizeof(got) ||
	    msg.msg_iov != &iov || msg.msg_iovlen != 1)
		errx(1, "recvmsg changed the caller's iovec");
	printf("iovec intact\n");

	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
	     cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_RIGHTS)
			memcpy(&passed, CMSG_DATA(cmsg), sizeof(int));
	}
	if (passed < 0)
		errx(1, "no descriptor received");
	/* A pipe is not a socket: shortio leaves these two calls alone. */
	if (write(passed, "ok", 2) != 2)
		err(1, "write to the passed descriptor");
	close(passed);
	if (read(pipefd[0], check, 2) != 2 || memcmp(check, "ok", 2) != 0)
		errx(1, "the passed descriptor does not reach the pipe");
	printf("descriptor works\n");
	return 0;
}
