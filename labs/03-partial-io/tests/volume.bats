#!/usr/bin/env bats
# shellcheck disable=SC2034  # Bats reads BATS_TEST_TIMEOUT
# Lab 03: large messages. A 16 MiB message to a reader that is slow and has a small receive
# buffer (4,096 reads of 4 KiB) keeps the sender's writes blocked on a full socket buffer for
# most of the transfer.
BATS_TEST_TIMEOUT=120

bats_load_library sockets-harness
load helpers

# points: 3
@test "a 16 MiB message reaches a slow reader with a small receive buffer intact" {
    needs "send_msg sends all of a 1 MiB message through short writevs (seed 11)"
    random_file "$T/big.bin" 16777216
    frame "$T/big.bin" "$T/expected.bin"
    REC_OPTS=(-r 4096 -c 4096)
    with_shortio 9 262144
    SEND_LIMIT=30 send_to_recorder -n "$T/big.bin"
    if [[ $SEND_STATUS == 124 ]]; then
        diagnose "after 30 s msgsend was still sending a 16 MiB message; the recorder had received $(size_of "$T/rec/conn-1.bin") bytes" \
            "the transfer stalled: is every short writev() continued, and does the loop end when every byte is out?"
    fi
    check_framed_stream "$T/expected.bin" "$T/rec/conn-1.bin" \
        "msgsend sent a 16777216-byte message with send_msg() to a reader with SO_RCVBUF 4096 reading 4096 bytes at a time, each writev() cut to at most 262144 bytes" \
        "$(sender_said)"
    expect_send_ok
}

# points: 2
@test "msgsend and msgrecv exchange a 16 MiB message through short reads and writes" {
    needs "msgsend and msgrecv exchange messages of 0, 1, 4, 1000 and 1048576 bytes" \
        "send_msg sends all of a 1 MiB message through short writevs (seed 11)" \
        "recv_msg receives all of a 1 MiB message through short reads (seed 11)"
    random_file "$T/big.bin" 16777216
    with_shortio 13 65536
    start_server
    # Only msgsend's calls are logged: they tell a send-side mistake from a receive-side one.
    with_call_log "$T/sender.calls"
    spawn_student sender msgsend 127.0.0.1 "$PORT" "$T/big.bin"
    wait_for_exit sender 20
    SEND_STATUS=$status
    local broke
    broke=$(write_chain "$T/sender.calls")
    if [[ -n "$broke" ]]; then
        diagnose "msgsend sent a 16 MiB message with send_msg(), each writev() cut to at most 65536 bytes: $broke" \
            "the sending side lost its place: writev_all() must go on after a short writev() from the exact byte where it stopped, asking for exactly what is left, until every byte is out"
    fi
    check_received "$T/big.bin" "$T/got/conn-1-msg-1.bin" server 65536
    [[ $SEND_STATUS -eq 0 ]] || diagnose "msgrecv received the 16 MiB message whole, but $(sender_said)" \
        "msgsend sends with send_msg() and reads the acknowledgement with recv_msg(): see its error above"
}
