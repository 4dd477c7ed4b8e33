#!/usr/bin/env bats
# Lab 06: the UDP echo client, tested against the course's udppeer as its server: one that
# echoes, one that loses datagrams, one that answers from a stranger's port, and none at all.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# The longest right run here is 3 timeouts of 200 ms: a client that hangs shows in 5 s.
STUDENT_TIMEOUT=5

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/udp_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# start_echo [OPTION...] - start the udppeer as the server on $PORT (log: echo.log, datagram K
# received in echo.d/K.bin), with OPTIONs (-d DROP, -F), and wait until it is bound.
start_echo() {
    mkdir -p "$BATS_TEST_TMPDIR/echo.d"
    spawn_peer echo udppeer -o "$(log_of echo)" -O "$BATS_TEST_TMPDIR/echo.d" "$@" serve "$PORT"
    wait_for_udp_port "$PORT" echo
}

# client INPUT ARG... - run the student's client with ARGs and the text INPUT on its standard
# input (through `run --separate-stderr`: sets status, output, stderr), and `took` to the
# milliseconds it ran.
client() {
    local input=$1 start=$EPOCHREALTIME
    shift
    run --separate-stderr student udpclient "$@" <<<"$input"
    took=$(ms_since "$start")
}

# received - the datagrams the udppeer server received, in words ("3 datagrams of 4, 4, 6 bytes").
received() {
    local sizes n
    sizes=$(sizes_of echo recv)
    n=$(count_lines echo recv)
    case $n in
    0) echo "no datagram" ;;
    1) echo "one datagram of $sizes bytes" ;;
    *) echo "$n datagrams of ${sizes// /, } bytes" ;;
    esac
}

# points: 2
@test "the client sends each line as one datagram and prints each reply" {
    start_echo
    client $'one\ntwo\nthree' -t 1000 127.0.0.1 "$PORT"
    local sizes
    sizes=$(sizes_of echo recv)
    if [[ -z "$sizes" ]]; then
        if [[ $status -eq 124 ]]; then
            diagnose "the test's server at 127.0.0.1:$PORT received nothing, and your client was still running ${STUDENT_TIMEOUT}s later" \
                "send each line before waiting for anything: connect_udp() (socket, connect), then per line send() and recv()"
        else
            diagnose "the test's server at 127.0.0.1:$PORT received nothing; your client exited with status $status and said: '$(brief "$stderr")'" \
                "connect_udp() must connect to the IP and port given on the command line (htons(port)), then send() each line of the input"
        fi
        return 1
    fi
    if [[ "$sizes" != "4 4 6" ]]; then
        diagnose "the input was 3 lines, 'one\\n', 'two\\n', 'three\\n' (4, 4 and 6 bytes); the test's server received $(received)" \
            "send each line, its newline included, as one datagram of its own: getline(), then one send() of the count getline() returned"
        return 1
    fi
    if [[ $status -eq 0 && "$output" == $'one\ntwo\nthree' ]]; then
        return 0
    fi
    if [[ "$output" == one ]]; then
        diagnose "the test's server received the 3 lines as 3 datagrams and echoed each one; your client printed only 'one' and exited with status $status" \
            "one recv() returns one datagram, never several: the replies do not join into a stream. Receive each line's reply (one recv() per datagram sent) and print it"
        return 1
    fi
    diagnose "the test's server received the 3 lines as 3 datagrams and echoed each one; your client printed '$(brief "$output")' and exited with status $status (stderr: '$(brief "$stderr")')" \
        "print each reply exactly as it came (the count recv() returned), and exit 0 once every line's reply is in"
}

# points: 1
@test "the client works with socat as its echo server" {
    needs "the client sends each line as one datagram and prints each reply"
    spawn echo socat "UDP-RECVFROM:${PORT},bind=127.0.0.1,fork" EXEC:cat
    wait_for_udp_port "$PORT" echo
    client $'one\ntwo\nthree' -t 2000 127.0.0.1 "$PORT"
    [[ $status -eq 0 && "$output" == $'one\ntwo\nthree' ]] || diagnose "socat, a real echo server (UDP-RECVFROM, fork, EXEC:cat), answered each datagram; your client printed '$(brief "$output")' and exited with status $status (stderr: '$(brief "$stderr")')" \
        "the other client tests pass against the test's udppeer: see which one fails first; here each line goes as one datagram, each reply is printed as it came"
}

# points: 2
@test "the client sends a line again when its reply is lost, and prints the reply" {
    needs "the client sends each line as one datagram and prints each reply"
    start_echo -d 2
    client 'lost twice' -t 200 -r 3 127.0.0.1 "$PORT"
    local n
    n=$(count_lines echo recv)
    if [[ $status -eq 124 ]]; then
        diagnose "the test's server dropped the first datagram (the client ran with -t 200 -r 3); $n datagram(s) arrived, and your client was still waiting ${STUDENT_TIMEOUT}s later" \
            "a lost datagram never comes back and recv() waits forever: give the socket a receive timeout (setsockopt SO_RCVTIMEO with the -t milliseconds, or poll() with a timeout) and send the line again when it expires"
        return 1
    fi
    if [[ $n -lt 3 ]]; then
        diagnose "the test's server dropped the first 2 datagrams; your client (-t 200 -r 3) sent the line $n time(s), exited with status $status and said: '$(brief "$stderr")'" \
            "when recv() times out (it fails with EAGAIN or EWOULDBLOCK), send the same datagram again, up to RETRIES more times, before giving up"
        return 1
    fi
    [[ $status -eq 0 && "$output" == 'lost twice' ]] || diagnose "the test's server dropped the first 2 datagrams and echoed the third; your client printed '$(brief "$output")' and exited with status $status (stderr: '$(brief "$stderr")')" \
        "after a retransmission, the reply that comes is the line's echo: print it, go on with the next line, and exit 0 at the end"
}

# points: 2
@test "the client gives up after its retries and reports that no reply came" {
    needs "the client sends a line again when its reply is lost, and prints the reply"
    start_echo -d 1000
    client 'nobody answers' -t 100 -r 2 127.0.0.1 "$PORT"
    local n
    n=$(count_lines echo recv)
    if [[ $status -eq 124 ]]; then
        diagnose "the test's server dropped every datagram; your client (-t 100 -r 2) was still running ${STUDENT_TIMEOUT}s later, after sending $n" \
            "the tries are bounded: the first send and RETRIES more, each followed by one timed recv(); then give up"
        return 1
    fi
    if [[ $n -ne 3 ]]; then
        diagnose "the test's server dropped every datagram; your client, run with -r 2, sent the line $n time(s) before giving up, not 3" \
            "RETRIES counts the sends after the first: with -r 2, send at most 3 times (try = 0 .. retries), one timed recv() after each"
        return 1
    fi
    if [[ $status -eq 0 ]]; then
        diagnose "the test's server dropped every datagram; your client exited with status 0" \
            "a line whose reply never came is a failure: report it and exit 1"
        return 1
    fi
    if [[ -z "$stderr" || "${stderr,,}" == *refused* ]]; then
        diagnose "the test's server dropped every datagram; your client exited with status $status and said: '$(brief "$stderr")'" \
            "say that no reply came (and how many tries), e.g. 'udpclient: no reply from 127.0.0.1:$PORT after 3 tries': it is not a refused connection"
    fi
}

# points: 2
@test "the client reports a closed port as connection refused at once, not after its timeout" {
    # A timeout long next to starting a program on a busy machine: "at once" must not depend on
    # the load (a client that waits for its timeout takes 4 s or more).
    local timeout=$((4000 * H_SLOW))
    client 'anyone there?' -t "$timeout" -r 1 127.0.0.1 "$PORT"
    if [[ $status -eq 124 ]]; then
        diagnose "nothing is bound to UDP port $PORT; your client (-t $timeout -r 1) was still running ${STUDENT_TIMEOUT}s later" \
            "connect() the UDP socket to the server and use send()/recv(): then the ICMP 'port unreachable' the kernel gets back comes to you as ECONNREFUSED from recv(), at once; report it and exit 1"
        return 1
    fi
    if [[ $status -eq 0 ]]; then
        diagnose "nothing is bound to UDP port $PORT; your client exited with status 0, printing '$(brief "$output")'" \
            "recv() failing (ECONNREFUSED) is a failure: report it and exit 1"
        return 1
    fi
    if [[ "${stderr,,}" != *"connection refused"* || $took -ge $timeout ]]; then
        diagnose "nothing is bound to UDP port $PORT (a datagram sent there is answered with an ICMP 'port unreachable'); your client (-t $timeout -r 1) exited after $took ms with status $status and said: '$(brief "$stderr")'" \
            "connect() the UDP socket to the server and use send()/recv(): only a connected socket hears the ICMP error, as recv() failing with ECONNREFUSED. Report it as 'connection refused' at once; it is not a timeout, and sending again will not help"
    fi
}

# points: 1
@test "the client ignores a reply that comes from another port than the server's" {
    needs "the client sends each line as one datagram and prints each reply"
    start_echo -F
    client 'hello' -t 200 -r 1 127.0.0.1 "$PORT"
    local stranger
    stranger=$(awk '$1 == "echo" { print $NF; exit }' "$(log_of echo)")
    if [[ "$output" == *hello* ]]; then
        diagnose "the test's server at 127.0.0.1:$PORT answered 'hello' from another socket, ${stranger:-another port}; your client printed that answer as the reply" \
            "accept replies from the server's address and port only: connect() the UDP socket to the server, and the kernel drops datagrams from anyone else (with recvfrom(), you would have to compare the sender with the server yourself)"
        return 1
    fi
    [[ $status -ne 0 && $status -ne 124 ]] || diagnose "the test's server answered only from another port (${stranger:-?}), so no reply came from the server; your client (-t 200 -r 1) exited with status $status (124: still running ${STUDENT_TIMEOUT}s later)" \
        "no reply from the server after every try is a failure: report it and exit 1"
}

# points: 1
@test "the client reports a line too long for one datagram instead of waiting for a reply" {
    needs "the client sends each line as one datagram and prints each reply"
    start_echo
    # As long as in the refused-port test, for the same reason.
    local timeout=$((4000 * H_SLOW)) line
    line=$(head -c 70000 /dev/zero | tr '\0' x)
    client "$line" -t "$timeout" -r 1 127.0.0.1 "$PORT"
    local n
    n=$(count_lines echo recv)
    if [[ $status -eq 0 || $status -eq 124 ]]; then
        diagnose "the input was one line of 70001 bytes, more than the 65507 one datagram can hold; your client exited with status $status (124: still running ${STUDENT_TIMEOUT}s later)" \
            "send() fails with EMSGSIZE ('Message too long') here: check what send() returns, report it and exit 1"
        return 1
    fi
    if [[ $took -ge $timeout || "${stderr,,}" != *"too long"* ]]; then
        diagnose "the input was one line of 70001 bytes, more than the 65507 one datagram can hold ($(received) reached the server); your client (-t $timeout -r 1) exited after $took ms and said: '$(brief "$stderr")'" \
            "send() failed with EMSGSIZE ('Message too long'): check what send() returns and report that at once, instead of waiting for the reply to a datagram that never left"
    fi
}

# points: 1
@test "the client rejects a bad address, port, timeout or retry count" {
    local STUDENT_TIMEOUT=3 # a right answer comes at once; a hang shows in 3 s
    local bad
    for bad in 300.1.2.3 not-an-address; do
        client hello "$bad" "$PORT"
        [[ $status -ne 0 && $status -ne 124 && "$stderr" == *"$bad"* ]] || diagnose "'udpclient $bad $PORT' exited with status $status (124: still running ${STUDENT_TIMEOUT}s later) and said: '$(brief "$stderr")'" \
            "inet_pton() returns 1 only for a valid dotted-decimal address: on anything else, name the bad address in the message (\"invalid IPv4 address '$bad'\") and exit non-zero"
    done
    for bad in "127.0.0.1 70000" "-t 5s 127.0.0.1 $PORT" "-r -1 127.0.0.1 $PORT"; do
        # shellcheck disable=SC2086  # the words of $bad are the arguments
        client hello $bad
        [[ $status -ne 0 && $status -ne 124 ]] || diagnose "'udpclient $bad' exited with status $status and said: '$(brief "$stderr")'" \
            "parse numbers with strtol() (parse_long()), check the end pointer and the range, and exit non-zero on a bad one"
    done
    client hello 127.0.0.1
    [[ $status -eq 2 ]] || diagnose "'udpclient 127.0.0.1' (no port) exited with status $status and said: '$(brief "$stderr")'" \
        "print the usage and exit with status 2"
}

# points: 2
@test "under Valgrind the client leaks no descriptor and no memory, also when no reply comes" {
    needs "the client sends each line as one datagram and prints each reply"
    with_valgrind
    start_echo
    local closed report
    closed=$(port_for 8081)
    # Not `run`: the runs keep their names (udpclient-run1, -run2) for valgrind_report.
    status=0
    student udpclient -t 2000 127.0.0.1 "$PORT" <<<$'one\ntwo' >"$BATS_TEST_TMPDIR/ok.out" 2>"$BATS_TEST_TMPDIR/ok.err" || status=$?
    [[ $status -eq 0 ]] || diagnose "under Valgrind, your client echoing two lines exited with status $status; $(stderr_tail "$BATS_TEST_TMPDIR/ok.err" 3)" \
        "every line came back, so the client must exit with status 0"
    student udpclient -t 2000 127.0.0.1 "$closed" <<<'anyone there?' >/dev/null 2>&1 || true
    report=$(valgrind_report udpclient-run1)
    if [[ -n "$report" ]]; then
        diagnose "under Valgrind, after echoing two lines: $(brief "$report")" \
            "close the socket and free every buffer (the line getline() allocated, the reply buffer) before exiting"
        return 1
    fi
    report=$(valgrind_report udpclient-run2)
    [[ -z "$report" ]] || diagnose "under Valgrind, after a refused connection (nothing on UDP port $closed): $(brief "$report")" \
        "on the failure path too, free the line getline() allocated and the reply buffer, and close the socket: a goto to one cleanup label keeps that in one place"
}
