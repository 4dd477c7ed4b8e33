#!/usr/bin/env bats
# Lab 02: the echo client, tested against the course's recorder peer and socat as servers.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats
BATS_TEST_TIMEOUT=90

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/echo_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
    REC="${BATS_TEST_TMPDIR}/received"
    mkdir -p "$REC"
}

# start_recorder OPTION... - start the recorder peer as an echo server on $PORT (log in echo.log,
# the bytes of connection K in $REC/conn-K.bin) and wait until it listens.
start_recorder() {
    spawn_peer echo recorder -e -o "$BATS_TEST_TMPDIR/echo.log" -d "$REC" "$@" "$PORT"
    wait_for_port "$PORT" echo
}

# start_socat_server ADDRESS - start socat as a one-connection server on $PORT whose other end
# is ADDRESS (EXEC:cat echoes), and wait until it listens. Its log (-d -d) is $(err_of echo).
start_socat_server() {
    spawn echo socat -d -d "TCP-LISTEN:${PORT},reuseaddr,bind=127.0.0.1" "$1"
    wait_for_port "$PORT" echo
}

# client_to OUT ERR ARG... - run the student's client with ARGs, stdout to file OUT and stderr to
# file ERR (for binary data, which `run` cannot hold). Sets `status`.
client_to() {
    local out=$1 err=$2
    shift 2
    status=0
    student client "$@" >"$out" 2>"$err" || status=$?
}

# expect_client_exit WHAT - after the client ran: diagnose a hang (124) or a non-zero status.
expect_client_exit() {
    if [[ $status -eq 124 ]]; then
        diagnose "$1; the client was still running ${STUDENT_TIMEOUT}s later; server log: $(one_line "$BATS_TEST_TMPDIR/echo.log")" \
            "at the end of the input, shutdown(SHUT_WR) so that the server reads EOF and closes its side, then read until read() returns 0 and exit"
        return 1
    fi
    [[ $status -eq 0 ]] || diagnose "$1; the client exited with status $status; ${2:-}" \
        "every byte came back, so the client must exit with status 0"
}

# points: 2
@test "the client sends a line and prints its echo" {
    start_recorder
    printf 'hello, echo\n' >"$BATS_TEST_TMPDIR/sent"
    run --separate-stderr student client 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/sent"
    expect_file_echo "$BATS_TEST_TMPDIR/sent" "$REC/conn-1.bin" \
        "the client's input was 'hello, echo\\n' (client status $status, stderr: '$stderr')" \
        "send every byte read from standard input to the socket, with the count read() returned" \
        "the server" || return 1
    expect_client_exit "the echo server received the line and echoed it" "stderr: '$stderr'" || return 1
    [[ "$output" == "hello, echo" ]] || diagnose "the server echoed 'hello, echo\\n' (12 bytes); the client printed '$output'" \
        "write to standard output exactly the bytes that came back"
    # The client may exit before the server has logged how the connection ended: wait for that.
    wait_for_file_content "$BATS_TEST_TMPDIR/echo.log" '^(eof|rst|error) 1' || true
    grep -q '^eof 1' "$BATS_TEST_TMPDIR/echo.log" || diagnose "the server saw the connection end with: $(grep -E '^(rst|error) 1' "$BATS_TEST_TMPDIR/echo.log" | head -n 1), not with EOF" \
        "end the connection with shutdown(SHUT_WR) and then read until EOF before close(): closing a socket while bytes are still unread sends a reset (RST) instead of a FIN"
}

# points: 3
@test "the client waits for an echo that comes back in 7-byte pieces" {
    start_recorder -c 7 -w 10
    local i
    for ((i = 1; i <= 5; i++)); do
        printf 'line %d of a message whose echo comes back in pieces\n' "$i"
    done >"$BATS_TEST_TMPDIR/sent"
    run --separate-stderr student client 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/sent"
    local n
    n=$(size_of "$BATS_TEST_TMPDIR/sent")
    if [[ ! -s "$REC/conn-1.bin" ]]; then
        diagnose "the client's input was $n bytes; the server received nothing (client status $status, stderr: '$stderr')" \
            "connect to the server, then send every byte read from standard input to the socket"
        return 1
    fi
    if [[ $status -ne 0 || "$output" != "$(cat "$BATS_TEST_TMPDIR/sent")" ]]; then
        diagnose "the client sent $n bytes; the server echoes in pieces of at most 7 bytes, 10 ms apart; the client printed ${#output} characters (exit status $status, stderr: '$stderr')" \
            "one read() returns only what has arrived so far: keep reading until you have as many bytes as you sent (a readn loop) before printing and sending more"
    fi
}

# points: 2
@test "the client copies 1 MiB through socat's echo unchanged" {
    start_socat_server EXEC:cat
    head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/big"
    client_to "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/err" 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/big"
    expect_client_exit "the client sent 1 MiB of random bytes to socat TCP-LISTEN EXEC:cat" \
        "stderr: $(one_line "$BATS_TEST_TMPDIR/err" 2)" || return 1
    expect_file_echo "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/got" \
        "the client's input was 1 MiB of random bytes; on its standard output" \
        "send each chunk of input in full (writen), read back exactly as many bytes (readn), and write them all to standard output; binary data may contain zero bytes, so never use string functions on it"
}

# points: 2
@test "the client reports a server that closes before echoing everything" {
    start_socat_server "SYSTEM:head -c 5"
    run --separate-stderr student client 127.0.0.1 "$PORT" <<<"hello world"
    if ! grep -q 'accepting connection' "$(err_of echo)"; then
        diagnose "the client exited with status $status before connecting to the server at 127.0.0.1:$PORT; it said: '$stderr'" \
            "connect to the server (socket(), connect()) before anything else"
        return 1
    fi
    if [[ $status -eq 124 ]]; then
        diagnose "the server echoed 5 of the 12 bytes and closed the connection; the client was still running ${STUDENT_TIMEOUT}s later" \
            "read() returns 0 at EOF: stop reading then, instead of waiting for bytes that will never come"
        return 1
    fi
    [[ $status -ne 0 ]] || diagnose "the server echoed 5 of the 12 bytes and closed the connection; the client printed '$output' and exited with status 0" \
        "readn() returning fewer bytes than you sent means the server closed early: report it on stderr and exit non-zero"
    [[ -n "$stderr" ]] || diagnose "the server echoed 5 of the 12 bytes and closed the connection; the client exited with status $status without a word on stderr" \
        "say what happened, e.g. 'client: server closed the connection early: sent 12 bytes, got 5 back'"
}

# points: 1
@test "the client reports a refused connection and exits non-zero" {
    run --separate-stderr student client 127.0.0.1 "$PORT" <<<"anyone there?"
    [[ $status -ne 0 && $status -ne 124 ]] || diagnose "nothing listens on 127.0.0.1:$PORT; the client exited with status $status (124: still running ${STUDENT_TIMEOUT}s later)" \
        "connect() fails with ECONNREFUSED here: check its return value, report it and exit non-zero"
    [[ "$stderr" == *"Connection refused"* ]] || diagnose "nothing listens on 127.0.0.1:$PORT; the client exited with status $status and said: '$stderr'" \
        "report the failing call with strerror(errno), e.g. 'client: connect 127.0.0.1:$PORT: Connection refused'"
}

# points: 1
@test "the client rejects an address that is not an IPv4 address" {
    local bad
    for bad in 300.1.2.3 not-an-address; do
        run --separate-stderr student client "$bad" "$PORT" <<<"hello"
        [[ $status -ne 0 && $status -ne 124 ]] || diagnose "'client $bad $PORT' exited with status $status (124: still running ${STUDENT_TIMEOUT}s later)" \
            "inet_pton() returns 1 only for a valid dotted-decimal address: on 0, report the bad address and exit non-zero"
        [[ "$stderr" == *"$bad"* ]] || diagnose "'client $bad $PORT' exited with status $status and said: '$stderr'" \
            "inet_pton() returned 0: name the bad address in the message, e.g. \"invalid IPv4 address '$bad'\""
    done
}

# points: 1
@test "the client rejects a port that is not a number from 1 to 65535" {
    local bad
    for bad in abc 0 70000 80x; do
        run --separate-stderr student client 127.0.0.1 "$bad" <<<"hello"
        [[ $status -ne 0 && $status -ne 124 ]] || diagnose "'client 127.0.0.1 $bad' exited with status $status" \
            "parse the port with strtol(), check the end pointer and the range 1-65535, and exit non-zero on a bad one"
        [[ "$stderr" == *"$bad"* ]] || diagnose "'client 127.0.0.1 $bad' exited with status $status and said: '$stderr'" \
            "name the bad argument in the message, e.g. \"invalid port '$bad'\""
    done
    run --separate-stderr student client 127.0.0.1
    [[ $status -eq 2 ]] || diagnose "'client 127.0.0.1' (no port) exited with status $status and said: '$stderr'" \
        "print the usage ('usage: client <IP> <port>') and exit with status 2"
}

# points: 2
@test "the client copies everything when its reads and writes come out short" {
    start_recorder
    head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/big"
    local seed k=0
    for seed in 3 17 29; do
        k=$((k + 1))
        with_shortio "$seed" 7 10
        client_to "$BATS_TEST_TMPDIR/got$seed" "$BATS_TEST_TMPDIR/err$seed" 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/big"
        local injector="with the short-I/O injector on the client (SHORTIO_SEED=$seed SHORTIO_MAX=7 SHORTIO_EINTR=10: every read() and write() on the socket moves only 1 to 7 bytes, and one call in ten fails with EINTR)"
        local likely="write() and read() may move fewer bytes than asked, and may fail with EINTR before moving any: loop until the count is complete (writen, readn), retrying after EINTR"
        expect_file_echo "$BATS_TEST_TMPDIR/big" "$REC/conn-$k.bin" "$injector" "$likely" "the server" || return 1
        expect_client_exit "$injector" "stderr: $(one_line "$BATS_TEST_TMPDIR/err$seed" 2)" || return 1
        expect_file_echo "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/got$seed" "$injector; on the client's standard output" "$likely" || return 1
    done
}

# points: 1
@test "the student's client and server work together" {
    spawn_student server server "$PORT"
    wait_for_port "$PORT" server
    printf 'one\ntwo\nthree\n' >"$BATS_TEST_TMPDIR/sent"
    run --separate-stderr student client 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/sent"
    [[ $status -eq 0 && "$output" == "$(cat "$BATS_TEST_TMPDIR/sent")" ]] || diagnose "the client, talking to the student's server, printed '$output' and exited with status $status (stderr: '$stderr')" \
        "the other tests of this lab test each program against a known-good peer: fix the ones that fail first"
}
