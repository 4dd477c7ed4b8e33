#!/usr/bin/env bats
# Lab 01 on a big-endian machine: the same checks of the bytes, with wire cross-built for
# s390x and run under qemu-s390x. There host order already is network order, so htons/htonl
# do nothing, and code that swaps bytes unconditionally (a hand-written swap, bswap) gets
# them wrong while passing on x86. Missing conversions show up in the other files.
# A check that fails here the way it failed on x86 (a layout mistake such as seq's halves in
# the wrong order) was reported there: this test is then "not run" (blame_x86 in wire.bash).
# shellcheck disable=SC2034  # PORT and HOST_ORDER are read by wire.bash
export BATS_TEST_TIMEOUT=120
# wire's commands take milliseconds: one still running after 1 s (times 4 under qemu, 8 under
# Valgrind) hangs, and a student whose code hangs should hear so in seconds, not minutes (most of
# these tests run wire once: a wire that always hangs costs each of them 2 s, with contain's
# second between SIGTERM and SIGKILL).
STUDENT_TIMEOUT=1

bats_load_library sockets-harness
load wire

setup() {
    harness_setup
    PORT=$(port_for 8080)
    HOST_ORDER=big
    use_big_endian_build
    blame_x86
}

# points: 2
@test "on a big-endian machine, wire addr stores port and address in network byte order" {
    show_addr 127.0.0.1 8080
    check_sin_port 8080
    check_sin_addr 127.0.0.1 7f000001
}

# points: 1
@test "on a big-endian machine, wire loopback stores port and address in network byte order" {
    show_loopback 8080
    check_sin_port 8080
    check_sin_addr 127.0.0.1 7f000001
}

# points: 3
@test "on a big-endian machine, wire send puts every header field on the wire big-endian" {
    needs "on a big-endian machine, wire addr stores port and address in network byte order"
    send_header
    check_sent_size
    local field
    for field in version type flags length seq; do
        check_sent_field "$field"
    done
}

# points: 3
@test "on a big-endian machine, wire serve listens on 127.0.0.1 and decodes every header field" {
    needs "on a big-endian machine, wire loopback stores port and address in network byte order"
    serve_header
    check_decoded_line
    local field
    for field in version type flags length seq; do
        check_decoded_field "$field"
    done
}
