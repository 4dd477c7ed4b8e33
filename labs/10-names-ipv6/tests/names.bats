#!/usr/bin/env bats
# Lab 10: tcp_connect_name() and connect_addr(), through `nametool connect`, against names the
# test makes up in a hosts file of its own (use_hosts): addresses that refuse (nothing listens
# on 127.0.0.2 or 127.0.0.5), one whose SYNs an nftables rule drops (127.0.0.4), socat
# listening on 127.0.0.3 or ::1, and a name that does not resolve. Every address is on the
# loopback of the test's own network namespace: nothing leaves it.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# A right run takes well under a second (one 300 ms time limit at most): a hang shows in 6 s.
STUDENT_TIMEOUT=6

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/names_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
    WHY="a hosts file of its own, and addresses on its loopback that refuse or never answer"
}

# points: 2
@test "tcp_connect_name connects to a name's one address and nametool prints it as 127.0.0.3:8080" {
    needs_private_netns "$WHY"
    needs "format_addr prints an IPv4 address and port as 127.0.0.1:8080"
    use_hosts "127.0.0.3 one.test"
    listen_on srv 127.0.0.3
    nametool connect one.test "$PORT" $((2000 * H_SLOW))
    stubbed "nametool connect one.test $PORT (one.test is 127.0.0.3, where socat listens)" || return 1
    local got
    got=$(accepted_by srv)
    [[ $status -eq 0 && "$output" == "connected 127.0.0.3:$PORT" && $got -ge 1 ]] && return 0
    if [[ "$stderr" == *"non-blocking (O_NONBLOCK)"* ]]; then
        diagnose "one.test is 127.0.0.3, where socat accepted the connection; nametool found the descriptor it got still non-blocking: $(said)" \
            "connect_addr() must put the socket's old flags back once connected, fcntl(fd, F_SETFL, flags) with the flags F_GETFL read before O_NONBLOCK was added: its caller's read() would otherwise fail with EAGAIN instead of waiting"
    elif [[ $got -ge 1 && "$output" == connected* ]]; then
        diagnose "the test's hosts file gives one.test one address, 127.0.0.3, where socat accepted the connection; nametool then printed the peer (getpeername() through format_addr()) wrongly: $(said)" \
            "format_addr() writes 'ADDR:PORT' for IPv4, the port in host order (ntohs, or getnameinfo() with NI_NUMERICSERV)"
    else
        diagnose "the test's hosts file gives one.test one address, 127.0.0.3, where socat listens on port $PORT (it accepted $got connection(s)); nametool connect one.test $PORT: $(said)" \
            "tcp_connect_name(): getaddrinfo(HOST, SERVICE, &hints, &res) with hints.ai_family = AF_UNSPEC and hints.ai_socktype = SOCK_STREAM; connect_addr(ai->ai_addr, ai->ai_addrlen, TIMEOUT_MS) for each address; freeaddrinfo(res); return the descriptor"
    fi
}

# points: 2
@test "tcp_connect_name connects to a name whose only address is IPv6 ::1" {
    needs_private_netns "$WHY"
    needs "tcp_connect_name connects to a name's one address and nametool prints it as 127.0.0.3:8080"
    use_hosts "::1 six.test"
    listen_on srv ::1
    nametool connect six.test "$PORT" $((2000 * H_SLOW))
    local got
    got=$(accepted_by srv)
    [[ $status -eq 0 && "$output" == "connected [::1]:$PORT" && $got -ge 1 ]] && return 0
    if [[ "${stderr,,}" == *"invalid argument"* ]]; then
        diagnose "six.test is ::1 alone (socat listens on [::1]:$PORT); connect() failed with EINVAL: $(said)" \
            "a sockaddr_in6 is 28 bytes, a sockaddr_in 16: connect() refuses an IPv6 address whose length says 16. Pass each address's own length, ai->ai_addrlen, to connect_addr() and on to connect(), never sizeof(struct sockaddr_in) or sizeof(struct sockaddr)"
    elif [[ "${stderr,,}" == *"address family"* ]]; then
        diagnose "six.test is ::1 alone (socat listens on [::1]:$PORT): $(said)" \
            "the socket's family must be the address's: socket(sa->sa_family, SOCK_STREAM, 0) (or ai->ai_family), not AF_INET; and hints.ai_family = AF_UNSPEC, so that getaddrinfo() returns IPv6 addresses too"
    elif [[ $got -ge 1 && "$output" == connected* ]]; then
        diagnose "six.test is ::1 alone, and socat accepted the connection; nametool printed the peer as: $(said)" \
            "format_addr() writes an IPv6 address in brackets: '[::1]:$PORT'"
    else
        diagnose "six.test is ::1 alone, where socat listens on port $PORT (it accepted $got connection(s)): $(said)" \
            "tcp_connect_name() must handle IPv6 as IPv4: hints.ai_family = AF_UNSPEC (not AF_INET, and no AI_ADDRCONFIG, which may drop ::1 on a machine with only a loopback), a socket of ai->ai_family, and connect() with ai->ai_addrlen"
    fi
}

# points: 3
@test "tcp_connect_name tries the next address when the first refuses" {
    needs_private_netns "$WHY"
    needs "tcp_connect_name connects to a name's one address and nametool prints it as 127.0.0.3:8080"
    use_hosts "127.0.0.2 two.test" "127.0.0.3 two.test"
    count_syns_to 127.0.0.2 || return 1
    listen_on srv 127.0.0.3
    nametool connect two.test "$PORT" $((2000 * H_SLOW))
    local got said syns st=$status out=$output
    got=$(accepted_by srv)
    said=$(said)
    syns=$(syns_to 127.0.0.2) # runs nft: status and output are nft's from here on
    if [[ $st -eq 0 && "$out" == "connected 127.0.0.3:$PORT" && $got -ge 1 ]]; then
        [[ "$syns" == 1 ]] && return 0
        expect_order two.test 127.0.0.2 127.0.0.3 || return 1
        diagnose "two.test is 127.0.0.2 (refused), then 127.0.0.3; nametool connected to 127.0.0.3, but only after ${syns:-?} connection attempts (SYNs) to 127.0.0.2" \
            "each address once: with hints.ai_socktype left 0, getaddrinfo() returns every address three times (for SOCK_STREAM, SOCK_DGRAM and SOCK_RAW), and a refusing address costs three attempts. Set hints.ai_socktype = SOCK_STREAM"
        return 1
    fi
    expect_order two.test 127.0.0.2 127.0.0.3 || return 1
    if [[ "$out" == "connected 127.0.0.2:"* ]]; then
        diagnose "two.test is 127.0.0.2 (nothing listens: a TCP connect is refused), then 127.0.0.3 (socat listens); nametool says it connected to the FIRST one: $said" \
            "only a socket that is not TCP 'connects' to a port where nothing listens: a UDP connect() just records the address. With hints.ai_socktype left 0, getaddrinfo() returns each address three times (SOCK_STREAM, SOCK_DGRAM, SOCK_RAW); set hints.ai_socktype = SOCK_STREAM and make the socket with it"
    elif [[ $st -ne 0 && $got -eq 0 ]]; then
        diagnose "two.test is 127.0.0.2 (refused), then 127.0.0.3, where socat listens; nametool gave up without trying 127.0.0.3: $said" \
            "a name may have several addresses, and the first need not work: loop over the whole list, for (ai = res; ai != NULL; ai = ai->ai_next), and stop at the first address that connects, not after the first attempt"
    else
        diagnose "two.test is 127.0.0.2 (refused), then 127.0.0.3, where socat listens on port $PORT (it accepted $got connection(s)): $(said)" \
            "when connect_addr() fails for one address, go on with the next (ai->ai_next); return the first descriptor that connects"
    fi
}

# points: 2
@test "tcp_connect_name gives up on an address that never answers after its time limit and tries the next" {
    needs_private_netns "$WHY"
    needs "tcp_connect_name tries the next address when the first refuses"
    use_hosts "127.0.0.4 slow.test" "127.0.0.3 slow.test"
    drop_syns_to 127.0.0.4 || return 1
    listen_on srv 127.0.0.3
    nametool connect slow.test "$PORT" 300
    [[ $status -eq 0 && "$output" == "connected 127.0.0.3:$PORT" ]] && return 0
    local st=$status said
    said=$(said)
    expect_order slow.test 127.0.0.4 127.0.0.3 || return 1
    if [[ $st -eq 124 ]]; then
        diagnose "slow.test is 127.0.0.4, whose SYNs an nftables rule drops (a black hole: no answer at all), then 127.0.0.3, where socat listens; with a time limit of 300 ms per address, nametool was still waiting ${STUDENT_TIMEOUT}s later" \
            "a blocking connect() retries its SYN for over two minutes before the next address gets its turn: connect_addr() makes the socket non-blocking, poll()s for POLLOUT for at most TIMEOUT_MS, and fails with ETIMEDOUT when poll() returns 0 (lab 07's connect_timeout)"
    else
        diagnose "slow.test is 127.0.0.4 (SYNs dropped: no answer), then 127.0.0.3, where socat listens; nametool connect slow.test $PORT 300: $said" \
            "a time-out is one more way an address fails: close that socket and go on with the next address"
    fi
}

# points: 2
@test "tcp_connect_name closes the socket of every address that failed" {
    needs_private_netns "$WHY"
    needs "tcp_connect_name tries the next address when the first refuses"
    use_hosts "127.0.0.2 three.test" "127.0.0.5 three.test" "127.0.0.3 three.test"
    listen_on srv 127.0.0.3 hold
    spawn_student client nametool connect three.test "$PORT" $((2000 * H_SLOW))
    wait_for_file_content "$(out_of client)" '^connected' 5 || true
    local socks
    socks=$(fds_of client | grep -c 'socket:' || true)
    [[ "$socks" -eq 1 ]] && return 0
    expect_order three.test 127.0.0.2 127.0.0.5 127.0.0.3 || return 1
    if [[ "$socks" -gt 1 ]]; then
        diagnose "three.test is 127.0.0.2 and 127.0.0.5 (both refuse), then 127.0.0.3; once connected, nametool holds $socks sockets:"$'\n'"$(fds_of client | grep socket: | head -n 5)" \
            "each failed attempt leaves its socket open: close() it before trying the next address (connect_addr() closes its socket on every failure path, whatever errno says)"
    else
        diagnose "three.test is 127.0.0.2 and 127.0.0.5 (both refuse), then 127.0.0.3, where socat listens; nametool holds no connected socket: $(cat "$(out_of client)") $(h_tail_err client)" \
            "tcp_connect_name() returns the descriptor that connected, and keeps it open"
    fi
}

# points: 2
@test "tcp_connect_name reports a name whose every address refuses as refused" {
    needs_private_netns "$WHY"
    needs "tcp_connect_name tries the next address when the first refuses"
    use_hosts "127.0.0.2 none.test" "127.0.0.5 none.test"
    nametool connect none.test "$PORT" $((2000 * H_SLOW))
    [[ $status -eq 1 && "$stderr" == *"connect none.test $PORT: Connection refused"* ]] && return 0
    diagnose "none.test is 127.0.0.2 and 127.0.0.5, where nothing listens (both refuse); nametool should exit 1 with 'connect none.test $PORT: Connection refused': $(said)" \
        "when no address connects, return -1 with errno as the LAST attempt left it (ECONNREFUSED): save errno before calls that may change it (close(), fprintf(), freeaddrinfo())"
}

# points: 2
@test "a name that does not resolve is reported with getaddrinfo's own message" {
    needs_private_netns "$WHY"
    use_hosts "127.0.0.3 other.test"
    nametool connect nosuch.test "$PORT" 1000
    stubbed "nametool connect nosuch.test $PORT" || return 1
    [[ $status -eq 2 && "$stderr" == *"nosuch.test $PORT: Name or service not known"* ]] && return 0
    diagnose "nosuch.test is in no hosts file (and names are looked up nowhere else here); nametool should exit 2 with getaddrinfo's message 'Name or service not known': $(said)" \
        "getaddrinfo() returns its error as an EAI_* code and does not set errno (except for EAI_SYSTEM): perror() or strerror() would print a wrong reason. Set *gaierr to the code and return NAME_UNRESOLVED: nametool prints it with gai_strerror()"
}

# points: 3
@test "nametool runs clean under Valgrind when every address refuses and when one connects" {
    needs_private_netns "$WHY"
    needs "tcp_connect_name reports a name whose every address refuses as refused" \
        "tcp_connect_name closes the socket of every address that failed"
    with_valgrind
    use_hosts "127.0.0.2 none.test" "127.0.0.5 none.test" "127.0.0.2 two.test" "127.0.0.3 two.test"
    listen_on srv 127.0.0.3
    local limit=$((2000 * H_SLOW)) problems
    # Not through `run`: its subshell would count both runs as the first, and the second's
    # Valgrind log (named by the pid, 2 in each run's PID namespace) would replace the first's.
    student nametool connect none.test "$PORT" "$limit" >/dev/null 2>&1 || true
    student nametool connect two.test "$PORT" "$limit" >/dev/null 2>&1 || true
    problems=$(valgrind_report nametool-run1; valgrind_report nametool-run2)
    [[ -z "$problems" ]] && return 0
    if grep -q 'lost' <<<"$problems"; then
        diagnose "Valgrind (--leak-check=full), after 'nametool connect none.test' (every address refuses) and 'nametool connect two.test' (the second connects): $problems" \
            "getaddrinfo() allocates the list it returns: freeaddrinfo(res) on EVERY path out of tcp_connect_name(), the one where no address connected too (save errno around it)"
    elif grep -q 'descriptor left open' <<<"$problems"; then
        diagnose "Valgrind (--track-fds=yes), after 'nametool connect none.test' (every address refuses) and 'nametool connect two.test': $problems" \
            "a socket of a failed attempt was never closed: connect_addr() must close() its socket on every failure path"
    else
        diagnose "Valgrind, after 'nametool connect none.test' and 'nametool connect two.test': $problems" \
            "a memory error: is every sockaddr read within the LEN it came with (ai_addrlen), and every buffer within its size?"
    fi
}
