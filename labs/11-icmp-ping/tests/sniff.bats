#!/usr/bin/env bats
# Lab 11: sniff, a raw IPPROTO_TCP socket that prints the IP and TCP headers of each segment
# parse_segment() reads. The test makes a TCP connection on the namespace's lo (the course's
# recorder and scripted peers) and compares what sniff printed with what it must have seen.
# shellcheck disable=SC2154  # $output is set by Bats
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# shellcheck disable=SC2034  # read by the harness
STUDENT_TIMEOUT=10

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/ping_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# sniff_connection - start sniff, then a connection from the scripted peer to the recorder on
# $PORT that sends "hello" and closes; wait until sniff printed the segment with the data, or
# 5 s. Sets SNIFFED to what sniff printed. Fails the test if sniff did not start.
sniff_connection() {
    spawn_student sniff sniff
    wait_for_file_content "$(out_of sniff)" '^sniffing$' || true
    if ! h_has_line "$(out_of sniff)" '^sniffing$'; then
        diagnose "sniff did not start: $(cat "$(err_of sniff)")" \
            "$(stderr=$(cat "$(err_of sniff)") stub_hint)"
        return 1
    fi
    spawn_peer rec recorder -o "$BATS_TEST_TMPDIR/rec.log" "$PORT"
    wait_for_port "$PORT" rec
    peer scripted "127.0.0.1:$PORT" sendtext:hello close >/dev/null ||
        fail "test set-up: the scripted peer could not connect to the recorder on $PORT"
    wait_for_file_content "$BATS_TEST_TMPDIR/rec.log" '^close 1' || true
    # The FIN-ACK exchange follows the data: wait for 6 lines at most 5 s (or a stub's
    # complaint), then take what came.
    wait_until 5 sniffed_or_stub 6 || true
    SNIFFED=$(grep '^tcp ' "$(out_of sniff)" || true)
    local hint
    hint=$(stderr=$(cat "$(err_of sniff)") stub_hint)
    [[ -z "$hint" ]] || { diagnose "sniff saw the connection's segments and said: $(head -n 1 "$(err_of sniff)")" "$hint"; return 1; }
}

# sniffed_or_stub N - true once sniff printed N segments, or the skeleton's stub spoke.
sniffed_or_stub() {
    h_count_at_least "$(out_of sniff)" '^tcp ' "$1" || h_has_line "$(err_of sniff)" 'not implemented yet'
}

# sniffed_lines - what sniff printed, on one line, for a diagnosis.
sniffed_lines() {
    local s=${SNIFFED//$'\n'/ | }
    echo "'${s:0:600}'"
}

# points: 3
@test "sniff prints the SYN and the SYN-ACK of a connection with their ports and flags" {
    needs_private_netns "it opens a raw socket there, which sees every TCP segment"
    sniff_connection
    local syn client
    syn=$(grep -m 1 -E "^tcp 127\\.0\\.0\\.1:[0-9]+ > 127\\.0\\.0\\.1:$PORT flags S ip_hlen 20 " <<<"$SNIFFED" || true)
    if [[ -n "$syn" ]]; then
        client=${syn#tcp 127.0.0.1:}
        client=${client%% *}
        grep -qE "^tcp 127\\.0\\.0\\.1:$PORT > 127\\.0\\.0\\.1:$client flags SA ip_hlen 20 " <<<"$SNIFFED" && return 0
    fi
    if [[ -z "$SNIFFED" ]]; then
        diagnose "a client connected to 127.0.0.1:$PORT and sent 'hello'; sniff printed no segment: $(cat "$(err_of sniff)")" \
            "parse_segment() returns 0 for an IPv4 packet (version 4 in the high 4 bits of byte 0) that carries TCP (protocol 6, byte 9) and is as long as its headers say"
    elif grep -qE "> 127\\.0\\.0\\.1:$(swap16 "$PORT") " <<<"$SNIFFED"; then
        diagnose "the connection was to port $PORT; sniff printed port $(swap16 "$PORT") (its bytes swapped): $(sniffed_lines)" \
            "the ports are in network byte order in the TCP header: ntohs() each one before storing it in sport and dport"
    elif grep -qE "> 127\\.0\\.0\\.1:$PORT " <<<"$SNIFFED"; then
        diagnose "a client connected to 127.0.0.1:$PORT; sniff printed, but no SYN (flags S alone) then SYN-ACK (flags SA) with 20-byte IP headers: $(sniffed_lines)" \
            "the flags are byte 13 of the TCP header (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20), and the IP header length is IHL * 4 (the low 4 bits of byte 0)"
    else
        diagnose "a client connected to 127.0.0.1:$PORT; sniff printed: $(sniffed_lines)" \
            "the TCP header starts after the IP header (IHL * 4 bytes); its first two 16-bit fields are the source and destination ports (ntohs)"
    fi
}

# points: 3
@test "sniff finds the payload after the TCP options, where the data offset says" {
    needs_private_netns "it opens a raw socket there, which sees every TCP segment"
    needs "sniff prints the SYN and the SYN-ACK of a connection with their ports and flags"
    sniff_connection
    local data syn
    data=$(grep -m 1 -E "^tcp 127\\.0\\.0\\.1:[0-9]+ > 127\\.0\\.0\\.1:$PORT flags P?A .* data [1-9][0-9]*$" <<<"$SNIFFED" || true)
    syn=$(grep -m 1 -E "^tcp 127\\.0\\.0\\.1:[0-9]+ > 127\\.0\\.0\\.1:$PORT flags S " <<<"$SNIFFED" || true)
    # The SYN carries options (MSS, SACK, timestamps, window scale): its TCP header is longer
    # than 20 bytes, and so is every later segment's (timestamps).
    if [[ "$syn" =~ " ip_len "([0-9]+)" tcp_hlen "([0-9]+)" data "([0-9]+)$ ]] &&
        ((BASH_REMATCH[2] > 20 && BASH_REMATCH[3] == 0 && BASH_REMATCH[1] == 20 + BASH_REMATCH[2])) &&
        [[ "$data" =~ " ip_len "([0-9]+)" tcp_hlen "([0-9]+)" data 5"$ ]] &&
        ((BASH_REMATCH[2] > 20 && BASH_REMATCH[1] == 25 + BASH_REMATCH[2])); then
        return 0
    fi
    if [[ "$syn" == *" tcp_hlen 20 data "[1-9]* || "$data" == *" tcp_hlen 20 "* ]]; then
        diagnose "the SYN carries TCP options and the client's 'hello' is 5 bytes; sniff printed: SYN '$syn', data '${data:-none}'" \
            "the TCP header is not always 20 bytes: its length is the data offset, the high 4 bits of byte 12, times 4 (40 for a SYN with options, 32 with timestamps). The payload starts after it, and its length is ip_len - ip_hlen - tcp_hlen"
    else
        diagnose "the SYN carries TCP options and has no payload; the client's data segment carries 'hello' (5 bytes); sniff printed: SYN '${syn:-none}', data '${data:-none}' (all: $(sniffed_lines))" \
            "ip_len is the IP total length (bytes 2-3, ntohs); tcp_hlen is the data offset * 4; data_len is ip_len - ip_hlen - tcp_hlen"
    fi
}
