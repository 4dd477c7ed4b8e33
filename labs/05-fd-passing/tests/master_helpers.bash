# shellcheck shell=bash
# master_helpers.bash - what lab 05's master tests share (master.bats, stopping.bats): starting
# the master, asking it, and reading from /proc who holds which connection.
#
# Loaded by those files after the sockets-harness library; its setup() is theirs.
# shellcheck disable=SC2034  # ANSWER, ASK_LOG and the like are read by the tests

setup() {
    harness_setup
    PORT=$(port_for 9000)
    SLOW=1
    [[ "${HARNESS_VALGRIND:-0}" == 1 ]] && SLOW=8
    ASKED=0
}

# master_pid - the master program's own pid.
master_pid() {
    program_pid master
}

# list_workers - set WORKERS to the pids of the master's children (none once it is gone), without
# a process: start_master polls it.
list_workers() {
    local H_PROGRAM_PID
    WORKERS=()
    h_program_pid master || return 0
    read -ra WORKERS 2>/dev/null <"/proc/${H_PROGRAM_PID}/task/${H_PROGRAM_PID}/children" || true
}

# workers - the pids of the master's children, one a line.
workers() {
    local WORKERS
    list_workers
    [[ ${#WORKERS[@]} -eq 0 ]] || printf '%s\n' "${WORKERS[@]}"
}

# master_holds_no_connection PID - true once master PID holds no accepted connection; sets n.
master_holds_no_connection() {
    local CONNECTIONS
    count_connections "$1"
    n=$CONNECTIONS
    [[ "$n" -eq 0 ]]
}

# workers_hold_no_connection - true once no worker holds a served connection; sets problems.
workers_hold_no_connection() {
    problems=$(worker_connections)
    [[ -z "$problems" ]]
}

# workers_started_or_master_gone N - true once the master has N workers, or has exited.
workers_started_or_master_gone() {
    local WORKERS
    list_workers
    [[ ${#WORKERS[@]} -eq "$1" ]] || ! is_running master
}

# master_ready - true once the master has said it is listening, or is gone. The provided main()
# says so once its SIGTERM handler is in place (before that, under Valgrind a wide moment, a
# SIGTERM would kill it by the signal's default action instead of stopping it).
master_ready() {
    local H_OUT_FILE H_ERR_FILE
    h_std_files master
    h_has_line "$H_ERR_FILE" '^master: listening on ' || ! is_running master
}

# start_master N - start `master $PORT N` and wait until it listens, has N workers and says it
# is ready (master_ready).
start_master() {
    local n=$1
    spawn_student master master "$PORT" "$n"
    if ! wait_for_port "$PORT" master 2>/dev/null; then
        gave_up_on_eintr "'master $PORT $n' did not stay up"
        wait_for_port "$PORT" master  # again, for its own diagnosis
        return 1
    fi
    wait_until 5 workers_started_or_master_gone "$n"
    local WORKERS
    list_workers
    if [[ ${#WORKERS[@]} -eq "$n" ]]; then
        wait_until 5 master_ready || true
        return 0
    fi
    gave_up_on_eintr "'master $PORT $n' has $(workers | wc -l) child process(es), expected $n workers"
    diagnose "'master $PORT $n' has $(workers | wc -l) child process(es), expected $n workers; $(h_tail_err master)" \
        "fork() one worker per count given, before accepting connections, and keep them running"
}

EINTR_HINT="EINTR means 'nothing happened yet, try again': retry sendmsg() and recvmsg() in a loop while they fail with EINTR"

# gave_up_on_eintr WHAT - if the master or a worker gave up on EINTR, fail saying so.
gave_up_on_eintr() {
    grep -q "Interrupted system call" "$(err_of master)" || return 0
    diagnose "$1: a socket call failed with EINTR and the program gave up; $(h_tail_err master)" \
        "$EINTR_HINT"
}

# ask LINE [STEP...] - connect, send LINE and a newline, then run STEPs (default: read until
# end of stream, for at most 3 s). Sets ANSWER to what came back, ASK_LOG to the client's log.
ask() {
    local line=$1
    shift
    ASKED=$((ASKED + 1))
    ASK_LOG="${BATS_TEST_TMPDIR}/client${ASKED}.log"
    local got="${BATS_TEST_TMPDIR}/client${ASKED}.bin"
    [[ $# -gt 0 ]] || set -- recvall
    STUDENT_TIMEOUT=$((3 * SLOW)) peer scripted -o "$ASK_LOG" -O "$got" "127.0.0.1:${PORT}" "sendtext:${line}"$'\n' "$@" >/dev/null || true
    { ANSWER=$(<"$got"); } 2>/dev/null || ANSWER=""
}

# tcp_sockets PID - "FD STATE" for every TCP socket PID holds (STATE: LISTEN, or CONNECTED
# for an accepted connection in any other state).
tcp_sockets() {
    tcp_sockets_of "$1" | awk '{ print $1, ($2 == "LISTEN" ? "LISTEN" : "CONNECTED") }'
}

# count_connections PID - set CONNECTIONS to how many accepted TCP connections PID holds: its
# sockets that are neither a Unix socket nor a TCP listener. Counted from /proc/PID/fd, so that a
# connection the peer has reset, which the kernel's tables no longer list, still counts while a
# descriptor refers to it. The tests poll it: one process (the descriptor list), the tables of
# the test's network read by the shell (/proc/net/unix: inode in field 7; /proc/net/tcp: state
# in field 4, 0A for LISTEN, inode in field 10).
count_connections() {
    local -A other=()
    local file line f=() inode
    CONNECTIONS=0
    if [[ -r "$H_NET_DIR/unix" ]]; then
        while read -r -a f; do
            if [[ ${#f[@]} -ge 7 ]]; then other[${f[6]}]=1; fi
        done <"$H_NET_DIR/unix"
    fi
    for file in "$H_NET_DIR/tcp" "$H_NET_DIR/tcp6"; do
        [[ -r "$file" ]] || continue
        while read -r -a f; do
            if [[ ${#f[@]} -ge 10 && ${f[3]} == 0A ]]; then other[${f[9]}]=1; fi
        done <"$file"
    done
    while read -r line; do
        [[ "$line" =~ ^[0-9]+\ -\>\ socket:\[([0-9]+)\]$ ]] || continue
        inode=${BASH_REMATCH[1]}
        if [[ -z "${other[$inode]:-}" ]]; then CONNECTIONS=$((CONNECTIONS + 1)); fi
    done < <(h_fds_of_pid "$1")
}

# connections_of PID - print how many accepted TCP connections PID holds (count_connections).
connections_of() {
    local CONNECTIONS
    count_connections "$1"
    echo "$CONNECTIONS"
}

# worker_connections - "worker pid W still holds N connection(s); " for each such worker.
worker_connections() {
    local w CONNECTIONS
    for w in $(workers); do
        count_connections "$w"
        if ((CONNECTIONS > 0)); then echo -n "worker pid $w still holds $CONNECTIONS connection(s); "; fi
    done
    return 0
}

# socket_inodes PID - the inodes of the sockets PID holds, one a line.
socket_inodes() {
    h_fds_of_pid "$1" | sed -n 's/^[0-9]* -> socket:\[\([0-9]*\)\]$/\1/p'
}

# unix_peer INODE - the inode of the other end of Unix socket INODE (from ss -x), or nothing.
unix_peer() {
    in_netns ss -Hxa | awk -v ino="$1" '$6 == ino { print $8; exit }'
}

# wchan_of PID - where PID sleeps in the kernel, in words a student knows.
wchan_of() {
    local w
    read -r w 2>/dev/null <"/proc/$1/wchan" || true
    case $w in
    do_wait) echo "waitpid()" ;;
    poll_schedule_timeout* | do_sys_poll* | do_poll*) echo "ppoll()" ;;
    unix_stream_read_generic* | unix_stream_data_wait*) echo "recvmsg() on its Unix socket" ;;
    wait_woken* | sk_wait_data* | tcp_recvmsg*) echo "read() on a TCP connection" ;;
    inet_csk_accept* | inet_csk_wait_for_connect*) echo "accept()" ;;
    "" | 0) echo "running" ;;
    *) echo "the kernel ($w)" ;;
    esac
}

# busy_worker - true once a worker holds an accepted connection; sets busy to its pid.
busy_worker() {
    local w CONNECTIONS
    busy=""
    for w in $(workers); do
        count_connections "$w"
        if ((CONNECTIONS > 0)); then busy=$w; fi
    done
    [[ -n "$busy" ]]
}

# master_gone - true once the master has exited.
master_gone() { ! is_running master; }

# master_gone_or_idle_gone IDLE... - true once the master has exited, or every IDLE pid has.
master_gone_or_idle_gone() {
    local p
    is_running master || return 0
    for p in "$@"; do
        h_alive "$p" && return 1
    done
    return 0
}

# hang_diagnosis WHEN - diagnose a master still running STOP_GRACE seconds after SIGTERM, from where it and its
# workers sleep in the kernel.
hang_diagnosis() {
    local mp w where stuck="" reading=""
    mp=$(master_pid)
    for w in $(workers); do
        where=$(wchan_of "$w")
        [[ "$where" == "waitpid()" ]] && stuck+="$w "
        [[ "$where" == recvmsg* ]] && reading+="$w "
    done
    if [[ -n "$stuck" ]]; then
        diagnose "the master was still running $STOP_GRACE s after SIGTERM ($1); worker pid(s) ${stuck}are themselves blocked in waitpid()" \
            "a worker went on into the master's code: at end of stream worker_main() must close its channel and _exit(), never return into spawn_workers()"
    elif [[ "$(wchan_of "$mp")" == "waitpid()" && -n "$reading" ]]; then
        diagnose "the master was still running $STOP_GRACE s after SIGTERM ($1), blocked in waitpid(); worker pid(s) ${reading}still wait in recvmsg() on their channel: they never saw end of stream" \
            "stop_workers() must close EVERY channel first and then waitpid() every worker; and a channel reaches end of stream only when every copy of its master end is closed (the child closes the master's ends it inherited)"
    elif [[ "$(wchan_of "$mp")" == "ppoll()" ]]; then
        diagnose "the master was still running $STOP_GRACE s after SIGTERM ($1), still waiting in ppoll()" \
            "SIGTERM sets stop_requested and makes ppoll() fail with EINTR: then check the flag and leave the loop (ppoll() with the provided waitmask lets the signal in)"
    else
        diagnose "the master was still running $STOP_GRACE s after SIGTERM ($1), blocked in $(wchan_of "$mp"); its workers: $(for w in $(workers); do echo -n "pid $w in $(wchan_of "$w"); "; done)" \
            "run_master() must return once stop_requested is set; stop_workers() closes every channel and waitpid()s every worker"
    fi
}

# expect_clean_exit WHEN WHAT HINT - the master, sent SIGTERM, exits within STOP_GRACE seconds
# with status 0.
# One still running is diagnosed from where it sleeps (hang_diagnosis, SIGTERM sent WHEN); another
# status with WHAT (what came before) and HINT, the likely mistake.
expect_clean_exit() {
    wait_for_exit master "$STOP_GRACE"
    # shellcheck disable=SC2154  # wait_for_exit sets status
    if [[ "$status" -eq 124 ]]; then
        hang_diagnosis "$1"
        return 1
    fi
    [[ "$status" -eq 0 ]] ||
        diagnose "$2, the master exited with status $status, expected 0; $(h_tail_err master)" "$3"
}
