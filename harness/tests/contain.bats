#!/usr/bin/env bats
# The harness's own tests of containment (harness/contain): nothing a student's program starts
# outlives its test, whatever it does, with and without namespaces.
export BATS_TEST_TIMEOUT=60

bats_load_library sockets-harness

setup_file() {
    cc -o "${BATS_FILE_TMPDIR}/escape" "${BATS_TEST_DIRNAME}/fixtures/escape.c"
    export LAB_BIN="${BATS_FILE_TMPDIR}"
}

# survivors - print the fixture processes still alive, one "PID COMMAND" a line
survivors() {
    pgrep -a -f "^${LAB_BIN}/escape " || true
}

# no_survivors - true once no fixture process is alive: a process SIGKILLed at a test's end is
# gone only when it next runs, which on a loaded machine can be a moment after its test ended
no_survivors() {
    [[ -z "$(survivors)" ]]
}

# run_escapes - run fixtures/escapes.bats with HARNESS_NETNS=$1; sets output and SECONDS_TAKEN
run_escapes() {
    local start=$SECONDS
    HARNESS_NETNS=$1 run -1 bats "${BATS_TEST_DIRNAME}/fixtures/escapes.bats"
    SECONDS_TAKEN=$((SECONDS - start))
}

# check_escapes - what every mode must show: each escape judged, in time, nothing left
check_escapes() {
    assert_line --partial "not ok 1 a client whose forked reader spins"
    assert_line --partial "not ok 2 a program that daemonizes and ignores SIGTERM"
    assert_line --partial "not ok 3 a program that ignores SIGTERM and never exits"
    assert_line --partial "ok 4 a server whose child ignores SIGTERM and holds its output"
    # Tests 1 and 2 name what was left running; test 3 reports the time limit (status 124).
    assert_output --partial "'escape': the program exited with status 0, and left running"
    assert_output --partial "(escape), child of"
    assert_output --regexp "status +: 124"
    [[ $SECONDS_TAKEN -le 20 ]] || fail "the escapes took ${SECONDS_TAKEN}s; each should end within its limit"
    poll_until 5 no_survivors || true
    run -0 survivors
    assert_output ""
}

@test "programs that fork, daemonize or ignore SIGTERM are judged and gone, in namespaces" {
    [[ "$(harness_mode)" == netns ]] || skip "this machine allows no namespaces"
    run_escapes auto
    check_escapes
}

@test "programs that fork, daemonize or ignore SIGTERM are judged and gone, without namespaces" {
    run_escapes off
    check_escapes
}

@test "contain reports a program's exit status, 128+N for signal N and 124 at the limit" {
    run -3 "${HARNESS_BIN}/contain" -- sh -c 'exit 3'
    run -137 "${HARNESS_BIN}/contain" -- sh -c 'kill -KILL $$'
    run -124 "${HARNESS_BIN}/contain" --limit 1 -- "${LAB_BIN}/escape" deaf
    run -127 "${HARNESS_BIN}/contain" -- /nonexistent/program
    assert_output --partial "/nonexistent/program"
}

@test "a program deaf to a SIGTERM passed on is seen to hang, and KILL then reports 137" {
    spawn deaf "${LAB_BIN}/escape" deaf
    wait_for_file_content "$(out_of deaf)" started 5
    stop deaf TERM
    assert_equal "$status" 124
    stop deaf KILL
    assert_equal "$status" 137
}

@test "contain passes SIGTERM on to the program" {
    spawn trapper "${LAB_BIN}/escape" polite
    wait_for_file_content "$(out_of trapper)" started 5
    stop trapper TERM
    assert_equal "$status" 7
    run -0 cat "$(out_of trapper)"
    assert_line "got TERM"
}

@test "with --write-only DIR, a program and what it starts write under DIR only, with TMPDIR=DIR" {
    perl -e 'exit(syscall(444, 0, 0, 1) > 0 ? 0 : 1)' || skip "this kernel has no Landlock (contain --write-only then confines nothing)"
    local own="${BATS_TEST_TMPDIR}/own"
    mkdir -p "$own"
    # shellcheck disable=SC2016 # $TMPDIR is the contained shell's
    run -0 "${HARNESS_BIN}/contain" --write-only "$own" -- \
        sh -c 'echo x >"$TMPDIR/made" && sh -c "echo y >>\"\$TMPDIR/made\"" && echo z >/dev/null && echo "$TMPDIR"'
    assert_output "$own"
    run -0 cat "$own/made"
    assert_output $'x\ny'
    run -2 "${HARNESS_BIN}/contain" --no-pidns --write-only "$own" -- sh -c "echo x >'${BATS_TEST_TMPDIR}/outside'"
    assert_output --partial "Permission denied"
    assert_file_not_exists "${BATS_TEST_TMPDIR}/outside"
}

@test "with --setsid and --close-fds a program leads its own session and holds no descriptor above 2" {
    # (ls's own listing holds a descriptor for the directory it reads: 3.)
    exec 7>"${BATS_TEST_TMPDIR}/held" 9>&7
    run -0 "${HARNESS_BIN}/contain" --setsid --close-fds -- ls /proc/self/fd
    exec 7>&- 9>&-
    refute_line 7
    refute_line 9
    assert_line 2
    # Without a PID namespace the program is contain's child, and contain leads the session.
    # shellcheck disable=SC2016 # the contained shell's own $$ and $PPID
    run -0 "${HARNESS_BIN}/contain" --no-pidns --setsid -- sh -c 'echo "$(ps -o sid= -p $$) $PPID"'
    local sid contain
    read -r sid contain <<<"$output"
    assert_equal "$sid" "$contain"
}

@test "with --status FILE contain writes its exit status there when everything has ended" {
    run -3 "${HARNESS_BIN}/contain" --status "${BATS_TEST_TMPDIR}/st" -- sh -c 'exit 3'
    run -0 cat "${BATS_TEST_TMPDIR}/st"
    assert_output 3
    run -124 "${HARNESS_BIN}/contain" --no-pidns --limit 1 --status "${BATS_TEST_TMPDIR}/st" -- "${LAB_BIN}/escape" deaf
    run -0 cat "${BATS_TEST_TMPDIR}/st"
    assert_output 124
    assert_file_not_exists "${BATS_TEST_TMPDIR}/st.tmp"
}

@test "with --netns PID a program runs in that process's network namespace" {
    [[ "$(harness_mode)" == netns ]] || skip "this machine allows no namespaces"
    local theirs
    theirs=$(readlink "/proc/${H_NS_PID}/ns/net")
    [[ "$theirs" != "$(readlink /proc/self/ns/net)" ]] || fail "test bug: the holder shares our namespace"
    run -0 "${HARNESS_BIN}/contain" --netns "$H_NS_PID" -- readlink /proc/self/ns/net
    assert_output "$theirs"
    run -2 "${HARNESS_BIN}/contain" --netns 12x -- true
    assert_output --partial "--netns: '12x' is not a process id"
    run -125 "${HARNESS_BIN}/contain" --netns 999999999 -- true
    assert_output --partial "join the network namespace of process 999999999"
}

@test "with --bind SOURCE:TARGET the program alone sees SOURCE at TARGET" {
    [[ "$(harness_mode)" == netns ]] || skip "this machine allows no namespaces"
    echo "10.9.8.7 made-up.test" >"${BATS_TEST_TMPDIR}/hosts"
    run -0 "${HARNESS_BIN}/contain" --netns "$H_NS_PID" --bind "${BATS_TEST_TMPDIR}/hosts:/etc/hosts" -- cat /etc/hosts
    assert_output "10.9.8.7 made-up.test"
    run -0 cat /etc/hosts
    refute_output --partial "made-up.test"
    run -2 "${HARNESS_BIN}/contain" --bind /etc/hosts -- true
    assert_output --partial "is not SOURCE:TARGET"
    run -125 "${HARNESS_BIN}/contain" --netns "$H_NS_PID" --bind "${BATS_TEST_TMPDIR}/none:/etc/hosts" -- true
    assert_output --partial "mount --bind"
}

@test "with --try-bind the program sees SOURCE at TARGET where it can be mounted, and runs anyway where not" {
    [[ "$(harness_mode)" == netns ]] || skip "this machine allows no namespaces"
    echo "10.9.8.7 made-up.test" >"${BATS_TEST_TMPDIR}/hosts"
    run -0 "${HARNESS_BIN}/contain" --netns "$H_NS_PID" --try-bind "${BATS_TEST_TMPDIR}/hosts:/etc/hosts" -- cat /etc/hosts
    assert_output "10.9.8.7 made-up.test"
    run -0 "${HARNESS_BIN}/contain" --netns "$H_NS_PID" --try-bind "${BATS_TEST_TMPDIR}/none:/etc/hosts" -- cat /etc/hosts
    refute_output --partial "made-up.test"
    refute_output --partial "mount --bind"
    run -2 "${HARNESS_BIN}/contain" --try-bind /etc/hosts -- true
    assert_output --partial "--try-bind: '/etc/hosts' is not SOURCE:TARGET"
}

@test "contain rejects a bad time limit and a missing program" {
    run -2 "${HARNESS_BIN}/contain" --limit soon -- true
    assert_output --partial "--limit: 'soon' is not a number of seconds"
    run -2 "${HARNESS_BIN}/contain" --limit 5
    assert_output --partial "usage: contain"
}

@test "teardown stops a test's programs together: three deaf to SIGTERM cost one grace, not three" {
    local name t0 ms
    for name in first second third; do
        spawn "$name" "${LAB_BIN}/escape" deaf
    done
    for name in first second third; do
        wait_for_file_content "$(out_of "$name")" started 5
    done
    t0=${EPOCHREALTIME/[.,]/}
    harness_teardown
    ms=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
    harness_setup # Bats' own teardown runs harness_teardown again
    poll_until 5 no_survivors || true
    run -0 survivors
    assert_output ""
    ((ms >= H_KILL_GRACE_MS)) || fail "teardown took $ms ms: it did not give them the grace of $H_KILL_GRACE_MS ms to exit"
    ((ms < H_KILL_GRACE_MS * 5 / 2)) ||
        fail "teardown took $ms ms for three programs deaf to SIGTERM: they share one grace of $H_KILL_GRACE_MS ms"
}
