#!/usr/bin/env bats
# Lab 02: the echo server, tested with the course's C peers, socat and OpenBSD nc as clients.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats
BATS_TEST_TIMEOUT=90

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/echo_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# start_server [NAME [PORT]] - start the student's server on PORT ($PORT) as NAME (server) and
# wait until it listens.
start_server() {
    spawn_student "${1:-server}" server "${2:-$PORT}"
    wait_for_port "${2:-$PORT}" "${1:-server}"
}

# expect_server_alive NAME WHAT [CAUSE] - after a client failed: diagnose if server NAME has
# exited, or exits within 1 s (an exit may be under way). WHAT says what the server had just been
# through; CAUSE is "eof" (default: the client ended normally) or "error" (it reset or left).
expect_server_alive() {
    wait_for_exit "$1" 1
    [[ $status -eq 124 ]] && return 0
    if [[ $status -eq 141 ]]; then
        diagnose "the server was killed by SIGPIPE (exit status 141) after $2" \
            "write() to a client that has gone raises SIGPIPE, whose default action kills the whole server: ignore SIGPIPE (sigaction SIG_IGN, before serving) or send with MSG_NOSIGNAL, so that write() fails with EPIPE and only that connection ends"
    elif [[ $status -eq 0 ]]; then
        diagnose "the server exited with status 0 after $2" \
            "the server must go back to accept() for the next client after closing a connection: only SIGTERM or SIGINT end it"
    elif [[ "${3:-eof}" == error ]]; then
        diagnose "the server exited with status $status after $2; $(h_tail_err "$1")" \
            "an error on one connection (ECONNRESET, EPIPE) ends that connection only: report it with warn(), close it and accept() the next client; never exit() or err() there"
    else
        diagnose "the server exited with status $status after $2; $(h_tail_err "$1")" \
            "one client's end must never end the server: read() returning 0 is EOF, the normal end of a connection, not an error: close that connection and accept() the next client"
    fi
    return 1
}

# expect_stopped_by_sigterm NAME WHEN - after `stop NAME`: diagnose unless it exited with status 0.
expect_stopped_by_sigterm() {
    case $status in
    0) return 0 ;;
    124)
        diagnose "the server was still running $STOP_GRACE s after SIGTERM ($2)" \
            "the provided handler only sets the stop flag; the blocked accept() or read() then returns -1 with errno EINTR. Check the stop flag there and return, instead of retrying forever" ;;
    143)
        diagnose "the server was killed by SIGTERM ($2): exit status 143" \
            "install_signal_handlers() must run before the server starts accepting, so that SIGTERM sets the stop flag instead of killing the process" ;;
    *)
        diagnose "the server exited with status $status after SIGTERM ($2); $(h_tail_err "$1")" \
            "EINTR from accept() or read() is not an error: it means a signal arrived. Check the stop flag, close the listening socket and exit with status 0" ;;
    esac
    return 1
}

# time_wait_on_port PORT - true if a connection on local port PORT is in TIME-WAIT; sets tw
# to what ss says about it.
time_wait_on_port() {
    tw=$(in_netns ss -Htan state time-wait "( sport = :$1 )")
    [[ -n "$tw" ]]
}

# sockets_held NAME - set held to the socket descriptors NAME's program holds (from
# /proc/PID/fd, "N -> socket:[INODE]" joined by spaces) and n to how many there are.
sockets_held() {
    local fds
    fds=$(fds_of "$1" | grep 'socket:\[' || true)
    n=$(grep -c . <<<"$fds" || true)
    held=$(tr '\n' ' ' <<<"$fds")
}

# only_listener_held NAME - true once NAME holds one socket (its listener); sets n and held.
only_listener_held() {
    sockets_held "$1"
    [[ $n -le 1 ]]
}

# points: 1
@test "the server listens on the port given on its command line" {
    start_server
}

# points: 2
@test "the server echoes a short message back to a scripted client" {
    needs "the server listens on the port given on its command line"
    start_server
    printf 'hello' >"$BATS_TEST_TMPDIR/sent"
    talk hello sendtext:hello recv:5 close
    expect_talk_echo hello "$BATS_TEST_TMPDIR/sent" \
        "the echo loop must write back exactly the bytes each read() returned (its count, not the buffer size)"
}

# points: 1
@test "the server listens on every local address, not only 127.0.0.1" {
    needs "the server listens on the port given on its command line"
    start_server
    local addr
    addr=$(in_netns ss -Htln "( sport = :$PORT )" | awk '{ print $4 }' | head -n 1)
    case $addr in
    0.0.0.0:* | "*:"* | "[::]:"*) return 0 ;;
    esac
    diagnose "the server's listening socket is bound to $addr, so only connections to that one address reach it" \
        "bind() the listening socket to INADDR_ANY (addr.sin_addr.s_addr = htonl(INADDR_ANY)): every local address at the port, as the handout asks"
}

# points: 2
@test "the server echoes a message that arrives in several pieces" {
    needs "the server echoes a short message back to a scripted client"
    start_server
    local text="the quick brown fox jumps over the lazy dog"
    printf '%s' "$text" >"$BATS_TEST_TMPDIR/sent"
    talk pieces chunk:4 delay:20 "sendtext:$text" shut:wr recvall
    expect_talk_echo pieces "$BATS_TEST_TMPDIR/sent" \
        "the client sent ${#text} bytes in writes of 4, 20 ms apart, so one read() returns only the first piece: keep reading and echoing until read() returns 0 (the client closed), not just once"
}

# points: 2
@test "the server echoes 1 MiB from socat back unchanged" {
    needs "the server echoes a short message back to a scripted client"
    start_server
    head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/big"
    in_netns socat -t 30 - "TCP:127.0.0.1:$PORT" <"$BATS_TEST_TMPDIR/big" >"$BATS_TEST_TMPDIR/got" \
        2>"$BATS_TEST_TMPDIR/socat.err" || true
    expect_file_echo "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/got" \
        "socat sent 1 MiB of random bytes and half-closed (socat stderr: $(one_line "$BATS_TEST_TMPDIR/socat.err" 1))" \
        "1 MiB takes many reads: echo each read's n bytes in full (loop over write() until all n are out) and keep reading until read() returns 0"
}

# points: 1
@test "the server echoes a line from OpenBSD nc" {
    needs "the server echoes a short message back to a scripted client"
    start_server
    run --separate-stderr -- in_netns nc -N 127.0.0.1 "$PORT" <<<"hello from nc"
    if [[ $status -eq 124 ]]; then
        diagnose "nc sent 'hello from nc' and half-closed (-N), and was still waiting ${STUDENT_TIMEOUT}s later; it got: '$(brief "$output")'" \
            "when read() returns 0 the client has closed its side: close() the connection so that the client sees EOF"
    fi
    [[ "$output" == "hello from nc" ]] || diagnose "nc sent 'hello from nc\\n' (14 bytes) and got back '$(brief "$output")' (nc status $status, stderr: '$(brief "$stderr")')" \
        "write back exactly the n bytes read() returned, until read() returns 0"
}

# points: 3
@test "the server serves twelve clients one after another" {
    needs "the server echoes a short message back to a scripted client"
    start_server
    local i
    for ((i = 1; i <= 12; i++)); do
        printf 'message from client %d\n' "$i" >"$BATS_TEST_TMPDIR/sent$i"
        talk "client$i" "sendfile:$BATS_TEST_TMPDIR/sent$i" shut:wr recvall
        if [[ $status -ne 0 ]] || ! cmp -s "$BATS_TEST_TMPDIR/sent$i" "$BATS_TEST_TMPDIR/client$i.bin"; then
            if [[ $i -gt 1 ]]; then
                expect_server_alive server "client $((i - 1)) of 12 closed its connection (client $i then got: $(one_line "$BATS_TEST_TMPDIR/client$i.log" 2))" || return 1
            else
                expect_server_alive server "client 1 of 12 sent its message and half-closed" || return 1
            fi
            expect_talk_echo "client$i" "$BATS_TEST_TMPDIR/sent$i" \
                "client $i of 12 was not echoed although the server is running: after closing a connection, accept() the next one and echo it the same way"
            return 1
        fi
    done
}

# points: 1
@test "the server serves the next client after one that half-closed" {
    needs "the server echoes a short message back to a scripted client"
    start_server
    printf 'first' >"$BATS_TEST_TMPDIR/sent1"
    printf 'second' >"$BATS_TEST_TMPDIR/sent2"
    talk first sendtext:first shut:wr recvall
    expect_talk_echo first "$BATS_TEST_TMPDIR/sent1" \
        "the client half-closed right after sending: read() returns its 5 bytes, then 0 (EOF). Echo the bytes, then close"
    talk second sendtext:second shut:wr recvall
    if [[ $status -ne 0 ]] || ! cmp -s "$BATS_TEST_TMPDIR/sent2" "$BATS_TEST_TMPDIR/second.bin"; then
        expect_server_alive server "a client half-closed (shutdown SHUT_WR) and then closed" || return 1
    fi
    expect_talk_echo second "$BATS_TEST_TMPDIR/sent2" \
        "after one client's EOF, close that connection and accept() the next client"
}

# points: 2
@test "the server survives a client that resets the connection" {
    needs "the server echoes a short message back to a scripted client"
    start_server
    head -c 32768 /dev/urandom >"$BATS_TEST_TMPDIR/burst"
    talk resetter "sendfile:$BATS_TEST_TMPDIR/burst" rst
    printf 'still there?' >"$BATS_TEST_TMPDIR/sent"
    talk after "sendtext:still there?" shut:wr recvall
    if [[ $status -ne 0 ]] || ! cmp -s "$BATS_TEST_TMPDIR/sent" "$BATS_TEST_TMPDIR/after.bin"; then
        expect_server_alive server "a client sent 32768 bytes and reset the connection (RST) while they were being echoed: read() or write() failed with ECONNRESET" error || return 1
    fi
    expect_talk_echo after "$BATS_TEST_TMPDIR/sent" \
        "a read() or write() failing with ECONNRESET or EPIPE ends that one connection: report it, close it, and accept the next client"
}

# points: 2
@test "the server survives a client that leaves without reading its echo" {
    needs "the server echoes a short message back to a scripted client"
    # The client sends 64 KiB, half-closes and resets while the test holds the server with
    # SIGSTOP: when the server goes on, its kernel has all the data, the FIN and then the RST,
    # so its first write() of an echo fails with EPIPE (and raises SIGPIPE), however loaded the
    # machine. Its reads and writes are cut to 1 KiB at most (the short-I/O injector), so it
    # still has bytes to echo after that write.
    local pid
    with_shortio 1 1024
    start_server
    head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/burst"
    pid=$(program_pid server)
    kill -STOP "$pid"
    talk leaver "sendfile:$BATS_TEST_TMPDIR/burst" shut:wr rst
    kill -CONT "$pid"
    printf 'still there?' >"$BATS_TEST_TMPDIR/sent"
    talk after "sendtext:still there?" shut:wr recvall
    if [[ $status -ne 0 ]] || ! cmp -s "$BATS_TEST_TMPDIR/sent" "$BATS_TEST_TMPDIR/after.bin"; then
        expect_server_alive server "a client sent 64 KiB, half-closed and left without reading its echo: the server's write() failed with EPIPE" error || return 1
    fi
    expect_talk_echo after "$BATS_TEST_TMPDIR/sent" \
        "a write() failing with EPIPE ends that one connection: report it, close it, and accept the next client"
}

# points: 2
@test "the server closes each client's connection when it is done with it" {
    needs "the server echoes a short message back to a scripted client"
    start_server
    local i n=0 held=""
    for i in 1 2 3; do
        talk "client$i" sendtext:hi shut:wr recvall
    done
    # Each client has seen the server end its connection; the server is back in accept().
    wait_until 2 only_listener_held server && return 0
    diagnose "after 3 clients were echoed and saw their connections end, the server still holds $n sockets (its listener is one): ${held}" \
        "one descriptor per client is never closed: the accepted socket. close(conn) once the echo loop ends (shutdown() ends the connection but does not release the descriptor), or the server runs out of descriptors after about 1000 clients"
}

# points: 3
@test "the server can be restarted at once while its last connection is in TIME-WAIT" {
    needs "the server echoes a short message back to a scripted client"
    start_server
    local log="$BATS_TEST_TMPDIR/client.log" tw=""
    spawn_peer client scripted -o "$log" "127.0.0.1:$PORT" sendtext:hi recv:2 recvall
    if ! wait_for_file_content "$log" '^recv 2'; then
        diagnose "a client sent 'hi' and got no echo within 5 s; client log: $(one_line "$log")" \
            "accept() the client, read() what it sent and write() it back"
        return 1
    fi
    # The server closes first (SIGTERM while the client is connected), so its side of the
    # connection, on port $PORT, goes to TIME-WAIT once the client has closed too.
    stop server
    [[ $status -eq 124 ]] && stop server KILL
    wait_for_exit client
    if ! wait_until 2 time_wait_on_port "$PORT"; then
        fail "test set-up: no TIME-WAIT connection on port $PORT after the server closed first (client log: $(one_line "$log"))"
        return 1
    fi
    spawn_student server2 server "$PORT"
    if ! wait_for_port "$PORT" server2 2>/dev/null; then
        diagnose "the server was restarted on port $PORT while its previous connection was in TIME-WAIT (ss: $(echo "$tw" | head -n 1 | tr -s ' ')), and did not listen; $(h_tail_err server2)" \
            "bind() fails with EADDRINUSE ('Address already in use') while a TIME-WAIT connection holds the port, unless SO_REUSEADDR is set on the listening socket before bind(): int one = 1; setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))"
        return 1
    fi
}

# points: 1
@test "SIGTERM makes the idle server exit with status 0" {
    needs "the server listens on the port given on its command line"
    start_server
    stop server
    expect_stopped_by_sigterm server "sent while it was waiting in accept()"
}

# points: 1
@test "SIGTERM stops the server while a client is connected" {
    needs "the server echoes a short message back to a scripted client"
    start_server
    local log="$BATS_TEST_TMPDIR/client.log"
    spawn_peer client scripted -o "$log" "127.0.0.1:$PORT" sendtext:hi recv:2 recvall
    if ! wait_for_file_content "$log" '^recv 2'; then
        diagnose "a client sent 'hi' and got no echo within 5 s; client log: $(one_line "$log")" \
            "accept() the client, read() what it sent and write() it back"
        return 1
    fi
    stop server
    expect_stopped_by_sigterm server "sent while it was waiting in read() for a connected client"
}

# points: 1
@test "the server reports a port that is already in use and exits non-zero" {
    needs "the server listens on the port given on its command line"
    spawn_peer holder recorder -o "$BATS_TEST_TMPDIR/holder.log" "$PORT"
    wait_for_port "$PORT" holder
    run --separate-stderr student server "$PORT"
    if [[ $status -eq 124 ]]; then
        diagnose "another program listens on port $PORT, yet the server was still running ${STUDENT_TIMEOUT}s later" \
            "bind() fails with EADDRINUSE here: check its return value, report the error and exit non-zero"
        return 1
    fi
    [[ $status -ne 0 ]] || diagnose "another program listens on port $PORT, and the server exited with status 0" \
        "when bind() fails, exit with a non-zero status"
    [[ "$stderr" == *"Address already in use"* ]] || diagnose "another program listens on port $PORT; the server exited with status $status and said: '$(brief "$stderr")'" \
        "report the failing call and strerror(errno), e.g. warn(\"bind port %d\", port) prints 'server: bind port $PORT: Address already in use'"
}

# points: 1
@test "the server rejects a port that is not a number from 1 to 65535" {
    local STUDENT_TIMEOUT=3 # a right answer comes at once; a hang shows in 3 s
    local bad
    for bad in abc 0 70000 8080x; do
        run --separate-stderr student server "$bad"
        [[ $status -ne 0 && $status -ne 124 ]] || diagnose "'server $bad' exited with status $status (124: still running after ${STUDENT_TIMEOUT}s)" \
            "parse the port with strtol(), check the end pointer and the range 1-65535, and exit non-zero on a bad one"
        [[ "$stderr" == *"$bad"* ]] || diagnose "'server $bad' exited with status $status and said: '$(brief "$stderr")'" \
            "name the bad argument in the message, e.g. \"invalid port '$bad'\""
    done
    run --separate-stderr student server
    [[ $status -eq 2 ]] || diagnose "'server' with no argument exited with status $status and said: '$(brief "$stderr")'" \
        "print the usage ('usage: server <port>') and exit with status 2"
}

# points: 2
@test "the server echoes every byte when its reads and writes come out short" {
    needs "the server echoes a short message back to a scripted client"
    # 16 KiB: at 1 to 7 bytes a call, some 4,600 cut reads and as many writes for each seed.
    head -c 16384 /dev/urandom >"$BATS_TEST_TMPDIR/big"
    local seed port n=0
    for seed in 7 19 42; do
        port=$(port_for $((8080 + n)))
        n=$((n + 1))
        with_shortio "$seed" 7
        start_server "server-$seed" "$port"
        in_netns socat -t 30 - "TCP:127.0.0.1:$port" <"$BATS_TEST_TMPDIR/big" >"$BATS_TEST_TMPDIR/got$seed" \
            2>/dev/null || true
        expect_file_echo "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/got$seed" \
            "with the short-I/O injector on the server (SHORTIO_SEED=$seed SHORTIO_MAX=7: every read() and write() on a socket moves only 1 to 7 bytes)" \
            "write() may send fewer bytes than asked and returns how many it sent: loop until all n bytes are out (a writen helper) and use it for every echo" || return 1
    done
}

# points: 1
@test "the server echoes every byte when reads and writes fail with EINTR" {
    needs "the server echoes a short message back to a scripted client"
    head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/big"
    with_shortio 5 4096 20
    start_server
    in_netns socat -t 30 - "TCP:127.0.0.1:$PORT" <"$BATS_TEST_TMPDIR/big" >"$BATS_TEST_TMPDIR/got" \
        2>/dev/null || true
    if ! cmp -s "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/got"; then
        expect_server_alive server "its read() and write() calls failed with EINTR" || return 1
    fi
    expect_file_echo "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/got" \
        "with the injector making 20% of the server's read() and write() calls fail with EINTR (SHORTIO_SEED=5 SHORTIO_EINTR=20)" \
        "EINTR means a signal interrupted the call before it moved any byte: it is not an error; retry the call (in the echo loop, check the stop flag first)"
}

# points: 2
@test "under Valgrind the server leaks no descriptor and no memory over clients, a reset and SIGTERM" {
    needs "the server echoes a short message back to a scripted client"
    with_valgrind
    start_server
    head -c 32768 /dev/urandom >"$BATS_TEST_TMPDIR/burst"
    talk one sendtext:one shut:wr recvall
    talk resetter "sendfile:$BATS_TEST_TMPDIR/burst" rst
    talk two sendtext:two shut:wr recvall
    talk three sendtext:three shut:wr recvall
    stop server
    expect_stopped_by_sigterm server "under Valgrind, idle in accept() after 4 clients" || return 1
    local report open accepted listener lost
    report=$(valgrind_report server)
    [[ -n "$report" ]] || return 0
    open=$(grep -c 'left open' <<<"$report" || true)
    accepted=$(grep -c 'left open.*<-> 127\.' <<<"$report" || true)
    lost=$(grep -c 'definitely lost\|indirectly lost' <<<"$report" || true)
    [[ $open -ge 2 ]] && accepted=$open
    listener=$((open - accepted))
    if [[ $accepted -gt 0 ]]; then
        diagnose "Valgrind (--track-fds=yes): after 4 clients and SIGTERM, $open socket(s) were still open at exit, not counting stdin, stdout and stderr: $(brief "$report")" \
            "one descriptor per client is never closed: the accepted socket. close(conn) when its echo loop ends, on every path (EOF, error, stop)"
    elif [[ $listener -gt 0 ]]; then
        diagnose "Valgrind (--track-fds=yes): the listening socket was still open when the server exited after SIGTERM: $(brief "$report")" \
            "close the listening socket on every exit path, also after SIGTERM"
    elif [[ $lost -gt 0 ]]; then
        diagnose "Valgrind (memcheck) after 4 clients: memory was allocated and never freed: $(brief "$report")" \
            "memory allocated per client (a buffer) is never freed: free() it when the connection ends, or use a buffer on the stack"
    else
        diagnose "Valgrind reported: $(brief "$report")" \
            "fix the memory error it names (a read or write outside a buffer, or an uninitialised value)"
    fi
}

# points: 1
@test "the server closes its listening socket when bind fails" {
    needs "the server listens on the port given on its command line"
    spawn_peer holder recorder -o "$BATS_TEST_TMPDIR/holder.log" "$PORT"
    wait_for_port "$PORT" holder
    with_valgrind
    spawn_student server server "$PORT"
    wait_for_exit server 10
    if [[ $status -eq 124 ]]; then
        diagnose "another program listens on port $PORT, yet the server was still running 10 s later (under Valgrind)" \
            "bind() fails with EADDRINUSE here: check its return value, report the error and exit non-zero"
        return 1
    fi
    if [[ $status -eq 0 ]] || ! grep -q 'Address already in use' "$(err_of server)"; then
        diagnose "another program listens on port $PORT; the server exited with status $status and said: '$(one_line "$(err_of server)" 2)'" \
            "bind() fails with EADDRINUSE here: report it with strerror(errno) ('Address already in use'), close the socket and exit non-zero"
        return 1
    fi
    local open fd
    open=$(valgrind_report server | grep 'left open' || true)
    fd=$(sed -n 's/.*socket \([0-9]*\):.*/\1/p' <<<"$open" | head -n 1)
    [[ -z "$open" ]] || diagnose "Valgrind (--track-fds=yes) at exit: $open" \
        "the listening socket${fd:+ (fd $fd)} was still open when the server exited on the bind-failure path: close it on every exit path"
}

# points: 1
@test "the student's client and server work together" {
    needs "the server echoes a short message back to a scripted client" "the client sends a line and prints its echo"
    start_server
    printf 'one\ntwo\nthree\n' >"$BATS_TEST_TMPDIR/sent"
    run --separate-stderr student client 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/sent"
    [[ $status -eq 0 && "$output" == "$(cat "$BATS_TEST_TMPDIR/sent")" ]] || diagnose "the client, talking to the student's server, printed '$(brief "$output")' and exited with status $status (stderr: '$(brief "$stderr")')" \
        "the other tests of this lab test each program against a known-good peer: fix the ones that fail first"
}
