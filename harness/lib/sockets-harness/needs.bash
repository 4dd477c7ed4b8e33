# shellcheck shell=bash
# needs.bash - one mistake, one failure: a test that relies on a more basic behaviour says so,
# and is not run when that behaviour's test has already failed (the idea of xv6 gradelib's
# "parent").
#
# Each test's verdict is written down at teardown, in the run's scratch directory, so a later
# test (in the same file or a later one of the same run) can ask for it.

# needs() - stop this test, as "not run", if a test it relies on has failed in this run
# $@: the names of the tests it relies on, exactly as their @test lines spell them
# A needed test that has not run in this run (filtered out, or in a file run in parallel) does
# not stop this one. The runner counts a test stopped here as failed, with no points (the score
# is what it would have been), and its message points to the test to fix first.
needs() {
    local name verdict
    for name in "$@"; do
        read -r verdict 2>/dev/null <"$(h_verdict_file "$name")" || continue
        if [[ "$verdict" != pass ]]; then
            H_NOT_RUN=1
            skip "not run: needs '${name}'"
        fi
    done
}

# h_verdict_file() - print the file that holds a test's verdict in this run
# $1: the test's name
h_verdict_file() {
    local key=${1//[^A-Za-z0-9]/_}
    echo "${BATS_RUN_TMPDIR}/verdicts/${key:0:200}-${#1}"
}

# h_record_verdict() - teardown's last step: write down this test's verdict for needs()
# $1: 0 if teardown found nothing wrong, otherwise its status
# "pass" only for a test that completed and whose teardown passed; a test that was itself not
# run counts as failed for the tests that need it.
h_record_verdict() {
    local verdict=fail file
    if [[ "$1" == 0 && -n "${BATS_TEST_COMPLETED:-}" && -z "${H_NOT_RUN:-}" ]]; then
        verdict=pass
    fi
    file=$(h_verdict_file "$BATS_TEST_DESCRIPTION")
    [[ -d "${file%/*}" ]] || mkdir -p "${file%/*}"
    echo "$verdict" >"$file"
}
