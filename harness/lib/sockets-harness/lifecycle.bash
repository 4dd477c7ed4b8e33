# shellcheck shell=bash
# shellcheck disable=SC2034  # the H_* globals set here are read by the library's other files
# lifecycle.bash - one test's set-up and clean-up, and the network mode they choose.

# harness_setup() - prepare one test: scratch space, process table, network namespace
# Call it first in a test file's own setup(). Fails the test if HARNESS_BIN does not hold the
# built peers. With HARNESS_NETNS=off, or where the machine allows no namespace, the test
# shares the host's loopback (harness_mode says which).
harness_setup() {
    H_T0=$EPOCHREALTIME
    # The run's progress (run-tests' watcher): this test has started.
    [[ -z "${HARNESS_PROGRESS:-}" ]] || printf 'start\t%s\n' "$BATS_TEST_DESCRIPTION" >>"$HARNESS_PROGRESS" 2>/dev/null || true
    # Bats' DEBUG trap records a stack trace before every command, for the "(in test file …)"
    # lines of a failure, which the runner drops (the diagnosis says what went wrong). It costs
    # about 0.4 ms a command, most of a test's time in the harness's polls: off.
    trap - DEBUG
    # HARNESS_TRACE=FILE: every command of the test, timestamped, appended to FILE (where a test's
    # time goes: docs/harness.md).
    if [[ -n "${HARNESS_TRACE:-}" ]]; then
        PS4='+ ${EPOCHREALTIME} ${FUNCNAME[0]:-} ${FUNCNAME[3]:-}<${FUNCNAME[4]:-}<${FUNCNAME[5]:-} '
        exec {BASH_XTRACEFD}>>"$HARNESS_TRACE"
        set -x
    fi
    if [[ -z "${HARNESS_BIN:-}" || ! -x "${HARNESS_BIN}/nsholder" ]]; then
        fail "HARNESS_BIN ('${HARNESS_BIN:-}') does not hold the built test peers; run the tests through 'make test' or 'make grade'"
        return 1
    fi
    H_DIR="${BATS_TEST_TMPDIR}/harness"
    mkdir -p "$H_DIR/left"
    declare -gA H_PIDS=() H_STUDENT=() H_DEAF=()
    declare -ga H_ORDER=()
    declare -ga H_SHORTIO_ENV=()
    H_VALGRIND="${HARNESS_VALGRIND:-0}"
    H_EMULATOR=()
    h_set_slow
    H_BIN="${LAB_BIN:-}"
    H_RUNS=0
    H_NS_PID=""
    H_NSENTER=()
    H_CONTAIN_OPTS=()
    H_NOT_RUN=""
    H_MODE="shared-loopback"
    # The socket tables of the test's network: this shell's own (h_start_netns: the namespace's).
    H_NET_DIR=/proc/self/net
    if [[ "$HARNESS_NETNS" != off ]]; then
        h_start_netns || true
    fi
}

# harness_teardown() - kill and reap everything the test started, then check Valgrind's logs
# Fails the test if a program under Valgrind had memory errors or leaked descriptors. A test
# that failed keeps the capture of its loopback (capture.bash).
harness_teardown() {
    local name groups=()
    for name in "${H_ORDER[@]}"; do
        groups+=("${H_PIDS[$name]}")
        # One that stop() already saw outlast its signal gets no second grace here.
        [[ -z "${H_DEAF[$name]:-}" ]] || kill -KILL -- "-${H_PIDS[$name]}" 2>/dev/null || true
    done
    # The namespace's holder goes with them, in the same grace: the namespace itself lasts while
    # any process is in it.
    [[ -z "${H_NS_PID:-}" ]] || groups+=("$H_NS_PID")
    [[ ${#groups[@]} -eq 0 ]] || h_kill_groups "${groups[@]}"
    if [[ -z "${BATS_TEST_COMPLETED:-}" && ${#H_SHORTIO_ENV[@]} -gt 0 ]]; then
        echo "(short-I/O injector was on: ${H_SHORTIO_ENV[*]}; set the same values to replay)"
    fi
    local status=0
    # A test that needs() stopped has already said what to fix first; judge nothing else.
    if [[ -z "${H_NOT_RUN:-}" ]]; then
        h_check_left || status=$?
        h_check_valgrind_logs || status=$?
    fi
    h_record_verdict "$status"
    if [[ -z "${H_NOT_RUN:-}" && ( -z "${BATS_TEST_COMPLETED:-}" || "$status" != 0 ) ]]; then
        h_keep_capture
    fi
    return "$status"
}

# harness_mode() - print the test's network mode: "netns" or "shared-loopback"
harness_mode() { echo "$H_MODE"; }

# port_for() - print the port a test should use for a well-known port
# $1: the well-known port (8080)
# In a private namespace the port itself is free; on a shared loopback another test or program
# may hold it, so a free ephemeral port is printed instead. Tests running side by side in one run
# (--jobs) share that loopback: each port handed out is reserved for the run (a directory made
# in one step), so two tests are never given the same one, and a test's wait_for_port never sees
# another test's listener as its own.
port_for() {
    if [[ "$H_MODE" == netns ]]; then
        echo "$1"
        return 0
    fi
    local port i
    mkdir -p "${BATS_RUN_TMPDIR}/ports"
    for ((i = 0; i < 20; i++)); do
        port=$("${HARNESS_BIN}/freeport") || return 1
        mkdir "${BATS_RUN_TMPDIR}/ports/${port}" 2>/dev/null && break
    done
    echo "$port"
}
