#!/usr/bin/env bats
# Lab 10: tcp_listen_any(), through `nametool serve`: one listener that IPv4 and IPv6 clients
# (nc -4, nc -6) both reach, the peers it prints, and IPV6_V6ONLY turned off whatever the
# system's default. Needs the test's own network namespace: its loopback has ::1, and its
# net.ipv6.bindv6only can be changed.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# shellcheck disable=SC2034  # read by the harness
STUDENT_TIMEOUT=5

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/names_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
    WHY="IPv6 on its loopback (::1), which a host may lack, and its own net.ipv6.bindv6only"
}

# serve_two - start `nametool serve $PORT 2` as srv, then connect an IPv4 client (nc -4 from
# port 40004) and an IPv6 one (nc -6 from port 40006); sets V4 and V6 to their exit statuses
# (0: connected and closed by the server, 1: refused) and SERVED to what srv printed.
serve_two() {
    spawn_student srv nametool serve "$PORT" 2
    wait_for_port "$PORT" srv || return 1
    run in_netns nc -4 -w 3 -p 40004 127.0.0.1 "$PORT" </dev/null
    V4=$status
    run in_netns nc -6 -w 3 -p 40006 ::1 "$PORT" </dev/null
    V6=$status
    wait_for_exit srv 3
    SERVED=$(tr '\n' ' ' <"$(out_of srv)")
}

# points: 3
@test "tcp_listen_any accepts an IPv4 client and an IPv6 client on one port" {
    needs_private_netns "$WHY"
    needs "format_addr prints an IPv4 address and port as 127.0.0.1:8080" \
        "format_addr prints an IPv6 address in brackets, as [::1]:8080"
    serve_two || return 1
    [[ $V4 -eq 0 && $V6 -eq 0 && "$SERVED" == *peer*peer* ]] && return 0
    if [[ $V4 -ne 0 && $V6 -eq 0 ]]; then
        diagnose "nametool serve $PORT: an IPv6 client (nc -6 to [::1]:$PORT) got in, an IPv4 one (nc -4 to 127.0.0.1:$PORT) was refused; it printed '$SERVED'" \
            "the AF_INET6 listener is IPv6-only: IPV6_V6ONLY is on. Set it to 0 with setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) BEFORE bind(): then IPv4 clients reach it too, as ::ffff:a.b.c.d"
    elif [[ $V4 -eq 0 && $V6 -ne 0 ]]; then
        diagnose "nametool serve $PORT: an IPv4 client (nc -4 to 127.0.0.1:$PORT) got in, an IPv6 one (nc -6 to [::1]:$PORT) was refused; it printed '$SERVED'" \
            "an AF_INET socket hears IPv4 only: listen on an AF_INET6 socket bound to [::] (getaddrinfo(NULL, SERVICE) with AI_PASSIVE and ai_family AF_INET6), IPV6_V6ONLY off; AF_INET only where socket(AF_INET6) fails with EAFNOSUPPORT"
    else
        diagnose "nametool serve $PORT 2, then nc -4 to 127.0.0.1:$PORT (exit $V4) and nc -6 to [::1]:$PORT (exit $V6; 1: refused); it printed '$SERVED'; $(h_tail_err srv)" \
            "tcp_listen_any(): getaddrinfo(NULL, SERVICE) with AI_PASSIVE, AF_INET6, SOCK_STREAM; socket(); IPV6_V6ONLY 0; SO_REUSEADDR; bind(ai_addr, ai_addrlen); listen(BACKLOG); freeaddrinfo()"
    fi
}

# points: 2
@test "the dual-stack server prints an IPv4 client as 127.0.0.1:PORT and an IPv6 one as [::1]:PORT" {
    needs_private_netns "$WHY"
    needs "tcp_listen_any accepts an IPv4 client and an IPv6 client on one port" \
        "format_addr prints an IPv4-mapped IPv6 address as plain IPv4"
    serve_two || return 1
    [[ "$SERVED" == "listening [::]:$PORT peer 127.0.0.1:40004 peer [::1]:40006 " ]] && return 0
    if [[ "$SERVED" == *"ffff"* ]]; then
        diagnose "an IPv4 client from 127.0.0.1:40004, then an IPv6 one from [::1]:40006; nametool serve printed '$SERVED'" \
            "accept() on a dual-stack socket gives an IPv4 client as ::ffff:127.0.0.1 (IPv4-mapped). format_addr() prints it as the IPv4 address it stands for: IN6_IS_ADDR_V4MAPPED(), then a sockaddr_in from the last 4 bytes"
    else
        diagnose "an IPv4 client from 127.0.0.1:40004, then an IPv6 one from [::1]:40006; nametool serve should print 'listening [::]:$PORT', 'peer 127.0.0.1:40004', 'peer [::1]:40006', and printed '$SERVED'" \
            "format_addr() of what accept() and getsockname() give, with the length they give: '[ADDR]:PORT' for IPv6, 'ADDR:PORT' for IPv4 and IPv4-mapped, the port in host order"
    fi
}

# points: 2
@test "tcp_listen_any turns IPV6_V6ONLY off itself, even where the system default is IPv6-only" {
    needs_private_netns "$WHY"
    needs "tcp_listen_any accepts an IPv4 client and an IPv6 client on one port"
    run in_netns sh -c 'echo 1 >/proc/sys/net/ipv6/bindv6only'
    [[ $status -eq 0 ]] || { fail "test bug: could not set net.ipv6.bindv6only in the test's namespace: $output"; return 1; }
    serve_two || return 1
    [[ $V4 -eq 0 && $V6 -eq 0 ]] && return 0
    diagnose "with net.ipv6.bindv6only = 1 (the system's default for new AF_INET6 sockets: IPv6 only, as on some systems), nc -4 to 127.0.0.1:$PORT exited $V4 and nc -6 to [::1]:$PORT exited $V6 (1: refused); nametool printed '$SERVED'" \
        "IPV6_V6ONLY starts as the sysctl net.ipv6.bindv6only says (0 on most Linux systems, 1 on others): set it to 0 yourself, with setsockopt(IPPROTO_IPV6, IPV6_V6ONLY) before bind(), or the server is IPv6-only there"
}
