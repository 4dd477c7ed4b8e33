#!/usr/bin/env bats
# Lab 02's hidden tests: the instructors' own, never in the students' copy of the course. They run
# when grading with `grader/grade --hidden solutions` (grade-class and the Gradescope bundle do)
# and in the course's checks; results.json shows them to students only once grades are
# published. The lab's helpers come from LAB_TESTS, the lab's tests/ directory.
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats
BATS_TEST_TIMEOUT=60

bats_load_library sockets-harness
load "${LAB_TESTS}/echo_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# points: 1
@test "the server echoes every byte value, NUL and newline included, in an 8193-byte message" {
    needs "the server echoes a short message back to a scripted client"
    spawn_student server server "$PORT"
    wait_for_port "$PORT" server
    local sent="$BATS_TEST_TMPDIR/sent"
    # Every byte value in turn, 32 times and one more: a server that handles the data as a C
    # string stops or changes at the first NUL.
    LC_ALL=C awk 'BEGIN { for (i = 0; i < 8193; i++) printf "%c", i % 256 }' >"$sent"
    talk client "sendfile:$sent" shut:wr recvall
    expect_talk_echo client "$sent" \
        "the data was handled as a C string: echo what read() returned as bytes, write(fd, buf, n), never with strlen(), printf(\"%s\") or fgets()"
}
