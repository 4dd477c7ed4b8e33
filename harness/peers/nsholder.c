/*
 * nsholder.c - keep a network namespace alive for the length of a test, and
 * record what crosses its loopback.
 *
 * The harness starts "unshare -n nsholder READYFILE SECONDS [CAPTURE]" and
 * then runs the test's processes inside this process's namespace (nsenter
 * -t PID -n). A new namespace has only the loopback interface, and it starts
 * down, so nsholder brings it up before announcing itself ready by creating
 * READYFILE. It then waits to be killed, at most SECONDS, so that a test
 * that forgets to stop it cannot leave a process behind for ever.
 *
 * With CAPTURE, every packet on lo is also written to that file in pcap
 * format (what tcpdump -w writes: read it with tcpdump -r or Wireshark), the
 * first CAPTURE_SNAPLEN bytes of each and at most CAPTURE_MAX bytes in all.
 * The capture socket is open before READYFILE appears, so no packet of the
 * test is missed; nothing extra is started for it (a tcpdump per test would
 * cost 40 ms of every test's time). A capture that cannot be opened is said
 * on stderr and the namespace is held all the same.
 *
 * Exit status: 0 after SIGTERM/SIGINT or the time limit, 1 on any failure,
 * 2 on a usage error.
 */
#include "peerutil.h"
#include "sockio.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SECONDS 86400

/* Enough for the Ethernet, IP and TCP headers with all their options, and
 * the first bytes of the data: what a diagram of the exchange needs. */
#define CAPTURE_SNAPLEN 256
/* A test that moves megabytes must not leave megabytes behind. */
#define CAPTURE_MAX (1024 * 1024)

/* The pcap file format: a file header, then a record header per packet. */
struct pcap_file_header {
	uint32_t magic;
	uint16_t version_major;
	uint16_t version_minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct pcap_record_header {
	uint32_t ts_sec;
	uint32_t ts_usec;
	uint32_t incl_len;
	uint32_t orig_len;
};

#define PCAP_MAGIC_MICROSECONDS 0xa1b2c3d4u
#define PCAP_LINKTYPE_ETHERNET 1

/* An open capture: the packet socket and the file, and how full it is. */
struct capture {
	int sock;
	int fd;
	long written;
};

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
 * capture_open - start recording lo's packets into the pcap file PATH.
 *
 * Binds a packet socket to lo (all protocols) and writes the file header.
 * Returns 0, or -1 with errno set and *WHAT naming the call that failed
 * (nothing is left open then).
 */
static int
capture_open(struct capture *cap, const char *path, const char **what)
{
	struct pcap_file_header hdr = {
		.magic = PCAP_MAGIC_MICROSECONDS,
		.version_major = 2,
		.version_minor = 4,
		.snaplen = CAPTURE_SNAPLEN,
		.linktype = PCAP_LINKTYPE_ETHERNET,
	};
	struct sockaddr_ll sll;
	int saved;

	cap->written = 0;
	cap->fd = -1;
	cap->sock =
	    socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (cap->sock < 0) {
		*what = "socket AF_PACKET";
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex("lo");
	if (sll.sll_ifindex == 0) {
		*what = "if_nametoindex lo";
		goto fail;
	}
	if (bind(cap->sock, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		*what = "bind lo";
		goto fail;
	}
	cap->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (cap->fd < 0) {
		*what = "open";
		goto fail;
	}
	if (writen(cap->fd, &hdr, sizeof(hdr)) < 0) {
		*what = "write";
		goto fail;
	}
	cap->written = (long)sizeof(hdr);
	return 0;

fail:
	saved = errno;
	close(cap->sock);
	if (cap->fd >= 0)
		close(cap->fd);
	cap->sock = cap->fd = -1;
	errno = saved;
	return -1;
}

/*
 * capture_drain - write every packet queued on the capture socket.
 *
 * On lo each packet is seen twice, leaving and arriving; only the arrival is
 * kept (as tcpdump does). Packets past CAPTURE_MAX are read and dropped.
 * Returns 0 once the queue is empty, or -1 with errno set if reading or
 * writing failed.
 */
static int
capture_drain(struct capture *cap)
{
	unsigned char packet[CAPTURE_SNAPLEN];
	struct pcap_record_header rec;
	struct sockaddr_ll from;
	struct timespec now;

	for (;;) {
		socklen_t fromlen = sizeof(from);
		ssize_t n;

		/* MSG_TRUNC: the packet's real length, though only the
		 * snapshot is copied. */
		n = recvfrom(cap->sock, packet, sizeof(packet),
		    MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from,
		    &fromlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		rec.orig_len = (uint32_t)n;
		rec.incl_len =
		    (uint32_t)(n < CAPTURE_SNAPLEN ? n : CAPTURE_SNAPLEN);
		if (cap->written + (long)(sizeof(rec) + rec.incl_len) >
		    CAPTURE_MAX)
			continue;
		clock_gettime(CLOCK_REALTIME, &now);
		rec.ts_sec = (uint32_t)now.tv_sec;
		rec.ts_usec = (uint32_t)(now.tv_nsec / 1000);
		if (writen(cap->fd, &rec, sizeof(rec)) < 0 ||
		    writen(cap->fd, packet, rec.incl_len) < 0)
			return -1;
		cap->written += (long)(sizeof(rec) + rec.incl_len);
	}
}

/*
 * wait_for_signal - wait until a signal in SET arrives or SECONDS pass,
 * recording packets meanwhile if CAP is open.
 *
 * The signals must be blocked already; they are read from a signalfd, which
 * leaves no window in which one could be missed. Returns 0 either way, or -1
 * with errno set and *WHAT naming the call that failed.
 */
static int
wait_for_signal(const sigset_t *set, long seconds, struct capture *cap,
    const char **what)
{
	struct timespec now, deadline;
	struct pollfd fds[2];
	int sfd, nfds = 1, rc = -1;

	sfd = signalfd(-1, set, SFD_CLOEXEC);
	if (sfd < 0) {
		*what = "signalfd";
		return -1;
	}
	fds[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	if (cap->sock >= 0) {
		fds[1] = (struct pollfd){ .fd = cap->sock, .events = POLLIN };
		nfds = 2;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &deadline) < 0) {
		*what = "clock_gettime";
		goto out;
	}
	deadline.tv_sec += seconds;

	/* Bounded by the deadline: each pass waits only for the time left. */
	for (;;) {
		long left_ms;

		if (clock_gettime(CLOCK_MONOTONIC, &now) < 0) {
			*what = "clock_gettime";
			goto out;
		}
		left_ms = (deadline.tv_sec - now.tv_sec) * 1000 +
		    (deadline.tv_nsec - now.tv_nsec) / 1000000;
		if (left_ms <= 0)
			break;
		if (poll(fds, (nfds_t)nfds,
		        (int)(left_ms < INT_MAX ? left_ms : INT_MAX)) < 0) {
			if (errno == EINTR)
				continue;
			*what = "poll";
			goto out;
		}
		if (nfds == 2 && (fds[1].revents & POLLIN) &&
		    capture_drain(cap) < 0) {
			*what = "capture";
			goto out;
		}
		if (fds[0].revents & POLLIN)
			break;
	}
	/* What arrived just before the signal belongs to the test too. */
	if (cap->sock >= 0 && capture_drain(cap) < 0) {
		*what = "capture";
		goto out;
	}
	rc = 0;
out:
	close(sfd);
	return rc;
}

int
main(int argc, char **argv)
{
	struct capture cap = { .sock = -1, .fd = -1 };
	const char *what;
	sigset_t stop;
	long seconds;

	if (argc != 3 && argc != 4) {
		fprintf(stderr,
		    "usage: nsholder READYFILE SECONDS [CAPTURE]\n");
		return 2;
	}
	if (parse_long(argv[2], 0, MAX_SECONDS, &seconds) < 0)
		errx(2, "bad SECONDS '%s' (0-%d)", argv[2], MAX_SECONDS);

	/* Block now: a SIGTERM sent as soon as READYFILE appears must wait
	 * for the signalfd instead of killing us with a non-zero status. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0)
		err(1, "sigprocmask");

	if (bring_lo_up(&what) < 0)
		err(1, "%s", what);
	if (argc == 4 && capture_open(&cap, argv[3], &what) < 0)
		warn("no capture: %s %s", what, argv[3]);
	if (write_ready_file(argv[1], &what) < 0)
		err(1, "%s %s", what, argv[1]);
	if (wait_for_signal(&stop, seconds, &cap, &what) < 0)
		err(1, "%s", what);
	return 0;
}
