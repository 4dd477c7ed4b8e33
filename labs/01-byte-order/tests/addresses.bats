#!/usr/bin/env bats
# Lab 01: ports and IPv4 addresses. `wire addr` prints the bytes make_ipv4_addr stored in the
# sockaddr_in (no traffic); bad input must be refused with a message; `wire serve` must listen
# on 127.0.0.1, the address make_loopback_addr builds.
# shellcheck disable=SC2034  # PORT and HOST_ORDER are read by wire.bash
export BATS_TEST_TIMEOUT=60

bats_load_library sockets-harness
load wire

# expect_rejected - run `wire addr IP PORT`; fail with a diagnosis unless wire refused it
# with a message about WHAT ("port" or "IPv4 address"), while it accepts the same command
# with a valid value in place of the bad one. MISTAKE explains an acceptance.
expect_rejected() {
    local ip=$1 port=$2 what=$3 mistake=$4 bad
    if [[ "$what" == port ]]; then
        bad=$port
        show_addr "$ip" 80
    else
        bad=$ip
        show_addr 127.0.0.1 "$port"
    fi
    run student wire addr "$ip" "$port"
    if [[ $status -eq 0 ]]; then
        diagnose "'wire addr $ip $port' exited with status 0 and printed '$output': the invalid $what '$bad' was accepted" \
            "$mistake"
        return 1
    fi
    if [[ "$output" != *"invalid $what '$bad'"* ]]; then
        diagnose "'wire addr $ip $port' exited with status $status and printed: $output" \
            "wire says \"invalid $what '$bad'\" when the function that checks it returns -1: return -1, do not crash or exit"
        return 1
    fi
}

# points: 2
@test "wire addr stores port 8080 in sin_port as the bytes 1f 90" {
    show_addr 127.0.0.1 8080
    check_sin_port 8080
}

# points: 2
@test "wire addr stores 127.0.0.1 in sin_addr as the bytes 7f 00 00 01, family AF_INET" {
    show_addr 127.0.0.1 8080
    check_sin_addr 127.0.0.1 7f000001
    [[ "$(addr_field sin_family)" == AF_INET ]] ||
        diagnose "sin_family is $(addr_field sin_family), expected AF_INET; wire printed: $ADDR_LINE" \
            "make_ipv4_addr must set sa->sin_family = AF_INET, or connect() fails with EAFNOSUPPORT"
}

# points: 1
@test "wire addr stores 192.0.2.33 port 443 the same way" {
    show_addr 192.0.2.33 443
    check_sin_port 443
    check_sin_addr 192.0.2.33 c0000221
}

# points: 1
@test "wire addr accepts 255.255.255.255, which inet_addr cannot tell from an error" {
    run student wire addr 255.255.255.255 9
    if [[ $status -ne 0 ]]; then
        diagnose "'wire addr 255.255.255.255 9' exited with status $status: $output" \
            "$(unfinished_or "$output" "255.255.255.255 is a valid address, but inet_addr() returns it for errors too (INADDR_NONE): use inet_pton, whose return value is apart from the address")"
        return 1
    fi
    ADDR_LINE=$output
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

# points: 1
@test "wire addr rejects port 0" {
    expect_rejected 127.0.0.1 0 port \
        "port 0 is not a port a client can connect to (bind() takes it as 'any free port'): parse_port must accept 1-65535 only"
}

# points: 1
@test "wire addr rejects port 70000, which does not fit in 16 bits" {
    expect_rejected 127.0.0.1 70000 port \
        "70000 does not fit in a uint16_t and wraps to 70000 - 65536 = 4464: check 1 <= value <= 65535 before storing it"
}

# points: 1
@test "wire addr rejects port 80abc, which has trailing garbage" {
    expect_rejected 127.0.0.1 80abc port \
        "atoi and strtol stop at the first non-digit and read '80abc' as 80: use strtol with an end pointer and require *end == '\\0' (and end != text, for an empty string)"
}

# points: 2
@test "wire serve listens on 127.0.0.1 at the port it is given" {
    PORT=$(port_for 8080)
    start_serve
    run -0 in_netns ss -Hltn "sport = :$PORT"
    local local_addr
    local_addr=$(awk '{ print $4; exit }' <<<"$output")
    [[ "$local_addr" == "127.0.0.1:$PORT" ]] ||
        diagnose "wire serve listens on '$local_addr', expected 127.0.0.1:$PORT" \
            "make_loopback_addr must put htonl(INADDR_LOOPBACK) into sin_addr.s_addr; INADDR_ANY (0.0.0.0) would accept connections from every interface"
}
