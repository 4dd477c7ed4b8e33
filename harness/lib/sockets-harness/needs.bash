# shellcheck shell=bash
# needs.bash - one mistake, one failure: a test that relies on a more basic behaviour says so,
# and is not run when that behaviour's test has already failed (the idea of xv6 gradelib's
# "parent").
#
# Each test's verdict is written down at teardown, in the run's scratch directory, so a later
# test of the same file can ask for it. Only the same file: files may run side by side
# (run-tests --jobs), while the tests of one file always run in order.

# needs() - stop this test, as "not run", if a test it relies on has failed in this run
# $@: the names of tests earlier in the same file, exactly as their @test lines spell them
# A needed test that has not run in this run (filtered out, or in another file) does not stop
# this one. The runner counts a test stopped here as failed, with no points (the score
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

# h_verdict_file() - print the file that holds the verdict of a test of this file in this run
# $1: the test's name
h_verdict_file() {
    local file=${BATS_TEST_FILENAME##*/} key=${1//[^A-Za-z0-9]/_}
    echo "${BATS_RUN_TMPDIR}/verdicts/${file//[^A-Za-z0-9]/_}/${key:0:200}-${#1}"
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
