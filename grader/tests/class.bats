#!/usr/bin/env bats
# grade-class: a class graded in sandboxes, resumably, into a gradebook. One lab (01, the
# fastest) and a small class: the reference, the skeleton, a mutant sent as .tar.gz, a student
# who tries to cheat, a broken archive, and a git repository (a copy of the course) whose last
# commit before the deadline is the reference and whose later one the skeleton.
export BATS_TEST_TIMEOUT=240

setup_file() {
    export COURSE_ROOT="${COURSE_ROOT:-$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)}"
    export CLASS="${BATS_FILE_TMPDIR}/class" OUT="${BATS_FILE_TMPDIR}/out"
    local lab=01-byte-order
    # shellcheck source=SCRIPTDIR/class-fixture.bash
    source "${BATS_TEST_DIRNAME}/class-fixture.bash"
    make_class "$CLASS" "${BATS_FILE_TMPDIR}/tgz"
    mkdir -p "$CLASS/cheater/$lab"
    echo "not a zip file" >"$CLASS/broken.zip"
    # The skeleton, plus code that runs first in each of its programs: it writes full marks into
    # every results file it can find, and leaves a process behind.
    cp "$COURSE_ROOT/labs/$lab/byteorder.c" "$CLASS/cheater/$lab/"
    cat >>"$CLASS/cheater/$lab/byteorder.c" <<'C'
#include <stdlib.h>
static void cheat(void) __attribute__((constructor));
static void cheat(void)
{
	if (system("find / -xdev -name 'results.json*' 2>/dev/null | while read -r f; do"
	           " sed -i 's/\"fail\"/\"pass\"/g; s/\"failed\"/\"passed\"/g' \"$f\"; done;"
	           " echo '{\"score\":999,\"max_score\":55,\"tests\":[]}' >/scratch/out/results.json;"
	           " setsid sh -c 'exec -a cheat-marker-left-behind tail -f /dev/null' >/dev/null 2>&1 &") < 0)
		return;
}
C
    export DEADLINE="2026-12-01 00:00 +0000"
    "$COURSE_ROOT/grader/grade-class" "$CLASS" --lab 01 --jobs 2 --out "$OUT" --deadline "$DEADLINE" \
        >"${BATS_FILE_TMPDIR}/first.log" 2>&1
}

setup() {
    bats_require_minimum_version 1.5.0
    bats_load_library bats-support
    bats_load_library bats-assert
    bats_load_library bats-file
    # poll_until: the harness's one polling primitive, bounded by time and by count.
    # shellcheck source=SCRIPTDIR/../../harness/lib/sockets-harness/poll.bash
    source "${COURSE_ROOT}/harness/lib/sockets-harness/poll.bash"
    GRADE_CLASS="${COURSE_ROOT}/grader/grade-class"
}

# no_sandbox_left - no process of nobody's (the sandboxes' uid) is left, probed for at most 5 s
# (a killed PID namespace takes a moment to go).
no_sandbox_left() {
    poll_until 5 none_of_nobody && return 0
    fail "processes of uid 65534 still running: $(pgrep -a -u 65534)"
}

# none_of_nobody - true when no process runs as uid 65534.
none_of_nobody() {
    ! pgrep -u 65534 >/dev/null
}

# filed_and_next_started OUT - true once the first student is filed and the second one's
# grading has begun.
filed_and_next_started() {
    [[ -e "$1/a-broken/done" && -d "$1/b-skeleton" ]]
}

# scratch_dir - SANDBOX_DIR: an empty directory where nobody (who unpacks archives and runs the
# sandbox, when the tests run as root) can reach; teardown removes it.
scratch_dir() {
    SANDBOX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/class-bats.XXXXXX")
    chmod 711 "$SANDBOX_DIR"
}

# in_sandbox_dir - SANDBOX_DIR: a staged course and the reference's submission where nobody (the
# sandbox's uid) can read them, as grade-class lays them out (the test's own tmpdir is root's only).
in_sandbox_dir() {
    scratch_dir
    "$COURSE_ROOT/grader/lib/stage-course" "$COURSE_ROOT" "$SANDBOX_DIR/course"
    "$COURSE_ROOT/grader/lib/unpack-submission" "$CLASS/reference" "$SANDBOX_DIR/submission"
}

teardown() {
    if [[ -n "${SANDBOX_DIR:-}" ]]; then rm -rf "$SANDBOX_DIR"; fi
}

# score STUDENT - the student's total in the gradebook.
score() {
    jq -r --arg s "$1" '.[] | select(.student == $s) | .total' "$OUT/gradebook.json"
}

@test "the reference gets full marks, the skeleton few, the mutant in its archive less than full" {
    run -0 cat "${BATS_FILE_TMPDIR}/first.log"
    assert_line --regexp '^\[[1-6]/6\] reference 55/55 \([0-9]+ s\)$'
    assert_equal "$(score reference)" 55
    (( $(score skeleton) < 10 ))
    (( $(score mutant) > 0 && $(score mutant) < 55 ))
    run -0 jq -e 'length == 6 and all(.[]; .max == 55 and .labs["01-byte-order"] == .total)' "$OUT/gradebook.json"
}

@test "each student has a Gradescope results.json, the grade table without colours and the feedback page" {
    assert_file_exists "$OUT/reference/done"
    assert_file_exists "$OUT/mutant/report.html"
    run -0 grep -c '<article class="failure"' "$OUT/mutant/report.html"
    run -0 jq -e '.score == 55 and .max_score == 55 and (.tests | length) == 36' "$OUT/reference/results.json"
    run -0 cat "$OUT/mutant/report.txt"
    assert_line --regexp '^  FAIL   0/2   wire addr stores port 8080 in sin_port as the bytes 1f 90$'
    assert_line '  01-byte-order: 26/55'
    refute_output --partial $'\e['
}

@test "the gradebook has a column per lab and per test, and the CSV agrees with the JSON" {
    run -0 head -n 1 "$OUT/gradebook.csv"
    assert_output --regexp '^"student","total","max","01-byte-order","01-byte-order: wire addr stores port 8080 in sin_port as the bytes 1f 90",.*,"commit","error"$'
    run -0 grep -c '' "$OUT/gradebook.csv"
    assert_output 7
    run -0 grep '^"reference",55,55,55,2,' "$OUT/gradebook.csv"
}

@test "a broken archive is a row with the reason, not a crash" {
    run -0 grep '^"broken",0,55,' "$OUT/gradebook.csv"
    assert_output --partial "not a readable .zip"
    run -0 jq -r '.[] | select(.student == "broken") | .error' "$OUT/gradebook.json"
    assert_output --partial "submission refused"
}

@test "the summary shows each lab's spread and what the class got wrong" {
    run -0 cat "$OUT/summary.md"
    assert_line '## 01-byte-order (out of 55)'
    assert_line --regexp '^min [0-9]+, median [0-9.]+, max 55$'
    # shellcheck disable=SC2016 # the backquotes are Markdown's
    assert_line '| 100% | 2 `##` |'
    assert_output --partial '| make_ipv4_addr put the port into sin_port in host (little-endian) order'
    assert_output --partial '- broken: submission refused: not a readable .zip'
}

@test "a submission that writes full marks into the results files does not get them" {
    (( $(score cheater) < 10 ))
    run -0 jq -e '.score < 10 and .max_score == 55' "$OUT/cheater/results.json"
}

@test "results claiming more points or tests than the course has are counted from the course's list" {
    local list="${BATS_TEST_TMPDIR}/tests.jsonl" raw="${BATS_TEST_TMPDIR}/raw.json"
    "$COURSE_ROOT/harness/bin/run-tests" --list --lab "$COURSE_ROOT/labs/01-byte-order" \
        | jq -c '{lab: "01-byte-order"} + .' >"$list"
    echo '{"score": 999, "max_score": 1, "tests": [
        {"name": "01-byte-order: a test of my own", "score": 500, "max_score": 500, "status": "passed"},
        {"name": "01-byte-order: wire addr rejects port 0", "score": 40, "max_score": 40, "status": "passed"}]}' >"$raw"
    run -0 --separate-stderr "$COURSE_ROOT/grader/lib/validate-results" "$list" "$raw"
    run -0 jq -e '.score == 1 and .max_score == 55 and (.tests | length) == 36' <<<"$output"
}

@test "nothing a submission started is still running after grading" {
    no_sandbox_left
    run -1 pgrep -f cheat-marker-left-behind
}

@test "a second run grades nobody again" {
    run -0 "$GRADE_CLASS" "$CLASS" --lab 01 --jobs 2 --out "$OUT" --deadline "$DEADLINE"
    assert_line --regexp '^\[[1-6]/6\] reference 55/55 \(graded before; --regrade grades again\)$'
    assert_equal "$(grep -c 'graded before' <<<"$output")" 6
}

@test "a git repository is graded at its last commit before the deadline, never its working tree" {
    local first
    first=$(git -C "$CLASS/gitrepo" rev-parse HEAD~1)
    assert_equal "$(score gitrepo)" 55
    run -0 cat "$OUT/gitrepo/commit.txt"
    assert_output "$first 2026-11-30T12:00:00+00:00"
    run -0 head -n 1 "$OUT/gitrepo/report.txt"
    assert_output "Graded commit $first of 2026-11-30T12:00:00+00:00."
    run -0 jq -r '.[] | select(.student == "gitrepo") | .commit' "$OUT/gradebook.json"
    assert_output "$first 2026-11-30T12:00:00+00:00"
    assert_file_not_exists "$CLASS.fsmonitor-ran"
}

@test "a repository's commit is picked by name or date, and a missing one is refused with the reason" {
    local unpack="$COURSE_ROOT/grader/lib/unpack-submission" d
    scratch_dir
    d=$SANDBOX_DIR
    run -0 "$unpack" "$CLASS/gitrepo" "$d/head"
    assert_output --regexp '^commit [0-9a-f]{40} 2026-12-02T12:00:00\+00:00$'
    run -0 cmp "$d/head/01-byte-order/byteorder.c" "$COURSE_ROOT/labs/01-byte-order/byteorder.c"
    git clone -q --bare "$CLASS/gitrepo" "$d/bare.git"
    run -0 "$unpack" "$d/bare.git" "$d/byname" rev:HEAD~1
    run -0 cmp "$d/byname/01-byte-order/byteorder.c" "$COURSE_ROOT/solutions/01-byte-order/byteorder.c"
    run -1 "$unpack" "$CLASS/gitrepo" "$d/early" "before:2026-01-01"
    assert_output --regexp "has no commit before 2026-01-01 \(its first: [0-9a-f]+ 2026-11-30"
    run -1 "$unpack" "$CLASS/gitrepo" "$d/none" rev:no-such-branch
    assert_output "the repository has no commit 'no-such-branch'"
    run -1 "$unpack" "$CLASS/gitrepo" "$d/opt" rev:--output=/tmp/x
    assert_output "'--output=/tmp/x' is not a commit, branch or tag name"
    run -1 "$unpack" "$CLASS/skeleton" "$d/notgit" rev:main
    assert_output --partial "is not a git repository, so it has no commit 'main' to pick"
}

@test "a sandboxed command sees neither the solutions nor any home nor other submissions" {
    in_sandbox_dir
    # shellcheck disable=SC2016 # $HOME is the sandbox's
    run -0 "$COURSE_ROOT/grader/lib/sandbox" --course "$SANDBOX_DIR/course" --submission "$SANDBOX_DIR/submission" -- \
        sh -c 'ls /course/solutions /course/../solutions /root /home "$HOME/.." 2>&1;
               find / -path /proc -prune -o \( -name "*.c" -o -name "*.tar.gz" \) -print 2>/dev/null \
                   | grep -v -e "^/course/labs/" -e "^/course/harness/" -e "^/usr/"; id -u'
    assert_line "ls: cannot access '/course/solutions': No such file or directory"
    assert_line "ls: cannot access '/course/../solutions': No such file or directory"
    assert_line "/submission/01-byte-order/byteorder.c"
    refute_output --partial "$COURSE_ROOT"
    refute_output --partial "mutant"
    refute_output --partial "cheater"
    assert_line 65534
}

@test "a sandboxed command has only a loopback, and can still make the harness's network namespace" {
    in_sandbox_dir
    run -0 "$COURSE_ROOT/grader/lib/sandbox" --course "$SANDBOX_DIR/course" --submission "$SANDBOX_DIR/submission" -- \
        sh -c 'ip -o link | cut -d: -f2; echo ns; unshare --user --map-root-user --net ip -o link | cut -d: -f2'
    assert_output $' lo\nns\n lo'
}

@test "an interrupted run picks up where it stopped" {
    local out="${BATS_TEST_TMPDIR}/out" class="${BATS_TEST_TMPDIR}/class"
    mkdir -p "$class"
    cp "$CLASS/broken.zip" "$class/a-broken.zip"
    # The second one does not compile: the quickest to grade, and still a whole sandboxed grade.
    cp -r "$CLASS/skeleton" "$class/b-skeleton"
    echo 'int broken(void) { return }' >>"$class/b-skeleton/01-byte-order/byteorder.c"
    "$GRADE_CLASS" "$class" --lab 01 --out "$out" >"${BATS_TEST_TMPDIR}/killed.log" 2>&1 &
    local run=$!
    # The first student (a broken archive) is filed at once, then the second one's grading
    # starts: probe for both, for at most 60 s.
    poll_until 60 filed_and_next_started "$out" || true
    assert_file_exists "$out/a-broken/done"
    kill "$run"
    status=0
    wait "$run" || status=$?
    assert_equal "$status" 143
    assert_file_not_exists "$out/b-skeleton/done"
    no_sandbox_left
    run -0 "$GRADE_CLASS" "$class" --lab 01 --out "$out"
    assert_line --regexp '^\[1/2\] a-broken 0/55 \(graded before; --regrade grades again\)$'
    assert_line --regexp '^\[2/2\] b-skeleton 0/55 \([0-9]+ s\)$'
    assert_file_exists "$out/b-skeleton/done"
}

@test "without a submissions directory or with a bad option, grade-class says what to give" {
    run -2 "$GRADE_CLASS"
    assert_output --partial "give the directory of the submissions"
    run -2 "$GRADE_CLASS" "$CLASS" --frobnicate
    assert_output --partial "unknown argument '--frobnicate'"
    run -2 "$GRADE_CLASS" "$CLASS" --deadline "next blursday"
    assert_output --partial "--deadline 'next blursday' is not a date"
}
