#!/usr/bin/env bats
# The Gradescope autograder (grader/gradescope-bundle): the zip holds Gradescope's two scripts and
# the course without its answers, and run_autograder, run in a directory laid out like
# /autograder, grades lab 01 and always leaves a results.json.
export BATS_TEST_TIMEOUT=240

setup_file() {
    export COURSE_ROOT="${COURSE_ROOT:-$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)}"
    # One bundle, of lab 01 (the fastest to grade), unpacked once; each test grades in its own copy.
    export BUNDLE="${BATS_FILE_TMPDIR}/lab01.zip" UNPACKED="${BATS_FILE_TMPDIR}/source"
    local log="${BATS_FILE_TMPDIR}/bundle.log"
    "${COURSE_ROOT}/grader/gradescope-bundle" --lab 01 "$BUNDLE" >"$log" 2>&1 || { cat "$log" >&2; return 1; }
    unzip -q "$BUNDLE" -d "$UNPACKED"
}

setup() {
    bats_require_minimum_version 1.5.0
    bats_load_library bats-support
    bats_load_library bats-assert
    bats_load_library bats-file
    LAB=01-byte-order
}

# autograder_root - AUTOGRADER_ROOT: a directory laid out like Gradescope's /autograder, with the
# bundle in source/, an empty submission/ and results/, and run_autograder copied to its top as
# Gradescope does.
autograder_root() {
    export AUTOGRADER_ROOT="${BATS_TEST_TMPDIR}/autograder"
    mkdir -p "$AUTOGRADER_ROOT/submission" "$AUTOGRADER_ROOT/results"
    cp -r "$UNPACKED" "$AUTOGRADER_ROOT/source"
    cp "$AUTOGRADER_ROOT/source/run_autograder" "$AUTOGRADER_ROOT/run_autograder"
    RESULTS="$AUTOGRADER_ROOT/results/results.json"
}

# lab_total - lab 01's points, from the course's own test list.
lab_total() {
    "${COURSE_ROOT}/harness/bin/run-tests" --list --lab "${COURSE_ROOT}/labs/$LAB" | jq -s 'map(.points) | add'
}

@test "the zip holds setup.sh and run_autograder at its top and nothing kept for instructors" {
    run -0 unzip -Z1 "$BUNDLE"
    assert_line setup.sh
    assert_line run_autograder
    assert_line labs.txt
    assert_line "course/labs/$LAB/byteorder.c"
    assert_line course/grader/grade
    refute_output --regexp '(^|/)(solutions|mutants)/'
    refute_output --regexp '(^|/)NOTES\.md$|\.patch$|instructor-guide\.md|grader/tests/'
    run -0 cat "$UNPACKED/labs.txt"
    assert_output "$LAB"
}

@test "a lab's hidden tests go in the zip beside the course, never inside it" {
    local zip="${BATS_TEST_TMPDIR}/lab02.zip"
    run -0 "${COURSE_ROOT}/grader/gradescope-bundle" --lab 02 "$zip"
    run -0 unzip -Z1 "$zip"
    assert_line hidden/02-tcp-echo/hidden/server-hidden.bats
    refute_output --regexp '^course/.*hidden'
}

@test "setup.sh is valid bash and installs the packages through the course's install-deps" {
    run -0 bash -n "$UNPACKED/setup.sh"
    # shellcheck disable=SC2016 # the line as setup.sh has it
    run -0 grep -E '^"\$course/harness/install-deps" grade$' "$UNPACKED/setup.sh"
}

@test "the reference's file uploaded alone gets full marks: the lab's total from its test list" {
    autograder_root
    cp "${COURSE_ROOT}/solutions/$LAB/byteorder.c" "$AUTOGRADER_ROOT/submission/"
    run -0 "$AUTOGRADER_ROOT/run_autograder"
    local total
    total=$(lab_total)
    # shellcheck disable=SC2016 # jq's variables
    run -0 jq -e --argjson total "$total" \
        '.score == $total and .max_score == $total and all(.tests[]; .score == .max_score and .visibility == "visible")' "$RESULTS"
    run -0 jq -r .output "$RESULTS"
    assert_line "$LAB: $total/$total"
    assert_line "Full marks: every test passed."
}

@test "the zip is also a container image's build context: Debian, setup.sh, grade-in-image" {
    run -0 grep -E '^(ARG BASE=docker.io/library/debian:12|FROM \$\{BASE\}|RUN bash /autograder/source/setup.sh \\|ENTRYPOINT \["/autograder/source/grade-in-image"\])$' "$UNPACKED/Containerfile"
    assert_equal "${#lines[@]}" 4
    assert_file_executable "$UNPACKED/grade-in-image"
    run -2 "$UNPACKED/grade-in-image" frobnicate
    assert_output "usage: grade-in-image [gradescope | prairielearn | autolab HANDIN]"
}

@test "in PrairieLearn's layout the reference scores 1, with each test's points" {
    local pl="${BATS_TEST_TMPDIR}/grade"
    mkdir -p "$pl/student"
    cp "${COURSE_ROOT}/solutions/$LAB/byteorder.c" "$pl/student/"
    PL_ROOT=$pl run -0 "$UNPACKED/grade-in-image" prairielearn
    run -0 jq -e '.gradable and .score == 1 and (.tests | length) > 30
        and all(.tests[]; .points == .max_points and (.name | startswith("01-byte-order: ")))' "$pl/results/results.json"
}

@test "in Autolab's layout a mutant's handin ends with its score per lab on the last line" {
    local up="${BATS_TEST_TMPDIR}/up"
    mkdir -p "$up/$LAB"
    "${COURSE_ROOT}/harness/bin/apply-mutant" "${COURSE_ROOT}/solutions/$LAB/byteorder.c" \
        "${COURSE_ROOT}/solutions/$LAB/mutants/byteorder.port-no-htons.patch" "$up/$LAB/byteorder.c"
    tar -czf "${BATS_TEST_TMPDIR}/handin.tar.gz" -C "$up" "$LAB"
    run -0 --separate-stderr "$UNPACKED/grade-in-image" autolab "${BATS_TEST_TMPDIR}/handin.tar.gz"
    assert_line --partial "wire addr stores port 8080 in sin_port as the bytes 1f 90"
    run -0 jq -e '.scores["01-byte-order"] > 0 and .scores["01-byte-order"] < 55' <<<"${lines[-1]}"
}

@test "the skeleton uploaded as its lab's directory gets a low score, marked not started" {
    autograder_root
    cp -r "${COURSE_ROOT}/labs/$LAB" "$AUTOGRADER_ROOT/submission/"
    run -0 "$AUTOGRADER_ROOT/run_autograder"
    # shellcheck disable=SC2016 # jq's variables
    run -0 jq -e --argjson total "$(lab_total)" '.score < 10 and .max_score == $total and (.tests | length) > 0' "$RESULTS"
    run -0 jq -r .output "$RESULTS"
    assert_output --partial "not started"
    assert_output --partial "make grade LAB=01 runs the same tests"
}

@test "an empty submission gets a valid results.json of score 0 that says which file to upload" {
    autograder_root
    run -0 "$AUTOGRADER_ROOT/run_autograder"
    run -0 jq -e '.score == 0 and .tests == [] and (.output | type) == "string"' "$RESULTS"
    run -0 jq -r .output "$RESULTS"
    assert_output --partial "Your submission is empty"
    assert_output --partial "Upload byteorder.c"
}

@test "a submission without the lab's files gets score 0 that names what it holds and what to upload" {
    autograder_root
    echo "my answers" >"$AUTOGRADER_ROOT/submission/answers.txt"
    run -0 "$AUTOGRADER_ROOT/run_autograder"
    run -0 jq -r '"\(.score) \(.output)"' "$RESULTS"
    assert_output --regexp '^0 Your submission holds answers\.txt but none of the files graded here\. Upload byteorder\.c'
}

@test "the lab's file is found inside a wrapping directory, under labs/, or beside a Mac's __MACOSX" {
    local up="${BATS_TEST_TMPDIR}/up" layout="${COURSE_ROOT}/grader/lib/lay-out-submission" d
    mkdir -p "$up/wrapped/mywork/$LAB" "$up/clone/course/labs/$LAB" "$up/mac/__MACOSX" "$up/mac/work"
    for d in "$up/wrapped/mywork/$LAB" "$up/clone/course/labs/$LAB" "$up/mac/work"; do
        cp "${COURSE_ROOT}/labs/$LAB/byteorder.c" "$d/"
    done
    for d in wrapped clone mac; do
        run -0 "$layout" "$up/$d" "${BATS_TEST_TMPDIR}/out-$d" "$LAB"
        assert_output ""
        assert_file_exists "${BATS_TEST_TMPDIR}/out-$d/$LAB/byteorder.c"
    done
}

@test "a file two labs share uploaded without its lab's directory is refused, saying to upload directories" {
    mkdir -p "${BATS_TEST_TMPDIR}/up"
    cp "${COURSE_ROOT}/labs/02-tcp-echo/server.c" "${BATS_TEST_TMPDIR}/up/"
    run -1 "${COURSE_ROOT}/grader/lib/lay-out-submission" "${BATS_TEST_TMPDIR}/up" "${BATS_TEST_TMPDIR}/out" 02-tcp-echo 04-half-close
    assert_output --partial "labs 02-tcp-echo and 04-half-close both have a server.c"
    assert_output --partial "Upload the labs' directories"
}

@test "gradescope-bundle without OUT.zip, or with a name not ending in .zip, says what to give" {
    run -2 "${COURSE_ROOT}/grader/gradescope-bundle"
    assert_output --partial "give the zip to write"
    run -2 "${COURSE_ROOT}/grader/gradescope-bundle" "${BATS_TEST_TMPDIR}/bundle.tar"
    assert_output --partial "does not end in .zip"
}

@test "a grade that fails still leaves a results.json of 0 with the grader's last words" {
    autograder_root
    cp "${COURSE_ROOT}/solutions/$LAB/byteorder.c" "$AUTOGRADER_ROOT/submission/"
    printf '#!/usr/bin/env bash\necho "grade: could not configure the course (cmake)" >&2\nexit 2\n' \
        >"$AUTOGRADER_ROOT/source/course/grader/grade"
    run -0 "$AUTOGRADER_ROOT/run_autograder"
    run -0 jq -r '"\(.score) \(.output)"' "$RESULTS"
    assert_line "0 The autograder could not grade your submission (grade exited with status 2). Its last lines:"
    assert_line "grade: could not configure the course (cmake)"
}

@test "a grade that runs past the time limit is stopped and still leaves a results.json of 0" {
    autograder_root
    cp "${COURSE_ROOT}/solutions/$LAB/byteorder.c" "$AUTOGRADER_ROOT/submission/"
    printf '#!/usr/bin/env bash\nexec tail -f /dev/null\n' >"$AUTOGRADER_ROOT/source/course/grader/grade"
    AUTOGRADER_TIMEOUT=2 run -0 "$AUTOGRADER_ROOT/run_autograder"
    run -0 jq -r '"\(.score) \(.output)"' "$RESULTS"
    assert_output --regexp '^0 Grading took longer than 2 s and was stopped'
}
