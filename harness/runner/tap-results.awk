# tap-results.awk - turn Bats' TAP output into one record per test.
#
# Writes "NUMBER<TAB>pass|fail|not-run<TAB>NAME" lines to stdout, and each failed test's message to
# MSGDIR/NUMBER.txt, without Bats' own stack-trace lines (the student needs the diagnosis,
# not the harness's line numbers). Only lines that Bats itself writes at the start of a
# line ("ok", "not ok") decide a result: a tested program's output reaches the TAP stream
# only inside a failure message, where Bats prefixes every line with "# ".
# A test that needs() stopped is reported by Bats as skipped ("# skip not run: needs 'X'"): it is
# "not-run", and its message names the test to fix first. So is one that needs_private_netns()
# stopped ("# skip not run: needs a private network namespace (…)"): its message says why. Any
# other skip is "not-run" too, never a pass.
function flush() {
    if (num != "" && status != "pass") {
        printf "%s", msg > (msgdir "/" num ".txt")
        close(msgdir "/" num ".txt")
    }
    msg = ""
}
/^ok [0-9]+ / {
    flush(); num = $2; status = "pass"
    name = substr($0, length("ok " num " ") + 1)
    if (match(name, / # skip not run: needs '.*'$/)) {
        status = "not-run"
        needed = substr(name, RSTART + 24, RLENGTH - 25)
        msg = "not run: it needs \"" needed "\", which failed. Fix that test first; this one runs once it passes.\n"
    } else if (match(name, / # skip not run: .*$/)) {
        status = "not-run"
        msg = substr(name, RSTART + 8) ": it cannot be run on this machine, and earns no points here.\n"
    } else if (match(name, / # skip( .*)?$/)) {
        # A bare skip is a test that gave up on itself: never a pass, never points.
        status = "not-run"
        why = substr(name, RSTART + 8)
        msg = "not run: the test skipped itself" (why == "" ? "" : " (" why ")") "; it earns no points.\n"
    }
    sub(/ # skip.*$/, "", name)
    print num "\t" status "\t" name
    next
}
/^not ok [0-9]+ / {
    flush(); num = $3; status = "fail"
    name = substr($0, length("not ok " num " ") + 1)
    if (match(name, / # timeout after [0-9]+s$/)) {
        msg = "the test did not finish within its time limit (" substr(name, RSTART + 17) "): something blocked (a read that never returns? a missing shutdown()?)\n"
        name = substr(name, 1, RSTART - 1)
    }
    print num "\t" status "\t" name
    next
}
/^# / && num != "" && status == "fail" {
    line = substr($0, 3)
    if (line ~ /^\((in test file|from function|in file) /) next
    if (line ~ /^ +(in test file|from function|in file) /) next
    if (line ~ /^  `.*' failed/) next
    msg = msg line "\n"
    next
}
END { flush() }
