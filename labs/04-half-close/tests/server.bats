#!/usr/bin/env bats
# Lab 04, server side: the file server sends a file, half-closes with shutdown(SHUT_WR), and still
# reads the client's acknowledgement. The test's client is the harness's `scripted` peer: it logs
# every read, FIN and RST in order, and keeps the bytes it received, so the verdicts rest on what
# crossed the wire. The server's own "ack from ..." line is the evidence of what it read.
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats
BATS_TEST_TIMEOUT=120

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/transcript"

setup() {
    harness_setup
    PORT=$(port_for 8080)
    FILE="${BATS_TEST_TMPDIR}/file.bin"
    CALLS="${BATS_TEST_TMPDIR}/server.calls"
}

# start_server SIZE - make FILE (SIZE random bytes) and start the student's server sending it on
# PORT, its calls on sockets logged to CALLS; wait until it listens.
start_server() {
    head -c "$1" /dev/urandom >"$FILE"
    with_call_log "$CALLS"
    spawn_student server server "$PORT" "$FILE"
    wait_for_port "$PORT" server
}

log_of() { echo "${BATS_TEST_TMPDIR}/$1.log"; }
got_of() { echo "${BATS_TEST_TMPDIR}/$1.got"; }

# fetch NAME STEP... - run a scripted client called NAME through STEPs against the server and wait
# up to 5 s for it to finish: `status` is its exit status, 124 if it was still waiting then.
# Its log is $(log_of NAME), the bytes it received $(got_of NAME).
fetch() {
    local name=$1
    shift
    spawn_peer "$name" scripted -o "$(log_of "$name")" -O "$(got_of "$name")" \
        "127.0.0.1:${PORT}" "$@"
    wait_for_exit "$name" 5
}

# wire NAME - the transcript of client NAME, and what the student's server did, for a diagnosis.
wire() {
    printf '%s\n%s%s' "$(wire_story "the test's client" "$(transcript_of_client "$(log_of "$1")")")" \
        "$(student_side server)" "$(calls_note "$CALLS")"
}

# expect_file_then_fin NAME - client NAME received exactly FILE, then FIN (not RST). WAITED is
# fetch's status for it.
expect_file_then_fin() {
    local name=$1 waited=$2 log got n m ending
    log=$(log_of "$name")
    got=$(got_of "$name")
    n=$(size_of "$FILE")
    m=$(size_of "$got")
    ending=$(grep -m 1 -xE 'eof|rst' "$log" || true)
    if [[ -z "$ending" && $waited -eq 124 && $m -eq $n ]]; then
        diagnose "the client received all $n bytes of the file, then nothing for 5 s: no FIN came"$'\n'"$(wire "$name")" \
            "no FIN: after the last byte, call shutdown(fd, SHUT_WR). It sends the FIN that makes the client's read() return 0; without it the client waits for EOF while the server waits for the acknowledgement, a deadlock. (shutdown(fd, SHUT_RD) sends nothing: only SHUT_WR sends a FIN.)"
    elif [[ -z "$ending" && $waited -eq 124 ]]; then
        diagnose "the client received $m of the file's $n bytes, then nothing for 5 s"$'\n'"$(wire "$name")" \
            "the server stopped sending before the end of the file and did not end the connection: send all of it with writen(), then shutdown(fd, SHUT_WR)"
    elif [[ -z "$ending" ]]; then
        diagnose "the test's client failed before the file ended (exit status $waited)"$'\n'"$(wire "$name")" \
            "the server must be listening, accept this client and send it the file: see how your server ended, above"
    elif [[ "$ending" == rst ]]; then
        diagnose "the client received $m of the file's $n bytes, then RST instead of FIN"$'\n'"$(wire "$name")" \
            "the connection was reset, not ended in order: a socket closed while received bytes are still unread answers with RST (so do SO_LINGER 0 and a crash). End the sending direction with shutdown(fd, SHUT_WR), and close() only after reading until EOF"
    elif [[ $m -lt $n && -z "$(first_difference "$FILE" "$got")" ]]; then
        diagnose "the client received only $m of the file's $n bytes, then FIN"$'\n'"$(wire "$name")" \
            "the server half-closed (or closed) before the whole file was out: writen() the whole file first, then shutdown(fd, SHUT_WR)"
    elif ! cmp -s "$FILE" "$got"; then
        diagnose "the client received $m bytes, then FIN, but they are not the file's $n bytes (first difference at byte $(first_difference "$FILE" "$got"))"$'\n'"$(wire "$name")" \
            "send the file's bytes exactly once and in order, and nothing else"
    else
        return 0
    fi
    return 1
}

# ack_or_error OUT REGEX ERR - true once OUT has a line matching REGEX or ERR is not empty.
ack_or_error() {
    h_has_line "$1" "$2" || [[ -s "$3" ]]
}

# expect_ack NAME TEXT [N] - the server's Nth (1st) "ack from" line reads
# "ack from 127.0.0.1:PORT: TEXT", TEXT being what client NAME sent after the server's FIN. For the
# first client any "ack from" line ends the wait, so that a wrong one is reported at once.
expect_ack() {
    local name=$1 text=$2 nth=${3:-1} out err wanted line got
    out=$(out_of server)
    err=$(err_of server)
    wanted="^ack from 127\\.0\\.0\\.1:[0-9]+: "
    [[ $nth -eq 1 ]] || wanted+="${text}\$"
    # The acknowledgement, or an error reported instead: a server that says why it could not
    # read it will not print it, and need not keep the test waiting 5 s.
    wait_until 5 ack_or_error "$out" "$wanted" "$err" || true
    line=$(grep -E '^ack from ' "$out" | sed -n "${nth}p")
    got=${line#ack from *: }
    if [[ "$got" == "$text" ]]; then
        return 0
    fi
    local from_calls
    from_calls=$(calls_mistake "$CALLS" server "$err")
    local printed="no acknowledgement"
    [[ -z "$line" ]] || printed="'$line'"
    if [[ -n "$from_calls" ]]; then
        diagnose "the client sent '$text' and then FIN; the server printed $printed"$'\n'"$(wire "$name")" \
            "$from_calls"
    elif [[ -n "$line" && -z "$got" ]]; then
        diagnose "the server printed an empty acknowledgement ('$line'): its read() returned 0 at once, before the client's ${#text} bytes '$text' arrived"$'\n'"$(wire "$name")" \
            "shutdown(fd, SHUT_RDWR) and shutdown(fd, SHUT_RD) also end the server's own reading direction, so read() reports EOF straight away (and the client's bytes then meet a reset). Half-close with shutdown(fd, SHUT_WR): it ends only the sending direction"
    elif [[ -n "$line" && "$text" == "$got"* ]]; then
        diagnose "the server printed '$got' (${#got} bytes), but the client sent '$text' (${#text} bytes) and then FIN"$'\n'"$(wire "$name")" \
            "one read() returns only what has arrived so far, not the whole acknowledgement: keep calling read() until read() returns 0 (the client's FIN), which is where the acknowledgement ends"
    elif [[ -n "$line" ]]; then
        diagnose "the server printed '$line', but the client sent '$text' and then FIN"$'\n'"$(wire "$name")" \
            "print 'ack from IP:PORT: TEXT' with TEXT the bytes read until EOF (up to the first newline)"
    elif grep -q 'Connection reset by peer' "$err"; then
        diagnose "the server printed no acknowledgement: its read() failed with ECONNRESET when the client's '$text' arrived"$'\n'"$(wire "$name")" \
            "the server had given up its reading direction, so the kernel answered the client's bytes with RST: shutdown(fd, SHUT_RDWR) and shutdown(fd, SHUT_RD) end reading as well as (or instead of) writing. Half-close with shutdown(fd, SHUT_WR): it ends only the sending direction"
    elif grep -q 'Bad file descriptor' "$err" || grep -qxE 'rst|error .*' "$(log_of "$name")"; then
        diagnose "the server printed no acknowledgement; the client's '$text' met a closed socket"$'\n'"$(wire "$name")" \
            "the server closed its socket with close() instead of shutdown(SHUT_WR): close() gives up both directions, so read() fails (EBADF) and the client's acknowledgement arrives at a socket that no longer exists, which the kernel answers with RST. shutdown(fd, SHUT_WR) sends the same FIN but keeps the reading direction open; close() comes after reading until EOF"
    elif grep -q 'Interrupted system call' "$err"; then
        diagnose "the server reported EINTR instead of printing the acknowledgement"$'\n'"$(wire "$name")" \
            "either a read() interrupted by a signal was not retried (it fails with EINTR before reading anything: call it again), or read() returns 0 (the client's FIN: the normal end of the acknowledgement, not an error) and errno was a leftover of an earlier call: errno means something only after -1"
    elif [[ -s "$err" ]]; then
        diagnose "the server reported an error instead of printing the acknowledgement '$text'"$'\n'"$(wire "$name")" \
            "read() returns 0 when the client's FIN arrives: that is the normal end of the acknowledgement, not an error (only -1 is). Stop reading there and print what came"
    else
        diagnose "the server printed no 'ack from 127.0.0.1:PORT: $text' line within 5 s of the client's FIN"$'\n'"$(wire "$name")" \
            "after shutdown(fd, SHUT_WR), read the acknowledgement until read() returns 0, then print it on stdout"
    fi
    return 1
}

# points: 2
@test "the server sends the whole file, then a FIN" {
    start_server 1048576
    fetch reader recvall
    expect_file_then_fin reader "$status"
}

# points: 2
@test "the server still reads the client's acknowledgement after its FIN" {
    needs "the server sends the whole file, then a FIN"
    start_server 65536
    fetch acker recvall sendtext:thanks shut:wr
    expect_file_then_fin acker "$status"
    expect_ack acker thanks
}

# points: 1
@test "the server reads an acknowledgement that arrives in pieces until EOF" {
    needs "the server still reads the client's acknowledgement after its FIN"
    start_server 4096
    fetch slow recvall chunk:3 delay:100 sendtext:thank-you-very-much shut:wr
    expect_file_then_fin slow "$status"
    expect_ack slow thank-you-very-much
}

# points: 2
@test "the server survives a client that hangs up while the file is still being sent" {
    needs "the server still reads the client's acknowledgement after its FIN"
    # 8 MiB is more than the socket buffers hold, so the server is still writing when the client
    # hangs up. 'stalled' holds the server without reading; 'gone' connects behind it and closes at
    # once (FIN). When 'stalled' is stopped, its unread data makes its socket answer RST; the server
    # then writes the file to 'gone', whose end is already closed: EPIPE, or death by SIGPIPE.
    start_server 8388608
    spawn_peer stalled scripted -o "$(log_of stalled)" "127.0.0.1:${PORT}" pause:60000
    wait_for_file_content "$(log_of stalled)" '^connect ' 5
    run -0 peer scripted -o "$(log_of gone)" "127.0.0.1:${PORT}" close
    stop stalled
    fetch after recvall sendtext:thanks shut:wr
    local fetched=$status
    if ! grep -qx eof "$(log_of after)"; then
        wait_for_exit server 1
        if [[ $status -eq 141 ]]; then
            diagnose "your server was killed by signal 13, SIGPIPE (exit status 141), after a client hung up before the whole file was sent"$'\n'"$(wire after)" \
                "writing to a connection whose peer has closed raises SIGPIPE, and its default action ends the whole process. Ignore SIGPIPE (signal(SIGPIPE, SIG_IGN) before serving, or send() with MSG_NOSIGNAL): write() then fails with EPIPE, which you report for that one connection ('server: send: Broken pipe') before serving the next client"
            return 1
        elif [[ $status -ne 124 ]]; then
            diagnose "your server $(exit_story "$status") after a client hung up before the whole file was sent"$'\n'"$(wire after)" \
                "one client must never end the server: report its error (ECONNRESET, EPIPE), close that connection and go back to accept()"
            return 1
        fi
    fi
    expect_file_then_fin after "$fetched"
    expect_ack after thanks
}

# points: 1
@test "the server serves one client after another" {
    needs "the server still reads the client's acknowledgement after its FIN"
    start_server 100000
    fetch first recvall sendtext:first shut:wr
    expect_file_then_fin first "$status"
    expect_ack first first
    fetch second recvall sendtext:second shut:wr
    expect_file_then_fin second "$status"
    expect_ack second second 2
}

# points: 1
@test "the server's transfer survives short reads and writes" {
    needs "the server still reads the client's acknowledgement after its FIN" \
        "the server reads an acknowledgement that arrives in pieces until EOF"
    with_shortio 4 5 10
    start_server 20000
    fetch cut recvall sendtext:thanks-for-the-file shut:wr
    expect_file_then_fin cut "$status"
    expect_ack cut thanks-for-the-file
}

# socket_count NAME - how many sockets NAME's program holds open.
socket_count() {
    local pid
    pid=$(program_pid "$1") || { echo 0; return 0; }
    socket_count_of "$pid"
}

# only_listening NAME - true once NAME's program holds at most one socket (its listening one).
only_listening() {
    (($(socket_count "$1") <= 1))
}

# read_after_shutdown LOG - the bytes the reads in LOG after the last shutdown() returned, in all.
read_after_shutdown() {
    awk '$1 == "shutdown" { n = 0; on = 1; next }
        on && $1 ~ /^(read|recv)$/ { for (i = 2; i <= NF; i++) if ($i ~ /^ret=[0-9]/) n += substr($i, 5) }
        END { print n + 0 }' "$1"
}

# points: 1
@test "the server reads a long acknowledgement to EOF before closing, and keeps its first 255 bytes" {
    needs "the server still reads the client's acknowledgement after its FIN"
    local ack
    ack=$(printf 'x%.0s' {1..1000})
    start_server 4096
    fetch long recvall sendtext:"$ack" shut:wr
    expect_file_then_fin long "$status" || return 1
    wait_for_file_content "$(out_of server)" '^ack from ' 5 || true
    poll_until 2 grep -q '^close ' "$CALLS" || true
    local ends
    ends=$(calls_closes "$CALLS")
    if [[ "$ends" == "noeof close" ]]; then
        diagnose "the client sent a 1000-byte acknowledgement and FIN; the server read $(read_after_shutdown "$CALLS") bytes of it and called close() before any read() returned 0"$'\n'"$(wire long)" \
            "the server stopped reading before read() returned 0 (once its buffer was full?): the rest of the acknowledgement was still unread when close() came, and close() with unread bytes sends RST instead of FIN, which can destroy what the client has not read yet (the truncated response). Keep calling read() (into a scratch buffer once yours is full) until it returns 0, then close()"
        return 1
    fi
    local line got
    line=$(grep -m 1 '^ack from ' "$(out_of server)" || true)
    got=${line#ack from *: }
    [[ "$got" == "${ack:0:255}" ]] && return 0
    if [[ -z "$line" ]]; then
        expect_ack long "${ack:0:255}"
    elif ((${#got} > 255)); then
        diagnose "the client sent 1000 bytes; the server printed ${#got} of them, more than its 256-byte buffer can hold with the NUL"$'\n'"$(wire long)" \
            "read_ack() must keep only the first cap - 1 bytes (255 for a 256-byte buffer) and NUL-terminate them: each read() may ask only for the room left (cap - 1 - kept); what comes after is read into a scratch buffer and dropped"
    else
        diagnose "the client sent 1000 bytes; the server printed ${#got} of them, not the first 255"$'\n'"$(wire long)" \
            "read_ack() must keep the first cap - 1 bytes (255 for a 256-byte buffer), not fewer: fill the buffer before dropping bytes, and count what every read() returned"
    fi
}

# points: 1
@test "the server prints only the first line of the acknowledgement" {
    needs "the server still reads the client's acknowledgement after its FIN"
    start_server 4096
    fetch lines recvall sendtext:"thanks
for the file
" shut:wr
    expect_ack lines thanks || return 1
    local extra
    extra=$(grep -v '^ack from ' "$(out_of server)" || true)
    [[ -z "$extra" ]] && return 0
    diagnose "the client sent 'thanks', a newline, 'for the file' and a newline; the server printed the line 'ack from ...: thanks' and then: '$(head -n 3 <<<"$extra" | tr '\n' '|')'"$'\n'"$(wire lines)" \
        "print only the acknowledgement's first line: cut the text at the first '\\r' or '\\n' (strcspn) before printing"
}

# points: 1
@test "the server closes each client's socket once the acknowledgement is read" {
    needs "the server still reads the client's acknowledgement after its FIN"
    start_server 4096
    fetch first recvall sendtext:one shut:wr
    expect_ack first one || return 1
    fetch second recvall sendtext:two shut:wr
    expect_ack second two 2 || return 1
    local n
    poll_until 2 only_listening server || true
    n=$(socket_count server)
    ((n <= 1)) && return 0
    diagnose "after two clients were served and had closed their ends, the server holds $n sockets: the listening one and $((n - 1)) more"$'\n'"$(fds_of server | grep socket: | head -n 5)$(calls_note "$CALLS")" \
        "one descriptor per client is never closed: the accepted socket. close(fd) once the acknowledgement is read (and on every error path), or the server runs out of descriptors and every finished connection stays in CLOSE-WAIT"
}

# points: 1
@test "the server reports a port it cannot listen on and exits with status 1" {
    spawn_peer holder recorder -o "${BATS_TEST_TMPDIR}/holder.log" "$PORT"
    wait_for_port "$PORT" holder
    head -c 100 /dev/urandom >"$FILE"
    run student server "$PORT" "$FILE"
    if [[ $status -eq 1 && "$output" == *"listen"*"Address already in use"* ]]; then
        return 0
    fi
    diagnose "port $PORT was already taken; your server $(exit_story "$status") and said: '$(head -c 300 <<<"$output")'" \
        "when tcp_listen() returns -1, report it with warn() naming what failed ('server: listen on 127.0.0.1:$PORT: Address already in use') and return -1, so that main() exits with status 1"
}

# points: 2
@test "the server runs clean under Valgrind and closes every client's socket, also after an error" {
    needs "the server still reads the client's acknowledgement after its FIN" \
        "the server closes each client's socket once the acknowledgement is read"
    with_valgrind
    # 8 MiB is more than the socket buffers hold: the file cannot all be written before the reset
    # client's RST arrives, so sending to it fails (the error path under test).
    start_server 8388608
    fetch good recvall sendtext:good shut:wr
    expect_ack good good || return 1
    run -0 peer scripted -o "$(log_of reset)" "127.0.0.1:${PORT}" rst
    fetch after recvall sendtext:after shut:wr
    expect_ack after after 2 || return 1
    local n problems
    poll_until 2 only_listening server || true
    n=$(socket_count server)
    if ((n > 1)); then
        diagnose "after three clients (one of which reset its connection at once), the server holds $n sockets: the listening one and $((n - 1)) more"$'\n'"$(fds_of server | grep socket: | head -n 5)$(calls_note "$CALLS")" \
            "one descriptor per client is never closed: the accepted socket, on the path where sending or reading failed. Every way out of serve_client() must close(fd)"
        return 1
    fi
    stop server
    problems=$(valgrind_report server)
    [[ -z "$problems" ]] && return 0
    if grep -q 'lost' <<<"$problems"; then
        diagnose "Valgrind, after three clients (one reset its connection): $problems" \
            "memory allocated for a client was never freed: a buffer malloc()ed in serve_client() or read_ack() must be freed on every path out, the error paths too (or use an array on the stack)"
    else
        diagnose "Valgrind, after three clients (one reset its connection): $problems" \
            "a memory error: is the acknowledgement NUL-terminated within its buffer (at most cap - 1 bytes kept)? is every read() within the room left?"
    fi
}
