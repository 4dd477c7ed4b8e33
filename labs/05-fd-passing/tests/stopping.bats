#!/usr/bin/env bats
# Lab 05, part 2 (continued): how the master stops. On SIGTERM it closes every channel and
# waits for every worker, also one still serving a client; with no worker left it exits 1.
# A file of its own so that, with --jobs 2, the lab's three files keep both cores busy.
# shellcheck disable=SC2034  # read by Bats
BATS_TEST_TIMEOUT=90

bats_load_library sockets-harness
load master_helpers

# points: 1
@test "SIGTERM stops the master and all its workers" {
    needs "a client's line is answered by a worker process, not by the master" "each worker keeps only its own end of its own channel" \
        "the master keeps only its own end of each worker's channel"
    start_master 2
    local before w mp
    before=$(workers)
    mp=$(master_pid)
    kill -TERM "$mp"
    expect_clean_exit "sent while it was idle in ppoll()" "after SIGTERM" \
        "a stop request is the normal end: run_master() returns 0 once stop_requested is set (ppoll() failing with EINTR is how it wakes up, not an error)" || return 1
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
    expect_clean_exit "sent while worker pid $busy was busy with a client, which has since gone" \
        "after SIGTERM and its busy worker's client leaving" \
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
