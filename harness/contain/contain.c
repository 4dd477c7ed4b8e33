/*
 * contain.c - run one program so that nothing it starts can outlive it.
 *
 *     contain [--limit SECONDS] [--report FILE] [--no-pidns] [--write-only DIR]
 *             [--setsid] [--close-fds] [--netns PID] [--status FILE]
 *             [--bind SOURCE:TARGET]... [--try-bind SOURCE:TARGET]...
 *             -- PROGRAM [ARG...]
 *
 * A test starts a student's program and later judges it; whatever that
 * program forks (a "split" client's reader child, a double-forked daemon, a
 * child that ignores SIGTERM and holds the test's stdout pipe) must be gone
 * when the program is, or it stalls the test that waits on the pipe and
 * spins on after grading. So contain runs PROGRAM in a PID namespace of its
 * own (with a /proc of its own): when PROGRAM exits, everything left in the
 * namespace is listed in FILE and killed, all at once. Where no PID namespace can be made (an
 * unprivileged user without user namespaces), contain becomes a child
 * subreaper instead: orphans are re-parented to it, and it kills every
 * descendant it finds until none is left. --no-pidns asks for that fallback
 * (the harness's no-namespace mode, HARNESS_NETNS=off, tests it).
 *
 * Signals: SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to
 * contain are passed on to PROGRAM; after one of them, PROGRAM has ten
 * seconds to exit before everything is killed (time for a test to see it
 * hang; the harness's teardown kills sooner). At the time limit PROGRAM gets
 * SIGTERM, and one second later everything is killed. If contain itself is
 * killed, the namespace dies with it (its init has PR_SET_PDEATHSIG); if
 * contain's parent dies, contain gets SIGTERM.
 *
 * FILE is written the moment PROGRAM ends by itself (not when contain kills
 * it), so that a test can tell at once that the program is gone even while
 * contain still waits for its children: its first line says how PROGRAM
 * ended; if PROGRAM left processes running, the file is then rewritten with
 * them listed, one "pid PID (COMM), child of PPID" a line.
 * The program's regular files are capped at FSIZE_CAP bytes (RLIMIT_FSIZE),
 * so a program that prints for ever cannot fill the disk.
 *
 * --write-only DIR: PROGRAM and all it starts may write, create or remove
 * files under DIR only (and write to the files of /dev), with TMPDIR=DIR; everywhere else the file system stays
 * readable but not writable, whatever its permissions say (Landlock, Linux
 * 5.13 and later; where the kernel has none, nothing changes). The class
 * grader's sandbox asks for it: there a student's program runs as the same
 * user as the harness, and could otherwise rewrite the run's own files (Bats'
 * copies of the tests, the TAP stream, the built peers) to claim passes.
 *
 * How the harness starts every test process, in one exec: --setsid puts
 * contain in a session (and process group) of its own, which the test's
 * teardown kills as a whole; --close-fds closes every inherited descriptor
 * above 2 (Bats' result stream is fd 3: a program that held it could write
 * into the results, and Bats waits for every holder); --netns PID joins the
 * network namespace of process PID, and first its user namespace when that
 * is not ours (the test's namespace holder, made by an unprivileged user);
 * --status FILE writes contain's exit status to FILE when everything has
 * ended, through a temporary file renamed into place, so that any shell can
 * read it (the harness's `wait_for_exit`). --bind SOURCE:TARGET mounts the
 * file SOURCE over TARGET for PROGRAM alone, in a mount namespace of its
 * own (lab 10 gives its programs a hosts file of the test's); it is made
 * before --write-only's Landlock, which forbids mounting. --try-bind is the
 * same where it can be made, and nothing where it cannot (no mount
 * namespace for an unprivileged user without user namespaces): for a mount
 * that only saves time (the harness's lean debugging symbols for Valgrind).
 *
 * Exit status: PROGRAM's, 128+N if signal N killed it, 124 if it was still
 * running at the time limit, 125 if contain itself failed, 126/127 if
 * PROGRAM could not be run (as env(1) and timeout(1) report them).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* unshare, CLONE_NEWPID, CLONE_NEWUSER */
#endif

#include <dirent.h>
#include <linux/landlock.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_TIMEOUT 124
#define EXIT_FAILED 125
#define FSIZE_CAP (256L * 1024 * 1024)
#define GRACE_MS 1000 /* after the time limit's SIGTERM */
#define SIGNAL_GRACE_MS \
	10000           /* after a signal passed on: the test judges first */
#define SETTLE_MS 300   /* for children that are already on their way out */
#define MAX_LEFT 64     /* processes listed in the report */
#define KILL_ROUNDS 200 /* of 10 ms, for the subreaper's kill loop */

/* --write-only: the one directory PROGRAM may write in (NULL: anywhere). */
static const char *write_only;

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
	SIGUSR2 };

static void
on_signal(int sig)
{
	/* Never runs: the signals are blocked and taken with sigtimedwait(). */
	(void)sig;
}

/*
 * block_signals - block the forwarded signals and SIGCHLD; give each a
 * handler, so that a PID namespace's init does not drop them.
 */
static void
block_signals(sigset_t *set)
{
	struct sigaction sa;
	size_t i;

	sigemptyset(set);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		sigaddset(set, forwarded[i]);
		sigaction(forwarded[i], &sa, NULL);
	}
	sigaddset(set, SIGCHLD);
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_BLOCK, set, NULL);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * self_pid - our pid as /proc shows it (the host's numbering: /proc is not
 * remounted, so inside the namespace getpid() would say 1).
 */
static pid_t
self_pid(void)
{
	char buf[32];
	ssize_t n;

	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	if (n <= 0)
		return getpid();
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

/*
 * descendants - collect the pids below PID (in /proc's numbering) into
 * OUT, at most MAX of them, depth first. Returns how many were found.
 */
static int
descendants(pid_t pid, pid_t *out, int n, int max)
{
	char path[320];
	DIR *tasks;
	struct dirent *t;
	FILE *f;
	long kid;

	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	if ((tasks = opendir(path)) == NULL)
		return n;
	while ((t = readdir(tasks)) != NULL && n < max) {
		if (t->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/children",
		    (long)pid, t->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (n < max && fscanf(f, "%ld", &kid) == 1) {
			out[n++] = (pid_t)kid;
			n = descendants((pid_t)kid, out, n, max);
		}
		fclose(f);
	}
	closedir(tasks);
	return n;
}

/*
 * describe - write "pid PID (COMM), child of PPID" for one process to F.
 */
static void
describe(FILE *f, pid_t pid)
{
	char path[64], stat[512], *open, *close;
	long ppid = 0;
	FILE *s;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((s = fopen(path, "r")) == NULL)
		return;
	n = fread(stat, 1, sizeof(stat) - 1, s);
	fclose(s);
	stat[n] = '\0';
	open = strchr(stat, '(');
	close = strrchr(stat, ')');
	if (open == NULL || close == NULL || close < open)
		return;
	*close = '\0';
	sscanf(close + 2, "%*c %ld", &ppid);
	fprintf(f, "pid %ld (%s), child of %ld\n", (long)pid, open + 1, ppid);
}

/*
 * open_replacement - open FILE.tmp (its name left in TMP, of PATH_MAX
 * bytes) to be written and then renamed over FILE by put_in_place, so that a
 * reader never sees FILE half written. Returns the stream, or NULL with a
 * warning.
 */
static FILE *
open_replacement(const char *file, char *tmp)
{
	FILE *f;

	if (snprintf(tmp, PATH_MAX, "%s.tmp", file) >= PATH_MAX) {
		warnx("%s: path too long", file);
		return NULL;
	}
	if ((f = fopen(tmp, "w")) == NULL)
		warn("%s", tmp);
	return f;
}

/*
 * put_in_place - close F, opened by open_replacement as TMP, and rename it
 * over FILE. Warns if either fails.
 */
static void
put_in_place(FILE *f, const char *tmp, const char *file)
{
	if (fclose(f) != 0 || rename(tmp, file) < 0)
		warn("%s", file);
}

/*
 * report_left - write how PROGRAM ended and the N processes in LEFT it left
 * running to FILE, replaced whole.
 */
static void
report_left(const char *file, const char *how, const pid_t *left, int n)
{
	char tmp[PATH_MAX];
	FILE *f;
	int i;

	if (file == NULL || (f = open_replacement(file, tmp)) == NULL)
		return;
	fprintf(f, "%s\n", how);
	for (i = 0; i < n; i++)
		describe(f, left[i]);
	put_in_place(f, tmp, file);
}

/*
 * reap_any - reap every exited child without blocking; note MAIN's status.
 * Returns 1 once MAIN has been reaped, else 0.
 */
static int
reap_any(pid_t main_pid, int *main_status)
{
	pid_t pid;
	int st, done = 0;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == main_pid) {
			*main_status = st;
			done = 1;
		}
	}
	return done;
}

/*
 * kill_all - kill every process below us and reap them.
 * In a PID namespace, one kill(-1) takes them all at once; as a subreaper,
 * kill what is found until nothing is (a fork in flight re-parents to us).
 * MAIN's wait status is kept in *MAIN_STATUS if it is reaped here.
 */
static void
kill_all(int in_pidns, pid_t self, pid_t main_pid, int *main_status)
{
	pid_t left[1024];
	int i, n, round;

	if (in_pidns)
		kill(-1, SIGKILL);
	for (round = 0; round < KILL_ROUNDS; round++) {
		n = descendants(self, left, 0, 1024);
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			kill(left[i], SIGKILL);
		reap_any(main_pid, main_status);
		pause_ms(10);
	}
	reap_any(main_pid, main_status);
}

/*
 * exit_code - the shell's view of a wait status: N, or 128+signal.
 */
static int
exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return EXIT_FAILED;
}

/*
 * confine_writes - let this process and all it starts write, create and
 * remove files under DIR only, and open the files of /dev for writing
 * (Landlock; reading is not restricted); TMPDIR becomes DIR (valgrind, for
 * one, makes its files there). Best effort: without Landlock in the kernel,
 * nothing changes but TMPDIR.
 */
static void
confine_writes(const char *dir)
{
	struct landlock_ruleset_attr attr;
	struct landlock_path_beneath_attr rule;
	const char *open_to[] = { dir, "/dev" };
	__u64 dev_access = LANDLOCK_ACCESS_FS_WRITE_FILE;
	long abi;
	int ruleset;
	size_t i;

	setenv("TMPDIR", dir, 1);
	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return;
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	    LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	    LANDLOCK_ACCESS_FS_MAKE_SYM;
#ifdef LANDLOCK_ACCESS_FS_REFER
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3) {
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
		dev_access |= LANDLOCK_ACCESS_FS_TRUNCATE;
	}
#endif
	ruleset =
	    (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0)
		return;
	for (i = 0; i < sizeof(open_to) / sizeof(open_to[0]); i++) {
		memset(&rule, 0, sizeof(rule));
		rule.allowed_access =
		    i == 0 ? attr.handled_access_fs : dev_access;
		rule.parent_fd = open(open_to[i], O_PATH | O_CLOEXEC);
		if (rule.parent_fd < 0)
			continue;
		syscall(SYS_landlock_add_rule, ruleset,
		    LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
		close(rule.parent_fd);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
		syscall(SYS_landlock_restrict_self, ruleset, 0);
	close(ruleset);
}

/*
 * start_program - fork and exec ARGV with the signal mask restored and
 * regular files capped. Returns the child's pid, or -1 with errno set.
 */
static pid_t
start_program(char **argv, const sigset_t *old)
{
	struct rlimit cap = { FSIZE_CAP, FSIZE_CAP };
	pid_t pid;

	pid = fork();
	if (pid != 0)
		return pid;
	sigprocmask(SIG_SETMASK, old, NULL);
	signal(SIGCHLD, SIG_DFL);
	setrlimit(RLIMIT_FSIZE, &cap);
	if (write_only != NULL)
		confine_writes(write_only);
	execvp(argv[0], argv);
	fprintf(stderr, "contain: %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/*
 * supervise - run ARGV to its end, pass signals on, enforce the limit, then
 * list and kill what it left. Returns the exit status contain reports.
 */
static int
supervise(char **argv, long limit_ms, const char *report, int in_pidns)
{
	sigset_t set, old;
	siginfo_t info;
	struct timespec wait;
	pid_t main_pid, self, left[MAX_LEFT];
	long deadline, kill_at = -1, settle;
	int main_status = 0, signalled = 0, timed_out = 0, sig, n;
	char how[160];

	self = self_pid();
	block_signals(&set);
	/* The program starts with the mask we were given, less ours. */
	sigprocmask(SIG_BLOCK, NULL, &old);
	for (n = 0; n < (int)(sizeof(forwarded) / sizeof(forwarded[0])); n++)
		sigdelset(&old, forwarded[n]);
	sigdelset(&old, SIGCHLD);
	if ((main_pid = start_program(argv, &old)) < 0) {
		warn("fork");
		return EXIT_FAILED;
	}
	deadline = limit_ms > 0 ? now_ms() + limit_ms : -1;
	for (;;) {
		long until = kill_at >= 0 ? kill_at : deadline;
		long left_ms = until >= 0 ? until - now_ms() : 1000;

		if (reap_any(main_pid, &main_status))
			break;
		if (until >= 0 && left_ms <= 0) {
			if (kill_at >= 0) {
				kill_all(in_pidns, self, main_pid,
				    &main_status);
				return timed_out ? EXIT_TIMEOUT :
				                   exit_code(main_status);
			}
			timed_out = 1;
			kill(main_pid, SIGTERM);
			kill_at = now_ms() + GRACE_MS;
			continue;
		}
		if (left_ms > 1000)
			left_ms = 1000;
		wait.tv_sec = left_ms / 1000;
		wait.tv_nsec = (left_ms % 1000) * 1000000L;
		sig = sigtimedwait(&set, &info, &wait);
		if (sig > 0 && sig != SIGCHLD) {
			signalled = 1;
			kill(main_pid, sig);
			if (kill_at < 0)
				kill_at = now_ms() + SIGNAL_GRACE_MS;
		}
	}

	/* PROGRAM is gone: say so now, then give children already exiting a
	 * moment, and judge what is left. */
	if (WIFSIGNALED(main_status))
		snprintf(how, sizeof(how),
		    "the program was killed by signal %d%s",
		    WTERMSIG(main_status),
		    timed_out     ? " (at the time limit)" :
		        signalled ? " (sent to contain)" :
		                    "");
	else
		snprintf(how, sizeof(how),
		    "the program exited with status %d%s",
		    WEXITSTATUS(main_status),
		    timed_out     ? " at the time limit" :
		        signalled ? " after a signal" :
		                    "");
	report_left(report, how, NULL, 0);
	settle = now_ms() + SETTLE_MS;
	while ((n = descendants(self, left, 0, MAX_LEFT)) > 0 &&
	    now_ms() < settle) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		pause_ms(10);
	}
	if (n > 0 && !timed_out)
		report_left(report, how, left, n);
	kill_all(in_pidns, self, main_pid, &main_status);
	return timed_out ? EXIT_TIMEOUT : exit_code(main_status);
}

/*
 * write_map - write TEXT to a /proc/self file (uid_map, gid_map, setgroups).
 * Returns 0, or -1 with errno set.
 */
static int
write_map(const char *file, const char *text)
{
	int fd, ok;

	if ((fd = open(file, O_WRONLY)) < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * new_pid_namespace - make later children start in a new PID namespace.
 * Root (or anyone already holding CAP_SYS_ADMIN in their user namespace,
 * as inside a test's namespace) needs nothing else; an unprivileged user
 * first makes a user namespace with their own uid mapped to itself.
 * Returns 0, or -1 if the machine allows neither.
 */
static int
new_pid_namespace(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWPID) == 0)
		return 0;
	if (unshare(CLONE_NEWUSER) < 0)
		return -1;
	snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long)uid,
	    (unsigned long)uid);
	if (write_map("/proc/self/uid_map", map) < 0)
		return -1;
	write_map("/proc/self/setgroups", "deny\n");
	snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long)gid,
	    (unsigned long)gid);
	if (write_map("/proc/self/gid_map", map) < 0)
		return -1;
	return unshare(CLONE_NEWPID);
}

/* --bind and --try-bind SOURCE:TARGET, at most MAX_BINDS of them in all. */
#define MAX_BINDS 8
static char *binds[MAX_BINDS];
static int optional[MAX_BINDS];
static int nbinds, nrequired;

/*
 * bind_files - bind-mount each --bind and --try-bind SOURCE over its
 * TARGET, in the mount namespace we are in (made private first). Returns 0,
 * or -1 with errno set and a warning naming the --bind that failed (a
 * --try-bind that fails is left out, silently).
 */
static int
bind_files(void)
{
	char *target;
	int i;

	for (i = 0; i < nbinds; i++) {
		target = strchr(binds[i], ':');
		*target = '\0';
		if (mount(binds[i], target + 1, NULL, MS_BIND, NULL) < 0 &&
		    !optional[i]) {
			warn("mount --bind %s %s", binds[i], target + 1);
			*target = ':';
			return -1;
		}
		*target = ':';
	}
	return 0;
}

/*
 * own_mounts - give the program a mount namespace of its own, with a /proc
 * of its own when OWN_PROC (so that a program that looks up
 * /proc/<getpid()> finds itself; best effort: without it the host's /proc
 * still works through /proc/self) and the --bind files mounted. Returns 0,
 * or -1 if a --bind was asked for and could not be made.
 */
static int
own_mounts(int own_proc)
{
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		if (nrequired > 0)
			warn("a mount namespace for --bind");
		return nrequired > 0 ? -1 : 0;
	}
	if (own_proc)
		mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		    NULL);
	return bind_files();
}

/*
 * relay - in the parent namespace: pass signals to the namespace's init and
 * exit as it does. If we are killed, PR_SET_PDEATHSIG takes init with us.
 */
static int
relay(pid_t init)
{
	sigset_t set;
	siginfo_t info;
	int st, sig;

	block_signals(&set);
	for (;;) {
		sig = sigwaitinfo(&set, &info);
		if (sig == SIGCHLD) {
			if (waitpid(init, &st, WNOHANG) == init)
				return exit_code(st);
		} else if (sig > 0) {
			kill(init, sig);
		}
	}
}

/*
 * close_inherited - close every descriptor above 2. Returns 0, or -1 with
 * errno set.
 */
static int
close_inherited(void)
{
	DIR *d;
	struct dirent *e;
	int fd, dfd;

	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return 0;
	/* Kernels before 5.9: walk /proc/self/fd. */
	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	dfd = dirfd(d);
	while ((e = readdir(d)) != NULL) {
		fd = atoi(e->d_name);
		if (fd > 2 && fd != dfd)
			close(fd);
	}
	closedir(d);
	return 0;
}

/*
 * join_netns - join the network namespace of process PID, and before it
 * its user namespace when that is not ours (nsenter --user --net
 * --preserve-credentials). Returns 0, or -1 with errno set.
 */
static int
join_netns(const char *pid)
{
	char path[64];
	struct stat mine, theirs;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/ns/user", pid);
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/user", &mine) < 0)
		return -1;
	if (theirs.st_ino != mine.st_ino || theirs.st_dev != mine.st_dev) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return -1;
		if (setns(fd, CLONE_NEWUSER) < 0) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	snprintf(path, sizeof(path), "/proc/%s/ns/net", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (setns(fd, CLONE_NEWNET) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * write_status - write STATUS as a line to FILE, replaced whole. Best
 * effort.
 */
static void
write_status(const char *file, int status)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (file == NULL || (f = open_replacement(file, tmp)) == NULL)
		return;
	fprintf(f, "%d\n", status);
	put_in_place(f, tmp, file);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: contain [--limit SECONDS] [--report FILE] [--no-pidns] "
	    "[--write-only DIR]\n"
	    "               [--setsid] [--close-fds] [--netns PID] "
	    "[--status FILE] [--bind SOURCE:TARGET]...\n"
	    "               [--try-bind SOURCE:TARGET]... -- PROGRAM [ARG...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *report = NULL, *netns = NULL, *status_file = NULL;
	char *end;
	long limit = 0;
	pid_t init;
	sigset_t set;
	struct pollfd alive;
	int i, lifeline[2], pidns = 1, new_session = 0, close_fds = 0, rc;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			errno = 0;
			limit = strtol(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || end == argv[i] ||
			    limit < 0 || limit > 86400)
				errx(2,
				    "--limit: '%s' is not a number of "
				    "seconds from 0 to 86400",
				    argv[i]);
		} else if (strcmp(argv[i], "--report") == 0 && i + 1 < argc) {
			report = argv[++i];
		} else if (strcmp(argv[i], "--no-pidns") == 0) {
			pidns = 0;
		} else if (strcmp(argv[i], "--write-only") == 0 &&
		    i + 1 < argc) {
			write_only = argv[++i];
		} else if (strcmp(argv[i], "--setsid") == 0) {
			new_session = 1;
		} else if (strcmp(argv[i], "--close-fds") == 0) {
			close_fds = 1;
		} else if (strcmp(argv[i], "--netns") == 0 && i + 1 < argc) {
			netns = argv[++i];
			if (strspn(netns, "0123456789") != strlen(netns) ||
			    *netns == '\0' || strlen(netns) > 10)
				errx(2, "--netns: '%s' is not a process id",
				    netns);
		} else if ((strcmp(argv[i], "--bind") == 0 ||
		               strcmp(argv[i], "--try-bind") == 0) &&
		    i + 1 < argc) {
			if (nbinds == MAX_BINDS)
				errx(2, "%s: at most %d binds in all", argv[i],
				    MAX_BINDS);
			optional[nbinds] = argv[i][2] == 't';
			nrequired += !optional[nbinds];
			binds[nbinds] = argv[++i];
			if (strchr(binds[nbinds], ':') == NULL)
				errx(2, "%s: '%s' is not SOURCE:TARGET",
				    argv[i - 1], binds[nbinds]);
			nbinds++;
		} else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc) {
			status_file = argv[++i];
		} else {
			usage();
		}
	}
	if (i + 1 >= argc)
		usage();
	argv += i + 1;

	if (close_fds && close_inherited() < 0)
		err(EXIT_FAILED, "close inherited descriptors");
	/* Already a group leader (started from a shell with job control):
	 * then it has a group of its own, which is what the caller wants. */
	if (new_session && setsid() < 0 && getpgrp() != getpid())
		err(EXIT_FAILED, "setsid");
	if (netns != NULL && join_netns(netns) < 0)
		err(EXIT_FAILED, "join the network namespace of process %s",
		    netns);
	/* If whoever started us dies (a runner killed), stop as at a signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
		err(EXIT_FAILED, "prctl PR_SET_PDEATHSIG");
	if (!pidns || new_pid_namespace() < 0) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
			err(EXIT_FAILED, "prctl PR_SET_CHILD_SUBREAPER");
		if (nbinds > 0 && own_mounts(0) < 0)
			return EXIT_FAILED;
		rc = supervise(argv, limit * 1000, report, 0);
		write_status(status_file, rc);
		return rc;
	}
	/* Block before fork, so no signal is lost between fork and relay. */
	block_signals(&set);
	if (pipe2(lifeline, O_CLOEXEC) < 0)
		err(EXIT_FAILED, "pipe");
	if ((init = fork()) < 0)
		err(EXIT_FAILED, "fork");
	if (init == 0) {
		/*
		 * PID 1 of the new namespace: die with contain, whatever kills
		 * it. The pipe tells whether contain died before prctl() took.
		 */
		close(lifeline[1]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			_exit(EXIT_FAILED);
		alive.fd = lifeline[0];
		alive.events = POLLIN;
		if (poll(&alive, 1, 0) != 0)
			_exit(EXIT_FAILED);
		close(lifeline[0]);
		if (own_mounts(1) < 0)
			_exit(EXIT_FAILED);
		return supervise(argv, limit * 1000, report, 1);
	}
	close(lifeline[0]);
	rc = relay(init);
	write_status(status_file, rc);
	return rc;
}
