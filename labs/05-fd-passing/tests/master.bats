#!/usr/bin/env bats
# Lab 05, part 2: the master hands accepted TCP connections to its workers over Unix sockets.
#
# The clients are the harness's `scripted` peer: what they receive is the truth. Who holds
# which connection is read from /proc: the master is the program the test started, its
# workers are that program's children.
# shellcheck disable=SC2034  # read by Bats
BATS_TEST_TIMEOUT=90

bats_load_library sockets-harness

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

# workers - the pids of the master's children, one a line.
workers() {
    local mp
    mp=$(master_pid) || return 0
    tr ' ' '\n' <"/proc/${mp}/task/${mp}/children" 2>/dev/null | grep . || true
}

# master_holds_no_connection PID - true once master PID holds no accepted connection; sets n.
master_holds_no_connection() {
    n=$(connections_of "$1")
    [[ "$n" -eq 0 ]]
}

# workers_hold_no_connection - true once no worker holds a served connection; sets problems.
workers_hold_no_connection() {
    problems=$(worker_connections)
    [[ -z "$problems" ]]
}

# workers_started_or_master_gone N - true once the master has N workers, or has exited.
workers_started_or_master_gone() {
    [[ "$(workers | wc -l)" -eq "$1" ]] || ! is_running master
}

# start_master N - start `master $PORT N` and wait until it listens and has N workers.
start_master() {
    local n=$1 i
    spawn_student master master "$PORT" "$n"
    if ! wait_for_port "$PORT" master 2>/dev/null; then
        gave_up_on_eintr "'master $PORT $n' did not stay up"
        wait_for_port "$PORT" master  # again, for its own diagnosis
        return 1
    fi
    wait_until 5 workers_started_or_master_gone "$n"
    [[ "$(workers | wc -l)" -eq "$n" ]] && return 0
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
    ANSWER=$(cat "$got" 2>/dev/null)
}

# tcp_sockets PID - "FD STATE" for every TCP socket PID holds (STATE: LISTEN, or CONNECTED
# for an accepted connection in any other state).
tcp_sockets() {
    tcp_sockets_of "$1" | awk '{ print $1, ($2 == "LISTEN" ? "LISTEN" : "CONNECTED") }'
}

# connections_of PID - how many accepted TCP connections PID holds.
connections_of() {
    tcp_sockets "$1" | grep -c CONNECTED || true
}

# worker_connections - "worker pid W still holds N connection(s); " for each such worker.
worker_connections() {
    local w n
    for w in $(workers); do
        n=$(connections_of "$w")
        [[ "$n" -gt 0 ]] && echo -n "worker pid $w still holds $n connection(s); "
    done
    return 0
}

# points: 2
@test "a client's line is answered by a worker process, not by the master" {
    start_master 3
    local answer mp
    ask hello
    answer=$ANSWER
    mp=$(master_pid)
    [[ -n "$answer" ]] ||
        diagnose "the client sent 'hello' and got nothing back; client log: $(tr '\n' ' ' <"$ASK_LOG"); $(h_tail_err master)" \
            "the master must send_fds() the accepted descriptor to a worker, which reads the line and answers through the descriptor it received"
    [[ "$answer" =~ ^worker\ ([0-9]+)\ \(pid\ ([0-9]+)\):\ hello$ ]] ||
        diagnose "the answer was '${answer}', expected 'worker K (pid P): hello'" \
            "a worker answers with serve_client(conn, id)"
    local pid=${BASH_REMATCH[2]} w seen=""
    # The programs run in a PID namespace of their own: compare the pids they print with theirs.
    for w in $(workers); do seen+="$(ns_pid "$w") "; done
    [[ " $seen" == *" $pid "* ]] ||
        diagnose "the answer came from pid $pid, which is not one of the master's (pid $(ns_pid "$mp")) children: $seen" \
            "serve the connection in a forked worker, not in the master"
}

# points: 2
@test "the client sees end of stream right after its answer" {
    start_master 2
    local answer
    ask hello
    answer=$ANSWER
    [[ -n "$answer" ]] ||
        diagnose "the client sent 'hello' and got nothing back; $(h_tail_err master)" \
            "the master must send_fds() the accepted descriptor to a worker, which answers through it"
    grep -qx eof "$ASK_LOG" && return 0
    local mp held workers_held
    mp=$(master_pid)
    held=$(connections_of "$mp")
    workers_held=$(worker_connections)
    local seen="the client got '${answer}' but no end of stream within $((3 * SLOW)) s"
    if [[ "$held" -gt 0 ]]; then
        diagnose "${seen}: the master (pid $mp) still holds $held accepted connection(s)" \
            "a TCP connection ends when its LAST descriptor is closed: the master must close() its copy right after send_fds()"
    elif [[ -n "$workers_held" ]]; then
        diagnose "${seen}: ${workers_held}" \
            "a TCP connection ends when its LAST descriptor is closed: the worker must close() the descriptor it received once it has answered"
    else
        diagnose "${seen}; no process holds the connection any more" \
            "was the connection closed late? Close it as soon as the answer is written"
    fi
}

# points: 2
@test "nine clients in a row are spread round-robin over three workers" {
    start_master 3
    local i answer pids=""
    for ((i = 1; i <= 9; i++)); do
        ask "client $i"
        answer=$ANSWER
        [[ "$answer" =~ \(pid\ ([0-9]+)\) ]] ||
            diagnose "client $i got '${answer}' instead of an answer; $(h_tail_err master)" \
                "every connection must reach a worker and be answered"
        pids+="${BASH_REMATCH[1]}"$'\n'
    done
    local spread
    spread=$(grep . <<<"$pids" | sort | uniq -c | awk '{ print $1 }' | sort | tr '\n' ' ')
    [[ "$spread" == "3 3 3 " ]] ||
        diagnose "9 clients were answered by $(grep . <<<"$pids" | sort | uniq -c | awk '{ printf "pid %s: %s, ", $2, $1 }')expected 3 each from 3 workers" \
            "hand each new connection to the next live worker in turn (round-robin), not always the same one"
}

# points: 2
@test "the master keeps no accepted connection after handing it off" {
    start_master 2
    local i mp n
    for ((i = 1; i <= 4; i++)); do
        ask "client $i" recv:8 close
    done
    mp=$(master_pid)
    wait_until 2 master_holds_no_connection "$mp" ||
        diagnose "after 4 clients the master (pid $mp) still holds $n accepted connection(s): $(fds_of master | tr '\n' ' ')" \
            "after send_fds() the worker has its own reference: the master must close() its copy, or every connection stays open and the master runs out of descriptors"
}

# points: 2
@test "every worker closes the connections it served, also those whose client hung up" {
    start_master 2
    local i w problems=""
    # Two clients that connect and hang up at once, then two that get an answer.
    for ((i = 1; i <= 2; i++)); do
        peer scripted -o /dev/null "127.0.0.1:${PORT}" close >/dev/null || true
    done
    for ((i = 1; i <= 2; i++)); do
        ask "client $i" recv:8 close
    done
    wait_until 2 workers_hold_no_connection ||
        diagnose "after 2 clients that hung up without a line and 2 that were answered: ${problems}" \
            "the worker must close() the descriptor it received after serving it, on every path: also when serve_client() fails because the client hung up"
    for w in $(workers); do
        if tcp_sockets "$w" | grep -q LISTEN; then
            diagnose "worker pid $w holds the master's listening socket: $(tcp_sockets "$w" | tr '\n' ' ')" \
                "a worker never accepts: close() the listening socket in the child right after fork()"
        fi
    done
}

# points: 2
@test "a worker killed with SIGKILL is noticed and the others keep serving" {
    start_master 3
    local victim i answer seen
    victim=$(workers | sed -n 2p)
    seen=$(ns_pid "$victim")
    kill -KILL "$victim"
    wait_for_file_content "$(err_of master)" "worker [0-9]+ \(pid ${seen}\) died \(signal 9\)" 5 ||
        diagnose "worker pid $seen was killed with SIGKILL; within $((5 * SLOW)) s the master wrote no 'master: worker K (pid $seen) died (signal 9)'; $(h_tail_err master)" \
            "poll() every worker's channel too: a worker never writes, so its channel turning readable (end of stream) means it died; then waitpid() it and log WTERMSIG(status)"
    for ((i = 1; i <= 4; i++)); do
        ask "after $i"
        answer=$ANSWER
        [[ "$answer" =~ \(pid\ ([0-9]+)\):\ after\ $i$ ]] ||
            diagnose "after worker pid $seen died, client $i got '${answer}'; $(h_tail_err master)" \
                "skip dead workers when handing off; a failed send_fds() (EPIPE) must not stop the master"
        [[ "${BASH_REMATCH[1]}" != "$seen" ]] ||
            diagnose "the dead worker pid $seen answered?" "kill(1) did not work: test problem"
    done
    local state
    state=$(awk '{ print $3 }' "/proc/${victim}/stat" 2>/dev/null || true)
    [[ "$state" != Z ]] ||
        diagnose "worker pid $seen is a zombie: the master logged its death but never reaped it" \
            "waitpid() the dead worker's pid"
}

# points: 1
@test "SIGTERM stops the master and all its workers" {
    start_master 2
    local before w
    before=$(workers)
    stop master TERM
    [[ "$status" -eq 0 ]] ||
        diagnose "after SIGTERM the master exited with status $status, expected 0; $(h_tail_err master)" \
            "keep the provided main(): run_master() returns 0 once stop_requested is set (ppoll() fails with EINTR)"
    for w in $before; do
        if [[ -e "/proc/$w" ]] && [[ "$(awk '{ print $3 }' "/proc/$w/stat" 2>/dev/null)" != Z ]]; then
            diagnose "worker pid $w still runs after the master exited" \
                "stop_workers() must close every worker's channel (the worker's recv_fds() then returns 0 and it exits) and waitpid() them all"
        fi
    done
}

# points: 1
@test "the master and its workers cope with interrupted and short socket calls" {
    with_shortio 5 7 30
    start_master 2
    local i answer
    for ((i = 1; i <= 6; i++)); do
        ask "line $i"
        answer=$ANSWER
        [[ "$answer" =~ ^worker\ [0-9]+\ \(pid\ [0-9]+\):\ line\ $i$ ]] ||
            diagnose "with 30% of socket calls failing with EINTR, client $i got '${answer}'; $(h_tail_err master)" \
                "$EINTR_HINT"
    done
}
