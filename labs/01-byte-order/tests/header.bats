#!/usr/bin/env bats
# Lab 01: the message header, both directions. `wire send` encodes a header and a recorder
# writes down the exact bytes that arrive; `wire serve` decodes bytes a scripted client sends.
# The header: version=1 type=7 flags=0x1234 length=0xa1b2c3d4 seq=0x0102030405060708,
# on the wire 01 07 12 34 a1 b2 c3 d4 01 02 03 04 05 06 07 08.
# shellcheck disable=SC2034  # PORT and HOST_ORDER are read by wire.bash
export BATS_TEST_TIMEOUT=60

bats_load_library sockets-harness
load wire

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# points: 2
@test "wire send puts a 16-byte header on the wire, version and type first" {
    send_header
    check_sent_size
    check_sent_field version
    check_sent_field type
}

# points: 2
@test "wire send puts the 16-bit flags field on the wire big-endian" {
    send_header
    check_sent_field flags
}

# points: 2
@test "wire send puts the 32-bit length field on the wire big-endian" {
    send_header
    check_sent_field length
}

# points: 3
@test "wire send puts the 64-bit seq field on the wire big-endian, high half first" {
    send_header
    check_sent_field seq
}

# points: 1
@test "wire serve decodes version and type from the first two bytes" {
    serve_header
    check_decoded_field version
    check_decoded_field type
}

# points: 2
@test "wire serve decodes the flags field from network byte order" {
    serve_header
    check_decoded_field flags
}

# points: 2
@test "wire serve decodes the length field from network byte order" {
    serve_header
    check_decoded_field length
}

# points: 3
@test "wire serve decodes the seq field from network byte order, high half first" {
    serve_header
    check_decoded_field seq
}
