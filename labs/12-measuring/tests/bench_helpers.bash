# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # took is read by the tests; status, output and stderr are set by run
# bench_helpers.bash - what lab 12's tests share: running sockbench, reading its results, and
# what the course's recorder saw of the same connections. Loaded after the sockets-harness library.

# sockbench ARG... - run the student's sockbench in the foreground through
# `run --separate-stderr` (sets status, output, stderr) and `took` to the microseconds it ran.
sockbench() {
    local start=$EPOCHREALTIME now
    run --separate-stderr student sockbench "$@"
    now=$EPOCHREALTIME
    took=$((${now//[.,]/} - ${start//[.,]/}))
}

# said - what sockbench printed (its first lines), its exit status and its stderr: for a diagnosis.
said() {
    local out err=${stderr//$'\n'/ | } tail=""
    out=$(head -n 3 <<<"$output" | sed -n 'l' | tr '\n' ' ')
    [[ -n "$output" ]] || out="nothing"
    [[ -z "$err" ]] || tail=", stderr '${err:0:300}'"
    echo "printed '${out:0:240}' ($(grep -c . <<<"$output" || true) lines), exit status $status$tail"
}

# stub_hint TEXT - the likely mistake when TEXT (sockbench's stderr) shows a stub still in
# place; empty if not.
stub_hint() {
    local stub
    stub=$(grep -m 1 -o '[A-Za-z_][A-Za-z0-9_]*: not implemented yet' <<<"$1" || true)
    [[ -z "$stub" ]] || echo "${stub%%:*}() is still the stub of the skeleton: write it (see the TODO in sockbench.c)"
}

# ran_ok WHAT - true if the last sockbench run exited 0; otherwise diagnose it (WHAT: the
# command, for the message) and return 1.
ran_ok() {
    [[ "$status" -eq 0 ]] && return 0
    local likely
    likely=$(stub_hint "$stderr")
    [[ -n "$likely" ]] || likely="each function returns 0 (or a count) on success and -1 with errno set only on a real failure: read the error above"
    diagnose "sockbench $1 $(said)" "$likely"
    return 1
}

# start_recorder [OPTION...] ADDR - start the course's recorder on ADDR (log: rec.log) and wait
# for its listener.
start_recorder() {
    spawn_peer rec recorder -o "$BATS_TEST_TMPDIR/rec.log" "$@"
    local addr=${*: -1}
    if [[ "$addr" == unix:* ]]; then
        wait_for_unix_socket "${addr#unix:}" rec
    else
        wait_for_port "$addr" rec
    fi
}

# peer_bytes K - the bytes the recorder received on its connection K.
peer_bytes() {
    awk -v k="$1" '$1 == "recv" && $2 == k { n += $3 } END { print n + 0 }' "$BATS_TEST_TMPDIR/rec.log"
}

# peer_conns - how many connections the recorder accepted.
peer_conns() {
    grep -c '^accept ' "$BATS_TEST_TMPDIR/rec.log" || true
}

# peer_end K - how the recorder's connection K ended: eof, rst or error (empty: not yet).
peer_end() {
    awk -v k="$1" '($1 == "eof" || $1 == "rst" || $1 == "error") && $2 == k { print $1; exit }' "$BATS_TEST_TMPDIR/rec.log"
}

# peer_ended K - true once the recorder has seen its connection K end (its last line is written
# after sockbench's close, so a test waits for it).
peer_ended() {
    [[ -n "$(peer_end "$1")" ]]
}

# lines_of KIND - sockbench's result lines of that kind (the first field).
lines_of() {
    grep "^$1"$'\t' <<<"$output" || true
}

# bad_line REGEX - the first line of sockbench's output that does not match REGEX (empty: none).
bad_line() {
    local line
    while IFS= read -r line; do
        [[ "$line" =~ $1 ]] || { printf '%s' "$line" | sed -n 'l' | head -c 300; return 0; }
    done <<<"$output"
}

# readback WORD - the value sockbench's stderr read-back gives for WORD (nodelay, sndbuf,
# rcvbuf) on its first run.
readback() {
    grep -m 1 '^sockbench: run 1: ' <<<"$stderr" | sed -n "s/.* $1 \\([^ ]*\\).*/\\1/p"
}

# cpus_allowed PID - the CPUs process PID may run on, as /proc says (Cpus_allowed_list).
cpus_allowed() {
    sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null
}

# my_cpus - the CPUs this test may use, one a line (from its own Cpus_allowed_list).
my_cpus() {
    local part lo hi
    local -a parts
    IFS=, read -ra parts <<<"$(cpus_allowed "$BASHPID")"
    for part in "${parts[@]}"; do
        lo=${part%-*}
        hi=${part#*-}
        seq "$lo" "$hi"
    done
}
