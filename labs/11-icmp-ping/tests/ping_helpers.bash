# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # took is read by the tests; status, output and stderr are set by run
# ping_helpers.bash - what lab 11's two test files share: the test's namespace made ready for
# ICMP, running miniping, the icmppeer, and reading what they printed. Loaded after the
# sockets-harness library.

# icmp_net WHY [echo-off] - stop the test as not run unless it has a private network namespace
# (WHY: what it does there); then let the namespace's users (the test, as root of it) open ICMP
# datagram sockets: net.ipv4.ping_group_range set to the test's own group, in the namespace
# only. With echo-off, also net.ipv4.icmp_echo_ignore_all=1: the namespace's kernel answers no
# echo request, so every reply comes from the icmppeer, or none does. A test calls it before
# `needs`.
icmp_net() {
    needs_private_netns "$1"
    local ignore=0
    [[ "${2:-}" != echo-off ]] || ignore=1
    # shellcheck disable=SC2016  # expanded by the shell in the namespace
    in_netns sh -c 'g=$(id -g) && echo "$g $g" >/proc/sys/net/ipv4/ping_group_range &&
        echo "$1" >/proc/sys/net/ipv4/icmp_echo_ignore_all' sh "$ignore" \
        >"$BATS_TEST_TMPDIR/net.log" 2>&1 && return 0
    # Not the student's doing: a namespace whose sysctls the test may not write.
    # shellcheck disable=SC2034  # read by the harness's teardown (needs.bash)
    H_NOT_RUN=1
    skip "not run: needs a private network namespace whose net.ipv4.ping_group_range and icmp_echo_ignore_all it can set ($(tr '\n' ' ' <"$BATS_TEST_TMPDIR/net.log"))"
}

# ping ARG... - run the student's miniping in the foreground through `run --separate-stderr`
# (sets status, output, stderr) and `took` to the milliseconds it ran.
ping() {
    local start=$EPOCHREALTIME
    run --separate-stderr student miniping "$@"
    took=$(ms_since "$start")
}

# ms_since START - milliseconds since START (a copy of $EPOCHREALTIME).
ms_since() {
    local now=${EPOCHREALTIME//[.,]/} then=${1//[.,]/}
    echo $(((now - then) / 1000))
}

# said - what the program printed, on one line, and what it said on stderr: for a diagnosis.
said() {
    local out=${output//$'\n'/ | } err=${stderr//$'\n'/ | } tail=""
    [[ -z "$err" ]] || tail=", stderr '${err:0:300}'"
    echo "printed '${out:0:400}', exit status $status$tail"
}

# stub_hint - the likely mistake when stderr shows a stub still in place; empty if not.
stub_hint() {
    local stub
    stub=$(grep -m 1 -o '[A-Za-z_][A-Za-z0-9_]*: not implemented yet' <<<"$stderr" || true)
    [[ -z "$stub" ]] || echo "${stub%%:*}() is still the stub of the skeleton: write it (see the TODO in icmp.c)"
}

# peer_log - the icmppeer's log file.
peer_log() {
    echo "${BATS_TEST_TMPDIR}/icmppeer.log"
}

# start_icmppeer [OPTION...] - start the tests' icmppeer (tests/icmppeer.c) with OPTIONs and
# wait until its raw socket is open.
start_icmppeer() {
    spawn icmppeer "${LAB_BIN}/icmppeer" -o "$(peer_log)" "$@"
    wait_for_file_content "$(peer_log)" '^(ready|error)' ||
        fail "test set-up: the icmppeer did not start: $(cat "$(err_of icmppeer)")"
    ! h_has_line "$(peer_log)" '^error' ||
        fail "test set-up: the icmppeer could not start: $(tr '\n' ' ' <"$(peer_log)")"
}

# requests_seen - the echo requests the icmppeer saw, one "id ID seq SEQ len N cksum ok|bad"
# a line (without their data), for a diagnosis.
requests_seen() {
    sed -n 's/^request \(.*\) data .*/\1/p' "$(peer_log)" | paste -sd ';' - | sed 's/;/; /g'
}

# wait_requests N - wait until the icmppeer has seen N echo requests.
wait_requests() {
    wait_until 5 h_count_at_least "$(peer_log)" '^request ' "$1" || true
}

# h_count_at_least FILE REGEX N - true once FILE has N lines matching REGEX.
h_count_at_least() {
    local n
    n=$(grep -cE -- "$2" "$1" 2>/dev/null) || true
    [[ "${n:-0}" -ge "$3" ]]
}

# rtt_us SEQ - the microseconds of miniping's "reply seq SEQ time T ms" line; empty if none.
rtt_us() {
    local t
    t=$(sed -n "s/^reply seq $1 time \\([0-9]*\\)\\.\\([0-9]\\{3\\}\\) ms\$/\\1\\2/p" <<<"$output" | head -n 1)
    [[ -z "$t" ]] || echo $((10#$t))
}

# payload_hex SIZE - the payload miniping sends, byte i holding i % 256, as lowercase hex.
payload_hex() {
    local i hex=""
    for ((i = 0; i < $1; i++)); do
        printf -v hex '%s%02x' "$hex" $((i % 256))
    done
    echo "$hex"
}
