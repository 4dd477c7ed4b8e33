#!/usr/bin/env bats
# Lab 01: the message header, both directions, and where wire serve listens. `wire send`
# encodes a header and a recorder writes down the exact bytes that arrive; `wire serve` decodes
# bytes a scripted client sends. The header: version=1 type=7 flags=0x1234 length=0xa1b2c3d4
# seq=0x0102030405060708, on the wire 01 07 12 34 a1 b2 c3 d4 01 02 03 04 05 06 07 08.
# The field tests look at the bytes of the one `wire send` (or `wire serve`) run of the test
# they need, when it ran: one run, one result for each field.
# shellcheck disable=SC2034  # PORT, COUNTERPART are read by wire.bash
export BATS_TEST_TIMEOUT=60
# wire's commands take milliseconds: one still running after 3 s (times 4 under qemu, 8 under
# Valgrind) hangs, and a student whose code hangs should hear so in seconds, not minutes.
STUDENT_TIMEOUT=3

bats_load_library sockets-harness
load wire

setup() {
    # A field test that reads the bytes its delivery (or decoding) test saved starts nothing:
    # it needs no network namespace.
    if [[ ("$BATS_TEST_DESCRIPTION" == "wire send puts"* && -f "${BATS_FILE_TMPDIR}/sent.hex") ||
        ("$BATS_TEST_DESCRIPTION" == "wire serve decodes"*"network byte order"* && -f "${BATS_FILE_TMPDIR}/served.line") ||
        ("$BATS_TEST_DESCRIPTION" == "wire serve decodes version"* && -f "${BATS_FILE_TMPDIR}/served.line") ]]; then
        HARNESS_NETNS=off harness_setup
    else
        harness_setup
    fi
    PORT=$(port_for 8080)
}

# points: 2
@test "wire serve listens on 127.0.0.1 at the port it is given" {
    needs "$T_LOOP_PORT" "$T_LOOP_ADDR"
    start_serve serve
    run -0 in_netns ss -Hltn "sport = :$PORT"
    local local_addr
    local_addr=$(awk '{ print $4; exit }' <<<"$output")
    [[ "$local_addr" == "127.0.0.1:$PORT" ]] ||
        diagnose "a server bound to the address your make_loopback_addr($PORT) made listens on '$local_addr', expected 127.0.0.1:$PORT (driver: wire serve $PORT)" \
            "make_loopback_addr must put htonl(INADDR_LOOPBACK) into sin_addr.s_addr; INADDR_ANY (0.0.0.0) would accept connections from every interface"
}

# ---------------------------------------------------------------- encode_header: wire send

# points: 1
@test "wire send connects to the address it is given and delivers one 16-byte header" {
    needs "$T_ADDR_PORT" "$T_ADDR_ADDR"
    send_header
    check_sent_size
    save_sent
}

# points: 1
@test "wire send puts version and type in the first two bytes" {
    needs "$T_SEND"
    sent_header
    check_sent_field version
    check_sent_field type
}

# points: 2
@test "wire send puts the 16-bit flags field on the wire big-endian" {
    needs "$T_SEND"
    sent_header
    check_sent_field flags
}

# points: 2
@test "wire send puts the 32-bit length field on the wire big-endian" {
    needs "$T_SEND"
    sent_header
    check_sent_field length
}

# points: 3
@test "wire send puts the 64-bit seq field on the wire big-endian, high half first" {
    needs "$T_SEND"
    sent_header
    check_sent_field seq
}

# ---------------------------------------------------------------- decode_header: wire serve

# points: 1
@test "wire serve reads one 16-byte header from a client and prints its fields" {
    needs "$T_LISTEN"
    serve_header
    check_decoded_line
    save_served
}

# points: 1
@test "wire serve decodes version and type from the first two bytes" {
    needs "$T_SERVE"
    served_header
    check_decoded_field version
    check_decoded_field type
}

# points: 2
@test "wire serve decodes the flags field from network byte order" {
    needs "$T_SERVE"
    served_header
    check_decoded_field flags
}

# points: 2
@test "wire serve decodes the length field from network byte order" {
    needs "$T_SERVE"
    served_header
    check_decoded_field length
}

# points: 3
@test "wire serve decodes the seq field from network byte order, high half first" {
    needs "$T_SERVE"
    served_header
    check_decoded_field seq
}

# points: 2
@test "wire serve decodes bytes with the top bit set without sign-extending them" {
    needs "$T_SERVE"
    # A field wrong for another reason was reported by its own test above.
    COUNTERPART=([decode_version]=$T_DEC_VT [decode_type]=$T_DEC_VT [decode_flags]=$T_DEC_FLAGS
        [decode_length]=$T_DEC_LENGTH [decode_seq]=$T_DEC_SEQ)
    use_header high
    serve_header
    local field
    for field in version type flags length seq; do
        check_decoded_field "$field"
    done
}

# ---------------------------------------------------------------- Valgrind

# valgrind_mistake - the likely mistake behind Valgrind's REPORT on a run of wire.
valgrind_mistake() {
    local report=$1
    if [[ "$report" == *"definitely lost"* || "$report" == *"indirectly lost"* ]]; then
        echo "memory allocated in byteorder.c (malloc, strdup, getaddrinfo) is never freed on this path: free it before every return, the error returns included — these functions need no heap at all"
    elif [[ "$report" == *"uninitialised"* ]]; then
        echo "wire used bytes byteorder.c never set: encode_header must write all 16 bytes of out, decode_header every field of *h, make_*_addr every byte of *sa"
    elif [[ "$report" == *"Invalid"* ]]; then
        echo "byteorder.c read or wrote outside its buffers: out and in are HEADER_SIZE (16) bytes, *sa is sizeof(struct sockaddr_in)"
    elif [[ "$report" == *"descriptor left open"* ]]; then
        echo "a descriptor is still open when wire exits: wire closes its own sockets, so one opened in byteorder.c (socket(), open(), fopen()) is never closed"
    else
        echo "read Valgrind's report above"
    fi
}

# points: 2
@test "under Valgrind, wire serve, wire send and a refused port leak no memory and no descriptor" {
    needs "$T_LISTEN" "$T_SEND"
    with_valgrind
    # wire serve: a client that hangs up after 5 of the 16 bytes (wire reports it and serves
    # the next), then one that sends a whole header.
    start_serve serve
    # wire send, to a recorder, and wire addr with a port parse_port refuses: they need nothing
    # from the server, and each start under Valgrind costs about 0.4 s of CPU, so they run
    # alongside its clients, on the other core. Only once it listens: a wire that hangs (or
    # forks without end) is then one program under Valgrind, not three.
    local port2
    port2=$(port_for 8081)
    spawn_peer recorder recorder -n 1 -o "${BATS_TEST_TMPDIR}/recorder.log" "$port2"
    wait_for_port "$port2" recorder
    spawn_student send wire send 127.0.0.1 "$port2" 1 7 0x1234 0xa1b2c3d4 0x0102030405060708
    spawn_student badport wire addr 127.0.0.1 80abc
    run -0 peer scripted "127.0.0.1:$PORT" send:0107123434 close
    run -0 peer scripted "127.0.0.1:$PORT" "send:$HDR_WIRE" close
    wait_for_exit serve
    if [[ $status -ne 0 ]]; then
        diagnose "under Valgrind, the server that decodes with your decode_header() (wire serve $PORT) was sent 5 bytes by a client that then hung up, and a whole header by the next; it exited with status $status (124: still running); $(stderr_tail "$(err_of serve)")" \
            "wire reports a client that hangs up early and serves the next one: decode_header is called only for the whole header — read the stderr above"
    fi
    wait_for_exit send
    wait_for_exit badport
    local name report
    local -A what=([serve]="the server that decodes with your decode_header() (wire serve $PORT; a client hung up after 5 bytes, then one sent a header)"
        [send]="the client that sends with your encode_header() (wire send 127.0.0.1 $port2 ...)" [badport]="the driver given a port your parse_port() refuses (wire addr 127.0.0.1 80abc)")
    for name in serve send badport; do
        report=$(valgrind_report "$name")
        [[ -z "$report" ]] && continue
        # A field left unset was most likely reported by its own test already.
        if [[ "$report" == *uninitialised* && "$name" == send ]]; then
            needs "$T_SEND_VT" "$T_SEND_FLAGS" "$T_SEND_LENGTH" "$T_SEND_SEQ"
        elif [[ "$report" == *uninitialised* && "$name" == serve ]]; then
            needs "$T_DEC_VT" "$T_DEC_FLAGS" "$T_DEC_LENGTH" "$T_DEC_SEQ"
        fi
        diagnose "under Valgrind (memcheck --track-fds=yes), ${what[$name]} had: $report" \
            "$(valgrind_mistake "$report")"
        return 1
    done
}
