# shellcheck shell=bash
# needs.bash - one mistake, one failure: a test that relies on a more basic behaviour says so,
# and is not run when that behaviour's test has already failed (the idea of xv6 gradelib's
# "parent").
#
# Each test's verdict is written down at teardown, in the run's scratch directory, so a later
# test can ask for it. The tests of one file always run in order; under run-tests --jobs, files
# run side by side, so a needed test of another file may still be running: run-tests lists the
# tests it runs, by file, in HARNESS_PLAN, and needs() waits for such a test's verdict. The
# needed test is always earlier in the run (harness/bin/check-needs makes sure), so the wait
# ends; it is bounded all the same (NEEDS_WAIT seconds).

# needs() - stop this test, as "not run", if a test it relies on has failed in this run
# $@: the names of the tests it relies on, exactly as their @test lines spell them
# A needed test that is not in this run (filtered out) does not stop this one. The runner
# counts a test stopped here as failed, with no points (the score is what it would have been),
# and its message points to the test to fix first.
needs() {
    local name base
    for name in "$@"; do
        h_verdict_base "$name"
        base=$H_VERDICT_BASE
        if [[ ! -e "$base.pass" && ! -e "$base.fail" ]] && h_running_elsewhere "$name"; then
            poll_until "${NEEDS_WAIT:-120}" h_has_verdict "$base" || true
        fi
        if [[ -e "$base.fail" ]]; then
            H_NOT_RUN=1
            skip "not run: needs '${name}'"
        fi
    done
}

# h_has_verdict() - true once a test's verdict is written
# $1: its verdict base (h_verdict_base)
h_has_verdict() { [[ -e "$1.pass" || -e "$1.fail" ]]; }

# h_running_elsewhere() - true if a test of this name is in this run, in another file, while
# files run side by side (HARNESS_JOBS > 1)
# $1: the test's name
h_running_elsewhere() {
    [[ "${HARNESS_JOBS:-1}" -gt 1 && -n "${HARNESS_PLAN:-}" && -r "$HARNESS_PLAN" ]] || return 1
    local file rest
    while IFS=$'\t' read -r file rest; do
        [[ "$rest" == "$1" ]] && [[ "$file" != "${BATS_TEST_FILENAME##*/}" ]] && return 0
    done <"$HARNESS_PLAN"
    return 1
}

# h_test_key() - set H_TEST_KEY to a file name made from a test's name
# $1: the test's name (unique in its lab: run-tests makes sure)
# Every other character "_", at most 200 of them, then the name's length. Also sourced by
# run-tests, which finds each test's time under it.
h_test_key() {
    local key=${1//[^A-Za-z0-9]/_}
    H_TEST_KEY="${key:0:200}-${#1}"
}

# h_verdict_base() - set H_VERDICT_BASE to where a test's verdict goes in this run
# $1: the test's name
# The verdict is in the name: BASE.pass or BASE.fail, an empty file made in one step, so a test
# that waits for it never reads it half written (and no mv is needed to make it so).
h_verdict_base() {
    h_test_key "$1"
    H_VERDICT_BASE="${BATS_RUN_TMPDIR}/verdicts/${H_TEST_KEY}"
}

# h_record_verdict() - teardown's last step: write down this test's verdict for needs()
# $1: 0 if teardown found nothing wrong, otherwise its status
# "pass" only for a test that completed and whose teardown passed; a test that was itself not
# run counts as failed for the tests that need it.
h_record_verdict() {
    local verdict=fail
    if [[ "$1" == 0 && -n "${BATS_TEST_COMPLETED:-}" && -z "${H_NOT_RUN:-}" ]]; then
        verdict=pass
    fi
    h_verdict_base "$BATS_TEST_DESCRIPTION"
    [[ -d "${H_VERDICT_BASE%/*}" ]] || mkdir -p "${H_VERDICT_BASE%/*}"
    : >"$H_VERDICT_BASE.$verdict"
    # How long the test took, from harness_setup to here, for run-tests' results (HARNESS_TIMES).
    if [[ -n "${HARNESS_TIMES:-}" && -n "${H_T0:-}" ]]; then
        local now=${EPOCHREALTIME//[.,]/} start=${H_T0//[.,]/}
        echo $(((now - start) / 1000)) >"${HARNESS_TIMES}/${H_TEST_KEY}" 2>/dev/null || true
    fi
    # The run's progress (run-tests' watcher): this test has ended.
    [[ -z "${HARNESS_PROGRESS:-}" ]] || printf 'done\t%s\n' "$BATS_TEST_DESCRIPTION" >>"$HARNESS_PROGRESS" 2>/dev/null || true
}

# needs_private_netns() - stop this test, as "not run", when it has no network namespace of its
# own (HARNESS_NETNS=off, or a machine that allows none)
# $1: what the test would do there that it must not do on a shared network (changing the
# firewall, ...)
# Such a test never touches the host's network: where it cannot have its own, it is reported
# `not run: needs a private network namespace (…)`, with no points, and the reference's checks
# (check-variant, stress) accept it as not run there.
needs_private_netns() {
    [[ "$H_MODE" == netns ]] && return 0
    H_NOT_RUN=1
    skip "not run: needs a private network namespace ($1)"
}
