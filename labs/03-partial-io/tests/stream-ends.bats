#!/usr/bin/env bats
# shellcheck disable=SC2034  # Bats reads BATS_TEST_TIMEOUT
# Lab 03: streams that end early or carry a bad length. An end in the middle of a message is an
# error (neither a hang nor a silently short message); an end between messages is not.
BATS_TEST_TIMEOUT=60

bats_load_library sockets-harness
load helpers

LOOPING="recv_msg() is looping on read() returning 0: once the peer has closed, read() returns 0 (EOF) for ever; readn() must stop there and return the bytes it has"

# reported_or_gone FILE REGEX - true once msgrecv's FILE (stdout or stderr) has a line matching
# REGEX, or msgrecv has said how connection 1 ended some other way (an error, or a clean end), or
# has exited: then nothing more is coming, and waiting longer would only slow the verdict.
reported_or_gone() {
    h_has_line "$1" "$2" && return 0
    h_has_line "$(err_of server)" 'msgrecv: connection 1' && return 0
    h_has_line "$(out_of server)" '^connection 1: closed' && return 0
    ! is_running server
}

# expect_server_error REGEX WHAT - wait up to 5 s for msgrecv to report REGEX on stderr after
# the peer did WHAT; diagnose a hang, a message taken for whole, or another error.
expect_server_error() {
    local regex=$1 what=$2 line
    wait_until 5 reported_or_gone "$(err_of server)" "$regex" || true
    h_has_line "$(err_of server)" "$regex" && return 0
    if line=$(grep -m 1 '^message 1:' "$(out_of server)"); then
        diagnose "$what, and msgrecv went on as if it had a whole message: '$line'" \
            "a message cut short was taken for a whole message: when readn() returns fewer bytes than asked, the stream ended inside the message; recv_msg() must fail with errno EPROTO"
    elif line=$(grep -m 1 'closed by the peer' "$(out_of server)"); then
        diagnose "$what, and msgrecv saw a clean end: '$line'" \
            "a header cut short was taken for a clean end of the stream: only 0 bytes before the header is a clean end (return 0); 1 to 3 bytes is an error (EPROTO)"
    elif line=$(grep -m 1 'msgrecv: connection' "$(err_of server)"); then
        diagnose "$what; msgrecv reported '$line' instead" \
            "when readn() returns fewer bytes than asked, the peer closed in the middle of the message: recv_msg() must set errno = EPROTO (and *len once the header is in) and return -1"
    else
        diagnose "$what; 5 s later $(server_stuck_text server)" "$LOOPING"
    fi
    return 1
}

# points: 3
@test "recv_msg reports a peer that closes in the middle of a message, without hanging" {
    needs "recv_msg receives a message sent in one piece and msgrecv acknowledges it"
    random_file "$T/part.bin" 1000
    start_server
    run_client client send:00001388 sendfile:"$T/part.bin" close
    expect_server_error 'connection 1: peer closed in the middle of message 1, which announced 5000 bytes' \
        "the peer sent a header announcing 5000 bytes, then 1000 bytes, and closed"
}

# points: 2
@test "recv_msg reports a peer that closes in the middle of a header" {
    needs "recv_msg receives a message sent in one piece and msgrecv acknowledges it"
    start_server
    run_client client send:0000 close
    expect_server_error 'connection 1: peer closed in the middle of the header of message 1' \
        "the peer sent 2 bytes of a 4-byte header and closed"
}

# points: 2
@test "after a peer closed mid-message, msgrecv serves the next connection" {
    needs "recv_msg receives a message sent in one piece and msgrecv acknowledges it"
    random_file "$T/part.bin" 1000
    printf hello >"$T/hello.txt"
    frame "$T/hello.txt" "$T/hello.framed"
    ack_for "$T/hello.txt" "$T/ack.bin"
    start_server
    run_client first send:00001388 sendfile:"$T/part.bin" close
    run_client second sendfile:"$T/hello.framed" recv:12
    if ! grep -q '^connection 2: accepted' "$(out_of server)"; then
        diagnose "after a first peer closed in the middle of a 5000-byte message, msgrecv did not accept a second connection within 5 s; $(server_stuck_text server)" \
            "$LOOPING"
    fi
    check_received "$T/hello.txt" "$T/got/conn-2-msg-1.bin" server off
    check_acks "$T/ack.bin" "$T/second.bin"
}

# points: 2
@test "recv_msg takes a close between two messages as a clean end, not an error" {
    needs "recv_msg receives a message sent in one piece and msgrecv acknowledges it"
    printf hello >"$T/hello.txt"
    frame "$T/hello.txt" "$T/hello.framed"
    start_server
    run_client client sendfile:"$T/hello.framed" recv:12 close
    wait_until 5 reported_or_gone "$(out_of server)" '^connection 1: closed by the peer after 1 message' || true
    h_has_line "$(out_of server)" '^connection 1: closed by the peer after 1 message' && return 0
    local line
    if line=$(grep -m 1 'msgrecv: connection 1' "$(err_of server)"); then
        diagnose "the peer sent one whole message and closed; msgrecv reported an error: '$line'" \
            "read() returning 0 means EOF, not an error: readn() must return the bytes read so far (0 if none), and recv_msg() must return 0 when the stream ends before a header"
    else
        diagnose "the peer sent one whole message and closed; 5 s later $(server_stuck_text server)" "$LOOPING"
    fi
}

# points: 2
@test "recv_msg rejects a message longer than the buffer without reading it" {
    needs "recv_msg receives a message sent in one piece and msgrecv acknowledges it"
    random_file "$T/body.bin" 1048576
    frame "$T/body.bin" "$T/framed.bin"
    start_server -m 4096
    run_client client sendfile:"$T/framed.bin" recv:12
    wait_until 5 reported_or_gone "$(err_of server)" 'message 1 announces 1048576 bytes, more than the 4096-byte limit' || true
    if ! h_has_line "$(err_of server)" 'message 1 announces 1048576 bytes, more than the 4096-byte limit'; then
        local said
        said=$(grep -m 1 -E 'msgrecv|^message 1' "$(err_of server)" "$(out_of server)" | cut -d: -f2-)
        wait_for_exit server 1
        diagnose "a header announced 1048576 bytes to msgrecv -m 4096 (a 4096-byte buffer); msgrecv said '${said:-nothing}'$( [[ $status == 124 ]] || echo " and exited with status $status")" \
            "recv_msg() must compare the length with cap before reading the body, and fail with errno EMSGSIZE: reading 1 MiB into 4096 bytes overruns the buffer"
    fi
    [[ ! -s "$T/client.bin" ]] || diagnose "msgrecv acknowledged a message it should have rejected: the peer received '$(hex_at "$T/client.bin" 0 12)'" \
        "recv_msg() must return -1 (EMSGSIZE) for a length over cap"
}

# points: 2
@test "msgsend reports a server that closes in the middle of an acknowledgement" {
    needs "send_msg frames a 5-byte message as a 4-byte big-endian length and the body"
    printf hello >"$T/hello.txt"
    printf '%b' '\x00\x00\x00\x08\x00\x00' >"$T/half-ack.bin"
    spawn_peer rec recorder -n 1 -o "$T/rec.log" -s "$T/half-ack.bin" -S "$PORT"
    wait_for_port "$PORT" rec
    spawn_student sender msgsend 127.0.0.1 "$PORT" "$T/hello.txt"
    wait_for_exit sender 5
    if [[ $status == 124 ]]; then
        diagnose "the server sent 6 bytes of a 12-byte acknowledgement and shut down its side; 5 s later msgsend is still waiting" \
            "recv_msg() is looping on read() returning 0: after the peer's FIN, read() returns 0 for ever; readn() must stop there and return the bytes it has"
    fi
    if [[ $status != 1 ]] || ! grep -q 'in the middle of its acknowledgement' "$(err_of sender)"; then
        diagnose "the server sent 6 bytes of a 12-byte acknowledgement and shut down its side; msgsend exited with status $status and said: '$(h_tail_err sender)'" \
            "recv_msg() must return -1 with errno EPROTO when the stream ends inside a body (here 2 of the 8 announced bytes came): readn() returns the short count at EOF, and recv_msg() turns it into EPROTO"
    fi
}
