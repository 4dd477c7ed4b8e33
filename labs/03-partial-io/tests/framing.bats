#!/usr/bin/env bats
# shellcheck disable=SC2034  # Bats reads BATS_TEST_TIMEOUT
# Lab 03: message framing on the wire, without the short-I/O injector.
# The sending side is checked on the bytes a recorder saved; the receiving side is fed exact
# bytes by the scripted peer, and its acknowledgements are checked on what that peer received.
BATS_TEST_TIMEOUT=60

bats_load_library sockets-harness
load helpers

# writen first: shortio.bats, run beside this file, starts with a test that needs it.
# points: 2
@test "writen sends every byte of a buffer" {
    random_file "$T/data.bin" 100000
    send_to_recorder -r "$T/data.bin"
    check_raw_stream "$T/data.bin" "$T/rec/conn-1.bin" "msgsend -r wrote 100000 bytes with writen()" "$(sender_said)"
    expect_send_ok
}

# points: 2
@test "send_msg frames a 5-byte message as a 4-byte big-endian length and the body" {
    printf hello >"$T/hello.txt"
    frame "$T/hello.txt" "$T/expected.bin"
    send_to_recorder -n "$T/hello.txt"
    check_framed_stream "$T/expected.bin" "$T/rec/conn-1.bin" \
        "msgsend sent 'hello'; the recorder got '$(hex_at "$T/rec/conn-1.bin" 0 16)', expected '00 00 00 05 68 65 6c 6c 6f'" "$(sender_said)"
    expect_send_ok
}

# points: 2
@test "send_msg sends a zero-length message as the header alone" {
    needs "send_msg frames a 5-byte message as a 4-byte big-endian length and the body"
    : >"$T/empty.bin"
    printf abc >"$T/abc.txt"
    frame "$T/empty.bin" "$T/expected.bin"
    frame "$T/abc.txt" "$T/abc.framed"
    cat "$T/abc.framed" >>"$T/expected.bin"
    frame "$T/empty.bin" "$T/end.framed"
    cat "$T/end.framed" >>"$T/expected.bin"
    send_to_recorder -n "$T/empty.bin" "$T/abc.txt" "$T/empty.bin"
    if [[ "$(hex_at "$T/rec/conn-1.bin" 0 7)" == "00 00 00 03 61 62 63" ]]; then
        diagnose "msgsend sent messages of 0, 3 and 0 bytes; the recorder got '$(hex_at "$T/rec/conn-1.bin" 0 16)', expected '00 00 00 00 00 00 00 03 61 62 63 00 00 00 00': the zero-length messages sent nothing" \
            "a zero-length message is still a message: send_msg() must send its 4-byte header 00 00 00 00 even when len is 0"
        return 1
    fi
    check_framed_stream "$T/expected.bin" "$T/rec/conn-1.bin" \
        "msgsend sent messages of 0, 3 and 0 bytes; the recorder got '$(hex_at "$T/rec/conn-1.bin" 0 16)'" "$(sender_said)"
    expect_send_ok
}

# points: 2
@test "recv_msg receives a message sent in one piece and msgrecv acknowledges it" {
    random_file "$T/body.bin" 1000
    frame "$T/body.bin" "$T/framed.bin"
    ack_for "$T/body.bin" "$T/ack.bin"
    start_server
    run_client client sendfile:"$T/framed.bin" recv:12
    check_received "$T/body.bin" "$T/got/conn-1-msg-1.bin" server off
    check_acks "$T/ack.bin" "$T/client.bin"
}

# points: 2
@test "recv_msg receives a message that arrives one byte at a time" {
    needs "recv_msg receives a message sent in one piece and msgrecv acknowledges it"
    random_file "$T/body.bin" 40
    frame "$T/body.bin" "$T/framed.bin"
    ack_for "$T/body.bin" "$T/ack.bin"
    start_server
    run_client client chunk:1 delay:2 sendfile:"$T/framed.bin" recv:12
    check_received "$T/body.bin" "$T/got/conn-1-msg-1.bin" server off
    check_acks "$T/ack.bin" "$T/client.bin"
}

# points: 2
@test "recv_msg receives zero-length messages" {
    needs "recv_msg receives a message sent in one piece and msgrecv acknowledges it"
    : >"$T/empty.bin"
    printf abc >"$T/abc.txt"
    ack_for "$T/empty.bin" "$T/ack0.bin"
    ack_for "$T/abc.txt" "$T/ack3.bin"
    cat "$T/ack0.bin" "$T/ack0.bin" "$T/ack3.bin" "$T/ack0.bin" >"$T/acks.bin"
    start_server
    run_client client send:0000000000000000 send:00000003616263 send:00000000 recv:48
    check_received "$T/empty.bin" "$T/got/conn-1-msg-1.bin" server off
    check_received "$T/empty.bin" "$T/got/conn-1-msg-2.bin" server off
    check_received "$T/abc.txt" "$T/got/conn-1-msg-3.bin" server off
    check_received "$T/empty.bin" "$T/got/conn-1-msg-4.bin" server off
    check_acks "$T/acks.bin" "$T/client.bin"
}

# points: 2
@test "a message exactly as large as the buffer is accepted" {
    needs "recv_msg receives a message sent in one piece and msgrecv acknowledges it"
    random_file "$T/body.bin" 1000
    frame "$T/body.bin" "$T/framed.bin"
    start_server -m 1000
    run_client client sendfile:"$T/framed.bin" recv:12
    if grep -q 'more than the 1000-byte limit' "$(err_of server)"; then
        diagnose "msgrecv -m 1000 rejected a message of exactly 1000 bytes: '$(grep -m 1 limit "$(err_of server)")'" \
            "an off-by-one in the size check: a message of cap bytes fits; only len > cap is EMSGSIZE"
    fi
    check_received "$T/body.bin" "$T/got/conn-1-msg-1.bin" server off
}

# points: 3
@test "msgsend and msgrecv exchange messages of 0, 1, 4, 1000 and 1048576 bytes" {
    needs "send_msg frames a 5-byte message as a 4-byte big-endian length and the body" \
        "send_msg sends a zero-length message as the header alone" \
        "recv_msg receives a message sent in one piece and msgrecv acknowledges it" \
        "recv_msg receives zero-length messages" \
        "a message exactly as large as the buffer is accepted"
    : >"$T/m1.bin"
    printf x >"$T/m2.bin"
    printf abcd >"$T/m3.bin"
    random_file "$T/m4.bin" 1000
    random_file "$T/m5.bin" 1048576
    start_server
    spawn_student sender msgsend 127.0.0.1 "$PORT" "$T"/m{1,2,3,4,5}.bin
    wait_for_exit sender 5
    SEND_STATUS=$status
    local i
    for i in 1 2 3 4 5; do
        check_received "$T/m$i.bin" "$T/got/conn-1-msg-$i.bin" server off
    done
    [[ $SEND_STATUS -eq 0 ]] || diagnose "msgrecv received all five messages, but $(sender_said)" \
        "msgsend reads each acknowledgement with recv_msg(): see its error above"
    grep -q '^message 5: 1048576 bytes, crc32 [0-9a-f]*, acknowledged$' "$(out_of sender)" ||
        diagnose "msgsend exited 0 but did not report message 5 (1048576 bytes) as acknowledged: '$(tail -n 1 "$(out_of sender)")'" \
            "msgsend prints a line for each acknowledged message: send_msg() must return 0 and recv_msg() 1 for each"
}
