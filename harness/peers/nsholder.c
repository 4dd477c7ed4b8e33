/*
 * nsholder.c - keep a network namespace alive for the length of a test, and
 * record what crosses its loopback.
 *
 * The harness starts "nsholder -n READYFILE SECONDS [CAPTURE]" (as root) or
 * "nsholder -U READYFILE SECONDS [CAPTURE]" (as anyone else: a user namespace
 * too, where it is root, as "unshare --user --map-root-user --net" would
 * make), and then runs the test's processes inside this process's namespace
 * (nsenter -t PID -n). Making the namespaces itself spares every test an
 * exec of unshare(1). Without -n or -U it holds the namespace it was started
 * in. A new namespace has only the loopback interface, and it starts
 * down, so nsholder brings it up before announcing itself ready by creating
 * READYFILE. It then waits to be killed, at most SECONDS, so that a test
 * that forgets to stop it cannot leave a process behind for ever.
 *
 * With CAPTURE, every packet on lo is also written to that file in pcap
 * format (what tcpdump -w writes: read it with tcpdump -r or Wireshark), the
 * first CAPTURE_SNAPLEN bytes of each and at most CAPTURE_MAX bytes in all;
 * if the machine was too busy to keep up, CAPTURE.dropped says how many
 * packets were lost.
 * The capture socket is open before READYFILE appears, so no packet of the
 * test is missed; nothing extra is started for it (a tcpdump per test would
 * cost 40 ms of every test's time). A capture that cannot be opened is said
 * on stderr and the namespace is held all the same.
 *
 * Exit status: 0 after SIGTERM/SIGINT or the time limit, 1 on any failure,
 * 2 on a usage error.
 */
#define _GNU_SOURCE /* unshare() and its CLONE_NEW* flags */
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
#include <sched.h>
#include <sys/mman.h>
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

/*
 * The kernel copies each packet into a ring of frames shared with us
 * (PACKET_RX_RING, as libpcap does): only the start of a packet fits in a
 * frame, so a busy test's 64 KiB segments cost 512 bytes each, not their
 * size in the socket's receive buffer, where a few would fill it.
 */
#define RING_FRAME_SIZE 512
#define RING_BLOCK_SIZE (64 * 1024)
#define RING_BLOCKS 64
#define RING_FRAMES (RING_BLOCKS * (RING_BLOCK_SIZE / RING_FRAME_SIZE))

/* An open capture: the packet socket, its ring, the file, how full it is. */
struct capture {
	int sock;
	int fd;
	unsigned char *ring;
	unsigned next; /* the frame to look at next */
	long written;
	const char *path;
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
 * write_text - write TEXT to the existing file PATH in one write().
 *
 * Returns 0, or -1 with errno set.
 */
static int
write_text(const char *path, const char *text)
{
	int fd, saved;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	if (writen(fd, text, strlen(text)) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/*
 * new_namespaces - move this process into a new network namespace; with
 * WITH_USER into a new user namespace as well, where its own user and group
 * are mapped to root so that it may bring lo up and open a packet socket.
 *
 * Returns 0, or -1 with errno set and *WHAT naming the step that failed
 * (EPERM from "unshare" where the machine allows no such namespace).
 */
static int
new_namespaces(int with_user, const char **what)
{
	char map[64];
	unsigned int uid = (unsigned int)geteuid();
	unsigned int gid = (unsigned int)getegid();

	if (unshare(with_user ? CLONE_NEWUSER | CLONE_NEWNET : CLONE_NEWNET) <
	    0) {
		*what = "unshare";
		return -1;
	}
	if (!with_user)
		return 0;
	/* Since Linux 3.19 an unprivileged gid_map needs setgroups denied. */
	if (write_text("/proc/self/setgroups", "deny\n") < 0 &&
	    errno != ENOENT) {
		*what = "/proc/self/setgroups";
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u 1\n", uid);
	if (write_text("/proc/self/uid_map", map) < 0) {
		*what = "/proc/self/uid_map";
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u 1\n", gid);
	if (write_text("/proc/self/gid_map", map) < 0) {
		*what = "/proc/self/gid_map";
		return -1;
	}
	return 0;
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
 * Binds a packet socket with a receive ring to lo (all protocols) and writes
 * the file header. Returns 0, or -1 with errno set and *WHAT naming the call
 * that failed (nothing is left open then).
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
	struct tpacket_req req = {
		.tp_block_size = RING_BLOCK_SIZE,
		.tp_block_nr = RING_BLOCKS,
		.tp_frame_size = RING_FRAME_SIZE,
		.tp_frame_nr = RING_FRAMES,
	};
	int version = TPACKET_V2;
	struct sockaddr_ll sll;
	int saved;

	cap->written = 0;
	cap->next = 0;
	cap->fd = -1;
	cap->ring = MAP_FAILED;
	cap->path = path;
	cap->sock =
	    socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (cap->sock < 0) {
		*what = "socket AF_PACKET";
		return -1;
	}
	if (setsockopt(cap->sock, SOL_PACKET, PACKET_VERSION, &version,
	        sizeof(version)) < 0) {
		*what = "setsockopt PACKET_VERSION";
		goto fail;
	}
	if (setsockopt(cap->sock, SOL_PACKET, PACKET_RX_RING, &req,
	        sizeof(req)) < 0) {
		*what = "setsockopt PACKET_RX_RING";
		goto fail;
	}
	cap->ring = mmap(NULL, (size_t)RING_BLOCK_SIZE * RING_BLOCKS,
	    PROT_READ | PROT_WRITE, MAP_SHARED, cap->sock, 0);
	if (cap->ring == MAP_FAILED) {
		*what = "mmap ring";
		goto fail;
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
	if (cap->ring != MAP_FAILED)
		munmap(cap->ring, (size_t)RING_BLOCK_SIZE * RING_BLOCKS);
	close(cap->sock);
	if (cap->fd >= 0)
		close(cap->fd);
	cap->sock = cap->fd = -1;
	cap->ring = MAP_FAILED;
	errno = saved;
	return -1;
}

/*
 * capture_drain - write every packet the kernel has put in the ring.
 *
 * On lo each packet is seen twice, leaving and arriving; only the arrival is
 * kept (as tcpdump does). Packets past CAPTURE_MAX are dropped. Each frame is
 * handed back to the kernel once read. Returns 0 once no frame is ready, or
 * -1 with errno set if writing failed.
 */
static int
capture_drain(struct capture *cap)
{
	for (;;) {
		struct tpacket2_hdr *frame = (struct tpacket2_hdr *)(cap->ring +
		    (size_t)cap->next * RING_FRAME_SIZE);
		const struct sockaddr_ll *from;
		struct pcap_record_header rec;
		int rc = 0;

		if ((frame->tp_status & TP_STATUS_USER) == 0)
			return 0;
		from = (const struct sockaddr_ll *)((unsigned char *)frame +
		    TPACKET_ALIGN(sizeof(*frame)));
		rec.orig_len = frame->tp_len;
		rec.incl_len = frame->tp_snaplen < CAPTURE_SNAPLEN ?
		    frame->tp_snaplen :
		    CAPTURE_SNAPLEN;
		rec.ts_sec = frame->tp_sec;
		rec.ts_usec = frame->tp_nsec / 1000;
		if (from->sll_pkttype != PACKET_OUTGOING &&
		    cap->written + (long)(sizeof(rec) + rec.incl_len) <=
		        CAPTURE_MAX) {
			if (writen(cap->fd, &rec, sizeof(rec)) < 0 ||
			    writen(cap->fd,
			        (unsigned char *)frame + frame->tp_mac,
			        rec.incl_len) < 0)
				rc = -1;
			else
				cap->written +=
				    (long)(sizeof(rec) + rec.incl_len);
		}
		/* The frame goes back to the kernel whatever became of it. */
		__atomic_store_n(&frame->tp_status, TP_STATUS_KERNEL,
		    __ATOMIC_RELEASE);
		cap->next = (cap->next + 1) % RING_FRAMES;
		if (rc < 0)
			return -1;
	}
}

/*
 * capture_close - say how many packets the kernel could not fit in the ring.
 *
 * A test whose machine was too busy for the ring to be emptied in time loses
 * packets; PATH.dropped then holds their number, so that nobody compares an
 * incomplete capture with what the test saw. Returns 0, or -1 with errno set.
 */
static int
capture_close(struct capture *cap)
{
	struct tpacket_stats stats;
	socklen_t len = sizeof(stats);
	char name[PATH_MAX];
	int rc = 0;

	if (getsockopt(cap->sock, SOL_PACKET, PACKET_STATISTICS, &stats,
	        &len) == 0 &&
	    stats.tp_drops > 0 &&
	    (size_t)snprintf(name, sizeof(name), "%s.dropped", cap->path) <
	        sizeof(name)) {
		FILE *f = fopen(name, "w");

		if (f == NULL)
			return -1;
		fprintf(f, "%u\n", stats.tp_drops);
		if (fclose(f) != 0)
			rc = -1;
	}
	return rc;
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
	if (cap->sock >= 0 && capture_close(cap) < 0) {
		*what = "capture statistics";
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
	struct capture cap = { .sock = -1, .fd = -1, .ring = MAP_FAILED };
	const char *what;
	sigset_t stop;
	long seconds;
	int ch, new_net = 0, new_user = 0;

	while ((ch = getopt(argc, argv, "nU")) != -1) {
		switch (ch) {
		case 'n':
			new_net = 1;
			break;
		case 'U':
			new_net = new_user = 1;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2 && argc != 3)
		goto usage;
	if (parse_long(argv[1], 0, MAX_SECONDS, &seconds) < 0)
		errx(2, "bad SECONDS '%s' (0-%d)", argv[1], MAX_SECONDS);

	/* Block now: a SIGTERM sent as soon as READYFILE appears must wait
	 * for the signalfd instead of killing us with a non-zero status. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0)
		err(1, "sigprocmask");

	if (new_net && new_namespaces(new_user, &what) < 0)
		err(1, "%s", what);
	if (bring_lo_up(&what) < 0)
		err(1, "%s", what);
	if (argc == 3 && capture_open(&cap, argv[2], &what) < 0)
		warn("no capture: %s %s", what, argv[2]);
	if (write_ready_file(argv[0], &what) < 0)
		err(1, "%s %s", what, argv[0]);
	if (wait_for_signal(&stop, seconds, &cap, &what) < 0)
		err(1, "%s", what);
	return 0;

usage:
	fprintf(stderr,
	    "usage: nsholder [-n | -U] READYFILE SECONDS [CAPTURE]\n");
	return 2;
}
