#!/usr/bin/env bats
# Lab 01: ports and IPv4 addresses. `wire addr` prints the bytes make_ipv4_addr stored in the
# sockaddr_in, `wire loopback` those make_loopback_addr stored (no traffic: these tests need
# no network namespace); bad input must be refused with a message.
# shellcheck disable=SC2034  # COUNTERPART is read by wire.bash
export BATS_TEST_TIMEOUT=60
# wire's commands take milliseconds: one still running after 1 s (times 4 under qemu, 8 under
# Valgrind) hangs, and a student whose code hangs should hear so in seconds, not minutes (most of
# these tests run wire once: a wire that always hangs costs each of them 2 s, with contain's
# second between SIGTERM and SIGKILL).
STUDENT_TIMEOUT=1

bats_load_library sockets-harness
load wire

setup() {
    # wire addr and wire loopback only fill in a struct and print it: no socket, no namespace.
    HARNESS_NETNS=off harness_setup
    # A valid address refused (parse_port or make_ipv4_addr rejecting everything) is reported
    # once, by the first test; so is a sin_port or sin_addr stored wrong, by the first two,
    # when a later test (ports 1 and 65535) meets it again.
    COUNTERPART=([addr_rejected]=$T_ADDR_PORT [loop_rejected]=$T_ADDR_PORT
        [addr_port]=$T_ADDR_PORT [addr_addr]=$T_ADDR_ADDR)
}

# expect_rejected - run `wire addr IP PORT`; fail with a diagnosis unless wire refused it
# with a message about WHAT ("port" or "IPv4 address"), while it accepts the same command
# with a valid value in place of the bad one. MISTAKE explains an acceptance.
expect_rejected() {
    local ip=$1 port=$2 what=$3 mistake=$4 bad
    if [[ "$what" == port ]]; then
        bad=$port
        show_addr "$ip" 80 || return 1
    else
        bad=$ip
        show_addr 127.0.0.1 "$port" || return 1
    fi
    run student wire addr "$ip" "$port"
    if [[ $status -eq 0 ]]; then
        diagnose "the invalid $what '$bad' was accepted: with your parse_port() and make_ipv4_addr(), the driver (wire addr $ip \"$port\") exited with status 0 and printed '$output'" \
            "$mistake"
        return 1
    fi
    if [[ "$output" != *"invalid $what '$bad'"* ]]; then
        diagnose "the invalid $what '$bad' was not reported as such: with your parse_port() and make_ipv4_addr(), the driver (wire addr $ip \"$port\") exited with status $status and printed: $output" \
            "wire says \"invalid $what '$bad'\" when the function that checks it returns -1: return -1, do not crash or exit"
        return 1
    fi
}

# ---------------------------------------------------------------- make_ipv4_addr

# points: 2
@test "wire addr stores port 8080 in sin_port as the bytes 1f 90" {
    show_addr 127.0.0.1 8080
    check_sin_port 8080
}

# points: 2
@test "wire addr stores 127.0.0.1 in sin_addr as the bytes 7f 00 00 01, family AF_INET" {
    show_addr 127.0.0.1 8080
    check_sin_addr 127.0.0.1 7f000001
    check_sin_family
}

# points: 1
@test "wire addr zeroes the rest of the sockaddr_in: sin_zero is eight zero bytes" {
    show_addr 127.0.0.1 8080
    check_sin_zero
}

# points: 1
@test "wire addr stores 192.0.2.33 port 443 the same way" {
    needs "$T_ADDR_PORT" "$T_ADDR_ADDR"
    show_addr 192.0.2.33 443
    check_sin_port 443
    check_sin_addr 192.0.2.33 c0000221
}

# points: 1
@test "wire addr accepts 255.255.255.255, which inet_addr cannot tell from an error" {
    show_addr 255.255.255.255 9 \
        "255.255.255.255 is a valid address, but inet_addr() returns it for errors too (INADDR_NONE): use inet_pton, whose return value is apart from the address"
    check_sin_addr 255.255.255.255 ffffffff
}

# points: 2
@test "wire addr rejects 300.1.2.3, which is not a dotted quad" {
    expect_rejected 300.1.2.3 80 "IPv4 address" \
        "inet_pton returns 1 on success, 0 when the text is not a dotted quad, -1 on error: make_ipv4_addr must return -1 unless inet_pton returned 1"
}

# points: 1
@test "wire addr rejects 127.1, a short form only inet_aton and inet_addr accept" {
    expect_rejected 127.1 80 "IPv4 address" \
        "inet_aton and inet_addr accept short and octal forms (127.1, 0177.0.0.1) that mean something else than they seem: use inet_pton(AF_INET, ...), which takes four decimal numbers only"
}

# ---------------------------------------------------------------- parse_port

# points: 1
@test "wire addr accepts ports 1 and 65535, both ends of the range" {
    local port
    for port in 1 65535; do
        show_addr 127.0.0.1 "$port" \
            "parse_port rejected port $port: the range is 1 to 65535 with both ends included — reject value < 1 || value > 65535, no more"
        check_sin_port "$port"
    done
}

# points: 1
@test "wire addr rejects port 0" {
    expect_rejected 127.0.0.1 0 port \
        "port 0 is not a port a client can connect to (bind() takes it as 'any free port'): parse_port must accept 1-65535 only"
}

# points: 1
@test "wire addr rejects port -1, which is negative" {
    needs "wire addr rejects port 0"
    expect_rejected 127.0.0.1 -1 port \
        "strtol reads '-1' as -1, and stored in a uint16_t it becomes 65535: check value < 1 on the long strtol returned, before any cast (a test for value == 0 alone lets negative numbers through)"
}

# points: 1
@test "wire addr rejects an empty port, which has no digits" {
    needs "wire addr rejects port 0"
    expect_rejected 127.0.0.1 "" port \
        "strtol(\"\", &end, 10) returns 0 with end == text: no digits at all is not a number — require end != text (and *end == '\\0')"
}

# points: 1
@test "wire addr rejects port 70000, which does not fit in 16 bits" {
    expect_rejected 127.0.0.1 70000 port \
        "70000 does not fit in a uint16_t and wraps to 70000 - 65536 = 4464: check 1 <= value <= 65535 before storing it"
}

# points: 1
@test "wire addr rejects port 65536, one more than the largest" {
    needs "wire addr rejects port 70000, which does not fit in 16 bits"
    expect_rejected 127.0.0.1 65536 port \
        "65536 is one past the largest port and wraps to 0 in a uint16_t: the upper bound is value > 65535 (an off-by-one here, or a test for 0 after the cast, lets it through)"
}

# points: 1
@test "wire addr rejects ports too big for an int or a long, not truncating them" {
    needs "wire addr rejects port 70000, which does not fit in 16 bits"
    expect_rejected 127.0.0.1 4294967376 port \
        "4294967376 is 2^32 + 80: stored in an int it becomes 80. Keep strtol's result in a long and range-check that, never an int or a uint16_t cast of it"
    expect_rejected 127.0.0.1 99999999999999999999 port \
        "99999999999999999999 does not fit in a long: strtol returns LONG_MAX and sets errno = ERANGE — set errno = 0 before strtol, test errno == ERANGE after, and range-check the long"
}

# points: 1
@test "wire addr rejects port 80abc, which has trailing garbage" {
    expect_rejected 127.0.0.1 80abc port \
        "atoi and strtol stop at the first non-digit and read '80abc' as 80: use strtol with an end pointer and require *end == '\\0' (and end != text, for an empty string)"
}

# points: 1
@test "wire addr rejects port 0x50: ports are decimal" {
    expect_rejected 127.0.0.1 0x50 port \
        "strtol with base 0 (or 16) reads '0x50' as 80 (and base 0 reads '0100' as octal 64): a port is decimal, strtol(text, &end, 10)"
}

# ---------------------------------------------------------------- make_loopback_addr

# points: 1
@test "wire loopback stores port 8080 in sin_port as the bytes 1f 90" {
    show_loopback 8080
    check_sin_port 8080
}

# points: 1
@test "wire loopback stores 127.0.0.1 in sin_addr as the bytes 7f 00 00 01, family AF_INET" {
    show_loopback 8080
    check_sin_addr 127.0.0.1 7f000001
    check_sin_family
}

# points: 1
@test "wire loopback zeroes the rest of the sockaddr_in: sin_zero is eight zero bytes" {
    show_loopback 8080
    check_sin_zero
}
