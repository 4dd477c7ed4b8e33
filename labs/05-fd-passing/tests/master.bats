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

# connections_of PID - how many accepted TCP connections PID holds: its sockets that are neither
# a Unix socket nor a TCP listener. Counted from /proc/PID/fd, so that a connection the peer has
# reset, which ss no longer lists, still counts while a descriptor refers to it.
connections_of() {
    local inodes others
    inodes=$(socket_inodes "$1")
    if [[ -z "$inodes" ]]; then
        echo 0
        return 0
    fi
    others=$( { in_netns ss -Hxa | awk '{ print $6 }'; h_tcp_table | awk '$2 == "LISTEN" { print $1 }'; } | sort -u)
    grep -cvxF -f <(echo "${others:-none}") <<<"$inodes" || true
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
    w=$(cat "/proc/$1/wchan" 2>/dev/null || true)
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
    local w
    busy=""
    for w in $(workers); do
        [[ "$(connections_of "$w")" -gt 0 ]] && busy=$w
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

# points: 2
@test "a client's line is answered by a worker process, not by the master" {
    needs "one descriptor sent over a Unix socket arrives and refers to the sender's file"
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
    needs "a client's line is answered by a worker process, not by the master"
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
    needs "a client's line is answered by a worker process, not by the master"
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
    needs "the client sees end of stream right after its answer"
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
    needs "the client sees end of stream right after its answer"
    start_master 2
    local i problems=""
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
}

# points: 1
@test "the master keeps only its own end of each worker's channel" {
    needs "a client's line is answered by a worker process, not by the master"
    start_master 3
    local mp ino peer mine n=0
    mp=$(master_pid)
    mine=$(socket_inodes "$mp")
    for ino in $mine; do
        peer=$(unix_peer "$ino")
        [[ -n "$peer" ]] && grep -qx "$peer" <<<"$mine" && n=$((n + 1))
    done
    [[ $n -eq 0 ]] && return 0
    diagnose "the master (pid $mp) holds both ends of $((n / 2)) worker channel(s): $(fds_of master | grep socket | tr '\n' ' ')" \
        "after fork() the parent must close() the child's end of the socket pair (pair[1]): while the master holds it, a dead worker's channel never shows end of stream and its death goes unnoticed"
}

# points: 2
@test "each worker keeps only its own end of its own channel" {
    needs "the master keeps only its own end of each worker's channel"
    start_master 3
    local mp w ino peer mine theirs problems=""
    mp=$(master_pid)
    theirs=$(socket_inodes "$mp")
    for w in $(workers); do
        if tcp_sockets "$w" | grep -q LISTEN; then
            diagnose "worker pid $w holds the master's listening socket: $(tcp_sockets "$w" | tr '\n' ' ')" \
                "a worker never accepts: close() the listening socket in the child right after fork()"
        fi
        mine=$(socket_inodes "$w")
        for ino in $mine; do
            grep -qx "$ino" <<<"$theirs" || continue
            peer=$(unix_peer "$ino")
            if grep -qx "$peer" <<<"$mine"; then
                problems+="worker pid $w holds both ends of its own channel; "
            else
                problems+="worker pid $w holds the master's end of another worker's channel (socket:[$ino]); "
            fi
        done
    done
    [[ -z "$problems" ]] && return 0
    if [[ "$problems" == *"both ends"* ]]; then
        diagnose "${problems}so the worker never sees end of stream when the master closes its channel" \
            "after fork() the child must close() the master's end of its socket pair (pair[0]) and keep only its own (pair[1])"
    else
        diagnose "${problems}so that channel never reaches end of stream while this worker lives" \
            "after fork() the child must also close() the master's ends of the earlier workers' channels (w[0..i-1].chan) that it inherited"
    fi
}

# points: 2
@test "a worker killed with SIGKILL is noticed and the others keep serving" {
    needs "a client's line is answered by a worker process, not by the master" "the master keeps only its own end of each worker's channel"
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

# hang_diagnosis WHEN - diagnose a master still running 5 s after SIGTERM, from where it and its
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
        diagnose "the master was still running 5 s after SIGTERM ($1); worker pid(s) ${stuck}are themselves blocked in waitpid()" \
            "a worker went on into the master's code: at end of stream worker_main() must close its channel and _exit(), never return into spawn_workers()"
    elif [[ "$(wchan_of "$mp")" == "waitpid()" && -n "$reading" ]]; then
        diagnose "the master was still running 5 s after SIGTERM ($1), blocked in waitpid(); worker pid(s) ${reading}still wait in recvmsg() on their channel: they never saw end of stream" \
            "stop_workers() must close EVERY channel first and then waitpid() every worker; and a channel reaches end of stream only when every copy of its master end is closed (the child closes the master's ends it inherited)"
    elif [[ "$(wchan_of "$mp")" == "ppoll()" ]]; then
        diagnose "the master was still running 5 s after SIGTERM ($1), still waiting in ppoll()" \
            "SIGTERM sets stop_requested and makes ppoll() fail with EINTR: then check the flag and leave the loop (ppoll() with the provided waitmask lets the signal in)"
    else
        diagnose "the master was still running 5 s after SIGTERM ($1), blocked in $(wchan_of "$mp"); its workers: $(for w in $(workers); do echo -n "pid $w in $(wchan_of "$w"); "; done)" \
            "run_master() must return once stop_requested is set; stop_workers() closes every channel and waitpid()s every worker"
    fi
}

# points: 1
@test "SIGTERM stops the master and all its workers" {
    needs "a client's line is answered by a worker process, not by the master" "each worker keeps only its own end of its own channel" \
        "the master keeps only its own end of each worker's channel"
    start_master 2
    local before w mp
    before=$(workers)
    mp=$(master_pid)
    kill -TERM "$mp"
    wait_for_exit master 5
    if [[ "$status" -eq 124 ]]; then
        hang_diagnosis "sent while it was idle in ppoll()"
        return 1
    fi
    [[ "$status" -eq 0 ]] ||
        diagnose "after SIGTERM the master exited with status $status, expected 0; $(h_tail_err master)" \
            "a stop request is the normal end: run_master() returns 0 once stop_requested is set (ppoll() failing with EINTR is how it wakes up, not an error)"
    for w in $before; do
        if h_alive "$w"; then
            diagnose "worker pid $w still runs after the master exited" \
                "stop_workers() must close every worker's channel (the worker's recv_fds() then returns 0 and it exits) and then waitpid() every worker, so that none outlives the master"
        fi
    done
}

# points: 2
@test "on SIGTERM the master waits for a worker that is still serving a client" {
    needs "SIGTERM stops the master and all its workers"
    start_master 2
    local busy="" idle mp
    # A client that connects and says nothing: its worker is busy until the client goes.
    spawn_peer quiet scripted -o "${BATS_TEST_TMPDIR}/quiet.log" "127.0.0.1:${PORT}" pause:60000
    wait_until 5 busy_worker ||
        diagnose "a client connected and no worker holds its connection 5 s later; $(h_tail_err master)" \
            "the master must send_fds() each accepted connection to a worker at once"
    idle=$(workers | grep -vx "$busy" || true)
    mp=$(master_pid)
    kill -TERM "$mp"
    # shellcheck disable=SC2086  # one pid a word
    wait_until 5 master_gone_or_idle_gone $idle || true
    # The idle workers end the moment their channels close; a master that does not wait for its
    # busy worker exits a moment later: give it that moment (a right master stays: this costs it
    # 1 s), so that which of the two the poll saw first does not decide the test.
    is_running master && { wait_until 1 master_gone || true; }
    if ! is_running master; then
        wait_for_exit master 1
        diagnose "after SIGTERM the master exited (status $status) at once, while worker pid $busy was still serving a client that had not sent its line" \
            "stop_workers() must waitpid() every worker after closing the channels: a worker busy with a client ends when that client is done, and the master exits only after all its workers"
    fi
    stop quiet KILL
    wait_for_exit master 5
    if [[ "$status" -eq 124 ]]; then
        hang_diagnosis "sent while worker pid $busy was busy with a client, which has since gone"
        return 1
    fi
    [[ "$status" -eq 0 ]] ||
        diagnose "after SIGTERM and its busy worker's client leaving, the master exited with status $status, expected 0; $(h_tail_err master)" \
            "a stop request is the normal end: exit 0 once every worker has been reaped"
}

# points: 1
@test "the master exits with status 1 when its last worker has died" {
    needs "a worker killed with SIGKILL is noticed and the others keep serving"
    start_master 1
    local victim
    victim=$(workers | head -n 1)
    kill -KILL "$victim"
    wait_for_exit master 5
    case $status in
    1) return 0 ;;
    124) diagnose "the master's only worker (pid $victim) was killed, and 5 s later the master still ran" \
        "with no live worker left nobody can serve a connection: run_master() must return -1 then (main() exits 1), not go on accepting" ;;
    *) diagnose "the master's only worker was killed; the master exited with status $status, expected 1; $(h_tail_err master)" \
        "no worker left is an error: run_master() returns -1 and main() exits 1" ;;
    esac
}

# points: 1
@test "the master and its workers cope with interrupted and short socket calls" {
    needs "a client's line is answered by a worker process, not by the master"
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

# points: 2
@test "under Valgrind the master and its workers leak no descriptor and no memory" {
    needs "a client's line is answered by a worker process, not by the master"
    with_valgrind
    SLOW=8
    start_master 2
    local victim seen report
    ask "first" recv:8 close
    peer scripted -o /dev/null "127.0.0.1:${PORT}" close >/dev/null || true
    ask "second" recv:8 close
    victim=$(workers | sed -n 2p)
    seen=$(ns_pid "$victim")
    kill -KILL "$victim"
    # The master logs the death with the pid its own namespace gave the worker.
    wait_for_file_content "$(err_of master)" "\(pid ${seen}\) died" 5 || true
    ask "third" recv:8 close
    stop master TERM
    [[ "$status" -eq 0 ]] ||
        diagnose "under Valgrind, after 3 clients, a hang-up and a killed worker, SIGTERM made the master exit with status $status; $(h_tail_err master)" \
            "after SIGTERM the master exits 0"
    report=$(valgrind_report master)
    [[ -z "$report" ]] && return 0
    if grep -q "left open.*AF_UNIX" <<<"$report"; then
        diagnose "under Valgrind (--track-fds=yes), a worker channel was still open at exit: $(grep 'left open' <<<"$report" | head -n 3 | tr '\n' ' ')" \
            "a dead worker's channel must be closed when its death is noticed, and every other channel in stop_workers(): close() it, then set it to -1"
    elif grep -q "left open" <<<"$report"; then
        diagnose "under Valgrind (--track-fds=yes), a TCP socket was still open at exit: $(grep 'left open' <<<"$report" | head -n 3 | tr '\n' ' ')" \
            "close every accepted connection (the master after send_fds(), the worker after serving) and the listening socket (in the workers right after fork())"
    else
        diagnose "under Valgrind: $(head -n 5 <<<"$report" | tr '\n' ' ')" \
            "fix the memory error Valgrind names: a read outside the control buffer, or an uninitialised value in msghdr (memset it)"
    fi
}
