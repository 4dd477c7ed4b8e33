#!/usr/bin/env bats
# Lab 04, client side: the upload client sends all of its input, half-closes with
# shutdown(SHUT_WR), and reads the server's reply until EOF. The test's server is the harness's
# `recorder`: it logs every read, the FIN or RST that ended the upload, and what it sent back, and
# keeps the bytes it received; after the client's FIN it replies with a digest the test computed.
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats
BATS_TEST_TIMEOUT=120

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/transcript"

setup() {
    harness_setup
    PORT=$(port_for 8080)
    UP="${BATS_TEST_TMPDIR}/upload.bin"
    REPLY="${BATS_TEST_TMPDIR}/reply.bin"
    GOT="${BATS_TEST_TMPDIR}/client.out"
    ERR="${BATS_TEST_TMPDIR}/client.err"
    LOG="${BATS_TEST_TMPDIR}/recorder.log"
    SAVED="${BATS_TEST_TMPDIR}/saved"
    CALLS="${BATS_TEST_TMPDIR}/client.calls"
}

# make_upload SIZE - the client's input: SIZE random bytes.
make_upload() {
    head -c "$1" /dev/urandom >"$UP"
}

# make_digest_reply - the server's reply to the upload: "received N bytes, sha256 HEX".
make_digest_reply() {
    printf 'received %s bytes, sha256 %s\n' "$(size_of "$UP")" "$(sha256sum <"$UP" | cut -d ' ' -f 1)" >"$REPLY"
}

# start_recorder ARG... - the recorder as the server on PORT, for one connection, with ARGs.
start_recorder() {
    mkdir -p "$SAVED"
    spawn_peer recorder recorder -n 1 -o "$LOG" -d "$SAVED" "$@" "$PORT"
    wait_for_port "$PORT" recorder
}

# run_client - the student's client with UP as stdin, stdout in GOT and stderr in ERR, given 5 s
# (scaled for Valgrind); `status` is its exit status, 124 if it was still running. Then waits for
# the recorder to finish the connection, so that its log is complete.
run_client() {
    with_call_log "$CALLS"
    status=0
    STUDENT_TIMEOUT=5 student client 127.0.0.1 "$PORT" <"$UP" >"$GOT" 2>"$ERR" || status=$?
    local client_status=$status
    wait_for_exit recorder 2
    status=$client_status
}

# wire [STORY] - the recorder's transcript (or STORY) and what the student's client did.
wire() {
    local story=${1:-$(wire_story "the test's server" "$(transcript_of_server "$LOG")")}
    printf '%s\nyour client: %s\n%s%s' "$story" "$(exit_story "$status")" "$(stderr_tail "$ERR" 4)" \
        "$(calls_note "$CALLS")"
}

# diagnose_hang - the client was still running at the time limit.
diagnose_hang() {
    local n m
    n=$(size_of "$UP")
    m=$(size_of "$SAVED/conn-1.bin")
    if [[ $m -eq $n ]]; then
        diagnose "the server received all $n bytes of the upload but no FIN while your client ran; your client then waited 5 s for the reply, and its FIN came only when it was stopped"$'\n'"$(wire)" \
            "no FIN: after the last byte of the upload, call shutdown(fd, SHUT_WR). The server replies once read() returns 0, so without the FIN both sides wait for each other, a deadlock. (shutdown(fd, SHUT_RD) sends nothing: only SHUT_WR sends a FIN.)"
    else
        diagnose "the server received $m of the upload's $n bytes; your client was still running after 5 s"$'\n'"$(wire)" \
            "read standard input until read() returns 0, sending what each read() brings with writen(), then shutdown(fd, SHUT_WR)"
    fi
}

# expect_connected - the recorder accepted a connection from the client.
expect_connected() {
    grep -q '^accept 1 ' "$LOG" && return 0
    diagnose "the test's server saw no connection from your client"$'\n'"$(wire)" \
        "connect to the IP and port given on the command line (tcp_connect()) before anything else"
    return 1
}

# expect_upload_then_fin - the recorder received exactly UP, then FIN (not RST), while the client ran.
expect_upload_then_fin() {
    local n m ending
    n=$(size_of "$UP")
    m=$(size_of "$SAVED/conn-1.bin")
    ending=$(grep -m 1 -oE '^(eof|rst) 1$' "$LOG" || true)
    expect_connected || return 1
    if [[ $status -eq 124 ]]; then
        diagnose_hang
    elif [[ -z "$ending" ]]; then
        diagnose "the server saw neither FIN nor RST after $m bytes"$'\n'"$(wire)" \
            "upload standard input, then shutdown(fd, SHUT_WR)"
    elif [[ "$ending" == "rst 1" ]]; then
        diagnose "the server received $m of the upload's $n bytes, then RST instead of FIN"$'\n'"$(wire)" \
            "the connection was reset, not ended in order: a socket closed while received bytes are still unread answers with RST. End the upload with shutdown(fd, SHUT_WR), read the reply until EOF, then close()"
    elif [[ $m -lt $n && -z "$(first_difference "$UP" "$SAVED/conn-1.bin")" ]]; then
        diagnose "the server received only the first $m of the upload's $n bytes, then FIN"$'\n'"$(wire)" \
            "the upload stopped early: one read() from standard input brings at most one buffer; keep reading until read() returns 0 (EOF), sending each piece with writen()"
    elif ! cmp -s "$UP" "$SAVED/conn-1.bin"; then
        diagnose "the server received $m bytes, then FIN, but they are not the $n bytes of the input (first difference at byte $(first_difference "$UP" "$SAVED/conn-1.bin"))"$'\n'"$(wire)" \
            "send exactly the bytes read, once each and in order: writen(fd, buf, n) with the n that read() returned"
    else
        return 0
    fi
    return 1
}

# expect_reply - the client exited 0 having printed exactly REPLY.
expect_reply() {
    local n m
    n=$(size_of "$REPLY")
    m=$(size_of "$GOT")
    expect_connected || return 1
    if [[ $status -eq 0 ]] && cmp -s "$REPLY" "$GOT"; then
        return 0
    fi
    local from_calls
    from_calls=$(calls_mistake "$CALLS" client "$ERR")
    if [[ $status -eq 124 ]]; then
        diagnose_hang
    elif [[ -n "$from_calls" ]]; then
        diagnose "your client $(exit_story "$status") and printed $m bytes of the server's $n-byte reply"$'\n'"$(wire)" \
            "$from_calls"
    elif [[ $status -ne 0 ]] && grep -q 'Bad file descriptor' "$ERR"; then
        diagnose "your client failed with EBADF after the upload and printed $m of the server's $n-byte reply"$'\n'"$(wire)" \
            "the client closed its socket with close() instead of shutdown(SHUT_WR): close() gives up both directions, so the reply can no longer be read (EBADF) and the kernel answers it with RST. shutdown(fd, SHUT_WR) sends the same FIN but keeps the reading direction open; close() comes after reading until EOF"
    elif [[ $status -ne 0 ]] && grep -q 'Interrupted system call' "$ERR" && ! cmp -s "$UP" "$SAVED/conn-1.bin"; then
        diagnose "your client reported EINTR before the upload was complete"$'\n'"$(wire)" \
            "a read() or write() interrupted by a signal fails with EINTR before transferring anything: call it again"
    elif [[ $status -ne 0 ]]; then
        diagnose "your client $(exit_story "$status") instead of printing the server's $n-byte reply (it printed $m bytes)"$'\n'"$(wire)" \
            "read() returns 0 at the end of the input and at the server's FIN: that is the normal end of the data, not an error (only -1 is). Treat 0 as 'done', and exit 0 after copying the reply. (errno means something only after -1: 'Success', or a leftover such as EINTR, after a read() that returned 0 is the sign.)"
    elif [[ $m -eq 0 ]]; then
        diagnose "your client exited 0 without printing any of the server's $n-byte reply: its read() returned 0 at once"$'\n'"$(wire)" \
            "shutdown(fd, SHUT_RDWR) and shutdown(fd, SHUT_RD) also end the client's own reading direction, so read() reports EOF before the reply comes (and SHUT_RD sends no FIN at all). Half-close with shutdown(fd, SHUT_WR): it ends only the sending direction"
    elif [[ $m -lt $n && -z "$(first_difference "$REPLY" "$GOT")" ]]; then
        diagnose "your client printed only the first $m bytes of the server's $n-byte reply, then exited"$'\n'"$(wire)" \
            "one read() returns what has arrived so far, not the whole reply: keep calling read() until read() returns 0 (the server's FIN), writing out each piece"
    elif ! cmp -s "$REPLY" "$GOT"; then
        diagnose "your client printed $m bytes, not the server's $n-byte reply (first difference at byte $(first_difference "$REPLY" "$GOT"))"$'\n'"$(wire)" \
            "copy the reply to standard output byte for byte (writen() with the count read() returned), and print nothing else there"
    else
        return 0
    fi
    return 1
}

# points: 2
@test "the client uploads all of its input, then sends a FIN" {
    make_upload 300000
    make_digest_reply
    start_recorder -a "$REPLY"
    run_client
    expect_upload_then_fin
}

# points: 2
@test "the client prints the server's reply after half-closing" {
    needs "the client uploads all of its input, then sends a FIN"
    # The server pauses 100 ms after each read, so a client that has stopped reading too early
    # finds nothing yet and is caught doing so.
    make_upload 5000
    make_digest_reply
    start_recorder -a "$REPLY" -w 100
    run_client
    expect_reply
}

# points: 1
@test "the client reads a long reply until EOF" {
    needs "the client prints the server's reply after half-closing"
    make_upload 5000
    head -c 1048576 /dev/urandom >"$REPLY"
    start_recorder -a "$REPLY"
    run_client
    expect_reply
}

# points: 1
@test "the client reports a server that hangs up during the upload instead of dying of SIGPIPE" {
    # socat sends FIN at once and closes without reading: the upload meets RST, and the client's
    # next write() fails with EPIPE (raising SIGPIPE). 8 MiB is more than the buffers hold.
    make_upload 8388608
    spawn socat socat -d -d -u OPEN:/dev/null "TCP-LISTEN:${PORT},bind=127.0.0.1,reuseaddr"
    wait_for_port "$PORT" socat
    status=0
    STUDENT_TIMEOUT=5 student client 127.0.0.1 "$PORT" <"$UP" >"$GOT" 2>"$ERR" || status=$?
    local story
    story=$(wire_story "the test's server (socat)" "$(printf '    %s\n' \
        "1. the client connects" "2. server -> client: FIN (the server called shutdown SHUT_WR)" \
        "3. the server closes its socket without reading the upload: RST for what arrives")")
    if ! wait_for_file_content "$(err_of socat)" 'accepting connection' 1; then
        diagnose "the test's server (socat) saw no connection from your client"$'\n'"$(wire "$(wire_story "the test's server (socat)" "    nothing: no connection was made")")" \
            "connect to the IP and port given on the command line (tcp_connect()), then upload standard input"
    elif [[ $status -eq 141 ]]; then
        diagnose "your client was killed by signal 13, SIGPIPE (exit status 141), without a word, while uploading to a server that had closed"$'\n'"$(wire "$story")" \
            "writing to a connection whose peer has closed raises SIGPIPE, and its default action ends the process silently. Ignore SIGPIPE (signal(SIGPIPE, SIG_IGN), or send() with MSG_NOSIGNAL): write() then fails with EPIPE, which you report ('client: upload: Broken pipe') before exiting with status 1"
    elif [[ $status -eq 124 ]]; then
        diagnose "your client was still running 5 s after the server closed the connection"$'\n'"$(wire "$story")" \
            "a failed write() (EPIPE, ECONNRESET) ends the upload: report it and exit with status 1"
    elif [[ $status -eq 0 ]]; then
        diagnose "your client exited with status 0 although the server closed without reading the upload"$'\n'"$(wire "$story")" \
            "a failed write() (EPIPE, ECONNRESET) is an error: report it on stderr and exit with a non-zero status"
    elif [[ ! -s "$ERR" ]]; then
        diagnose "your client exited with status $status but wrote nothing to stderr"$'\n'"$(wire "$story")" \
            "say what failed, e.g. warn(\"upload\") prints 'client: upload: Broken pipe'"
    fi
}

# points: 1
@test "the client's transfer survives short reads and writes" {
    needs "the client uploads all of its input, then sends a FIN" \
        "the client prints the server's reply after half-closing"
    with_shortio 7 5 10
    make_upload 20000
    head -c 3000 /dev/urandom >"$REPLY"
    start_recorder -a "$REPLY"
    run_client
    local from_calls
    from_calls=$(calls_mistake "$CALLS" client "$ERR")
    if [[ "$from_calls" == *EINTR* ]]; then
        diagnose "with one call in ten failing with EINTR, your client $(exit_story "$status")"$'\n'"$(wire)" "$from_calls"
        return 1
    fi
    expect_upload_then_fin
    expect_reply
}

# points: 1
@test "the client reports a server it cannot connect to and exits with status 1" {
    make_upload 100
    status=0
    STUDENT_TIMEOUT=5 student client 127.0.0.1 "$PORT" <"$UP" >"$GOT" 2>"$ERR" || status=$?
    if [[ $status -eq 1 ]] && grep -q 'connect.*Connection refused' "$ERR"; then
        return 0
    fi
    diagnose "nothing listens on 127.0.0.1:$PORT; your client $(exit_story "$status") and said: '$(head -c 300 "$ERR")'" \
        "when tcp_connect() returns -1, report it with warn() naming what failed ('client: connect 127.0.0.1:$PORT: Connection refused') and exit with status 1, before touching the socket"
}

# points: 2
@test "the client runs clean under Valgrind, after a reply and after a server that hangs up" {
    needs "the client prints the server's reply after half-closing"
    with_valgrind
    make_upload 5000
    make_digest_reply
    start_recorder -a "$REPLY"
    run_client
    local first=$status problems
    [[ $first -eq 0 ]] || { expect_reply; return 1; }
    # The error path: socat closes without reading, so the upload fails with EPIPE.
    make_upload 8388608
    spawn socat socat -u OPEN:/dev/null "TCP-LISTEN:${PORT},bind=127.0.0.1,reuseaddr"
    wait_for_port "$PORT" socat
    status=0
    STUDENT_TIMEOUT=5 student client 127.0.0.1 "$PORT" <"$UP" >"$GOT" 2>"$ERR" || status=$?
    problems=$(valgrind_report client-run1; valgrind_report client-run2)
    [[ -z "$problems" ]] && return 0
    if grep -q 'descriptor left open' <<<"$problems"; then
        diagnose "Valgrind (--track-fds=yes), after one run that got its reply and one whose server hung up (exit status $status): $problems" \
            "a descriptor was still open at exit: the socket is never closed on the path where the upload or the reply failed. Every way out of run_client() after tcp_connect() must close(fd)"
    elif grep -q 'lost' <<<"$problems"; then
        diagnose "Valgrind, after one run that got its reply and one whose server hung up: $problems" \
            "memory your client allocated was never freed: free it on every path out, the error paths too (or use an array on the stack)"
    else
        diagnose "Valgrind, after one run that got its reply and one whose server hung up: $problems" \
            "a memory error in the client: does every read() stay within its buffer, and does writen() get the count read() returned?"
    fi
}
