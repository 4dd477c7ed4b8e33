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
# file ERR (for binary data, which `run` cannot hold). Sets `status`. The output goes through a
# pipe, so it is complete once every process writing it has closed it: a client whose forked
# child prints the echo is judged on all of it, not on what came before its parent exited.
client_to() {
    local out=$1 err=$2
    shift 2
    student client "$@" 2>"$err" | cat >"$out"
    status=${PIPESTATUS[0]}
}

# expect_client_exit WHAT - after the client ran: diagnose a hang (124) or a non-zero status.
expect_client_exit() {
    if [[ $status -eq 124 ]]; then
        diagnose "$1; the client was still running ${STUDENT_TIMEOUT}s later; server log: $(one_line "$BATS_TEST_TMPDIR/echo.log")" \
            "at the end of the input, shutdown(SHUT_WR) so that the server reads EOF and closes its side, then read until read() returns 0 and exit"
        return 1
    fi
    [[ $status -eq 0 ]] || diagnose "$1; the client exited with status $status; ${2:-}" \
        "every byte came back, so the client must exit with status 0: read() returning 0 (EOF) after shutdown() is the normal end, and readn() returns the bytes read before EOF (0 at the end), never -1 for it"
}

# expect_connected WHAT - after the client ran against start_recorder: pass if the server
# accepted a connection; otherwise diagnose, trying the port with its bytes swapped to tell a
# missing htons() from a client that never connects. WHAT says how the client ended.
expect_connected() {
    grep -q '^accept 1' "$BATS_TEST_TMPDIR/echo.log" && return 0
    if [[ $status -eq 124 ]]; then
        # Refused at a swapped port, a client would exit at once: trying that port tells nothing.
        diagnose "the server at 127.0.0.1:$PORT saw no connection, and the client was still running ${STUDENT_TIMEOUT}s later" \
            "connect_to() must connect before anything that can wait (reading standard input, a loop): socket(), connect(), then the copy loop"
        return 1
    fi
    local swapped
    swapped=$(swap16 "$PORT")
    if [[ "$(harness_mode)" == netns ]]; then
        spawn_peer swapped recorder -e -o "$BATS_TEST_TMPDIR/swapped.log" "$swapped"
        wait_for_port "$swapped" swapped
        client_to "$BATS_TEST_TMPDIR/swapped.out" "$BATS_TEST_TMPDIR/swapped.err" 127.0.0.1 "$PORT" <<<"hello"
        if grep -q '^accept' "$BATS_TEST_TMPDIR/swapped.log"; then
            diagnose "'client 127.0.0.1 $PORT' connected to port $swapped: $PORT with its two bytes swapped" \
                "sin_port must hold the port in network byte order: addr.sin_port = htons(port)"
            return 1
        fi
    fi
    diagnose "the server at 127.0.0.1:$PORT saw no connection; $1" \
        "connect_to() must connect to the IP and port given on the command line: inet_pton(), socket(), connect(), and report a failure"
}

# client_holds_connection - true if a process of the client's group (the client, or a child it
# forked) still holds a socket; sets holders.
client_holds_connection() {
    local p
    holders=""
    for p in $(pgrep -g "$(pid_of client)" || true); do
        h_fds_of_pid "$p" | grep -q 'socket:\[' && holders+="$p "
    done
    [[ -n "$holders" ]]
}

# points: 2
@test "the client sends a line and prints its echo" {
    start_recorder
    printf 'hello, echo\n' >"$BATS_TEST_TMPDIR/sent"
    run --separate-stderr student client 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/sent"
    expect_connected "the client exited with status $status and said: '$(brief "$stderr")'" || return 1
    expect_file_echo "$BATS_TEST_TMPDIR/sent" "$REC/conn-1.bin" \
        "the client's input was 'hello, echo\\n' (client status $status, stderr: '$(brief "$stderr")')" \
        "send every byte read from standard input to the socket, with the count read() returned" \
        "the server" || return 1
    expect_client_exit "the echo server received the line and echoed it" "stderr: '$(brief "$stderr")'" || return 1
    [[ "$output" == "hello, echo" ]] || diagnose "the server echoed 'hello, echo\\n' (12 bytes); the client printed '$(brief "$output")'" \
        "write to standard output exactly the bytes that came back"
}

# points: 3
@test "the client waits for an echo that comes back in 7-byte pieces" {
    needs "the client sends a line and prints its echo"
    start_recorder -c 7 -w 10
    local i
    for ((i = 1; i <= 5; i++)); do
        printf 'line %d of a message whose echo comes back in pieces\n' "$i"
    done >"$BATS_TEST_TMPDIR/sent"
    run --separate-stderr student client 127.0.0.1 "$PORT" <"$BATS_TEST_TMPDIR/sent"
    local n
    n=$(size_of "$BATS_TEST_TMPDIR/sent")
    if [[ ! -s "$REC/conn-1.bin" ]]; then
        diagnose "the client's input was $n bytes; the server received nothing (client status $status, stderr: '$(brief "$stderr")')" \
            "connect to the server, then send every byte read from standard input to the socket"
        return 1
    fi
    if [[ $status -ne 0 || "$output" != "$(cat "$BATS_TEST_TMPDIR/sent")" ]]; then
        diagnose "the client sent $n bytes; the server echoes in pieces of at most 7 bytes, 10 ms apart; the client printed ${#output} characters (exit status $status, stderr: '$(brief "$stderr")')" \
            "one read() returns only what has arrived so far: keep reading until you have as many bytes as you sent (a readn loop) before printing and sending more"
    fi
}

# points: 2
@test "the client copies 1 MiB through socat's echo unchanged" {
    needs "the client sends a line and prints its echo"
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
@test "the client half-closes at the end of its input and reads until the server closes" {
    needs "the client sends a line and prints its echo"
    local fifo="$BATS_TEST_TMPDIR/release" marker="$BATS_TEST_TMPDIR/server-saw-eof"
    local script="$BATS_TEST_TMPDIR/server.sh" hold holders=""
    # The server echoes until EOF, then keeps its side open until the test releases it.
    printf '#!/bin/sh\ncat\n: >"%s"\nread -r go <"%s"\n' "$marker" "$fifo" >"$script"
    chmod +x "$script"
    mkfifo "$fifo"
    exec {hold}<>"$fifo"
    spawn echo socat -t 30 "TCP-LISTEN:${PORT},reuseaddr,bind=127.0.0.1" "EXEC:$script"
    wait_for_port "$PORT" echo
    spawn_student client client 127.0.0.1 "$PORT" # standard input: /dev/null, empty
    if ! wait_until 5 test -e "$marker"; then
        exec {hold}>&-
        diagnose "the client's input was empty, and within 5 s the server read no end of stream; $(h_tail_err client)" \
            "at the end of the input call shutdown(sock, SHUT_WR): it sends a FIN, and the server's read() returns 0"
        return 1
    fi
    if ! client_holds_connection; then
        exec {hold}>&-
        diagnose "the client's input was empty; the server read end of stream and has not closed its side yet, but the client no longer holds its socket: it closed the connection without waiting for the server" \
            "end with shutdown(sock, SHUT_WR) (not close()), then read() until it returns 0, the server's close: only then is every byte of the echo in, and close() sends no reset"
        return 1
    fi
    echo go >&"$hold"
    exec {hold}>&-
    wait_for_exit client 5
    if [[ $status -eq 124 ]]; then
        diagnose "the server closed its side, and 5 s later the client was still running" \
            "read() returns 0 once the server has closed: stop reading then, close the socket and exit"
        return 1
    fi
    [[ $status -eq 0 ]] || diagnose "with an empty input, the client exited with status $status; $(h_tail_err client)" \
        "an empty input is not an error: connect, shutdown(SHUT_WR), read until EOF, exit 0"
}

# points: 2
@test "the client reports a server that closes before echoing everything" {
    needs "the client sends a line and prints its echo"
    start_socat_server "SYSTEM:head -c 5"
    run --separate-stderr student client 127.0.0.1 "$PORT" <<<"hello world"
    if ! grep -q 'accepting connection' "$(err_of echo)"; then
        diagnose "the client exited with status $status before connecting to the server at 127.0.0.1:$PORT; it said: '$(brief "$stderr")'" \
            "connect to the server (socket(), connect()) before anything else"
        return 1
    fi
    if [[ $status -eq 124 ]]; then
        diagnose "the server echoed 5 of the 12 bytes and closed the connection; the client was still running ${STUDENT_TIMEOUT}s later" \
            "read() returns 0 at EOF: stop reading then, instead of waiting for bytes that will never come"
        return 1
    fi
    [[ $status -ne 0 ]] || diagnose "the server echoed 5 of the 12 bytes and closed the connection; the client printed '$(brief "$output")' and exited with status 0" \
        "end of stream before the whole echo is back (readn() returning fewer bytes than were sent, or a reader process seeing EOF short of the count) means the server closed early: report it on stderr and exit non-zero"
    [[ -n "$stderr" ]] || diagnose "the server echoed 5 of the 12 bytes and closed the connection; the client exited with status $status without a word on stderr" \
        "say what happened, e.g. 'client: server closed the connection early: sent 12 bytes, got 5 back'"
    [[ "$output" == "hello" ]] || diagnose "the server echoed 'hello' (5 of the 12 bytes) and closed the connection; the client printed '$(brief "$output")' (exit status $status, stderr: '$(brief "$stderr")')" \
        "readn() returns the bytes read before EOF (a short count), never -1 for it: print what came back, then report the early close and exit 1"
}

# points: 1
@test "the client reports a refused connection and exits non-zero" {
    local STUDENT_TIMEOUT=3 # a right answer comes at once; a hang shows in 3 s
    run --separate-stderr student client 127.0.0.1 "$PORT" <<<"anyone there?"
    [[ $status -ne 0 && $status -ne 124 ]] || diagnose "nothing listens on 127.0.0.1:$PORT; the client exited with status $status (124: still running ${STUDENT_TIMEOUT}s later)" \
        "connect() fails with ECONNREFUSED here: check its return value, report it and exit non-zero"
    [[ "$stderr" == *"Connection refused"* ]] || diagnose "nothing listens on 127.0.0.1:$PORT; the client exited with status $status and said: '$(brief "$stderr")'" \
        "report the failing call with strerror(errno), e.g. 'client: connect 127.0.0.1:$PORT: Connection refused'"
}

# points: 1
@test "the client connects to the address it is given, not a fixed one" {
    needs "the client sends a line and prints its echo"
    start_recorder
    run --separate-stderr student client 127.0.0.2 "$PORT" <<<"hello"
    if grep -q '^accept' "$BATS_TEST_TMPDIR/echo.log"; then
        diagnose "told to connect to 127.0.0.2:$PORT, where nothing listens, the client reached the server that listens on 127.0.0.1:$PORT only" \
            "connect to the address from the command line: inet_pton(AF_INET, argv[1], &addr.sin_addr), not a fixed 127.0.0.1, INADDR_LOOPBACK or INADDR_ANY"
        return 1
    fi
    [[ $status -ne 0 && $status -ne 124 ]] || diagnose "nothing listens on 127.0.0.2:$PORT; the client exited with status $status" \
        "connect() fails with ECONNREFUSED here: check its return value, report it and exit non-zero"
}

# points: 1
@test "the client rejects an address that is not an IPv4 address" {
    local STUDENT_TIMEOUT=3 # a right answer comes at once; a hang shows in 3 s
    local bad
    for bad in 300.1.2.3 not-an-address; do
        run --separate-stderr student client "$bad" "$PORT" <<<"hello"
        [[ $status -ne 0 && $status -ne 124 ]] || diagnose "'client $bad $PORT' exited with status $status (124: still running ${STUDENT_TIMEOUT}s later)" \
            "inet_pton() returns 1 only for a valid dotted-decimal address: on 0, report the bad address and exit non-zero"
        [[ "$stderr" == *"$bad"* ]] || diagnose "'client $bad $PORT' exited with status $status and said: '$(brief "$stderr")'" \
            "inet_pton() returned 0: name the bad address in the message, e.g. \"invalid IPv4 address '$bad'\""
    done
}

# points: 1
@test "the client rejects a port that is not a number from 1 to 65535" {
    local STUDENT_TIMEOUT=3 # a right answer comes at once; a hang shows in 3 s
    local bad
    for bad in abc 0 70000 80x; do
        run --separate-stderr student client 127.0.0.1 "$bad" <<<"hello"
        [[ $status -ne 0 && $status -ne 124 ]] || diagnose "'client 127.0.0.1 $bad' exited with status $status" \
            "parse the port with strtol(), check the end pointer and the range 1-65535, and exit non-zero on a bad one"
        [[ "$stderr" == *"$bad"* ]] || diagnose "'client 127.0.0.1 $bad' exited with status $status and said: '$(brief "$stderr")'" \
            "name the bad argument in the message, e.g. \"invalid port '$bad'\""
    done
    run --separate-stderr student client 127.0.0.1
    [[ $status -eq 2 ]] || diagnose "'client 127.0.0.1' (no port) exited with status $status and said: '$(brief "$stderr")'" \
        "print the usage ('usage: client <IP> <port>') and exit with status 2"
}

# points: 2
@test "the client copies everything when its reads and writes come out short" {
    needs "the client sends a line and prints its echo"
    start_recorder
    # 16 KiB: at 1 to 7 bytes a call, some 4,600 cut reads and as many writes for each seed.
    head -c 16384 /dev/urandom >"$BATS_TEST_TMPDIR/big"
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

# points: 2
@test "under Valgrind the client leaks no descriptor and no memory, also when connect fails" {
    needs "the client sends a line and prints its echo"
    with_valgrind
    start_recorder
    local refused ok report
    # Not `run`: the runs must keep their names (client-run1, client-run2) for valgrind_report.
    status=0
    student client 127.0.0.1 "$PORT" <<<"hello, valgrind" >"$BATS_TEST_TMPDIR/ok.out" 2>"$BATS_TEST_TMPDIR/ok.err" || status=$?
    ok=$status
    refused=$(port_for 8081)
    status=0
    student client 127.0.0.1 "$refused" <<<"anyone there?" >/dev/null 2>"$BATS_TEST_TMPDIR/refused.err" || status=$?
    [[ $ok -eq 0 ]] || diagnose "under Valgrind, the client echoing one line exited with status $ok; $(stderr_tail "$BATS_TEST_TMPDIR/ok.err" 3)" \
        "every byte came back, so the client must exit with status 0"
    report=$(valgrind_report client-run2)
    if grep -q 'left open' <<<"$report"; then
        diagnose "under Valgrind (--track-fds=yes), after connect() to 127.0.0.1:$refused failed (Connection refused), the client exited with its socket still open: $(brief "$report")" \
            "when connect() fails, close() the socket before returning -1: connect_to() must leave no descriptor open on any path"
    fi
    report=$(valgrind_report client-run1)
    if grep -q 'left open' <<<"$report"; then
        diagnose "under Valgrind (--track-fds=yes), after echoing one line the client exited with its socket still open: $(brief "$report")" \
            "close() the socket before exiting, on every path"
    fi
    [[ -z "$report$(valgrind_report client-run2)" ]] || diagnose "Valgrind (memcheck) reported: $(brief "$report$(valgrind_report client-run2)")" \
        "memory allocated and never freed, or used outside its bounds: free() every buffer on every path (or keep it on the stack)"
}
