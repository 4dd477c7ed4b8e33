# shellcheck shell=bash
# poll.bash - the one polling primitive: every wait in the harness is built on poll_until.
#
# Loaded by the library's load.bash, and on its own by the harness's peer tests
# (harness/tests/helpers.bash), which use nothing else of the library.

# poll_until() - run a check until it succeeds, for at most a number of seconds
# $1: the most seconds to wait (a whole number)
# $2...: the check: a command run in this shell, so it may set variables the caller reads
# The first steps are 2 ms apart (most things a test waits for take a few milliseconds), the
# next 5 ms for about a second (a program's run, a transfer: a step is what a wait overshoots
# by), then 20 ms. The wait is bounded by the clock and by a count (under load each step takes
# longer than its nap). Returns 0 as soon as the check succeeds; when the time is up, runs the
# check once more and returns its status.
poll_until() {
    local limit=$1
    shift
    poll_until_ms "$((limit * 1000))" "$@"
}

# poll_until_ms() - poll_until, for at most a number of milliseconds
# $1: the most milliseconds to wait (a whole number)
# $2...: the check
poll_until_ms() {
    local limit_ms=$1 i now end
    shift
    now=${EPOCHREALTIME//[.,]/}
    end=$((now / 1000 + limit_ms))
    for ((i = 0; i < limit_ms / 20 + 210 && i < 100000; i++)); do
        "$@" && return 0
        now=${EPOCHREALTIME//[.,]/}
        ((now / 1000 < end)) || break
        if ((i < 10)); then h_nap 0.002; elif ((i < 210)); then h_nap 0.005; else h_nap 0.02; fi
    done
    "$@"
}

# h_nap() - pause a fraction of a second without starting a process: poll_until's step between
# two probes (or the spacing of a test's repeated stimulus), never a wait for readiness
# $1: the seconds (0.02)
# bash-builtins' sleep where load.bash enabled it; otherwise read -t on a pipe nobody writes to
# (made once per test shell, by a fork). sleep(1) would cost a fork and an exec every step,
# which under load takes longer than the step itself.
h_nap() {
    if [[ -n "${H_SLEEP_BUILTIN:-}" ]]; then
        sleep "$1"
        return 0
    fi
    if [[ -z "${H_SLEEP_FD:-}" ]] || ! { true >&"$H_SLEEP_FD"; } 2>/dev/null; then
        exec {H_SLEEP_FD}<> <(:)
    fi
    read -r -t "$1" -u "$H_SLEEP_FD" _ || true
}
