# shellcheck shell=bash
# procs.bash - the processes a test started, read from /proc: names, pids, liveness,
# descriptors, and stopping them.

# pid_of() - print the pid of NAME's process group (harness/contain, its leader)
# $1: NAME, as given to spawn*
pid_of() {
    h_pid "$1" || return 1
    echo "$H_PID"
}

# h_pid() - set H_PID to the pid of NAME's process group, as pid_of prints it, without a fork
# $1: NAME
h_pid() {
    H_PID=${H_PIDS[$1]:-}
    [[ -n "$H_PID" ]] || { echo "test bug: no process named '$1'" >&2; return 1; }
}

# h_std_files() - set H_OUT_FILE and H_ERR_FILE to the files that hold NAME's stdout and stderr,
# without a fork (out_of and err_of print them): for helpers a test or a wait calls often
# $1: NAME
h_std_files() {
    H_OUT_FILE="${BATS_TEST_TMPDIR}/$1.out"
    H_ERR_FILE="${BATS_TEST_TMPDIR}/$1.err"
}

# out_of() - print the file that holds NAME's stdout
# $1: NAME
out_of() {
    local H_OUT_FILE H_ERR_FILE
    h_std_files "$1"
    echo "$H_OUT_FILE"
}

# err_of() - print the file that holds NAME's stderr
# $1: NAME
err_of() {
    local H_OUT_FILE H_ERR_FILE
    h_std_files "$1"
    echo "$H_ERR_FILE"
}

# program_pid() - print the pid of NAME's program itself: the first process below harness/contain
# that is not contain (contain, then its namespace's init, then the program)
# $1: NAME
# env, valgrind and qemu exec in place, so it is the program by now. Returns 1
# if it is not there (not started yet, or gone).
program_pid() {
    local H_PROGRAM_PID
    h_program_pid "$1" || return 1
    echo "$H_PROGRAM_PID"
}

# h_program_pid() - set H_PROGRAM_PID to the pid of NAME's program itself (see program_pid),
# without a process: for checks that a wait polls
# $1: NAME
h_program_pid() {
    local pid kids comm=contain H_PID
    H_PROGRAM_PID=""
    h_pid "$1" || return 1
    pid=$H_PID
    while [[ "$comm" == contain ]]; do
        read -r kids 2>/dev/null <"/proc/${pid}/task/${pid}/children" || [[ -n "${kids:-}" ]] || return 1
        pid=${kids%% *}
        [[ -n "$pid" ]] || return 1
        read -r comm 2>/dev/null <"/proc/${pid}/comm" || return 1
    done
    H_PROGRAM_PID=$pid
}

# h_alive() - true if a process exists and is not a zombie waiting to be reaped
# $1: its pid
h_alive() {
    # read, not $(cat …): this runs in every poll, and a fork costs more than the check.
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z && ${stat:0:1} != X ]]
}

# h_exited() - true once a process has exited (see h_alive)
# $1: its pid
h_exited() { ! h_alive "$1"; }

# is_running() - true while NAME's program has not exited
# $1: NAME
# The program, not its launch: contain, once the program has ended, still takes a moment to
# take down what it left, and a test must not see the program as running then.
is_running() { ! h_ended "$1" && h_alive "${H_PIDS[$1]:-}"; }

# h_fds_of_pid() - print a process's open descriptors, "N -> target" a line
# $1: its pid
# Descriptors from 1000 up are left out: Valgrind keeps its own there. One find(1) reads every
# link, in the kernel's order (by number): readlink(1) for each would be an exec a descriptor.
h_fds_of_pid() {
    local fd target
    while read -r fd target; do
        [[ "$fd" =~ ^[0-9]+$ && "$fd" -lt 1000 ]] || continue
        echo "${fd} -> ${target}"
    done < <(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 -printf '%f %l\n' 2>/dev/null)
}

# h_count_sockets() - set H_SOCKETS to how many sockets a process holds (descriptors below 1000)
# $1: its pid (none, or gone: 0)
# Without a process, so a wait can poll it: each /proc/PID/fd/N leads to the open file itself,
# and -S is true where that is a socket.
h_count_sockets() {
    local path fd
    H_SOCKETS=0
    for path in "/proc/$1/fd/"*; do
        fd=${path##*/}
        [[ "$fd" =~ ^[0-9]+$ && "$fd" -lt 1000 && -S "$path" ]] && H_SOCKETS=$((H_SOCKETS + 1))
    done
    return 0
}

# socket_count_of() - print how many sockets a process holds (see h_count_sockets)
# $1: its pid
socket_count_of() {
    h_count_sockets "$1"
    echo "$H_SOCKETS"
}

# fds_of() - print NAME's program's open descriptors, "N -> target" a line
# $1: NAME
fds_of() {
    local pid
    pid=$(program_pid "$1") || return 1
    h_fds_of_pid "$pid"
}

# h_kill_groups() - stop process groups together: TERM to each, then a shared grace for all of
# them to go (H_KILL_GRACE_MS: 0.3 s; 2 s under Valgrind or emulation, which write their logs on
# the way out), then KILL; reap them
# $@: the groups' ids (their leaders' pids)
# Together, not one after the other: a test whose programs all ignore SIGTERM costs one grace,
# not one a program. A program that exits on SIGTERM does so in milliseconds, and a native one
# that is killed at the end of the grace loses nothing the test judges: teardown judges only
# Valgrind's logs and what programs that ended by themselves left running. A test that judges
# how a program ends on a signal stops it itself (stop), with a grace of its own.
h_kill_groups() {
    local pgid
    H_KILL_GRACE_MS=300
    ((H_SLOW > 1)) && H_KILL_GRACE_MS=2000
    for pgid in "$@"; do
        h_alive "$pgid" || continue
        kill -TERM -- "-$pgid" 2>/dev/null || kill -TERM "$pgid" 2>/dev/null || true
    done
    poll_until_ms "$H_KILL_GRACE_MS" h_all_exited "$@" || true
    for pgid in "$@"; do
        # Also after the leader is gone: a forked child may still hold the group.
        kill -KILL -- "-$pgid" 2>/dev/null || true
        wait "$pgid" 2>/dev/null || true
    done
    return 0
}

# h_kill_group() - stop one process group (see h_kill_groups)
# $1: the group's id (its leader's pid)
h_kill_group() { h_kill_groups "$1"; }

# h_all_exited() - true once every one of the processes has exited
# $@: their pids
h_all_exited() {
    local pid
    for pid in "$@"; do
        h_alive "$pid" && return 1
    done
    return 0
}

# ns_pid() - print a process's pid as the programs of the test see it
# $1: its pid in /proc's numbering (program_pid, children files)
# Programs run in a PID namespace of their own (harness/contain), so the pids they print or log
# are that namespace's: the last number of NSpid in /proc/PID/status. Prints $1 itself outside
# a namespace, and nothing if the process is gone.
ns_pid() {
    local line
    line=$(grep -m 1 '^NSpid:' "/proc/$1/status" 2>/dev/null) || return 0
    echo "${line##*[[:space:]]}"
}
