#!/usr/bin/env bats
# grade-class against hostile submissions. One class, graded once in setup_file, two at a time
# (lab 01, a short --timeout): the reference, an honest student (a known mutant) and one
# student per attack in grader/tests/adversarial/CASE.c (each appended to the reference's
# byteorder.c; see the README there). Every attacker must get a row and a reason, the honest
# students their exact scores, and nothing may be left running, changed outside the grader's
# output, or reached beyond the sandbox's loopback.
export BATS_TEST_TIMEOUT=60

# The cases, by the name of their fixture; endless-build never compiles.
CASES=(bind-ports daemon delete-files endless-build fake-results fork-bomb infinite-loop kill-all
    net-probe output-flood read-secrets rewrite-tests sigterm-server)

# class_sums - a checksum of every file of the class, by path.
class_sums() {
    (cd "$CLASS" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

setup_file() {
    export COURSE_ROOT="${COURSE_ROOT:-$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)}"
    export CLASS="${BATS_FILE_TMPDIR}/class" OUT="${BATS_FILE_TMPDIR}/out"
    export STAMP="${BATS_FILE_TMPDIR}/stamp" CANARY="${BATS_FILE_TMPDIR}/adversarial-canary"
    local lab=01-byte-order c
    mkdir -p "$CLASS/reference/$lab" "$CLASS/honest/$lab"
    cp "$COURSE_ROOT/solutions/$lab/byteorder.c" "$CLASS/reference/$lab/"
    "$COURSE_ROOT/harness/bin/apply-mutant" "$COURSE_ROOT/solutions/$lab/byteorder.c" \
        "$COURSE_ROOT/solutions/$lab/mutants/byteorder.port-no-htons.patch" "$CLASS/honest/$lab/byteorder.c"
    for c in "${CASES[@]}"; do
        mkdir -p "$CLASS/$c/$lab"
        cat "$COURSE_ROOT/solutions/$lab/byteorder.c" "${BATS_TEST_DIRNAME}/adversarial/$c.c" >"$CLASS/$c/$lab/byteorder.c"
    done
    # What delete-files tries to remove: a file in its own submission, one on the host.
    echo "canary" >"$CLASS/delete-files/canary"
    echo "canary" >"$CANARY"
    # The state before: the course's changes (git), every file of the class, the canary.
    git -C "$COURSE_ROOT" status --porcelain >"${BATS_FILE_TMPDIR}/course-before"
    class_sums >"${BATS_FILE_TMPDIR}/class-before"
    touch "$STAMP"
    # grade-class's scratch space (its TMPDIR) in a directory of this run's own, which the
    # sandboxes' user can traverse (BATS_FILE_TMPDIR is root's only): its path tells this run's
    # sandboxes from those of any other grading on the machine. teardown_file removes it.
    SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/adversarial.XXXXXX")
    chmod 711 "$SCRATCH"
    echo "$SCRATCH" >"${BATS_FILE_TMPDIR}/scratch"
    local start=$SECONDS status=0
    # 120 s a student: one that spins took 72 s here once beside the others (18 s when graded
    # alone), and at 90 s under make test's load one was stopped unjudged.
    TMPDIR=$SCRATCH "$COURSE_ROOT/grader/grade-class" "$CLASS" --lab 01 --jobs 2 --timeout 120 --out "$OUT" \
        >"${BATS_FILE_TMPDIR}/grade.log" 2>&1 || status=$?
    echo "$status $((SECONDS - start))" >"${BATS_FILE_TMPDIR}/grade.status"
}

teardown_file() {
    if [[ -s "${BATS_FILE_TMPDIR}/scratch" ]]; then rm -rf "$(cat "${BATS_FILE_TMPDIR}/scratch")"; fi
}

setup() {
    bats_require_minimum_version 1.5.0
    bats_load_library bats-support
    bats_load_library bats-assert
    bats_load_library bats-file
    # poll_until: the harness's one polling primitive, bounded by time and by count.
    # shellcheck source=SCRIPTDIR/../../harness/lib/sockets-harness/poll.bash
    source "${COURSE_ROOT}/harness/lib/sockets-harness/poll.bash"
}

# score STUDENT - the student's total in the gradebook.
score() {
    jq -r --arg s "$1" '.[] | select(.student == $s) | .total' "$OUT/gradebook.json"
}

# reason STUDENT - why STUDENT lost points: the error of the row, or the report's failures.
reason() {
    jq -r --arg s "$1" '.[] | select(.student == $s) | .error // empty' "$OUT/gradebook.json"
    grep -A 3 -e '^  FAIL ' -e '^  did not compile' "$OUT/$1/report.txt" || true
}

# landlock_available - true if the kernel has Landlock (landlock_create_ruleset, syscall 444 on
# every architecture, answers its ABI version), which contain --write-only relies on.
landlock_available() {
    perl -e 'exit(syscall(444, 0, 0, 1) > 0 ? 0 : 1)'
}

@test "grade-class grades the whole class and exits 0" {
    run -0 cat "${BATS_FILE_TMPDIR}/grade.status"
    assert_output --regexp '^0 [0-9]+$'
    run -0 cat "${BATS_FILE_TMPDIR}/grade.log"
    assert_line --partial "Gradebook: $OUT/gradebook.csv"
    # shellcheck disable=SC2016 # $n is jq's
    run -0 jq -e --argjson n "$((${#CASES[@]} + 2))" 'length == $n' "$OUT/gradebook.json"
}

@test "the reference and the honest student graded beside the attackers keep their exact scores" {
    assert_equal "$(score reference)" 55
    assert_equal "$(score honest)" 26
}

@test "every attacker gets a gradebook row below full marks, with the reason shown" {
    local c
    for c in "${CASES[@]}"; do
        (($(score "$c") < 55)) || fail "$c got $(score "$c")/55"
        [[ -n "$(reason "$c")" ]] || fail "$c lost points with no reason in its row or report"
    done
}

# strays - the processes of uid 65534 (the sandboxes' user) that no other grading's sandbox
# holds: this class's, or any that escaped a sandbox. A process is another grading's when one of
# its ancestors (at most 64 up) names a grade-class scratch directory that is not this run's.
strays() {
    local pid p i cmd mine
    mine=$(cat "${BATS_FILE_TMPDIR}/scratch")
    for pid in $(pgrep -u 65534); do
        p=$pid
        for ((i = 0; i < 64 && p > 1; i++)); do
            cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || break
            [[ "$cmd" == *grade-class.* && "$cmd" != *"$mine"* ]] && continue 2
            p=$(sed 's/.*) [A-Za-z] \([0-9]*\).*/\1/' "/proc/$p/stat" 2>/dev/null) || break
        done
        # One that ended meanwhile is no stray.
        cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
        echo "$pid $cmd"
    done
}

# no_strays - true when strays lists nothing.
no_strays() {
    [[ -z "$(strays)" ]]
}

@test "no process of the sandboxes or of the grader is left running" {
    # A killed PID namespace takes a moment to go: probe for at most 5 s.
    poll_until 5 no_strays || true
    run -0 strays
    assert_output ""
    run -1 pgrep -a -f "$OUT"
    run -1 pgrep -a -f "$CLASS"
}

@test "the course's files are unchanged: no attacker rewrote its tests or deleted anything" {
    run -0 git -C "$COURSE_ROOT" status --porcelain
    assert_output "$(cat "${BATS_FILE_TMPDIR}/course-before")"
    run -0 find "$COURSE_ROOT" \( -name .git -o -name build \) -prune -o -newer "$STAMP" -print
    assert_output ""
}

@test "the class's submissions and the canary outside the sandbox are unchanged" {
    assert_file_exists "$CANARY"
    assert_equal "$(cat "$CANARY")" canary
    run -0 class_sums
    assert_output "$(cat "${BATS_FILE_TMPDIR}/class-before")"
}

@test "nothing is left on disk by the sandboxes' user, and grade-class's scratch space is gone" {
    run -0 find "$(cat "${BATS_FILE_TMPDIR}/scratch")" -mindepth 1 -print
    assert_output ""
    run -0 find /root /var/tmp /dev/shm "$COURSE_ROOT" "$CLASS" -xdev -user 65534 -newer "$STAMP" -print
    assert_output ""
}

@test "a fork bomb, an endless loop and a server deaf to SIGTERM each fail where they hung" {
    local c
    for c in fork-bomb infinite-loop sigterm-server; do
        run -0 cat "$OUT/$c/report.txt"
        assert_line --regexp "likely mistake: wire was still running after [0-9]+ s"
        assert_output --partial "exited with status 124"
    done
}

@test "a program that prints gigabytes fails its test with its output cut, and its report stays small" {
    run -0 cat "$OUT/output-flood/report.txt"
    assert_output --partial "exited with status 141"
    (($(stat -c %s "$OUT/output-flood/report.txt") < 1100000))
    (($(stat -c %s "$OUT/output-flood/results.json") < 1100000))
}

@test "kill(-1, SIGKILL) ends only its own grading: the row says its tests gave no result" {
    assert_equal "$(score kill-all)" 0
    run -0 cat "$OUT/kill-all/report.txt"
    assert_output --partial "this test did not report a result"
}

@test "a daemon that double-forks is killed with its test, which says it was left running" {
    run -0 cat "$OUT/daemon/report.txt"
    assert_output --partial "adversary: a daemon is left behind"
    assert_output --partial "left running (killed when it ended)"
}

@test "binding every port reaches only the attacker's own sandbox" {
    run -0 cat "$OUT/bind-ports/report.txt"
    assert_output --partial "adversary: every port is taken"
    assert_equal "$(score bind-ports)" 0
}

@test "rm -rf inside the sandbox deletes nothing the grading needs, and is graded with the reason" {
    run -0 jq -r '.[] | select(.student == "delete-files") | .error' "$OUT/gradebook.json"
    assert_output null
    assert_equal "$(score delete-files)" 0
    run -0 cat "$OUT/delete-files/report.txt"
    assert_output --partial "adversary: after rm -rf, /scratch/out is still there"
}

@test "fake TAP, fake results.json and forged result files give no points" {
    assert_equal "$(score fake-results)" 0
    run -0 jq -e '.score == 0 and all(.tests[]; .score == 0)' "$OUT/fake-results/results.json"
}

@test "the course's test files cannot be rewritten from inside the sandbox" {
    run -0 cat "$OUT/rewrite-tests/report.txt"
    assert_output --partial "adversary: could not rewrite /course/labs/01-byte-order/tests/addresses.bats"
    refute_output --partial "adversary: rewrote /course/"
}

@test "rewriting Bats' own copies of its tests, in the sandbox's /tmp, is refused and earns nothing" {
    landlock_available || skip "this kernel has no Landlock: a program can rewrite its own run's files (contain --write-only)"
    assert_equal "$(score rewrite-tests)" 0
    run -0 cat "$OUT/rewrite-tests/report.txt"
    assert_output --regexp "sed: couldn't open temporary file /tmp/bats-run-[^/]*/[^ ]*: Permission denied"
    refute_output --partial "adversary: rewrote Bats' copy"
}

@test "a search for the solutions, the hidden tests and the other submissions finds nothing" {
    run -0 cat "$OUT/read-secrets/report.txt"
    assert_output --partial "adversary: looked everywhere"
    refute_output --partial "adversary: found: "
}

@test "from inside, the sandbox's network has only lo: no other interface, no route off it" {
    run -0 cat "$OUT/net-probe/report.txt"
    assert_output --partial "adversary: end of the network"
    run -0 grep -o 'adversary: interface [^ ]*' "$OUT/net-probe/report.txt"
    assert_equal "$(sort -u <<<"$output")" "adversary: interface lo"
    # IPv4: the table's header line and no route; IPv6: routes through lo only (if any).
    run -0 grep -c 'adversary: /proc/net/route: ' "$OUT/net-probe/report.txt"
    assert_output 1
    # shellcheck disable=SC2016 # $NF is awk's
    run -0 awk '/adversary: \/proc\/net\/ipv6_route: / { print $NF }' "$OUT/net-probe/report.txt"
    [[ -z "$output" || "$(sort -u <<<"$output")" == lo ]] || fail "IPv6 routes off lo: $output"
}

@test "a build that never ends is stopped, and the row says the lab did not compile" {
    assert_equal "$(score endless-build)" 0
    run -0 cat "$OUT/endless-build/report.txt"
    assert_output --partial "did not compile"
    assert_output --partial "out of memory"
}
