#!/usr/bin/env bats
# grade-class --hosts: a class graded on two other machines with GNU parallel, the course and the
# submissions sent there and the results brought back. The two "machines" are directories of
# this one, reached through grader/tests/fake-ssh (as ssh would run a command: in the host's
# home), so every transfer is a real rsync between trees; the grading on each is the course's own
# grade-class, sandboxed. One lab (01, the fastest): the reference, the skeleton, a mutant as
# .tar.gz and a git repository graded at a deadline.
export BATS_TEST_TIMEOUT=300

setup_file() {
    export COURSE_ROOT="${COURSE_ROOT:-$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)}"
    # Where nobody (the sandboxes' uid, which unpacks the archives) can reach.
    TOP=$(mktemp -d "${TMPDIR:-/tmp}/hosts-bats.XXXXXX")
    chmod 711 "$TOP"
    export TOP CLASS="$TOP/class" OUT="$TOP/out" FAKE_SSH_HOSTS="$TOP/hosts"
    export GRADE_SSH="${BATS_TEST_DIRNAME}/fake-ssh" DEADLINE="2026-12-01 00:00 +0000"
    mkdir -p "$FAKE_SSH_HOSTS"
    # shellcheck source=SCRIPTDIR/class-fixture.bash
    source "${BATS_TEST_DIRNAME}/class-fixture.bash"
    make_class "$CLASS" "$TOP/tgz"
    printf '# two machines, one student at a time on each\n1/grader@hostA\n1/hostB\n' >"$TOP/hosts.txt"
    "$COURSE_ROOT/grader/grade-class" "$CLASS" --lab 01 --hosts "$TOP/hosts.txt" --deadline "$DEADLINE" \
        --out "$OUT" >"$TOP/first.log" 2>&1 || { cat "$TOP/first.log"; return 1; }
}

teardown_file() {
    rm -rf "$TOP"
}

setup() {
    bats_require_minimum_version 1.5.0
    bats_load_library bats-support
    bats_load_library bats-assert
    bats_load_library bats-file
    GRADE_CLASS="${COURSE_ROOT}/grader/grade-class"
}

# score STUDENT - the student's total in the gradebook.
score() {
    jq -r --arg s "$1" '.[] | select(.student == $s) | .total' "$OUT/gradebook.json"
}

@test "every student graded on the hosts comes back, scored as on this machine" {
    run -0 cat "$TOP/first.log"
    assert_line --partial "on the machines of $TOP/hosts.txt"
    assert_line --regexp '^\[[1-4]/4\] reference 55/55 \([0-9]+ s\)$'
    assert_equal "$(score reference)" 55
    assert_equal "$(score gitrepo)" 55
    (( $(score skeleton) < 10 ))
    (( $(score mutant) > 0 && $(score mutant) < 55 ))
    run -0 jq -e 'length == 4' "$OUT/gradebook.json"
    for s in reference skeleton mutant gitrepo; do
        assert_file_exists "$OUT/$s/done"
        assert_file_exists "$OUT/$s/report.html"
    done
    run -0 head -n 1 "$OUT/gitrepo/report.txt"
    assert_output --regexp '^Graded commit [0-9a-f]{40} of 2026-11-30T12:00:00\+00:00\.$'
}

@test "both machines graded, each from its own copy of the course, and kept no submission" {
    run -0 cut -f 2 "$OUT/hosts.tsv"
    assert_line grader@hostA
    assert_line hostB
    for h in hostA hostB; do
        run -0 find "$FAKE_SSH_HOSTS/$h/sockets-grader" -maxdepth 1 -name 'course-*'
        assert_file_exists "${lines[0]}/grader/grade-class"
        assert_file_exists "${lines[0]}/solutions/01-byte-order/byteorder.c"
        run -0 find "$FAKE_SSH_HOSTS/$h" -maxdepth 2 \( -name 'in.*' -o -name 'mutant.tar.gz' -o -name reference -o -name gitrepo \)
        assert_output ""
    done
}

@test "a machine that cannot be reached leaves its students ungraded and named, and the next run grades only them" {
    cp -r "$CLASS/skeleton" "$CLASS/late"
    printf '1/unreachable\n' >"$TOP/down.txt"
    run -2 "$GRADE_CLASS" "$CLASS" --lab 01 --hosts "$TOP/down.txt" --deadline "$DEADLINE" --out "$OUT"
    assert_line "grade-class: late was not graded on its host: ssh: connect to host unreachable port 22: Connection refused"
    assert_line --partial "1 students were not graded"
    assert_file_not_exists "$OUT/late/done"
    run -0 "$GRADE_CLASS" "$CLASS" --lab 01 --hosts "$TOP/hosts.txt" --deadline "$DEADLINE" --out "$OUT"
    assert_equal "$(grep -c 'graded before' <<<"$output")" 4
    assert_line --regexp '^\[5/5\] late 0/55 \([0-9]+ s\)$'
    run -0 jq -e 'length == 5' "$OUT/gradebook.json"
}

@test "a hosts file that names this machine or nothing is refused with what to do" {
    printf '2/:\n' >"${BATS_TEST_TMPDIR}/local.txt"
    run -2 "$GRADE_CLASS" "$CLASS" --lab 01 --hosts "${BATS_TEST_TMPDIR}/local.txt"
    assert_output --partial "':' (this machine) is not a host here"
    printf '# nobody\n' >"${BATS_TEST_TMPDIR}/empty.txt"
    run -2 "$GRADE_CLASS" "$CLASS" --lab 01 --hosts "${BATS_TEST_TMPDIR}/empty.txt"
    assert_output --partial "names no machine"
    run -2 "$GRADE_CLASS" "$CLASS" --lab 01 --hosts "${BATS_TEST_TMPDIR}/missing.txt"
    assert_output --partial "is not a file"
}
