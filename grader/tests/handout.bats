#!/usr/bin/env bats
# The student handout: grader/export-handout leaves the answers out, check-handout proves it
# and catches what is planted, and the handout grades a lab on its own.
export BATS_TEST_TIMEOUT=300

setup_file() {
    export COURSE_ROOT="${COURSE_ROOT:-$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)}"
    # One export for the whole file; a test that changes it works on its own copy.
    export HANDOUT="${BATS_FILE_TMPDIR}/handout"
    local log="${BATS_FILE_TMPDIR}/export.log"
    "${COURSE_ROOT}/grader/export-handout" "$HANDOUT" >"$log" 2>&1 || { cat "$log" >&2; return 1; }
}

setup() {
    bats_require_minimum_version 1.5.0
    bats_load_library bats-support
    bats_load_library bats-assert
    bats_load_library bats-file
    CHECK="${COURSE_ROOT}/grader/lib/check-handout"
}

# handout_copy - a copy of the export to change on purpose; prints its path.
handout_copy() {
    local dir="${BATS_TEST_TMPDIR}/handout"
    cp -r "$HANDOUT" "$dir"
    echo "$dir"
}

@test "the handout holds no solutions, mutants, notes or instructor guide" {
    assert_dir_exists "$HANDOUT/labs/01-byte-order"
    assert_file_exists "$HANDOUT/grader/grade"
    assert_dir_not_exists "$HANDOUT/solutions"
    assert_file_not_exists "$HANDOUT/docs/instructor-guide.md"
    run -0 find "$HANDOUT" \( -name mutants -o -name NOTES.md -o -name '*.patch' -o -iname '*hidden*' \) -print
    assert_output ""
}

@test "the handout's README keeps no instructors' section" {
    assert_file_exists "$HANDOUT/README.md"
    run -0 cat "$HANDOUT/README.md"
    assert_output --partial "make grade"
    refute_output --partial "For instructors"
    refute_output --partial "course-only"
    refute_output --partial "solutions/"
}

@test "every relative link in the handout's pages leads to a file of the handout" {
    run -0 "${COURSE_ROOT}/grader/lib/check-links" "$HANDOUT"
}

@test "the leak check passes on a fresh handout" {
    run -0 "$CHECK" "$HANDOUT"
    assert_output --partial "nothing of solutions/"
}

@test "the leak check names the function and the file when a reference body is planted" {
    local dir
    dir=$(handout_copy)
    # The reference's open_listener(), reindented, at the end of the skeleton's server.c.
    sed -n '/^open_listener(/,/^}/p' "${COURSE_ROOT}/solutions/02-tcp-echo/server.c" | sed 's/^/    /' \
        >>"$dir/labs/02-tcp-echo/server.c"
    run -1 "$CHECK" "$dir"
    assert_line --regexp '^check-handout: labs/02-tcp-echo/server\.c holds the body of open_listener\(\) from solutions/02-tcp-echo/server\.c:[0-9]+$'
    refute_output --partial "echo_connection()"
}

@test "the leak check catches a mutant planted under another name" {
    local dir
    dir=$(handout_copy)
    cp "${COURSE_ROOT}/solutions/02-tcp-echo/mutants/server.no-htons.patch" "$dir/labs/02-tcp-echo/tests/notes.txt"
    run -1 "$CHECK" "$dir"
    assert_line "check-handout: labs/02-tcp-echo/tests/notes.txt holds the description of mutant solutions/02-tcp-echo/mutants/server.no-htons.patch"
    assert_line "check-handout: labs/02-tcp-echo/tests/notes.txt holds a line mutant solutions/02-tcp-echo/mutants/server.no-htons.patch adds"
}

@test "the leak check catches instructors' files and hidden tests by their paths" {
    local dir
    dir=$(handout_copy)
    mkdir -p "$dir/solutions/01-byte-order" "$dir/labs/01-byte-order/tests-hidden"
    echo "notes" >"$dir/solutions/01-byte-order/NOTES.md"
    echo "@test" >"$dir/labs/01-byte-order/tests-hidden/extra.bats"
    run -1 "$CHECK" "$dir"
    assert_line --partial "check-handout: solutions/01-byte-order/NOTES.md: a file of the reference solutions"
    assert_line --partial "check-handout: labs/01-byte-order/tests-hidden/extra.bats: hidden tests"
}

@test "the handout grades lab 01 on its own: the skeleton builds and scores to a TOTAL line" {
    local dir
    dir=$(handout_copy)
    run -0 make -C "$dir" grade LAB=01 JOBS=2
    assert_output --partial "Testing 01-byte-order"
    assert_line --regexp '^ *TOTAL +[0-9]+/[1-9][0-9]* '
    assert_file_exists "$dir/build/grade/results.json"
}

@test "export into a directory that is not empty is refused with a clear message" {
    mkdir "${BATS_TEST_TMPDIR}/full"
    touch "${BATS_TEST_TMPDIR}/full/something"
    run -2 "${COURSE_ROOT}/grader/export-handout" "${BATS_TEST_TMPDIR}/full"
    assert_output "export-handout: ${BATS_TEST_TMPDIR}/full exists and is not empty; give a new directory"
    assert_file_not_exists "${BATS_TEST_TMPDIR}/full/README.md"
}

@test "export without a directory, or with an unknown option, shows the usage" {
    run -2 "${COURSE_ROOT}/grader/export-handout"
    assert_output --partial "usage: grader/export-handout [--git] DIR"
    run -2 "${COURSE_ROOT}/grader/export-handout" --frobnicate "${BATS_TEST_TMPDIR}/new"
    assert_output --partial "unknown option '--frobnicate'"
}

@test "export with --git makes the handout a fresh repository of one commit" {
    run -0 "${COURSE_ROOT}/grader/export-handout" --git "${BATS_TEST_TMPDIR}/repo"
    run -0 git -C "${BATS_TEST_TMPDIR}/repo" rev-list --count HEAD
    assert_output 1
    run -0 git -C "${BATS_TEST_TMPDIR}/repo" status --porcelain
    assert_output ""
}
