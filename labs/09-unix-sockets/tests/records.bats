#!/usr/bin/env bats
# Lab 09: message boundaries. unixtool recv receives with recv_record() on a SOCK_DGRAM or
# SOCK_SEQPACKET socket that unix_listen() made; unixtool send sends each argument with one
# send() on a socket that unix_connect() made. The messages are all sent before the receiver
# reads: a stream would merge them.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# shellcheck disable=SC2034  # read by the harness: nothing here waits on purpose
STUDENT_TIMEOUT=8

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/unix_helpers"

# records NAME - NAME's output without its "listening" and "accepted" lines, joined by " | ".
records() {
    grep -v -e '^listening$' -e '^accepted$' "$(out_of "$1")" | paste -sd '|' | sed 's/|/ | /g'
}

# points: 2
@test "datagrams sent back to back arrive one by one, never merged" {
    spawn_student rx unixtool recv -t dgram -n 3 "$SOCK"
    wait_until 5 listening_or_gone rx || true
    if ! h_has_line "$(out_of rx)" '^listening$'; then
        wait_for_exit rx 1
        local err
        err=$(h_tail_err rx)
        if [[ "$err" == *"not supported"* ]]; then
            diagnose "unixtool recv -t dgram could not start: $err" \
                "a SOCK_DGRAM socket has no connections: listen() on it fails with EOPNOTSUPP. Bind it and stop there; call listen() only for SOCK_STREAM and SOCK_SEQPACKET"
        else
            diagnose "unixtool recv -t dgram could not start: exit status $status; $err" "$(h_startup_hint rx)"
        fi
        return 1
    fi
    ut send -t dgram "$SOCK" one two three
    [[ $status -eq 0 ]] || { diagnose "unixtool recv -t dgram is bound at $SOCK; unixtool send -t dgram: $(said)" "unix_connect() with TYPE SOCK_DGRAM: socket(AF_UNIX, SOCK_DGRAM, 0) and connect() to the receiver's path"; return 1; }
    wait_for_exit rx 5
    local got
    got=$(records rx)
    [[ "$got" == "record 3 one | record 3 two | record 5 three" ]] && return 0
    diagnose "three datagrams 'one', 'two', 'three' were sent back to back; unixtool recv printed: $got (exit status $status; $(h_tail_err rx))" \
        "recv_record(): one recv() returns one datagram, whole: never loop to fill the buffer (that is for streams)"
}

# points: 2
@test "seqpacket records keep their boundaries, and the end of the connection reads as eof" {
    needs "a server listens at a path and greets a client with the client's uid, gid and pid"
    start_server rx recv -t seqpacket "$SOCK"
    ut send -t seqpacket "$SOCK" one two three
    [[ $status -eq 0 ]] || { diagnose "unixtool recv -t seqpacket listens at $SOCK; unixtool send -t seqpacket: $(said)" "unix_listen() and unix_connect() create a socket of the TYPE asked for: socket(AF_UNIX, SOCK_SEQPACKET, 0) on both sides (a SOCK_STREAM listener refuses it with EPROTOTYPE)"; return 1; }
    wait_for_exit rx 5
    local got
    got=$(records rx)
    [[ "$got" == "record 3 one | record 3 two | record 5 three | eof" ]] && return 0
    diagnose "three records 'one', 'two', 'three' were sent on a SOCK_SEQPACKET connection, then it was closed; unixtool recv printed: $got (exit status $status; $(h_tail_err rx))" \
        "SOCK_SEQPACKET keeps each send() as one record: one recv() returns one record, and 0 at the end of the connection"
}

# points: 3
@test "a seqpacket record longer than the buffer is reported as too long, and the next one arrives whole" {
    needs "seqpacket records keep their boundaries, and the end of the connection reads as eof"
    start_server rx recv -t seqpacket -b 8 "$SOCK"
    ut send -t seqpacket "$SOCK" short a-record-of-25-bytes-long next
    wait_for_exit rx 5
    local got
    got=$(records rx)
    [[ "$got" == "record 5 short | too long | record 4 next | eof" ]] && return 0
    if [[ "$got" == *"record 8 a-record"* ]]; then
        diagnose "records of 5, 25 and 4 bytes were sent; with an 8-byte buffer unixtool recv printed: $got" \
            "recv() cuts a record longer than the buffer and THROWS AWAY the rest: the 8 bytes returned are not the record. Pass MSG_TRUNC in recv()'s flags (it then returns the record's real length) or check msg_flags & MSG_TRUNC after recvmsg(), and fail with EMSGSIZE"
    else
        diagnose "records of 5, 25 and 4 bytes were sent; with an 8-byte buffer unixtool recv printed: $got (exit status $status; $(h_tail_err rx))" \
            "a record longer than LEN: -1 with errno EMSGSIZE; the record is gone (consumed), and the next recv() returns the next record whole"
    fi
}
