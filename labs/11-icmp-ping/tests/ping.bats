#!/usr/bin/env bats
# Lab 11: miniping, on an ICMP datagram socket and on a raw socket. Every test runs in the
# test's private network namespace, where the test may set net.ipv4.ping_group_range and
# net.ipv4.icmp_echo_ignore_all and has CAP_NET_RAW (as root, or as root of its own user
# namespace); the tests' icmppeer (tests/icmppeer.c) watches the echo requests on a raw socket
# and, with the kernel's own answers turned off, answers them its way. Nothing leaves the
# namespace.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# The longest right run here is three replies 200 ms late: a ping that hangs shows in 10 s.
# shellcheck disable=SC2034  # read by the harness
STUDENT_TIMEOUT=10

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/ping_helpers"

# points: 2
@test "miniping gets a reply to each request on an ICMP datagram socket" {
    icmp_net "it sets net.ipv4.ping_group_range there"
    ping -c 3 -W 2000 127.0.0.1
    local hint
    hint=$(stub_hint)
    [[ -z "$hint" ]] || { diagnose "miniping -c 3 127.0.0.1: $(said)" "$hint"; return 1; }
    local want=$'reply seq 1 time [0-9]+\\.[0-9]{3} ms\nreply seq 2 time [0-9]+\\.[0-9]{3} ms\nreply seq 3 time [0-9]+\\.[0-9]{3} ms'
    [[ $status -eq 0 && "$(grep -E '^(reply|timeout) ' <<<"$output")" =~ ^$want$ ]] && return 0
    if [[ "$output" == *"timeout seq"* ]]; then
        diagnose "the kernel answers every echo request to 127.0.0.1, yet on an ICMP datagram socket (no -r) ping_once() missed replies: $(said)" \
            "on a datagram ICMP socket recv() gives the ICMP message alone, with no IP header in front (raw is 0): the type is byte 0. The kernel put the socket's own identifier in the request (the ID miniping passes you) and the reply carries it; compare identifier and sequence after ntohs()"
    else
        diagnose "miniping -c 3 127.0.0.1 on an ICMP datagram socket: $(said)" \
            "ping_once(): build_echo(), sendto() DST, then poll() and recv() until parse_reply() says it is the reply (return 1 with the RTT) or the time is up (return 0)"
    fi
}

# points: 3
@test "each echo request on the wire has a valid checksum and its identifier and sequence in network order" {
    icmp_net "it watches the echo requests on a raw socket there"
    start_icmppeer
    ping -r -e 4660 -c 2 -W 500 127.0.0.1
    local hint
    hint=$(stub_hint)
    [[ -z "$hint" ]] || { diagnose "miniping -r -e 4660 -c 2 127.0.0.1: $(said)" "$hint"; return 1; }
    wait_requests 2
    local data seen want1 want2 log
    log=$(peer_log)
    data=$(payload_hex 56)
    seen=$(requests_seen)
    want1="request id 4660 seq 1 len 64 cksum ok data $data"
    want2="request id 4660 seq 2 len 64 cksum ok data $data"
    h_has_line "$log" "^$want1\$" && h_has_line "$log" "^$want2\$" && return 0
    if [[ -z "$seen" ]]; then
        diagnose "the test's icmppeer saw no echo request (ICMP type 8) from miniping -r: $(said)" \
            "build_echo() writes type 8 in byte 0 and code 0 in byte 1, then the identifier, the sequence number and the payload; ping_once() sends the LEN bytes it returns with sendto() to DST"
    elif h_has_line "$log" "^request id $(swap16 4660) "; then
        diagnose "miniping -e 4660 (0x1234): the request on the wire had identifier $(swap16 4660) (0x3412, its bytes swapped): $seen" \
            "the identifier goes on the wire in network byte order: htons(id). Stored as it is on this little-endian machine, its bytes come out swapped (host order)"
    elif h_has_line "$log" "^request id [0-9]+ seq $(swap16 1) "; then
        diagnose "the first request on the wire had sequence number $(swap16 1) (0x0100, 1 with its bytes swapped): $seen" \
            "the sequence number goes on the wire in network byte order: htons(seq), not the host order of this little-endian machine"
    elif h_has_line "$log" "^request id 4660 seq 1 len 64 cksum ok " && h_has_line "$log" "^request id 4660 seq 2 len 64 cksum bad "; then
        diagnose "the first request's checksum was right, the second one's (same payload, the buffer reused) wrong: $seen" \
            "compute the checksum with the checksum field set to zero: the buffer still holds the previous request's checksum, which then counts in the sum. Zero bytes 2 and 3 first, sum, then store the result"
    elif h_has_line "$log" "cksum bad"; then
        diagnose "the requests' ICMP checksum is wrong on the wire (the test recomputes it over the 64-byte message): $seen" \
            "inet_checksum(): a 32-bit sum of the 16-bit big-endian words, then add the carries back in (sum = (sum & 0xffff) + (sum >> 16), until none is left: folded), then the ones' complement, returned in network order (htons) and stored as it is. Losing the carries gives a wrong sum for almost any payload; and build_echo() sums with the checksum field at zero"
    elif h_has_line "$log" "len 64 cksum ok data $data\$"; then
        diagnose "the requests on the wire: $seen (want identifier 4660 and sequence 1, then 2)" \
            "put ID and SEQ in bytes 4-5 and 6-7 of the ICMP header, each with htons()"
    else
        diagnose "miniping -r -s 56 sent requests with another length or payload: $seen (want len 64: 8 bytes of header, then the 56 bytes 00 01 02 ...)" \
            "build_echo() copies the PLEN bytes of PAYLOAD right after the 8-byte header and returns ECHO_HDR_LEN + PLEN"
    fi
}

# points: 2
@test "an echo request with an odd-length payload has a valid checksum and gets a reply" {
    icmp_net "it watches the echo requests on a raw socket there"
    needs "each echo request on the wire has a valid checksum and its identifier and sequence in network order"
    start_icmppeer
    ping -r -s 7 -c 1 -W 1000 127.0.0.1
    wait_requests 1
    local seen
    seen=$(requests_seen)
    if h_has_line "$(peer_log)" '^request id [0-9]+ seq 1 len 15 cksum bad '; then
        diagnose "miniping -r -s 7: the 15-byte request's checksum is wrong on the wire ($seen), so the kernel dropped it and never answered: $(said)" \
            "with an odd length the last byte counts as the HIGH byte of a 16-bit word whose low byte is zero (RFC 1071): sum += p[len-1] << 8. Skipping it, or adding it as the low byte, gives a wrong checksum for every odd length"
        return 1
    fi
    [[ $status -eq 0 && "$output" =~ $'\n'"reply seq 1 time " ]] ||
        diagnose "miniping -r -s 7 (requests seen: ${seen:-none}): $(said)" \
            "build_echo() with PLEN 7 makes a 15-byte message with a valid checksum; the kernel answers it like any other"
}

# points: 2
@test "miniping gets a reply to each request on a raw socket" {
    icmp_net "it opens raw sockets there"
    needs "each echo request on the wire has a valid checksum and its identifier and sequence in network order"
    ping -r -c 3 -W 2000 127.0.0.1
    local want=$'reply seq 1 time [0-9]+\\.[0-9]{3} ms\nreply seq 2 time [0-9]+\\.[0-9]{3} ms\nreply seq 3 time [0-9]+\\.[0-9]{3} ms'
    [[ $status -eq 0 && "$(grep -E '^(reply|timeout) ' <<<"$output")" =~ ^$want$ ]] && return 0
    if [[ "$output" == *"timeout seq"* ]]; then
        diagnose "the kernel answers every echo request to 127.0.0.1, yet on a raw socket (-r) ping_once() missed replies: $(said)" \
            "on a raw socket recv() gives the whole IP packet: the ICMP message starts after the IP header, IHL * 4 bytes (raw is 1). Then type 0, code 0, your identifier and sequence (ntohs)"
    else
        diagnose "miniping -r -c 3 127.0.0.1: $(said)" \
            "ping_once() on a raw socket: the same as on a datagram one, with parse_reply() skipping the IP header"
    fi
}

# points: 2
@test "a request without a reply counts as lost after the wait, and miniping exits 1 when none came" {
    icmp_net "it sets net.ipv4.icmp_echo_ignore_all there" echo-off
    needs "miniping gets a reply to each request on a raw socket"
    # Unrelated ICMP keeps arriving (an echo reply to another ping every 50 ms): it must not
    # stretch the wait. A wait that restarts on each packet never ends: stopped after 5 s.
    start_icmppeer -N 50
    # shellcheck disable=SC2034  # read by the harness (student)
    local STUDENT_TIMEOUT=5
    ping -r -c 2 -W 200 127.0.0.1
    if [[ "$output" == *"reply seq"* ]]; then
        diagnose "the kernel answers no echo request (icmp_echo_ignore_all=1) and nobody else does (the icmppeer sends only echo replies with another identifier), yet a reply was reported: $(said)" \
            "a raw ICMP socket receives every ICMP message that arrives, and on lo that includes your own echo request (type 8, your identifier and sequence). Check the type: an echo reply is type 0, code 0"
        return 1
    fi
    if [[ $status -eq 124 || "$output" != *$'timeout seq 1\ntimeout seq 2\n'* ]]; then
        diagnose "no reply comes (icmp_echo_ignore_all=1), while an unrelated echo reply (another identifier) arrives every 50 ms; miniping -r -c 2 -W 200 took $took ms: $(said)" \
            "ping_once() waits at most TIMEOUT_MS in all, counted from the send: poll() with the milliseconds LEFT until that deadline, not TIMEOUT_MS again after each packet that is not the reply (other traffic would keep the wait going forever); return 0 when the time runs out (miniping then prints 'timeout seq N')"
        return 1
    fi
    if ((took < 400)); then
        diagnose "miniping -r -c 2 -W 200 reported both requests lost after $took ms in all, under the 2 x 200 ms it must wait" \
            "return 0 only once TIMEOUT_MS have passed since the request went out (measure with clock_gettime(CLOCK_MONOTONIC)), never earlier"
        return 1
    fi
    [[ $status -eq 1 && "$output" == *"2 sent, 0 received, 2 lost"* ]] ||
        diagnose "no reply comes; miniping -r -c 2 -W 200: $(said)" \
            "ping_once() returns 0 for a timeout (not -1: nothing failed), so miniping counts the loss and exits 1"
}

# points: 3
@test "replies with another identifier, another sequence number or another type are ignored" {
    icmp_net "its icmppeer sends ICMP messages there" echo-off
    needs "miniping gets a reply to each request on a raw socket"
    start_icmppeer -a -D -d 200
    ping -r -c 3 -W 3000 127.0.0.1
    local seq rtt decoy=("" "an echo reply with another identifier (yours + 1)" "an echo reply with another sequence number (yours + 1)" "a timestamp request (type 13) with your identifier and sequence number")
    for seq in 1 2 3; do
        rtt=$(rtt_us "$seq")
        if [[ -z "$rtt" ]]; then
            diagnose "the icmppeer answers each request 200 ms late, after a decoy (seq 1: another identifier, seq 2: another sequence number, seq 3: another type); miniping -r -c 3 -W 3000 got no reply for seq $seq: $(said)" \
                "keep reading until the reply comes or the time is up: a packet that is not the reply must not end the wait"
            return 1
        fi
        ((rtt < 200000)) || continue
        local own=""
        [[ $seq -ne 1 ]] || own="your own echo request (type 8, which a raw socket sees on lo) and "
        diagnose "seq $seq reported a reply after $((rtt / 1000)) ms, but the icmppeer sent the real one 200 ms after the request; before it, the raw socket got ${own}${decoy[seq]}" \
            "parse_reply() must check everything that makes it THE reply: type 0 and code 0, the identifier (other pings on the machine get their replies on every raw socket too) and the sequence number (an old reply is not this one)"
        return 1
    done
}

# points: 2
@test "a reply whose IP header carries options (IHL over 5) is found after the whole header" {
    icmp_net "its icmppeer sends IP packets with options there" echo-off
    needs "miniping gets a reply to each request on a raw socket"
    start_icmppeer -a -O 12
    ping -r -c 2 -W 1000 127.0.0.1
    [[ $status -eq 0 && "$(grep -cE '^reply seq [12] ' <<<"$output")" -eq 2 ]] && return 0
    if h_has_line "$(peer_log)" '^answer .* ihl 8$'; then
        diagnose "the icmppeer answered each request with an IP header of 32 bytes (IHL 8: 12 bytes of options, NOPs); miniping -r missed the replies: $(said)" \
            "an IPv4 header is IHL * 4 bytes long (IHL: the low 4 bits of its first byte, 5 to 15), not always 20: the ICMP message starts at buf + (buf[0] & 0x0f) * 4"
    else
        diagnose "miniping -r -c 2 -W 1000 (the icmppeer's log: $(tr '\n' ' ' <"$(peer_log)")): $(said)" \
            "ping_once() and parse_reply() on a raw socket: skip IHL * 4 bytes of IP header"
    fi
}

# points: 2
@test "the round-trip time is measured from the request to its reply, in microseconds" {
    icmp_net "its icmppeer answers late there" echo-off
    needs "miniping gets a reply to each request on an ICMP datagram socket"
    start_icmppeer -a -d 200
    ping -c 2 -W 3000 127.0.0.1
    local seq rtt
    for seq in 1 2; do
        rtt=$(rtt_us "$seq")
        if [[ -z "$rtt" ]]; then
            diagnose "the icmppeer answers each request 200 ms late; miniping -c 2 -W 3000 got no reply for seq $seq: $(said)" \
                "wait for the reply for up to TIMEOUT_MS"
            return 1
        fi
        if ((rtt < 200000 || rtt % 1000000 == 0)); then
            diagnose "the icmppeer answered each request 200 ms after it came; miniping printed for seq $seq a round-trip time of $((rtt / 1000)).$(printf '%03d' $((rtt % 1000))) ms: $(said)" \
                "measure with clock_gettime(CLOCK_MONOTONIC) (nanoseconds, and it never jumps) just before sendto() and just after the reply is read; time() counts whole seconds, so its RTT is 0 or 1000 ms"
            return 1
        fi
    done
}

# points: 2
@test "under Valgrind miniping leaks no descriptor and no memory" {
    icmp_net "it opens raw sockets there"
    needs "miniping gets a reply to each request on a raw socket"
    with_valgrind
    # Not `run`: the run keeps its name (miniping-run1) for valgrind_report.
    student miniping -r -c 2 -W 2000 127.0.0.1 >/dev/null 2>&1 || true
    local report
    report=$(valgrind_report miniping-run1)
    [[ -z "$report" ]] || diagnose "under Valgrind, miniping -r -c 2 127.0.0.1: $report" \
        "ping_once() works in buffers of its own (on the stack) and opens nothing: every byte it reads or checks must be inside what recv() returned (LEN)"
}
