/*
 * shortio.c - an LD_PRELOAD library that makes socket I/O come out short.
 *
 * On a loopback socket, read() and write() almost always transfer every
 * byte asked for, so a program that ignores their return value seems to
 * work. Over a real network they do not. Loaded with
 *
 *     LD_PRELOAD=$HARNESS_BIN/shortio.so SHORTIO_SEED=42 ./client ...
 *
 * this library wraps read, recv, recvfrom, recvmsg, readv, write, send,
 * sendto, sendmsg and writev: on a socket, each call transfers between 1
 * and SHORTIO_MAX bytes (drawn at random, reproducibly from SHORTIO_SEED),
 * and with SHORTIO_EINTR=P, P percent of the calls fail with EINTR without
 * transferring anything. Both are things the kernel is allowed to do, so a
 * correct program still works; one that assumes full transfers breaks.
 *
 * Environment (read on the first wrapped call):
 *   SHORTIO_SEED     generator seed, 0 or more (default 1)
 *   SHORTIO_MAX      largest count one call may transfer, 1 or more (default
 *                    7); 0: no call is cut (EINTR and the log still apply)
 *   SHORTIO_EINTR    percent of calls failing with EINTR, 0-100 (default 0)
 *   SHORTIO_ALL_FDS  1: also cut pipes, files and terminals (default 0)
 *   SHORTIO_LOG      a file: every wrapped call on a socket (and close() and
 *                    shutdown() on a socket, wrapped for this alone) appends
 *                    one line to it, such as
 *                        writev fd=5 iovcnt=2 bytes=12 ret=12 errno=0 pid=123
 *                        shutdown fd=5 how=SHUT_WR ret=0 errno=0 pid=123
 *                    BYTES is the count asked for, RET what the call returned
 *                    (-1 with ERRNO, EINTR included, injected or not). Each
 *                    line is one write() to the file opened with O_APPEND,
 *                    and the file is closed again at once, so processes
 *                    sharing it interleave whole lines and no descriptor of
 *                    ours is left open.
 * A bad value is reported once on stderr and then no call is changed.
 *
 * Only stream descriptors are cut: cutting a datagram would silently drop
 * the rest of it (or send a smaller one), which the kernel never does, so
 * datagram and seqpacket sockets get only the EINTR failures.
 *
 * Build: gcc -shared -fPIC -o shortio.so shortio.c -ldl
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* The functions we wrap, as found further down the library search order. */
static struct {
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
	    socklen_t *);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int,
	    const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*read_chk)(int, void *, size_t, size_t);
	ssize_t (*recv_chk)(int, void *, size_t, size_t, int);
	ssize_t (*recvfrom_chk)(int, void *, size_t, size_t, int,
	    struct sockaddr *, socklen_t *);
	int (*close)(int);
	int (*shutdown)(int, int);
} real;

/* Settings and generator state, shared by all threads of the process. */
static struct {
	int ready;          /* settings read and real functions found */
	int enabled;        /* 0 if a setting was bad: change nothing */
	uint64_t state;     /* splitmix64 state */
	uint64_t max;       /* SHORTIO_MAX */
	unsigned eintr;     /* SHORTIO_EINTR, percent */
	int all_fds;        /* SHORTIO_ALL_FDS */
	int logging;        /* SHORTIO_LOG is set */
	char log[PATH_MAX]; /* SHORTIO_LOG */
} cfg;

/* Guards cfg: concurrent threads must not corrupt the generator state. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* How a wrapped call is to proceed. */
enum plan {
	PLAN_PASS, /* call the real function with the caller's count */
	PLAN_CUT,  /* call it with the (smaller) count chosen */
	PLAN_EINTR /* fail with EINTR without calling it */
};

/*
 * complain - write "shortio: bad NAME 'VALUE'" on stderr.
 *
 * Uses the real write() directly: stdio could allocate or lock, and would
 * come back into our own write(). Returns nothing.
 */
static void
complain(const char *name, const char *value)
{
	const char *parts[] = { "shortio: bad ", name, " '", value, "'\n" };
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		(void)real.write(STDERR_FILENO, parts[i], strlen(parts[i]));
}

/*
 * read_setting - parse environment variable NAME as an integer in
 * [MIN, MAX], or DEFAULT if it is unset or empty.
 *
 * Returns 0 and stores the value in *OUT, or -1 after complaining.
 */
static int
read_setting(const char *name, unsigned long long min, unsigned long long max,
    unsigned long long def, unsigned long long *out)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	if (s == NULL || *s == '\0') {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	/* strtoull accepts "-1" (as a huge number): allow digits only. */
	if (errno != 0 || *end != '\0' || s[0] < '0' || s[0] > '9' || v < min ||
	    v > max) {
		complain(name, s);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * setup - find the real functions and read the settings, once.
 *
 * Must be called with LOCK held. Returns nothing; a bad setting leaves
 * cfg.enabled at 0 so that no call is changed.
 */
static void
setup(void)
{
	unsigned long long seed, max, eintr, all;
	const char *log;
	int ok = 1;

	if (cfg.ready)
		return;
	/* One cast and one dlsym() a line reads best: */
	/* clang-format off */
	real.read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	real.recv = (ssize_t (*)(int, void *, size_t, int))
	    dlsym(RTLD_NEXT, "recv");
	real.recvfrom = (ssize_t (*)(int, void *, size_t, int,
	    struct sockaddr *, socklen_t *))dlsym(RTLD_NEXT, "recvfrom");
	real.recvmsg = (ssize_t (*)(int, struct msghdr *, int))
	    dlsym(RTLD_NEXT, "recvmsg");
	real.readv = (ssize_t (*)(int, const struct iovec *, int))
	    dlsym(RTLD_NEXT, "readv");
	real.write = (ssize_t (*)(int, const void *, size_t))
	    dlsym(RTLD_NEXT, "write");
	real.send = (ssize_t (*)(int, const void *, size_t, int))
	    dlsym(RTLD_NEXT, "send");
	real.sendto = (ssize_t (*)(int, const void *, size_t, int,
	    const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "sendto");
	real.sendmsg = (ssize_t (*)(int, const struct msghdr *, int))
	    dlsym(RTLD_NEXT, "sendmsg");
	real.writev = (ssize_t (*)(int, const struct iovec *, int))
	    dlsym(RTLD_NEXT, "writev");
	real.read_chk = (ssize_t (*)(int, void *, size_t, size_t))
	    dlsym(RTLD_NEXT, "__read_chk");
	real.recv_chk = (ssize_t (*)(int, void *, size_t, size_t, int))
	    dlsym(RTLD_NEXT, "__recv_chk");
	real.recvfrom_chk = (ssize_t (*)(int, void *, size_t, size_t, int,
	    struct sockaddr *, socklen_t *))dlsym(RTLD_NEXT, "__recvfrom_chk");
	real.close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	real.shutdown = (int (*)(int, int))dlsym(RTLD_NEXT, "shutdown");
	/* clang-format on */

	/* Check every variable, so each bad one is reported. */
	if (read_setting("SHORTIO_SEED", 0, UINT64_MAX, 1, &seed) < 0)
		ok = 0;
	if (read_setting("SHORTIO_MAX", 0, SSIZE_MAX, 7, &max) < 0)
		ok = 0;
	if (read_setting("SHORTIO_EINTR", 0, 100, 0, &eintr) < 0)
		ok = 0;
	if (read_setting("SHORTIO_ALL_FDS", 0, 1, 0, &all) < 0)
		ok = 0;
	log = getenv("SHORTIO_LOG");
	if (log != NULL && *log != '\0') {
		if (strlen(log) >= sizeof(cfg.log)) {
			complain("SHORTIO_LOG", log);
			ok = 0;
		} else {
			strcpy(cfg.log, log);
			cfg.logging = 1;
		}
	}
	cfg.state = seed;
	cfg.max = max;
	cfg.eintr = (unsigned)eintr;
	cfg.all_fds = (int)all;
	cfg.enabled = ok;
	cfg.ready = 1;
}

/*
 * next_random - the next number from the splitmix64 generator.
 *
 * Must be called with LOCK held. Returns 64 random bits.
 */
static uint64_t
next_random(void)
{
	uint64_t z = (cfg.state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/*
 * ensure_setup - setup() for calls that pass through without a plan.
 *
 * Returns nothing; afterwards the real functions are known.
 */
static void
ensure_setup(void)
{
	pthread_mutex_lock(&lock);
	setup();
	pthread_mutex_unlock(&lock);
}

/*
 * lock_for_fork, unlock_after_fork - hold LOCK across fork().
 *
 * A child gets a copy of the mutex in whatever state it was; had another
 * thread held it at that moment, the child's first read or write would
 * wait for ever. Taking it before fork() and releasing it on both sides
 * afterwards rules that out.
 */
static void
lock_for_fork(void)
{
	pthread_mutex_lock(&lock);
}

static void
unlock_after_fork(void)
{
	pthread_mutex_unlock(&lock);
}

/* register_fork_handlers - run when the library is loaded. */
__attribute__((constructor)) static void
register_fork_handlers(void)
{
	pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork);
}

/*
 * classify - how much FD is affected: 0 not at all, 1 EINTR only (a
 * datagram socket), 2 EINTR and short counts (a stream).
 *
 * Looked up on every call, never cached: descriptor numbers are reused,
 * so what FD was on the last call says nothing about what it is now.
 */
static int
classify(int fd)
{
	struct stat st;
	int type;
	socklen_t len = sizeof(type);

	if (fstat(fd, &st) < 0)
		return 0; /* the real call will report the bad descriptor */
	if (!S_ISSOCK(st.st_mode))
		return cfg.all_fds ? 2 : 0;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return 0;
	return type == SOCK_STREAM ? 2 : 1;
}

/*
 * plan_call - decide what a wrapped call on FD asking for COUNT bytes does.
 *
 * Returns PLAN_EINTR, PLAN_CUT with the count to use in *CUT (1 to
 * min(COUNT, SHORTIO_MAX)), or PLAN_PASS. Sets *LOGGED to whether the call
 * is to be logged (SHORTIO_LOG is set and FD is affected). Leaves errno as
 * it found it.
 */
static enum plan
plan_call(int fd, size_t count, size_t *cut, int *logged)
{
	int saved = errno;
	enum plan plan = PLAN_PASS;
	int level = 0;

	pthread_mutex_lock(&lock);
	setup();
	if (cfg.enabled && (count > 0 || cfg.logging))
		level = classify(fd);
	*logged = cfg.logging && level > 0;
	/* A zero count transfers nothing and is passed on untouched. */
	if (level > 0 && count > 0) {
		if (cfg.eintr > 0 && next_random() % 100 < cfg.eintr) {
			plan = PLAN_EINTR;
		} else if (level == 2 && cfg.max > 0) {
			uint64_t limit = count < cfg.max ? count : cfg.max;

			*cut = (size_t)(1 + next_random() % limit);
			plan = PLAN_CUT;
		}
	}
	pthread_mutex_unlock(&lock);
	errno = saved;
	return plan;
}

/*
 * log_call - append the line for one call to SHORTIO_LOG.
 *
 * NAME is the call, FD its descriptor; IOVCNT (or -1), HOW (or NULL) and
 * BYTES asked (if HAS_BYTES) are shown when given; RET is what the call
 * returned and ERR its errno. The line is written with one write() to the
 * file opened with O_APPEND, then the file is closed. Returns RET, with
 * errno set to ERR, so that a wrapper can end with it.
 */
static ssize_t
log_call(const char *name, int fd, int iovcnt, const char *how, size_t bytes,
    int has_bytes, ssize_t ret, int err)
{
	char line[256];
	int len, lfd;

	len = snprintf(line, sizeof(line), "%s fd=%d", name, fd);
	if (iovcnt >= 0)
		len += snprintf(line + len, sizeof(line) - (size_t)len,
		    " iovcnt=%d", iovcnt);
	if (how != NULL)
		len += snprintf(line + len, sizeof(line) - (size_t)len,
		    " how=%s", how);
	if (has_bytes)
		len += snprintf(line + len, sizeof(line) - (size_t)len,
		    " bytes=%zu", bytes);
	len += snprintf(line + len, sizeof(line) - (size_t)len,
	    " ret=%zd errno=%d pid=%ld\n", ret, ret < 0 ? err : 0,
	    (long)getpid());
	lfd = open(cfg.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (lfd >= 0) {
		(void)real.write(lfd, line, (size_t)len);
		(void)real.close(lfd);
	}
	errno = err;
	return ret;
}

/*
 * logged - end of a data call: log it if LOGGED, and return RET with errno
 * as the call left it.
 */
static ssize_t
logged(int logged, const char *name, int fd, int iovcnt, size_t bytes,
    ssize_t ret)
{
	int err = errno;

	if (!logged)
		return ret;
	return log_call(name, fd, iovcnt, NULL, bytes, 1, ret, err);
}

/*
 * plan_count - plan_call() for a single buffer of COUNT bytes.
 *
 * Returns the count to pass to the real function, or -1 (errno EINTR) if
 * the call must fail instead. Sets *LOGGED as plan_call() does.
 */
static ssize_t
plan_count(int fd, size_t count, int *logged)
{
	size_t cut;

	switch (plan_call(fd, count, &cut, logged)) {
	case PLAN_EINTR:
		errno = EINTR;
		return -1;
	case PLAN_CUT:
		return (ssize_t)cut;
	default:
		return (ssize_t)count;
	}
}

/*
 * iov_total - the number of bytes the IOVCNT buffers of IOV describe.
 *
 * Returns the sum, or 0 if IOVCNT is out of range or the sum overflows
 * (then the call is passed on as it is and the kernel rejects it).
 */
static size_t
iov_total(const struct iovec *iov, int iovcnt)
{
	size_t total = 0;
	int i;

	if (iov == NULL || iovcnt <= 0 || iovcnt > IOV_MAX)
		return 0;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > SIZE_MAX - total)
			return 0;
		total += iov[i].iov_len;
	}
	return total;
}

/*
 * plan_iov - plan a vector call, building its cut copy of IOV in OUT.
 *
 * OUT must have room for IOV_MAX entries. The caller's array is never
 * changed. Returns the number of entries to use, with *USE pointing at
 * OUT (cut) or IOV (passed on as it is), or -1 (errno EINTR) if the call
 * must fail instead. Sets *LOGGED as plan_call() does.
 */
static int
plan_iov(int fd, const struct iovec *iov, int iovcnt, struct iovec *out,
    const struct iovec **use, int *logged)
{
	size_t total = iov_total(iov, iovcnt), left;
	int i, n = 0;

	*use = iov;
	switch (plan_call(fd, total, &left, logged)) {
	case PLAN_EINTR:
		errno = EINTR;
		return -1;
	case PLAN_PASS:
		return iovcnt;
	case PLAN_CUT:
		break;
	}
	/* Copy buffers in order until LEFT bytes are covered; trim the last. */
	for (i = 0; i < iovcnt && left > 0; i++) {
		out[n] = iov[i];
		if (out[n].iov_len > left)
			out[n].iov_len = left;
		left -= out[n].iov_len;
		n++;
	}
	*use = out;
	return n;
}

ssize_t
read(int fd, void *buf, size_t count)
{
	int lg;
	ssize_t n = plan_count(fd, count, &lg);

	n = n < 0 ? -1 : real.read(fd, buf, (size_t)n);
	return logged(lg, "read", fd, -1, count, n);
}

ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	int lg;
	ssize_t n = plan_count(fd, len, &lg);

	n = n < 0 ? -1 : real.recv(fd, buf, (size_t)n, flags);
	return logged(lg, "recv", fd, -1, len, n);
}

ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
    socklen_t *fromlen)
{
	int lg;
	ssize_t n = plan_count(fd, len, &lg);

	if (n >= 0)
		n = real.recvfrom(fd, buf, (size_t)n, flags, from, fromlen);
	return logged(lg, "recvfrom", fd, -1, len, n);
}

ssize_t
write(int fd, const void *buf, size_t count)
{
	int lg;
	ssize_t n = plan_count(fd, count, &lg);

	n = n < 0 ? -1 : real.write(fd, buf, (size_t)n);
	return logged(lg, "write", fd, -1, count, n);
}

ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	int lg;
	ssize_t n = plan_count(fd, len, &lg);

	n = n < 0 ? -1 : real.send(fd, buf, (size_t)n, flags);
	return logged(lg, "send", fd, -1, len, n);
}

ssize_t
sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	int lg;
	ssize_t n = plan_count(fd, len, &lg);

	n = n < 0 ? -1 : real.sendto(fd, buf, (size_t)n, flags, to, tolen);
	return logged(lg, "sendto", fd, -1, len, n);
}

ssize_t
readv(int fd, const struct iovec *iov, int iovcnt)
{
	struct iovec cut[IOV_MAX];
	const struct iovec *use;
	int lg, n = plan_iov(fd, iov, iovcnt, cut, &use, &lg);
	ssize_t got = n < 0 ? -1 : real.readv(fd, use, n);

	return logged(lg, "readv", fd, iovcnt, iov_total(iov, iovcnt), got);
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct iovec cut[IOV_MAX];
	const struct iovec *use;
	int lg, n = plan_iov(fd, iov, iovcnt, cut, &use, &lg);
	ssize_t put = n < 0 ? -1 : real.writev(fd, use, n);

	return logged(lg, "writev", fd, iovcnt, iov_total(iov, iovcnt), put);
}

ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct iovec cut[IOV_MAX];
	const struct iovec *use;
	struct msghdr copy;
	ssize_t put;
	int lg, n;

	if (msg == NULL || msg->msg_iovlen > IOV_MAX) {
		ensure_setup();
		return real.sendmsg(fd, msg, flags);
	}
	n = plan_iov(fd, msg->msg_iov, (int)msg->msg_iovlen, cut, &use, &lg);
	if (n < 0) {
		put = -1;
	} else {
		/* Send from a copy: the caller's msghdr and iovecs stay. */
		copy = *msg;
		copy.msg_iov = (struct iovec *)use;
		copy.msg_iovlen = (size_t)n;
		put = real.sendmsg(fd, &copy, flags);
	}
	return logged(lg, "sendmsg", fd, (int)msg->msg_iovlen,
	    iov_total(msg->msg_iov, (int)msg->msg_iovlen), put);
}

ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct iovec cut[IOV_MAX];
	const struct iovec *use;
	struct msghdr copy;
	ssize_t got;
	int lg, n;

	if (msg == NULL || msg->msg_iovlen > IOV_MAX) {
		ensure_setup();
		return real.recvmsg(fd, msg, flags);
	}
	n = plan_iov(fd, msg->msg_iov, (int)msg->msg_iovlen, cut, &use, &lg);
	if (n < 0) {
		got = -1;
	} else {
		/*
		 * Receive into a copy whose data part is cut; msg_control is
		 * passed through whole, so descriptors sent with SCM_RIGHTS
		 * still arrive. Then hand back what the kernel filled in: the
		 * lengths of the address and the control data, and the flags.
		 */
		copy = *msg;
		copy.msg_iov = (struct iovec *)use;
		copy.msg_iovlen = (size_t)n;
		got = real.recvmsg(fd, &copy, flags);
		msg->msg_namelen = copy.msg_namelen;
		msg->msg_controllen = copy.msg_controllen;
		msg->msg_flags = copy.msg_flags;
	}
	return logged(lg, "recvmsg", fd, (int)msg->msg_iovlen,
	    iov_total(msg->msg_iov, (int)msg->msg_iovlen), got);
}

/*
 * is_logged_socket - whether a close() or shutdown() of FD is to be
 * logged: SHORTIO_LOG is set and FD is a socket.
 */
static int
is_logged_socket(int fd)
{
	struct stat st;
	int saved = errno, yes;

	ensure_setup();
	yes = cfg.logging && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
	errno = saved;
	return yes;
}

/* close - wrapped only to be logged: the call itself is never changed. */
int
close(int fd)
{
	int lg = is_logged_socket(fd);
	int rc = real.close(fd);

	if (lg)
		log_call("close", fd, -1, NULL, 0, 0, rc, errno);
	return rc;
}

/* shutdown - wrapped only to be logged: the call itself is never changed. */
int
shutdown(int fd, int how)
{
	static const char *const names[] = { "SHUT_RD", "SHUT_WR",
		"SHUT_RDWR" };
	char other[16];
	const char *name = names[0];
	int lg = is_logged_socket(fd);
	int rc = real.shutdown(fd, how);

	if (!lg)
		return rc;
	if (how >= 0 && how <= 2) {
		name = names[how];
	} else {
		snprintf(other, sizeof(other), "%d", how);
		name = other;
	}
	log_call("shutdown", fd, -1, name, 0, 0, rc, errno);
	return rc;
}

/*
 * With _FORTIFY_SOURCE, calls whose buffer size the compiler knows go to
 * these checking versions instead. The check (COUNT no bigger than the
 * buffer) is left to the real function; a call that passes it gets the
 * same treatment as the plain one, and is logged under the plain name.
 */
ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
    struct sockaddr *from, socklen_t *fromlen);

ssize_t
__read_chk(int fd, void *buf, size_t count, size_t buflen)
{
	ssize_t n;
	int lg;

	if (count > buflen) {
		ensure_setup();
		return real.read_chk(fd, buf, count, buflen); /* aborts */
	}
	n = plan_count(fd, count, &lg);
	n = n < 0 ? -1 : real.read(fd, buf, (size_t)n);
	return logged(lg, "read", fd, -1, count, n);
}

ssize_t
__recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	ssize_t n;
	int lg;

	if (len > buflen) {
		ensure_setup();
		return real.recv_chk(fd, buf, len, buflen, flags); /* aborts */
	}
	n = plan_count(fd, len, &lg);
	n = n < 0 ? -1 : real.recv(fd, buf, (size_t)n, flags);
	return logged(lg, "recv", fd, -1, len, n);
}

ssize_t
__recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
    struct sockaddr *from, socklen_t *fromlen)
{
	ssize_t n;
	int lg;

	if (len > buflen) {
		ensure_setup();
		return real.recvfrom_chk(fd, buf, len, buflen, flags, from,
		    fromlen); /* aborts */
	}
	n = plan_count(fd, len, &lg);
	if (n >= 0)
		n = real.recvfrom(fd, buf, (size_t)n, flags, from, fromlen);
	return logged(lg, "recvfrom", fd, -1, len, n);
}
