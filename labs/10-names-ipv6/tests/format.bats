#!/usr/bin/env bats
# Lab 10: format_addr(), on addresses nametool builds itself (no network at all): IPv4, IPv6 and
# an IPv4-mapped IPv6 address, each with a port whose two bytes differ.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=30
# shellcheck disable=SC2034  # read by the harness
STUDENT_TIMEOUT=5

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/names_helpers"

# points: 2
@test "format_addr prints an IPv4 address and port as 127.0.0.1:8080" {
    nametool format 127.0.0.1 8080
    stubbed "nametool format 127.0.0.1 8080" || return 1
    [[ $status -eq 0 && "$output" == "text 127.0.0.1:8080" ]] && return 0
    if [[ "$output" == *":$(swap16 8080)" ]]; then
        diagnose "format_addr() of 127.0.0.1 port 8080 (a sockaddr_in, sin_port in network order): $(said)" \
            "$(swap16 8080) is 8080 with its two bytes swapped: sin_port is in network byte order; print ntohs(sin_port), or let getnameinfo() with NI_NUMERICSERV write the port"
    else
        diagnose "format_addr() of 127.0.0.1 port 8080 should write '127.0.0.1:8080': $(said)" \
            "getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) gives the two numbers as text; an IPv4 address is written 'HOST:PORT', without brackets"
    fi
}

# points: 2
@test "format_addr prints an IPv6 address in brackets, as [::1]:8080" {
    nametool format ::1 8080
    stubbed "nametool format ::1 8080" || return 1
    [[ $status -eq 0 && "$output" == "text [::1]:8080" ]] || {
        diagnose "format_addr() of ::1 port 8080 (a sockaddr_in6 of 28 bytes) should write '[::1]:8080': $(said)" \
            "an IPv6 address has colons of its own, so 'ADDR:PORT' would be ambiguous: write '[ADDR]:PORT' (RFC 3986). getnameinfo() needs the whole sockaddr_in6: pass LEN, not sizeof(struct sockaddr_in) or sizeof(struct sockaddr)"
        return 1
    }
    nametool format 2001:db8::1 443
    [[ $status -eq 0 && "$output" == "text [2001:db8::1]:443" ]] && return 0
    diagnose "format_addr() of 2001:db8::1 port 443 should write '[2001:db8::1]:443': $(said)" \
        "print the address numerically (NI_NUMERICHOST): with a name lookup, getnameinfo() may answer with a host name, or wait for DNS"
}

# points: 2
@test "format_addr prints an IPv4-mapped IPv6 address as plain IPv4" {
    needs "format_addr prints an IPv6 address in brackets, as [::1]:8080"
    nametool format ::ffff:10.1.2.3 8080
    stubbed "nametool format ::ffff:10.1.2.3 8080" || return 1
    [[ $status -eq 0 && "$output" == "text 10.1.2.3:8080" ]] && return 0
    if [[ "$output" == *ffff* ]]; then
        diagnose "format_addr() of the IPv4-mapped address ::ffff:10.1.2.3 port 8080: $(said)" \
            "a dual-stack server sees every IPv4 client as ::ffff:a.b.c.d, an IPv4-mapped IPv6 address. The contract prints it as the IPv4 peer it is, '10.1.2.3:8080': test IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr), and format a sockaddr_in made of its last 4 bytes (s6_addr[12..15]) and the same sin6_port"
    elif [[ "$output" == *":$(swap16 8080)" ]]; then
        diagnose "format_addr() of the IPv4-mapped address ::ffff:10.1.2.3 port 8080: $(said)" \
            "$(swap16 8080) is 8080 with its bytes swapped: sin6_port is already in network order; copy it into sin_port as it is (no htons() or ntohs() on the way)"
    else
        diagnose "format_addr() of the IPv4-mapped address ::ffff:10.1.2.3 port 8080 should write '10.1.2.3:8080': $(said)" \
            "the IPv4 address of ::ffff:a.b.c.d is its last 4 bytes, s6_addr[12] to s6_addr[15], in that order"
    fi
}
