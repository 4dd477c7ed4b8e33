#!/usr/bin/env bats
# Lab 06: the UDP echo server, tested with the course's udppeer as its clients.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# A foreground run of the server (a bad argument, a port in use) answers at once: a hang shows
# in 5 s.
STUDENT_TIMEOUT=5

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/udp_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# expect_echo NAME SENT WHAT - after `udp_send NAME ...` of one datagram holding the bytes of
# file SENT: pass if exactly one reply came, from 127.0.0.1:$PORT, with those bytes; otherwise
# diagnose, WHAT describing the datagram.
expect_echo() {
    local name=$1 sent=$2 what=$3 sizes from n
    sizes=$(sizes_of "$name" reply)
    from=$(sources_of "$name")
    n=$(stat -c %s "$sent")
    if [[ -z "$sizes" ]]; then
        is_running server || {
            expect_server_alive server "$what" \
                "the server must serve datagram after datagram until SIGTERM: read the error it printed"
            return 1
        }
        diagnose "udppeer sent $what from $(bound_of "$name") to 127.0.0.1:$PORT; no reply came back to $(bound_of "$name") within $(quiet_ms) ms" \
            "reply with sendto() to the address recvfrom() filled in (the sender's address and port, with the length recvfrom() set), not to a fixed address or port; and check that sendto() is called with the count recvfrom() returned"
        return 1
    fi
    if [[ "$from" != "127.0.0.1:$PORT" ]]; then
        diagnose "udppeer sent $what to 127.0.0.1:$PORT; the reply came from $from" \
            "reply from the socket the datagram arrived on (the one bound to port $PORT): a client that connect()s to the server drops datagrams from any other address or port"
        return 1
    fi
    if [[ "$sizes" != "$n" ]] || ! reply_is "$name" 1 "$sent"; then
        diagnose "udppeer sent $what; your server sent back $(in_words "$sizes")$([[ "$sizes" == "$n" ]] && echo ", with other bytes")" \
            "sendto() exactly the bytes of the datagram: the buffer recvfrom() filled, with the count it returned (not the buffer's size, not strlen())"
        return 1
    fi
}

# points: 2
@test "the server echoes a datagram back to the port it came from" {
    start_server
    printf 'hello' >"$BATS_TEST_TMPDIR/sent"
    udp_send hello -- text:hello
    expect_echo hello "$BATS_TEST_TMPDIR/sent" "a 5-byte datagram 'hello'"
}

# points: 1
@test "the server echoes a datagram from socat" {
    needs "the server echoes a datagram back to the port it came from"
    start_server
    # socat waits this long after its input ends for the reply (which takes well under 1 ms).
    local wait=0.3
    [[ $H_SLOW -eq 1 ]] || wait=2
    run --separate-stderr -- in_netns socat -t "$wait" - "UDP:127.0.0.1:$PORT" <<<"hello from socat"
    [[ "$output" == "hello from socat" ]] || diagnose "socat sent 'hello from socat\n' (17 bytes) as one datagram from a port of its own and printed '$(brief "$output")' (socat status $status, stderr: '$(brief "$stderr")')" \
        "answer every client the same way: sendto() the bytes recvfrom() returned to the address it filled in"
}

# points: 2
@test "the server sends one reply per datagram, never merging or splitting them" {
    needs "the server echoes a datagram back to the port it came from"
    start_server
    local pid log sizes
    log=$(log_of burst)
    mkdir -p "$BATS_TEST_TMPDIR/burst.d"
    # The server is stopped while the three datagrams arrive, so all three wait in its socket's
    # queue when it reads again: a server that collects what is queued into one reply shows it.
    pid=$(program_pid server)
    kill -STOP "$pid"
    spawn_peer burst udppeer -o "$log" -O "$BATS_TEST_TMPDIR/burst.d" -w "$(quiet_ms)" \
        send "127.0.0.1:$PORT" text:aaaaa text:bbbbbbb text:ccccccccc
    if ! wait_for_file_content "$log" '^send 3 '; then
        kill -CONT "$pid"
        fail "test set-up: udppeer did not send its 3 datagrams: $(tr '\n' ' ' <"$log")"
        return 1
    fi
    kill -CONT "$pid"
    wait_for_exit burst 10
    sizes=$(sizes_of burst reply)
    [[ "$sizes" == "5 7 9" ]] && return 0
    local observed
    observed="3 datagrams of 5, 7 and 9 bytes ('aaaaa', 'bbbbbbb', 'ccccccccc') were waiting for your server; it replied with $(in_words "$sizes")"
    case $sizes in
    21 | "5 16" | "12 9")
        diagnose "$observed: it merged them" \
            "one recvfrom() returns one datagram, and each datagram gets its own reply: one recvfrom(), one sendto(), never several datagrams collected into one reply (UDP keeps the boundaries TCP does not)" ;;
    "")
        expect_server_alive server "3 datagrams" "serve datagram after datagram until SIGTERM" || return 1
        diagnose "$observed" "reply to each datagram with sendto() to the address recvfrom() gave" ;;
    *)
        diagnose "$observed" \
            "reply to each datagram exactly once, with exactly its bytes: one recvfrom(), then one sendto() of the count it returned" ;;
    esac
}

# points: 2
@test "the server replies to each client at its own address and port" {
    needs "the server echoes a datagram back to the port it came from"
    start_server
    local log_a a_sizes b_sizes
    log_a=$(log_of first)
    mkdir -p "$BATS_TEST_TMPDIR/first.d"
    # The first client stays for a second reply that must not come, until the second client has
    # had its reply (or waited in vain for it): then it is stopped.
    spawn_peer first udppeer -o "$log_a" -O "$BATS_TEST_TMPDIR/first.d" -n 2 -w 30000 \
        send "127.0.0.1:$PORT" text:from-first
    if ! wait_for_file_content "$log_a" '^(reply|error) '; then
        expect_server_alive server "a client's datagram" "serve datagram after datagram until SIGTERM" || return 1
        diagnose "client 1 ($(bound_of first)) sent 'from-first' to 127.0.0.1:$PORT and got no reply within 5 s" \
            "reply to each datagram with sendto() to the address recvfrom() gave"
        return 1
    fi
    udp_send second -- text:from-second
    stop first || true # it may have had its two replies and ended already
    a_sizes=$(sizes_of first reply)
    b_sizes=$(sizes_of second reply)
    if [[ "$a_sizes" == 10 && "$b_sizes" == 11 ]] && reply_is second 1 <(printf 'from-second'); then
        return 0
    fi
    if [[ -z "$b_sizes" && "$a_sizes" == "10 11" ]]; then
        diagnose "client 1 ($(bound_of first)) sent 'from-first' and got its echo; then client 2 ($(bound_of second)) sent 'from-second': its echo went to client 1, and client 2 got no reply" \
            "reply to the address recvfrom() gave for THIS datagram: call recvfrom() with a fresh address length (sizeof the address) each time, and sendto() that address, never one kept from an earlier client"
        return 1
    fi
    expect_server_alive server "two clients' datagrams" "serve datagram after datagram until SIGTERM" || return 1
    diagnose "client 1 ($(bound_of first)) sent 'from-first' (10 bytes) and got $(in_words "$a_sizes"); client 2 ($(bound_of second)) sent 'from-second' (11 bytes) and got $(in_words "$b_sizes")" \
        "each datagram's reply goes to its own sender: sendto() to the address recvfrom() filled in for that datagram"
}

# points: 2
@test "the server echoes a 65507-byte datagram whole" {
    needs "the server echoes a datagram back to the port it came from"
    start_server
    head -c 65507 /dev/urandom >"$BATS_TEST_TMPDIR/big"
    udp_send big -- "file:$BATS_TEST_TMPDIR/big"
    local sizes
    sizes=$(sizes_of big reply)
    [[ "$sizes" == 65507 ]] && reply_is big 1 "$BATS_TEST_TMPDIR/big" && return 0
    if [[ -n "$sizes" && "$sizes" -lt 65507 ]]; then
        diagnose "udppeer sent one datagram of 65507 bytes, the largest UDP over IPv4 can carry; your server sent back $(in_words "$sizes"): the datagram was cut to the size of its buffer" \
            "the receive buffer must hold the largest datagram, 65507 bytes (the default buffer size the server is given): recvfrom() into a smaller buffer cuts the datagram, and the rest is lost"
        return 1
    fi
    if [[ -z "$sizes" ]]; then
        expect_server_alive server "a 65507-byte datagram" "serve datagram after datagram until SIGTERM" || return 1
        diagnose "udppeer sent one datagram of 65507 bytes; your server sent no reply; $(h_tail_err server)" \
            "the receive buffer must hold the largest datagram, 65507 bytes (the size the server is given when there is no -b): then a 65507-byte datagram fits, and is echoed whole with one sendto()"
        return 1
    fi
    diagnose "udppeer sent one datagram of 65507 random bytes; your server sent back $(in_words "$sizes")$([[ "$sizes" == 65507 ]] && echo ", with other bytes")" \
        "sendto() exactly the bytes recvfrom() filled in, with the count it returned: binary data may hold zero bytes, so no string functions"
}

# points: 2
@test "the server drops and reports a datagram longer than its buffer instead of echoing part of it" {
    needs "the server echoes a datagram back to the port it came from"
    start_server server "$PORT" -b 1024
    head -c 1500 /dev/urandom >"$BATS_TEST_TMPDIR/long"
    # The replies come in order: the first one is the long datagram's, if it was echoed.
    udp_send long -n 1 -- "file:$BATS_TEST_TMPDIR/long" text:after
    local sizes
    sizes=$(sizes_of long reply)
    if [[ " $sizes " == *" 1024 "* ]]; then
        diagnose "your server, started with -b 1024, got a datagram of 1500 bytes then one of 5 ('after'); it sent back $(in_words "$sizes"): the long datagram was echoed cut short, and nobody was told" \
            "recvfrom() cuts a datagram longer than the buffer to the buffer's size and says nothing: pass MSG_TRUNC (recvfrom() then returns the datagram's real length) and drop, with a report, a datagram longer than the buffer, instead of echoing the part that fit"
        return 1
    fi
    # The echo of 'after' is the proof the server lived through the long datagram; without it,
    # see whether it died.
    if [[ "$sizes" != 5 ]]; then
        expect_server_alive server "a 1500-byte datagram with -b 1024" \
            "a datagram that does not fit is that one client's problem: report it with warnx() and go on with the next datagram; never exit() or err() there" || return 1
        diagnose "your server, started with -b 1024, got a datagram of 1500 bytes then one of 5 ('after'); it sent back $(in_words "$sizes"); $(h_tail_err server)" \
            "after dropping the long datagram, go on serving: the next datagram ('after') must be echoed"
        return 1
    fi
    grep -q 1500 "$(err_of server)" || diagnose "your server, started with -b 1024, dropped a 1500-byte datagram and echoed the next one, but did not say so; $(h_tail_err server)" \
        "report the dropped datagram on stderr with its size and sender, e.g. 'udpserver: datagram of 1500 bytes from 127.0.0.1:40001 is longer than the 1024-byte buffer: dropped'"
}

# points: 2
@test "the server echoes an empty datagram and keeps serving" {
    needs "the server echoes a datagram back to the port it came from"
    start_server
    udp_send empty -- text: text:after
    local sizes
    sizes=$(sizes_of empty reply)
    [[ "$sizes" == "0 5" ]] && return 0
    expect_server_alive server "an empty (0-byte) datagram" \
        "recvfrom() returning 0 is an empty datagram, not the end of a connection: UDP has none to end. Echo it (a 0-byte sendto()) and go on; never leave the loop on it" || return 1
    diagnose "udppeer sent an empty datagram, then 'after' (5 bytes); your server sent back $(in_words "$sizes")" \
        "an empty datagram is a datagram like any other: recvfrom() returns 0 for it; echo it with a 0-byte sendto() and go on with the next"
}

# points: 1
@test "SIGTERM makes the server exit with status 0" {
    needs "the server echoes a datagram back to the port it came from"
    start_server
    udp_send one -- text:one
    stop server
    case $status in
    0) return 0 ;;
    124)
        diagnose "your server was still running $STOP_GRACE s after SIGTERM (sent while it waited in recvfrom())" \
            "the provided handler only sets the stop flag; the blocked recvfrom() then fails with EINTR. Check the stop flag there and leave the loop, instead of calling recvfrom() again at once" ;;
    143)
        diagnose "your server was killed by SIGTERM: exit status 143" \
            "install_signal_handlers() must run before the server starts serving, so that SIGTERM sets the stop flag instead of killing the process" ;;
    *)
        diagnose "your server exited with status $status after SIGTERM; $(h_tail_err server)" \
            "EINTR from recvfrom() is not an error: it means a signal arrived. Check the stop flag, close the socket and exit with status 0" ;;
    esac
}

# points: 1
@test "the server reports a port that is already in use and exits non-zero" {
    needs "the server echoes a datagram back to the port it came from"
    spawn_peer holder udppeer -o "$BATS_TEST_TMPDIR/holder.log" serve "$PORT"
    wait_for_udp_port "$PORT" holder
    run --separate-stderr student udpserver "$PORT"
    if [[ $status -eq 124 ]]; then
        diagnose "another program's UDP socket is bound to 127.0.0.1:$PORT, yet your server was still running ${STUDENT_TIMEOUT}s later" \
            "bind() fails with EADDRINUSE here: check its return value, report the error and exit non-zero"
        return 1
    fi
    [[ $status -ne 0 ]] || diagnose "another program's UDP socket is bound to 127.0.0.1:$PORT, and your server exited with status 0" \
        "when bind() fails, exit with a non-zero status"
    [[ "$stderr" == *"Address already in use"* ]] || diagnose "another program's UDP socket is bound to 127.0.0.1:$PORT; your server exited with status $status and said: '$(brief "$stderr")'" \
        "report the failing call and strerror(errno), e.g. warn(\"bind 127.0.0.1:%d\", port) prints 'udpserver: bind 127.0.0.1:$PORT: Address already in use'"
}

# points: 1
@test "the server rejects a port or buffer size that is not a number in range" {
    local STUDENT_TIMEOUT=3 # a right answer comes at once; a hang shows in 3 s
    local bad
    for bad in 0 70000 8080x; do
        run --separate-stderr student udpserver "$bad"
        [[ $status -ne 0 && $status -ne 124 && "$stderr" == *"$bad"* ]] || diagnose "'udpserver $bad' exited with status $status (124: still running after ${STUDENT_TIMEOUT}s) and said: '$(brief "$stderr")'" \
            "parse the port with strtol() (parse_long()), check the end pointer and the range 1-65535, name the bad argument and exit non-zero"
    done
    for bad in 65508 1k; do
        run --separate-stderr student udpserver -b "$bad" "$PORT"
        [[ $status -ne 0 && $status -ne 124 && "$stderr" == *"$bad"* ]] || diagnose "'udpserver -b $bad $PORT' exited with status $status (124: still running after ${STUDENT_TIMEOUT}s) and said: '$(brief "$stderr")'" \
            "a buffer size is a number from 1 to 65507: parse it with parse_long(), name a bad one and exit non-zero"
    done
    run --separate-stderr student udpserver
    [[ $status -eq 2 ]] || diagnose "'udpserver' with no argument exited with status $status and said: '$(brief "$stderr")'" \
        "print the usage ('usage: udpserver [-b SIZE] <port>') and exit with status 2"
}

# points: 1
@test "the server echoes every datagram when its calls fail with EINTR" {
    needs "the server echoes a datagram back to the port it came from"
    with_shortio 5 0 30
    start_server
    local sent=() i sizes
    for i in 1 2 3 4 5 6 7 8; do
        sent+=("text:datagram $i")
    done
    udp_send eintr -- "${sent[@]}"
    sizes=$(sizes_of eintr reply)
    [[ "$sizes" == "10 10 10 10 10 10 10 10" ]] && return 0
    expect_server_alive server "its recvfrom() and sendto() calls failed with EINTR" \
        "EINTR means a signal interrupted the call before it did anything: not an error. Check the stop flag; if it is not set, call recvfrom() (or sendto()) again" || return 1
    diagnose "with the injector making 30% of your server's calls fail with EINTR (SHORTIO_SEED=5 SHORTIO_EINTR=30), udppeer sent 8 datagrams of 10 bytes and got back $(in_words "$sizes")" \
        "EINTR from sendto() means the datagram did not go: send it again (a send_datagram() that retries); EINTR from recvfrom() means none was received: check stop, then receive again"
}

# points: 2
@test "under Valgrind the server leaks no descriptor and no memory over datagrams and SIGTERM" {
    needs "the server echoes a datagram back to the port it came from"
    with_valgrind
    start_server
    head -c 4000 /dev/urandom >"$BATS_TEST_TMPDIR/some"
    udp_send one -- text:one text: "file:$BATS_TEST_TMPDIR/some"
    udp_send two -- text:two
    stop server
    if [[ $status -ne 0 ]]; then
        diagnose "under Valgrind, after 4 datagrams from 2 clients, your server exited with status $status after SIGTERM (124: still running $STOP_GRACE s later); $(h_tail_err server)" \
            "on SIGTERM the blocked recvfrom() fails with EINTR: check the stop flag, leave the loop, close the socket and exit 0"
        return 1
    fi
    local report
    report=$(valgrind_report server)
    [[ -n "$report" ]] || return 0
    if grep -q 'left open' <<<"$report"; then
        diagnose "Valgrind (--track-fds=yes): after 4 datagrams and SIGTERM, your server exited with a socket still open: $(brief "$report")" \
            "close the UDP socket before exiting, also after SIGTERM (main() does, if echo_datagrams() returns)"
    elif grep -q 'definitely lost\|indirectly lost' <<<"$report"; then
        diagnose "Valgrind (memcheck) after 4 datagrams and SIGTERM: memory was allocated and never freed: $(brief "$report")" \
            "the datagram buffer malloc()ed by echo_datagrams() must be freed on every way out of it, SIGTERM included"
    else
        diagnose "Valgrind reported: $(brief "$report")" \
            "fix the memory error it names (a read or write outside a buffer, or an uninitialised value)"
    fi
}

# points: 1
@test "the student's client and server work together" {
    needs "the server echoes a datagram back to the port it came from" "the client sends each line as one datagram and prints each reply"
    start_server
    printf 'one\ntwo\nthree\n' >"$BATS_TEST_TMPDIR/sent"
    run --separate-stderr student udpclient -t 1000 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/sent"
    [[ $status -eq 0 && "$output" == "$(cat "$BATS_TEST_TMPDIR/sent")" ]] || diagnose "your client, talking to your server, printed '$(brief "$output")' and exited with status $status (stderr: '$(brief "$stderr")')" \
        "the other tests of this lab test each program against the test's udppeer: fix the ones that fail first"
}
