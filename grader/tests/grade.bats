#!/usr/bin/env bats
# The grader's own tests: what `make grade` promises students and instructors.
export BATS_TEST_TIMEOUT=900

setup_file() {
    export COURSE_ROOT="${COURSE_ROOT:-$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)}"
    export OUT="${BATS_FILE_TMPDIR}/out"
}

setup() {
    bats_require_minimum_version 1.5.0
    bats_load_library bats-support
    bats_load_library bats-assert
    bats_load_library bats-file
    GRADE="${COURSE_ROOT}/grader/grade"
}

# submission_copy - a copy of the reference solutions to break on purpose.
submission_copy() {
    local dir="${BATS_TEST_TMPDIR}/submission"
    cp -r "${COURSE_ROOT}/solutions" "$dir"
    find "$dir" -name mutants -type d -prune -exec rm -rf {} +
    echo "$dir"
}

# One lab is enough to prove the grader's arithmetic and results.json; that every lab's reference
# passes is each lab's own check (LAB/reference-passes).
@test "grading the reference solutions gives full marks and a valid results.json" {
    run -0 "$GRADE" --submission "${COURSE_ROOT}/solutions" --lab 04 --jobs 2 --out "$OUT"
    assert_output --regexp 'TOTAL ([0-9]+)/\1 '
    refute_output --partial FAIL
    # Progress, with the lab's test files side by side, counts every test as it ends: from the
    # harness's progress file, a line as each test starts and ends (Bats' TAP comes a file at once).
    assert_output --regexp '\[([0-9]+)/\1\] tests done'
    # shellcheck disable=SC2016 # an awk program
    run -0 awk -F'\t' '$1 == "start" { s++ } $1 == "done" { d++ } END { print s, d; exit !(s > 0 && s == d) }' \
        "$OUT/04-half-close/progress.txt"
    assert_file_exists "$OUT/results.json"
    run -0 jq -e '(.score == .max_score) and (.max_score > 0) and (.tests | length > 0)
        and all(.tests[]; has("name") and has("score") and has("max_score") and has("output")
                          and .score == .max_score)' "$OUT/results.json"
}

@test "with --jobs 2, labs are graded side by side, one more than the cores, each saying when it ends, to the same results" {
    run -0 "$GRADE" --submission "${COURSE_ROOT}/solutions" --lab 04,09,10 --jobs 2 --out "$OUT"
    assert_output --partial "Testing 3 labs, 3 at a time..."
    local n
    for n in 1 2 3; do
        assert_output --regexp "\\[$n/3\\] (04-half-close|09-unix-sockets|10-names-ipv6): ([0-9]+) of \\2 tests passed"
    done
    assert_output --regexp '04-half-close: ([0-9]+)/\1'
    assert_output --regexp '09-unix-sockets: ([0-9]+)/\1'
    assert_output --regexp '10-names-ipv6: ([0-9]+)/\1'
    run -2 "$GRADE" --submission "${COURSE_ROOT}/solutions" --lab 04 --jobs two --out "$OUT"
    assert_output --partial "--jobs takes a number from 1 to 99, not 'two'"
}

@test "a lab that does not compile costs only that lab and shows the compiler's error" {
    local sub
    sub=$(submission_copy)
    echo 'int broken(void) { return }' >>"$sub/02-tcp-echo/server.c"
    run -0 "$GRADE" --submission "$sub" --lab 02,04 --jobs 2 --out "$OUT"
    assert_output --partial "did not compile"
    assert_output --partial "server.c"
    assert_output --partial "error:"
    assert_output --regexp '04-half-close: ([0-9]+)/\1'
    assert_output --regexp '02-tcp-echo: 0/[1-9]'
    run -0 jq -e '[.tests[] | select(.name | startswith("02-")) | .output | test("did not compile")] | all' \
        "$OUT/results.json"
}

@test "a lab is compiled again when its files change, even back to a copy older than the last build" {
    local sub
    sub=$(submission_copy)
    run -0 "$GRADE" --submission "$sub" --lab 04 --out "$OUT"
    assert_output --regexp '04-half-close: ([0-9]+)/\1'
    # As a file restored from an old backup: older than the objects built from the last version.
    echo 'int broken(void) { return }' >>"$sub/04-half-close/server.c"
    touch -d '2000-01-01 00:00' "$sub/04-half-close/server.c"
    run -0 "$GRADE" --submission "$sub" --lab 04 --out "$OUT"
    assert_output --partial "did not compile"
    assert_output --partial "server.c"
}

@test "a submission without one of a lab's files is told which file is missing, and graded once it is back" {
    local sub
    sub=$(submission_copy)
    mv "$sub/02-tcp-echo/client.c" "${BATS_TEST_TMPDIR}/client.c"
    run -0 "$GRADE" --submission "$sub" --lab 02 --out "$OUT"
    assert_output --partial "missing file"
    assert_output --partial "client.c"
    # The build directory stays configured between grades; a file that comes back is built.
    mv "${BATS_TEST_TMPDIR}/client.c" "$sub/02-tcp-echo/client.c"
    run -0 "$GRADE" --submission "$sub" --lab 02 --out "$OUT"
    refute_output --partial "missing file"
    assert_output --regexp '02-tcp-echo: ([0-9]+)/\1'
}

@test "printing test results from a student's program does not earn points" {
    local sub honest
    sub=$(submission_copy)
    # Programs that do nothing but exit 0 ...
    for f in server client; do
        printf 'int main(void) { return 0; }\n' >"$sub/02-tcp-echo/$f.c"
    done
    run -0 "$GRADE" --submission "$sub" --lab 02 --jobs 2 --out "$OUT"
    honest=$(jq .score "$OUT/results.json")
    # ... and the same programs shouting TAP on every stream they can reach.
    for f in server client; do
        cat >"$sub/02-tcp-echo/$f.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void)
{
    const char *fake = "ok 1 the server echoes a short message back\nok 2 everything passes\n";
    for (int fd = 1; fd < 10; fd++)
        if (write(fd, fake, strlen(fake)) < 0)
            continue;
    FILE *tty = fopen("/dev/tty", "w");
    if (tty)
        fputs(fake, tty);
    return 0;
}
C
    done
    run -0 "$GRADE" --submission "$sub" --lab 02 --jobs 2 --out "$OUT"
    assert_equal "$(jq .score "$OUT/results.json")" "$honest"
}

@test "a lab not started yet shows its stubs and the next step, in the grade and in make status" {
    run -0 "$GRADE" --submission "${COURSE_ROOT}/labs" --lab 05 --jobs 2 --out "$OUT"
    assert_output --partial "not started"
    assert_output --regexp 'fdpass\.c +send_fds\(\)'
    assert_output --partial "next: read labs/05-fd-passing/README.md"
    refute_output --partial "FAIL"
    # The table of the lab: its heading, the stubs, the next step, the total.
    local lines
    lines=$(sed -n '/^== 05-fd-passing/,/05-fd-passing: [0-9]/p' <<<"$output" | wc -l)
    (( lines <= 15 ))
    # results.json still holds every test, each with its diagnosis.
    run -0 jq -e '(.tests | length) == 28 and all(.tests[]; .status == "passed" or (.output | length > 0))' \
        "$OUT/results.json"
    # make status reads what that grade left: where to start in 05, the other labs never graded.
    run -0 "${COURSE_ROOT}/grader/status" --out "$OUT"
    assert_line --regexp '^05-fd-passing +0/43 .* start: read labs/05-fd-passing/README.md, then write send_fds\(\) in fdpass\.c$'
    assert_line --regexp '^01-byte-order +- +never +make grade LAB=01$'
}

@test "make watch grades again when a file is saved and shows only what changed" {
    local sub="${BATS_TEST_TMPDIR}/submission" log="${BATS_TEST_TMPDIR}/watch.log"
    local out="${BATS_TEST_TMPDIR}/out" # no earlier grade of the lab: the first one prints its table
    mkdir -p "$sub"
    cp -r "${COURSE_ROOT}/labs/04-half-close" "$sub/"
    # The log exists before tail looks for it: the watcher's own redirection happens after the
    # fork, and tail, started at once, would find no file and give up.
    : >"$log"
    timeout 240 "${COURSE_ROOT}/grader/watch" --lab 04 --submission "$sub" --out "$out" --max-runs 2 \
        >"$log" 2>&1 3>&- &
    local watcher=$!
    # The first grade (the untouched skeleton) ends with the lab's table, then "watching DIR ...".
    timeout 120 tail -n +1 -f --pid="$watcher" "$log" | grep -m 1 -q '^watching .* \.\.\.$'
    run -0 grep -c '^watching .* \.\.\.$' "$log"
    # Two saves in a row: one grade, of the second.
    cp "${COURSE_ROOT}/solutions/04-half-close/client.c" "$sub/04-half-close/client.c"
    cp "${COURSE_ROOT}/solutions/04-half-close/client.c" "$sub/04-half-close/client.c"
    status=0
    wait "$watcher" || status=$?
    assert_equal "$status" 0
    run cat "$log"
    assert_output --partial "not started"
    assert_line --regexp '^  now PASS  the client uploads all of its input, then sends a FIN$'
    refute_line --regexp '^  now PASS  the server'
    assert_line --regexp '^  04-half-close: [1-9][0-9]*/25$'
    assert_equal "$(grep -c '^grading 04-half-close' "$log")" 2
}

@test "make watch without a lab, or with an unknown one, says what to give" {
    run -2 "${COURSE_ROOT}/grader/watch"
    assert_output --partial "make watch LAB=NN"
    run -2 "${COURSE_ROOT}/grader/watch" --lab 99
    assert_output --partial "no lab '99'"
}

@test "make hint gives the hints of the first failing test one step at a time" {
    local out="${BATS_TEST_TMPDIR}/out" # no earlier grade of the lab
    run -0 "${COURSE_ROOT}/grader/hint" --lab 04 --out "$out"
    assert_output --partial "No grade of 04-half-close yet"
    "$GRADE" --submission "${COURSE_ROOT}/labs" --lab 04 --jobs 2 --out "$out" >/dev/null
    run -0 "${COURSE_ROOT}/grader/hint" --lab 04 --out "$out"
    assert_line "First failing test: the client uploads all of its input, then sends a FIN"
    assert_line --regexp '^Hint 1 of [2-9]:$'
    run -0 "${COURSE_ROOT}/grader/hint" --lab 04 --out "$out"
    assert_line --regexp '^Hint 2 of [2-9]:$'
}

@test "every test of every lab has hints, filed under its exact name" {
    local lab hints names headings missing extra
    for lab in $("${COURSE_ROOT}/harness/bin/course-labs"); do
        hints="${COURSE_ROOT}/labs/$lab/hints.md"
        [[ -r "$hints" ]] || fail "labs/$lab has no hints.md"
        names=$("${COURSE_ROOT}/harness/bin/run-tests" --list --lab "${COURSE_ROOT}/labs/$lab" | jq -r .name | sort)
        headings=$(sed -n 's/^## //p' "$hints" | sort)
        missing=$(comm -23 <(echo "$names") <(echo "$headings"))
        extra=$(comm -13 <(echo "$names") <(echo "$headings"))
        [[ -z "$missing" ]] || fail "labs/$lab/hints.md has no hints for: $missing"
        [[ -z "$extra" ]] || fail "labs/$lab/hints.md has hints for tests it does not have: $extra"
    done
}

@test "an unknown lab is refused with the list of labs" {
    run -2 "$GRADE" --lab 99 --out "$OUT"
    assert_output --partial "no lab '99'"
    assert_output --partial "01-byte-order"
}

@test "a submission that is not a directory is refused" {
    run -2 "$GRADE" --submission "${BATS_TEST_TMPDIR}/nowhere" --out "$OUT"
    assert_output --partial "is not a directory"
}

@test "a directory without any lab in it is refused" {
    mkdir "${BATS_TEST_TMPDIR}/empty"
    run -2 "$GRADE" --submission "${BATS_TEST_TMPDIR}/empty" --out "$OUT"
    assert_output --partial "holds none of the labs"
}

@test "an unknown option is refused with the usage" {
    run -2 "$GRADE" --frobnicate
    assert_output --partial "unknown argument '--frobnicate'"
    assert_output --partial "usage: grader/grade"
}

@test "hidden tests run only when asked for, and students see them once grades are published" {
    run -0 "${COURSE_ROOT}/harness/bin/run-tests" --list --lab "${COURSE_ROOT}/labs/02-tcp-echo"
    refute_output --partial '"hidden"'
    run -0 "$GRADE" --submission "${COURSE_ROOT}/solutions" --lab 02 --jobs 2 --out "$OUT" \
        --hidden "${COURSE_ROOT}/solutions"
    assert_line --regexp '^  PASS .* \(hidden\)$'
    assert_output --regexp 'TOTAL ([0-9]+)/\1 '
    run -0 jq -e '[.tests[] | select(.visibility == "after_published")]
        | length > 0 and all(.score == .max_score)' "$OUT/results.json"
}
