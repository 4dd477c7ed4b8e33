#!/usr/bin/env bats
# Lab 08: the fork-per-client echo server. Its children are watched from outside, in /proc:
# how many run, which are zombies, which sockets each holds, where the parent waits.
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# A client of a working server is done at once: a hang shows in 5 s.
STUDENT_TIMEOUT=5

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/servers_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# points: 2
@test "the fork server echoes a client's bytes back" {
    start_server forkserver
    head -c 100000 /dev/urandom >"$BATS_TEST_TMPDIR/sent"
    run peer scripted -O "$BATS_TEST_TMPDIR/got" "127.0.0.1:$PORT" \
        "sendfile:$BATS_TEST_TMPDIR/sent" recv:100000 close
    cmp -s "$BATS_TEST_TMPDIR/sent" "$BATS_TEST_TMPDIR/got" && return 0
    expect_alive "a client sent 100000 bytes" || return 1
    diagnose "the test's client sent 100000 random bytes and got $(stat -c %s "$BATS_TEST_TMPDIR/got" 2>/dev/null || echo 0) back (status $status; 124: still waiting after ${STUDENT_TIMEOUT}s)" \
        "the child echoes: read() what has arrived, writen() exactly those bytes back, until read() returns 0"
}

# points: 2
@test "the fork server serves 20 clients at the same time" {
    needs "the fork server echoes a client's bytes back"
    start_server forkserver
    run_load twenty -n 20 -w 20
    [[ $status -eq 0 ]] && return 0
    expect_alive "20 clients connected at once" || return 1
    diagnose "20 clients connected at once and each sent a message while all stayed connected; the test's loadpeer saw: $(load_story twenty)" \
        "the parent must not serve a client itself: fork() a child per accepted connection, let the child echo, and go straight back to accept()"
}

# points: 2
@test "a client sees EOF when its child is done, and the parent keeps no client socket" {
    needs "the fork server echoes a client's bytes back"
    start_server forkserver
    local pid i out
    pid=$(program_pid server)
    for i in 1 2 3; do
        run peer scripted "127.0.0.1:$PORT" sendtext:hello shut:wr recvall
        out=${output//$'\n'/, }
        if [[ $status -ne 0 || "$output" != *eof* ]]; then
            expect_alive "client $i half-closed" || return 1
            diagnose "client $i sent 'hello' and shut down its side; it got (${out}) and no EOF within ${STUDENT_TIMEOUT}s; the parent then held $(($(socket_count "$pid") - 1)) socket(s) besides its listener: $(tcp_sockets_of "$pid" | awk '$2 != "LISTEN"' | tr '\n' ' ')" \
                "a connection ends only when every process holding it has closed it: the parent must close() its copy of the connected socket right after fork(), or the client never sees EOF (and the parent runs out of descriptors)"
            return 1
        fi
    done
    wait_until 2 h_has_sockets "$pid" 1 && return 0
    diagnose "after 3 clients came and went, the parent holds $(socket_count "$pid") sockets: $(tcp_sockets_of "$pid" | tr '\n' ' ')" \
        "the parent only accepts: close() the connected socket in the parent right after fork()"
}

# points: 2
@test "each child closes the listening socket" {
    needs "the fork server serves 20 clients at the same time"
    start_server forkserver
    spawn_load held -n 1 || fail "test set-up: the loadpeer did not connect: $(load_story held)"
    local pid kid socks
    pid=$(program_pid server)
    wait_until 3 live_children_are "$pid" 1 || true
    kid=$(children_of "$pid" | head -n 1)
    [[ -n "$kid" ]] || diagnose "a client is connected, but your server has no child process" \
        "fork() a child for each accepted connection"
    socks=$(tcp_sockets_of "$kid")
    if grep -q LISTEN <<<"$socks"; then
        diagnose "the child serving a client holds these sockets: $(tr '\n' ' ' <<<"$socks")(descriptor, state, port): the listening socket on port $PORT among them" \
            "the child serves only its own client: close() the listening socket in the child right after fork(); a child that keeps it keeps the port busy after the parent is gone and can accept() clients itself"
    fi
}

# points: 2
@test "each child exits when its client is done" {
    needs "the fork server echoes a client's bytes back"
    start_server forkserver
    local pid kid
    pid=$(program_pid server)
    run peer scripted "127.0.0.1:$PORT" sendtext:hi recv:2 close
    [[ $status -eq 0 ]] || fail "test set-up: the client was not served (status $status): $output"
    wait_until 3 live_children_are "$pid" 0 && return 0
    kid=$(children_of "$pid" | head -n 1)
    diagnose "the only client has left, yet 3 s later your server still has $H_LIVE child process(es) running (pid $(ns_pid "$kid"), waiting in the kernel (wchan) at '$(wchan_of "$kid")', holding: $(tcp_sockets_of "$kid" | tr '\n' ' '))" \
        "the child must exit() (or _exit()) once its client is done: a child that returns from the serving code runs on into the parent's accept loop and becomes a second server"
}

# points: 3
@test "the server keeps accepting after a child exits while another client is connected" {
    needs "each child exits when its client is done"
    start_server forkserver
    spawn_load held -n 1 || fail "test set-up: the loadpeer did not connect: $(load_story held)"
    local pid
    pid=$(program_pid server)
    run peer scripted "127.0.0.1:$PORT" sendtext:one recv:3 close
    [[ $status -eq 0 ]] || { expect_alive "a second client came and went" || return 1; }
    # Its child has exited (SIGCHLD) while the parent waited in accept(); one child still runs.
    wait_until 3 live_children_are "$pid" 1 || true
    run peer scripted "127.0.0.1:$PORT" sendtext:two recv:3 close
    [[ $status -eq 0 ]] && return 0
    if ! is_running server; then
        wait_for_exit server 1
        diagnose "a client came and went (its child exited, so the parent got SIGCHLD), then your server exited with status $status; $(h_tail_err server)" \
            "SIGCHLD interrupts accept(): it fails with EINTR (the handler has no SA_RESTART). That is not an error: if the stop flag is not set, call accept() again"
        return 1
    fi
    if [[ $(wchan_of "$pid") == *wait* ]]; then
        diagnose "while client 1 stayed connected, client 2 came and went; then client 3 got no echo within ${STUDENT_TIMEOUT}s: the parent is blocked inside the kernel's wait ('$(wchan_of "$pid")')" \
            "the SIGCHLD handler waits for a child that is still running (client 1's): wait(), or waitpid() without WNOHANG, blocks there. Reap with waitpid(-1, NULL, WNOHANG) in a loop, which returns 0 as soon as no exited child is left"
        return 1
    fi
    diagnose "while client 1 stayed connected, client 2 came and went; then client 3 got no echo within ${STUDENT_TIMEOUT}s (the parent waits in the kernel (wchan) at '$(wchan_of "$pid")')" \
        "after a child exits the parent must go back to accept(): EINTR from accept() means try again, and the SIGCHLD handler must never block"
}

# points: 3
@test "no child is left a zombie after 200 clients leave at once" {
    needs "each child exits when its client is done"
    start_server forkserver
    # 200 children; 30 when every program runs under Valgrind (the course's own Valgrind pass),
    # where each child is a Valgrind process: the signals merge all the same.
    local n=200
    [[ "${HARNESS_VALGRIND:-0}" != 1 ]] || n=30
    spawn_load crowd -n "$n" || {
        expect_alive "$n clients connected" || return 1
        diagnose "$n clients connected, one after another, each staying; the test's loadpeer saw: $(load_story crowd)" \
            "fork() a child per client and go back to accept() at once"
        return 1
    }
    local pid
    pid=$(program_pid server)
    count_children "$pid"
    local before=$((H_LIVE + H_ZOMBIES))
    # The parent is stopped while its children exit: their SIGCHLDs merge into one pending
    # signal, as they do under any burst of exits, which a handler that reaps one child per
    # signal cannot keep up with. Then it goes on.
    kill -STOP "$pid"
    stop crowd || true
    wait_until 10 live_children_are "$pid" 0 || true
    kill -CONT "$pid"
    wait_until 3 no_children "$pid" && return 0
    expect_alive "$n clients left at once" || return 1
    if [[ $H_ZOMBIES -gt 0 ]]; then
        if [[ $H_ZOMBIES -ge $before && $before -gt 0 ]]; then
            diagnose "$before children served $n clients; all their clients left at once, while the test held your server with SIGSTOP (as a burst of exits does); 3 s later all $H_ZOMBIES children are still zombies (exited, never reaped by the parent)" \
                "the parent must reap its children: a SIGCHLD handler that calls waitpid(-1, NULL, WNOHANG) in a loop (or SIGCHLD set to SIG_IGN); a zombie holds a process slot until its parent waits for it"
        else
            diagnose "$before children served $n clients; all their clients left at once, while the test held your server with SIGSTOP (as a burst of exits does); 3 s later $H_ZOMBIES children are still zombies: some were reaped, not all" \
                "signals do not queue: one SIGCHLD may stand for many exited children. The handler must loop, while (waitpid(-1, NULL, WNOHANG) > 0), not reap one child per signal"
        fi
        return 1
    fi
    diagnose "all $n clients left; 3 s later your server still has $H_LIVE child process(es) running" \
        "each child must exit once its client has sent EOF (read() returned 0)"
}

# points: 2
@test "under Valgrind the fork server and its children leak no descriptor and no memory" {
    needs "a client sees EOF when its child is done, and the parent keeps no client socket"
    with_valgrind
    start_server forkserver
    local i pid
    for i in 1 2 3; do
        run peer scripted "127.0.0.1:$PORT" sendtext:hello shut:wr recvall
    done
    pid=$(program_pid server)
    wait_until 5 no_children "$pid" || true
    stop server
    valgrind_verdict "3 clients and SIGTERM" \
        "every process closes what it does not need: the child the listening socket (at once) and its connection (when done), the parent each connected socket (right after fork()) and the listening socket at the end" \
        "free what you allocate, in the child before it exits too"
}
