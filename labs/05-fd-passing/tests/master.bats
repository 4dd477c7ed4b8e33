#!/usr/bin/env bats
# Lab 05, part 2: the master hands accepted TCP connections to its workers over Unix sockets.
#
# The clients are the harness's `scripted` peer: what they receive is the truth. Who holds
# which connection is read from /proc: the master is the program the test started, its
# workers are that program's children. How the master stops is in stopping.bats.
# shellcheck disable=SC2034  # read by Bats
# shellcheck disable=SC2153  # ANSWER is set by ask (master_helpers.bash)
BATS_TEST_TIMEOUT=90

bats_load_library sockets-harness
load master_helpers

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
