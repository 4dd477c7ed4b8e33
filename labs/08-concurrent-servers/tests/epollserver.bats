#!/usr/bin/env bats
# Lab 08: the edge-triggered epoll echo server, driven by the test's loadpeer: a thousand
# clients at once, bursts, a client that reads late, one that never reads, idle ones.
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# A client of a working server is done at once: a hang shows in 10 s.
STUDENT_TIMEOUT=10

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/servers_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# points: 2
@test "the epoll server echoes a client's bytes back" {
    start_server epollserver
    head -c 100000 /dev/urandom >"$BATS_TEST_TMPDIR/sent"
    run peer scripted -O "$BATS_TEST_TMPDIR/got" "127.0.0.1:$PORT" \
        "sendfile:$BATS_TEST_TMPDIR/sent" recv:100000 close
    cmp -s "$BATS_TEST_TMPDIR/sent" "$BATS_TEST_TMPDIR/got" && return 0
    expect_alive "a client sent 100000 bytes" || return 1
    diagnose "the test's client sent 100000 random bytes and got $(stat -c %s "$BATS_TEST_TMPDIR/got" 2>/dev/null || echo 0) back (status $status; 124: still waiting after ${STUDENT_TIMEOUT}s)" \
        "accept the client, add it to the epoll set, and on each event read what has arrived and queue exactly those bytes to be written back"
}

# points: 3
@test "the epoll server serves over a thousand clients at the same time" {
    needs "the epoll server echoes a client's bytes back"
    start_server epollserver
    local n lost
    n=$(clients_limit)
    run_load thousand -n "$n" -r 2
    [[ $status -eq 0 ]] && return 0
    expect_alive "$n clients connected at once" || return 1
    lost=$(first_lost thousand)
    if [[ -n "$lost" && "$lost" -ge 1000 ]]; then
        diagnose "$n clients connected one after another and all stayed; your server served the first ones, then lost client $lost and others after it (its descriptors were past 1020 by then); the test's loadpeer saw: $(load_story thousand)" \
            "select() can watch only descriptors below FD_SETSIZE (1024): a client whose descriptor is 1024 or more cannot be put in an fd_set (FD_SET() past it corrupts memory). Use epoll, which has no such limit, and raise the soft RLIMIT_NOFILE (raise_fd_limit())"
        return 1
    fi
    diagnose "$n clients connected one after another and stayed connected, each sending a message and then 2 more all at the same time; the test's loadpeer saw: $(load_story thousand)" \
        "every client needs its own connection state: accept until EAGAIN on each listener event, register each client with epoll, and serve whichever are ready; nothing may block on one client"
}

# points: 3
@test "the epoll server echoes a 1 MiB burst whole, reading until EAGAIN" {
    needs "the epoll server echoes a client's bytes back"
    start_server epollserver
    local pid
    pid=$(program_pid server)
    # The server is stopped while the burst arrives, so that its socket holds far more than one
    # read() when it runs again: one edge-triggered event for all of it.
    kill -STOP "$pid"
    spawn_peer burst loadpeer -o "$(load_log burst)" -t 3 -n 1 -s 1048576 "127.0.0.1:$PORT"
    wait_until 5 h_queued_at_server || true
    kill -CONT "$pid"
    wait_for_exit burst 10
    [[ $status -eq 0 ]] && return 0
    expect_alive "a 1 MiB burst" || return 1
    local queued
    queued=$(h_server_recvq)
    if [[ -n "$queued" && "$queued" -gt 0 ]]; then
        diagnose "a client sent 1 MiB in one burst while the test held your server with SIGSTOP (much more than one read()); the echo stopped short and $queued bytes stay unread in your server's socket (its Recv-Q); the test's loadpeer saw: $(load_story burst)" \
            "with EPOLLET an event comes only when new data arrives, not while data is waiting: on each event read() until it fails with EAGAIN, or what is left is never read"
        return 1
    fi
    diagnose "a client sent 1 MiB in one burst; the echo stopped short; the test's loadpeer saw: $(load_story burst)" \
        "read until EAGAIN on each event, queue every byte read, and write the queue out as the socket takes it (EPOLLOUT)"
}

# points: 3
@test "a client that sends 6 MiB before reading any gets every byte back" {
    needs "the epoll server echoes a client's bytes back"
    start_server epollserver
    run_load late -n 1 -W -s 6291456
    [[ $status -eq 0 ]] && return 0
    expect_alive "a client sent 6 MiB before reading" || return 1
    diagnose "a client sent 6 MiB before reading any of its echo, then read; the test's loadpeer saw: $(load_story late)" \
        "a non-blocking write() may take only part of what you give it, or fail with EAGAIN when the client's window is full: keep the rest in the connection's output buffer and write it when EPOLLOUT comes; never drop it"
}

# points: 3
@test "idle clients and a client that never reads do not hold up the others" {
    needs "the epoll server serves over a thousand clients at the same time"
    start_server epollserver
    run_load crowd -i 5 -X 16777216 -n 20 -r 20
    [[ $status -eq 0 ]] && return 0
    expect_alive "idle clients and a client that never reads" || return 1
    local pid
    pid=$(program_pid server)
    diagnose "5 clients connected and said nothing, 1 client sent 16 MiB and never read; meanwhile 20 other clients each sent 20 messages; the test's loadpeer saw: $(load_story crowd) (your server waits in the kernel (wchan) at '$(wchan_of "$pid")')" \
        "nothing may block: every socket non-blocking, read only what is there (EAGAIN: move on), queue output per client and write it as EPOLLOUT allows, so a client that never reads fills only its own queue"
}

# points: 2
@test "a client that half-closes gets the rest of its echo, then EOF" {
    needs "the epoll server echoes a client's bytes back"
    start_server epollserver
    # 6 MiB sent before reading, then FIN: much of its echo is still queued at the server when
    # the FIN comes.
    run_load half -n 1 -W -h -r 0 -s 6291456
    [[ $status -eq 0 ]] && return 0
    expect_alive "a client half-closed" || return 1
    local log
    log=$(load_log half)
    if grep -q '^stuck 1 waiting sent 6291456 got 6291456 ' "$log"; then
        diagnose "a client sent 6 MiB, shut down its side (FIN) and read: it got its whole echo, but no EOF within 3 s" \
            "read() returning 0 means the client will send no more, not that it will read no more: send what is queued for it, then close() the connection"
    elif grep -q '^eof 1 sent ' "$log"; then
        diagnose "a client sent 6 MiB, shut down its side (FIN) and read; the test's loadpeer saw: $(load_story half): EOF came before the whole echo" \
            "at read() 0, do not close at once: what is still queued for the client must go out first (on the next EPOLLOUT events), then close()"
    else
        diagnose "a client sent 6 MiB, shut down its side (FIN) and read; the test's loadpeer saw: $(load_story half)" \
            "at read() 0, send what is still queued for the client, then close()"
    fi
}

# points: 2
@test "under Valgrind the epoll server leaks no descriptor and no memory" {
    needs "the epoll server echoes a client's bytes back"
    with_valgrind
    start_server epollserver
    run_load some -n 20 -r 2
    run peer scripted "127.0.0.1:$PORT" sendtext:goodbye shut:wr recvall
    spawn_load held -n 3 -s 100000 || true
    stop server
    valgrind_verdict "20 clients, a half-close and 3 clients still connected at SIGTERM" \
        "close every client's socket when it leaves, and at SIGTERM every one still connected, the epoll descriptor and the listener" \
        "free each connection's state and output buffer when it closes, and at SIGTERM those of every client still connected"
}

# h_server_recvq - print the bytes waiting unread in the server's client sockets (ss Recv-Q,
# summed over the ESTAB sockets on $PORT's local side).
h_server_recvq() {
    h_ss -H -t -n state established "( sport = :$PORT )" | awk '{ s += $1 } END { print s + 0 }'
}

# h_queued_at_server - true once more than 64 KiB wait unread at the server.
h_queued_at_server() {
    [[ $(h_server_recvq) -gt 65536 ]]
}
