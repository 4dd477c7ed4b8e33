# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # took is read by the tests; status, output and stderr are set by run
# opt_helpers.bash - what lab 07's two test files share: running optool, timing it, and
# reading what ss(8) shows of the test's sockets. Loaded after the sockets-harness library.

# optool ARG... - run the student's optool in the foreground through `run --separate-stderr`
# (sets status, output, stderr) and `took` to the milliseconds it ran.
optool() {
    local start=$EPOCHREALTIME
    run --separate-stderr student optool "$@"
    took=$(ms_since "$start")
}

# ms_since START - milliseconds since START (a copy of $EPOCHREALTIME).
ms_since() {
    local now=${EPOCHREALTIME//[.,]/} then=${1//[.,]/}
    echo $(((now - then) / 1000))
}

# outputs_of NAME - set output and stderr to what the spawned optool NAME printed, as
# `run --separate-stderr` would, for `said` and `waited_ms`.
outputs_of() {
    output=$(<"$(out_of "$1")")
    stderr=$(<"$(err_of "$1")")
}

# said - what optool printed, on one line, and what it said on stderr: for a diagnosis.
said() {
    local out=${output//$'\n'/ | } err=${stderr//$'\n'/ | } tail=""
    [[ -z "$err" ]] || tail=", stderr '${err:0:300}'"
    echo "printed '${out:0:200}', exit status $status$tail"
}

# stub_hint - the likely mistake when optool's stderr shows a stub still in place; empty if not.
stub_hint() {
    local stub
    stub=$(grep -m 1 -o '[A-Za-z_][A-Za-z0-9_]*: not implemented yet' <<<"$stderr" || true)
    [[ -z "$stub" ]] || echo "${stub%%:*}() is still the stub of the skeleton: write it (see the TODO in netopt.c)"
}

# start_recorder [OPTION...] - start the course's recorder on $PORT (log: rec.log) and wait for
# its listener.
start_recorder() {
    spawn_peer rec recorder -o "$BATS_TEST_TMPDIR/rec.log" "$@" "$PORT"
    wait_for_port "$PORT" rec
}

# spawn_optool NAME ARG... - start the student's optool in the background as NAME.
spawn_optool() {
    local name=$1
    shift
    spawn_student "$name" optool "$@"
}

# wait_ready NAME - wait until optool NAME printed "ready"; 1 if it exited first or took more
# than 2 s (connecting on loopback and setting options take milliseconds; an optool that hangs
# costs each options test 2 s, not 5).
wait_ready() {
    wait_until 2 ready_or_gone "$1" || true
    h_has_line "$(out_of "$1")" '^ready$'
}

# ready_or_gone NAME - true once optool NAME printed "ready" or has exited.
ready_or_gone() {
    h_has_line "$(out_of "$1")" '^ready$' || ! is_running "$1"
}

# conn_ss OPTION... - ss's line(s) for the test's client connection to $PORT (ESTABLISHED), with
# OPTIONs (-i, -o, -m), joined onto one line.
conn_ss() {
    h_ss -H -t -n "$@" state established "( dport = :$PORT )" | tr -s ' \t\n' ' '
}

# listen_queue PORT - how many connections wait in PORT's accept queue (ss's Recv-Q of a
# listener); empty if nothing listens there.
listen_queue() {
    h_ss -H -t -l -n "( sport = :$1 )" | awk 'NR == 1 { print $2 }'
}

# time_wait_count PORT - how many connections of local port PORT are in TIME_WAIT.
time_wait_count() {
    h_ss -H -t -n state time-wait "( sport = :$1 )" | grep -c . || true
}

# queue_holds PORT N - true once N or more connections wait in PORT's accept queue.
queue_holds() {
    local q
    q=$(listen_queue "$1")
    [[ "${q:-0}" -ge "$2" ]]
}

# syn_sent_to PORT - true while a connection to port PORT waits for the answer to its SYN.
syn_sent_to() { tcp_state_on 02 remote "$1"; }

# in_time_wait PORT - true once a connection of local port PORT is in TIME_WAIT.
in_time_wait() {
    [[ "$(time_wait_count "$1")" -ge 1 ]]
}

# waited_ms - the milliseconds in optool's "timeout after MS ms" line (how long the call that
# timed out waited, measured by optool around that one call); empty if there is none.
waited_ms() {
    sed -n 's/^timeout after \([0-9]*\) ms$/\1/p' <<<"$output" | head -n 1
}
