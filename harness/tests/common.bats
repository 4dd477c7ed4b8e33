#!/usr/bin/env bats
# The harness's own tests: what every lab relies on from the Bats library sockets-harness
# (harness/lib/sockets-harness). Run with BATS_LIB_PATH=$PWD/harness/lib:/usr/lib/bats (absolute, as Bats wants).
# shellcheck disable=SC2030,SC2031  # HARNESS_NETNS=off: each test is a subshell of its own
export BATS_TEST_TIMEOUT=60

bats_load_library sockets-harness

# The student programs of these tests are small fixtures built here.
setup_file() {
    cc -o "${BATS_FILE_TMPDIR}/leakfd" "${BATS_TEST_DIRNAME}/fixtures/leakfd.c"
    export LAB_BIN="${BATS_FILE_TMPDIR}"
}

@test "each test gets its own network namespace with loopback up" {
    [[ "$(harness_mode)" == netns ]] || skip "this machine allows no network namespaces"
    run -0 port_for 8080
    assert_output 8080
    spawn_peer server recorder 8080
    wait_for_port 8080 server
    run -0 in_netns cat /sys/class/net/lo/operstate
    assert_output --regexp '^(up|unknown)$'
    run -0 ls /sys/class/net
    refute_output ""
}

@test "without namespaces a free ephemeral port replaces the well-known one" {
    export HARNESS_NETNS=off
    harness_teardown
    harness_setup
    assert_equal "$(harness_mode)" shared-loopback
    run -0 port_for 8080
    refute_output 8080
    assert_output --regexp '^[0-9]+$'
}

@test "a started process does not inherit fd 3" {
    spawn lister sh -c 'ls /proc/$$/fd'
    wait_for_exit lister
    assert_equal "$status" 0
    run -0 cat "$(out_of lister)"
    refute_line 3
    assert_line 2
}

@test "a started process runs in its own process group" {
    spawn_peer server recorder "unix:${BATS_TEST_TMPDIR}/group.sock"
    wait_for_unix_socket "${BATS_TEST_TMPDIR}/group.sock" server
    local pid pgid
    pid=$(pid_of server)
    pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
    assert_equal "$pgid" "$pid"
}

@test "teardown kills and reaps servers of a test that failed or timed out" {
    local dir
    dir=$(mktemp -d "${BATS_TEST_TMPDIR}/abandon.XXXXXX")
    mkfifo "$dir/never"
    ABANDON_DIR=$dir run -1 bats "${BATS_TEST_DIRNAME}/fixtures/abandon.bats"
    assert_line --partial "not ok 1 a test that fails while a server is running"
    assert_line --partial "not ok 2 a test that times out while a server is running"
    run pgrep -f "$dir"
    assert_failure 1
    assert_output ""
}

@test "wait_for_port recognises a port whose bytes were swapped" {
    [[ "$(harness_mode)" == netns ]] || skip "only a fixed port can be byte-swapped predictably"
    spawn_peer server recorder "$(swap16 8080)"
    run wait_for_port 8080 server 1
    assert_failure
    assert_output --partial "listens on port 36895, expected 8080"
    assert_output --partial "htons"
}

@test "wait_for_port reports a server that exited before listening" {
    spawn broken sh -c 'echo "bind: Address already in use" >&2; exit 3'
    run wait_for_port 8080 broken 2
    assert_failure
    assert_output --partial "exited with status 3"
    assert_output --partial "bind: Address already in use"
}

@test "a student program that hangs is stopped with status 124" {
    # shellcheck disable=SC2016 # the script is for sh to expand, not this shell
    printf '#!/bin/sh\nread -r line <>"$1"\n' >"${LAB_BIN}/hang"
    chmod +x "${LAB_BIN}/hang"
    mkfifo "${BATS_TEST_TMPDIR}/fifo"
    STUDENT_TIMEOUT=1 run -124 student hang "${BATS_TEST_TMPDIR}/fifo"
}

@test "valgrind_report names a descriptor left open at exit" {
    with_valgrind
    spawn_student leaky leakfd
    wait_for_exit leaky 30
    run -0 valgrind_report leaky
    assert_output --partial "descriptor left open at exit"
    assert_output --regexp "AF_INET socket [0-9]+:"
    rm -f "${H_DIR}"/valgrind/*.log
}

@test "valgrind-symbols finds the lean copy it made from its index, and makes it again when it is gone" {
    local cache=$BATS_TEST_TMPDIR/symbols dir
    dir=$("${HARNESS_ROOT}/runner/valgrind-symbols" "$cache") ||
        skip "no debugging symbols of glibc here (libc6-dbg) to make a lean copy of"
    # From the index: no program needed (an empty PATH: no readelf, awk or objcopy to run).
    run -0 env PATH=/nonexistent "$BASH" "${HARNESS_ROOT}/runner/valgrind-symbols" "$cache"
    assert_output "$dir"
    rm -rf "$dir"
    run -1 env PATH=/nonexistent "$BASH" "${HARNESS_ROOT}/runner/valgrind-symbols" "$cache"
    run -0 "${HARNESS_ROOT}/runner/valgrind-symbols" "$cache"
    assert_output "$dir"
    run -0 find "$dir" -name '*.debug'
    assert_equal "${#lines[@]}" 2
}

@test "with glibc's lean symbols Valgrind still names the call that left a descriptor open" {
    [[ "$(harness_mode)" == netns ]] || skip "this machine allows no namespaces to mount them in"
    HARNESS_VALGRIND_SYMBOLS=$("${HARNESS_ROOT}/runner/valgrind-symbols" "${BATS_TEST_TMPDIR}/symbols") ||
        skip "no debugging symbols of glibc here (libc6-dbg) to make a lean copy of"
    # Each file holds symbols and no line table, under .build-id as /usr/lib/debug does.
    run -0 find "$HARNESS_VALGRIND_SYMBOLS" -name '*.debug'
    assert_equal "${#lines[@]}" 2
    for file in "${lines[@]}"; do
        run -0 readelf -S "$file"
        assert_output --partial ".symtab"
        refute_output --partial ".debug_line"
    done
    with_valgrind
    spawn_student leaky leakfd
    wait_for_exit leaky 30
    run -0 valgrind_report leaky
    assert_output --regexp "descriptor left open at exit: Open AF_INET socket [0-9]+:"
    # The frame of glibc's socket() is named, from the lean copy: no file and line of glibc's.
    run -0 cat "${H_DIR}"/valgrind/leaky.*.log
    assert_output --regexp "at 0x[0-9A-F]+: socket \(in /[^)]*libc[^)]*\)"
    assert_output --regexp "by 0x[0-9A-F]+: main \("
    rm -f "${H_DIR}"/valgrind/*.log
}

@test "valgrind_report is silent for a program that closes what it opens" {
    with_valgrind
    spawn_student tidy leakfd close
    wait_for_exit tidy 30
    run -0 valgrind_report tidy
    assert_output ""
}

@test "diagnose prints what was observed and the likely mistake" {
    run diagnose "got port 36895" "htons() missing"
    assert_failure
    assert_output --partial "observed"
    assert_output --partial "got port 36895"
    assert_output --partial "likely mistake"
    assert_output --partial "htons() missing"
}

@test "wait_for_port names a stub that is not written yet" {
    spawn stub sh -c 'echo "open_listener: not implemented yet" >&2; exit 1'
    run wait_for_port 8080 stub 2
    assert_failure
    assert_output --partial "open_listener() is still the skeleton's stub"
}

@test "wait_until polls a check until it holds, and gives up when time runs out" {
    local marker="${BATS_TEST_TMPDIR}/marker"
    spawn maker touch "$marker"
    run -0 wait_until 5 test -e "$marker"
    run -1 wait_until 1 test -e "${BATS_TEST_TMPDIR}/absent"
}

@test "needs_private_netns reports a test not run, with its reason, where there is no namespace" {
    local lab="$BATS_TEST_TMPDIR/lab" out="$BATS_TEST_TMPDIR/out"
    mkdir -p "$lab/tests"
    printf '%s\n' 'bats_load_library sockets-harness' '' \
        '@test "a test that changes the firewall" {' '    needs_private_netns "it adds a rule"' '}' \
        >"$lab/tests/fw.bats"
    HARNESS_NETNS=off run -0 "${HARNESS_ROOT}/bin/run-tests" --lab "$lab" --bin "$LAB_BIN" \
        --harness-bin "$HARNESS_BIN" --out "$out"
    run -0 jq -r '[.result, .earned, .counted] | @tsv' "$out/results.jsonl"
    assert_output $'not-run\t0\tfalse'
    run -0 cat "$out/messages/1.txt"
    assert_output --partial 'not run: needs a private network namespace (it adds a rule)'
}

@test "run-tests refuses a lab whose files declare one test name twice, and names it" {
    local lab="$BATS_TEST_TMPDIR/lab"
    mkdir -p "$lab/tests"
    printf '%s\n' '@test "same name" {' '    true' '}' '@test "other" {' '    true' '}' >"$lab/tests/a.bats"
    printf '%s\n' '@test "same name" {' '    true' '}' >"$lab/tests/b.bats"
    run -2 "${HARNESS_ROOT}/bin/run-tests" --lab "$lab" --bin "$LAB_BIN" --harness-bin "$HARNESS_BIN" \
        --out "$BATS_TEST_TMPDIR/out"
    assert_output "run-tests: test names must be unique within a lab; repeated: same name"
    run -2 "${HARNESS_ROOT}/bin/run-tests" --list --lab "$lab"
    assert_output "run-tests: test names must be unique within a lab; repeated: same name"
}

@test "a test that skips itself earns no points and still counts in the total" {
    local lab="$BATS_TEST_TMPDIR/lab" out="$BATS_TEST_TMPDIR/out"
    mkdir -p "$lab/tests"
    printf '%s\n' '# points: 3' '@test "a test that gives up" {' '    skip "no idea"' '}' \
        '# points: 2' '@test "a test that passes" {' '    true' '}' >"$lab/tests/skip.bats"
    run -0 "${HARNESS_ROOT}/bin/run-tests" --lab "$lab" --bin "$LAB_BIN" \
        --harness-bin "$HARNESS_BIN" --out "$out"
    run -0 jq -r '[.result, .earned, .points, (.counted != false)] | @tsv' "$out/results.jsonl"
    assert_output $'not-run\t0\t3\ttrue\npass\t2\t2\ttrue'
    run -0 cat "$out/messages/1.txt"
    assert_output 'not run: the test skipped itself (no idea); it earns no points.'
}

@test "file_size and h_has_line answer as stat and grep do, for a log, a large file and a missing one" {
    local small="$BATS_TEST_TMPDIR/small.log" large="$BATS_TEST_TMPDIR/large.log" i
    printf 'connection 1: accepted\nmessage 1: 5 bytes\nlast line, no newline' >"$small"
    for ((i = 0; i < 5000; i++)); do echo "line $i of a log larger than 64 KiB"; done >"$large"
    echo "the end" >>"$large"
    run -0 file_size "$small"
    assert_output "$(stat -c %s "$small")"
    run -0 file_size "$large"
    assert_output "$(stat -c %s "$large")"
    run -1 file_size "$BATS_TEST_TMPDIR/missing"
    assert_output ""
    h_has_line "$small" '^message [0-9]+: 5 bytes$'
    h_has_line "$small" 'no newline$'
    run -1 h_has_line "$small" '^message 2'
    h_has_line "$large" '^the end$'
    run -1 h_has_line "$large" '^line 5000 '
    run -1 h_has_line "$BATS_TEST_TMPDIR/missing" .
    run -0 first_line_matching "$small" '^(message|connection) '
    assert_output "connection 1: accepted"
}

@test "without namespaces no two tests of a run are given the same port" {
    export HARNESS_NETNS=off
    harness_teardown
    harness_setup
    local ports=() i
    # freeport draws at random from the ephemeral range: 300 draws repeat some port most times.
    for ((i = 0; i < 300; i++)); do
        ports+=("$(port_for 8080)")
    done
    local repeated
    repeated=$(printf '%s\n' "${ports[@]}" | sort | uniq -d)
    assert_equal "$repeated" ""
}

@test "Bats' start time for the test is the wall clock in milliseconds, without date(1)" {
    local now_ms
    now_ms=$(date +%s%3N)
    # The test's own start, a moment ago: the same clock and the same unit as date's.
    ((BATS_TEST_START_TIME <= now_ms && now_ms - BATS_TEST_START_TIME < 60000)) ||
        fail "BATS_TEST_START_TIME is $BATS_TEST_START_TIME, the clock says $now_ms ms"
    run -0 get_mills_since_epoch
    [[ "$output" =~ ^[0-9]{13}$ ]] || fail "get_mills_since_epoch printed '$output'"
    [[ "$(declare -f get_mills_since_epoch)" == *EPOCHREALTIME* ]] ||
        fail "get_mills_since_epoch is still Bats' own, which runs date(1) before every test"
}

@test "h_nap waits about the time it is given, with the shell's own sleep where there is one" {
    local t0=$EPOCHREALTIME us
    h_nap 0.2
    us=$((${EPOCHREALTIME//[.,]/} - ${t0//[.,]/}))
    ((us >= 190000 && us < 2000000)) || fail "h_nap 0.2 took $us us"
    if [[ -f /usr/lib/bash/sleep ]]; then
        assert_equal "$(type -t sleep)" builtin
    fi
}

@test "progress counts each test as the harness reports it ended, before Bats prints its TAP" {
    # With --jobs, Bats prints a test file's TAP only once the file is done: the watcher must
    # count from the harness's progress file alone (tail -f heads each file's part).
    printf '%s\n' first second third >"$BATS_TEST_TMPDIR/plan.txt"
    printf '%s\n' '==> tap.txt <==' '' '==> progress.txt <==' $'start\tfirst' $'done\tfirst' \
        $'start\tsecond' $'done\tsecond' $'start\tthird' >"$BATS_TEST_TMPDIR/stream"
    run -0 awk -v PLAN="$BATS_TEST_TMPDIR/plan.txt" -v PROGRESS=1 -v TTY=1 -v TAP=tap.txt \
        -f "${HARNESS_ROOT}/runner/watch.awk" "$BATS_TEST_TMPDIR/stream"
    assert_output --partial "[2/3] third"
    printf '%s\n' $'done\tthird' >>"$BATS_TEST_TMPDIR/stream"
    run -0 awk -v PLAN="$BATS_TEST_TMPDIR/plan.txt" -v PROGRESS=1 -v TTY=0 -v TAP=tap.txt \
        -f "${HARNESS_ROOT}/runner/watch.awk" "$BATS_TEST_TMPDIR/stream"
    assert_output "  [3/3] tests done"
}

# shellcheck disable=SC2016 # the fixture's test expands its own BATS_TEST_TMPDIR
@test "BATS_TEST_TIMEOUT still ends a test, through the harness's own watchdog" {
    [[ "$(declare -f bats_start_timeout_countdown)" == *'trap '\''exit 0'\'' ABRT'* ]] ||
        skip "Bats' own watchdog is in use here (no sleep builtin)"
    printf '%s\n' 'BATS_TEST_TIMEOUT=1' 'bats_load_library sockets-harness' \
        '@test "hangs" {' '    mkfifo "$BATS_TEST_TMPDIR/never"' '    /bin/cat "$BATS_TEST_TMPDIR/never"' '}' \
        '@test "passes" {' '    true' '}' >"$BATS_TEST_TMPDIR/t.bats"
    local t0=$EPOCHREALTIME us
    run -1 bats --formatter tap "$BATS_TEST_TMPDIR/t.bats"
    us=$((${EPOCHREALTIME//[.,]/} - ${t0//[.,]/}))
    assert_line "not ok 1 hangs # timeout after 1s"
    assert_line "ok 2 passes"
    ((us < 10000000)) || fail "the run took $us us: the hung test was not ended at its limit"
}

@test "the shell's bats-preprocess prints exactly what Bats' own prints, for every test file of the course" {
    [[ "${BATS_VERSION:-}" == 1.8.2 ]] || skip "run-tests uses it with Bats 1.8.2 only, not $BATS_VERSION"
    local file filter ours theirs n=0
    # A file with what the course's files lack: tags, a comment-style test, CRs, an empty one.
    printf '%s\n' '# bats file_tags=net, slow' '# bats test_tags=a,,b' '@test "name é (x) 1/2: done" { true; }' \
        'named() { # @test' '  true' '}' $'@test "crlf" {\r' $'}\r' '' '' >"$BATS_TEST_TMPDIR/odd.bats"
    : >"$BATS_TEST_TMPDIR/empty.bats"
    for file in "${HARNESS_ROOT}"/../labs/*/tests/*.bats "${HARNESS_ROOT}"/tests/*.bats \
        "$BATS_TEST_TMPDIR/odd.bats" "$BATS_TEST_TMPDIR/empty.bats"; do
        for filter in "" "^send_msg" "crlf"; do
            theirs=$(BATS_TEST_FILTER=$filter CHECK_BATS_COMMENT_COMMANDS=1 "$BATS_LIBEXEC/bats-preprocess" "$file" 2>&1; echo "status $?")
            ours=$(
                # shellcheck source=/dev/null
                source "${HARNESS_ROOT}/runner/bats-preprocess.bash"
                BATS_TEST_FILTER=$filter CHECK_BATS_COMMENT_COMMANDS=1 bats-preprocess "$file" 2>&1
                echo "status $?"
            )
            [[ "$ours" == "$theirs" ]] || fail "$file (filter '$filter'): $(diff <(echo "$theirs") <(echo "$ours") | head -n 5)"
            n=$((n + 1))
        done
    done
    ((n > 100)) || fail "only $n files compared"
}

# shellcheck disable=SC1003,SC2016 # the fixtures' code, written out as it is
@test "check-needs reports a needs() naming a test that does not run before it, also on a continued line" {
    local lab=$BATS_TEST_TMPDIR/lab
    mkdir -p "$lab/tests"
    printf '%s\n' '@test "alpha" {' '    true' '}' '@test "beta" {' '    needs "alpha" \' '        "gamma"' '}' >"$lab/tests/a.bats"
    printf '%s\n' '@test "gamma" {' '    needs "$T_ALPHA" "beta"' '}' '@test "delta" {' '    needs "$T_NONE"' '}' >"$lab/tests/b.bats"
    printf '%s\n' 'T_ALPHA="alpha"' >"$lab/tests/helpers.bash"
    run -1 "${HARNESS_ROOT}/bin/check-needs" "$lab"
    assert_line "$lab/tests/a.bats:5: needs \"gamma\": no test of that name runs before this one (earlier file, or earlier in this file)"
    assert_line "$lab/tests/b.bats:5: needs \"\$T_NONE\": \$T_NONE is not set to a literal test name in the lab's tests"
    assert_equal "${#lines[@]}" 2
    printf '%s\n' '@test "delta" {' '    needs "$T_ALPHA" \' '        "gamma"' '}' >"$lab/tests/c.bats"
    rm "$lab/tests/b.bats"
    printf '%s\n' '@test "alpha" {' '    true' '}' '@test "beta" {' '    needs "alpha"' '}' >"$lab/tests/a.bats"
    printf '%s\n' '@test "gamma" {' '    needs "$T_ALPHA" "beta"' '}' >"$lab/tests/b.bats"
    run -0 "${HARNESS_ROOT}/bin/check-needs" "$lab"
}

# shellcheck disable=SC2016 # the recording nl expands its own variables
@test "Bats' suite, run by the harness without a fork per test, lists and runs what Bats' own does" {
    [[ "${BATS_VERSION:-}" == 1.8.2 ]] || skip "run-tests uses it with Bats 1.8.2 only, not $BATS_VERSION"
    local dir=$BATS_TEST_TMPDIR args ours theirs
    # shellcheck source=/dev/null
    source "${HARNESS_ROOT}/runner/bats-suite.bash"
    h_bats_suite_patched "$BATS_LIBEXEC/bats-exec-suite" ||
        fail "the two lines it replaces are not in $BATS_LIBEXEC/bats-exec-suite: Bats would run as shipped"
    [[ "$H_BATS_SUITE" == *'printf -v test_line'* && "$H_BATS_SUITE" != *'| nl |'* ]] ||
        fail "H_BATS_SUITE is not the changed script"
    printf '%s\n' '@test "one" { true; }' '@test "two: é\t(x)" { false; }' '@test "three" { skip "later"; }' >"$dir/a.bats"
    printf '%s\n' '@test "four" { echo hi; }' '@test "one" { true; }' >"$dir/b c.bats"
    # Only Bats' own suite runs nl (its list of unique files): a recording nl first on the PATH
    # tells which suite ran.
    mkdir "$dir/shim"
    printf '%s\n' '#!/bin/sh' 'echo ran >>"${0%/*}/nl.ran"' 'exec /usr/bin/nl "$@"' >"$dir/shim/nl"
    chmod +x "$dir/shim/nl"
    (cd "$dir" && PATH="$dir/shim:$PATH" BASH_ENV="${HARNESS_ROOT}/runner/bats-env.bash" bats a.bats >/dev/null 2>&1 || true)
    [[ ! -e "$dir/shim/nl.ran" ]] || fail "with BASH_ENV, Bats' own suite ran (it ran nl), not the changed one"
    (cd "$dir" && PATH="$dir/shim:$PATH" env -u BASH_ENV bats a.bats >/dev/null 2>&1 || true)
    [[ -e "$dir/shim/nl.ran" ]] || fail "the recording nl was not run by Bats' own suite: this check sees nothing"
    # A file named twice makes Bats 1.8.2 itself fail a test ("Failed to create BATS_TEST_TMPDIR"),
    # with mkdir's message, which is the builtin's with BASH_ENV: that line and the run's
    # directory are left out of the comparison.
    for args in "a.bats|b c.bats" "b c.bats|a.bats|b c.bats" "-j|2|a.bats|b c.bats|a.bats" "--filter|o|a.bats|b c.bats" "--count|a.bats|b c.bats"; do
        IFS='|' read -ra argv <<<"$args"
        theirs=$(cd "$dir" && env -u BASH_ENV bats --formatter tap "${argv[@]}" 2>&1 | sed -E '/mkdir: cannot create/d; s#bats-run-[^/]+#RUN#g'; echo "status ${PIPESTATUS[0]}")
        ours=$(cd "$dir" && BASH_ENV="${HARNESS_ROOT}/runner/bats-env.bash" bats --formatter tap "${argv[@]}" 2>&1 | sed -E '/mkdir: cannot create/d; s#bats-run-[^/]+#RUN#g'; echo "status ${PIPESTATUS[0]}")
        [[ "$ours" == "$theirs" ]] || fail "bats ${argv[*]}: $(diff <(echo "$theirs") <(echo "$ours") | head -n 6)"
    done
}

# shellcheck disable=SC2016,SC2154 # scripts for other shells; stderr is set by run
@test "the shell's parallel runs Bats' test files N at a time and prints each one's output in order" {
    [[ "${BATS_VERSION:-}" == 1.8.2 ]] || skip "run-tests uses it with Bats 1.8.2 only, not $BATS_VERSION"
    local dir=$BATS_TEST_TMPDIR
    # job DIR NAME - print NAME, and on stderr say so; fail for a name with "bad" in it. Job "a"
    # first waits (10 s at most) for job "bb" to hand it a word through a FIFO, so the first job
    # ends after the second, and only if both run at once. Each job records how many jobs were
    # running as it started.
    cat >"$dir/job" <<'JOB'
#!/bin/bash
dir=$1 name=$2 word=""
ls "$dir/running" | wc -l >>"$dir/seen"
touch "$dir/running/$$"
case $name in
    a) read -r -t 10 word <>"$dir/handoff" ;;
    bb) timeout 10 sh -c 'echo go >"$1"' _ "$dir/handoff" ;;
esac
rm "$dir/running/$$"
echo "out $name${word:+ $word}"
echo "err $name" >&2
[[ $name != *bad* ]]
JOB
    chmod +x "$dir/job"
    mkfifo "$dir/handoff"
    mkdir "$dir/running"
    run -1 --separate-stderr bash -c 'source "$1"; cd "$2"; parallel --keep-order --jobs 2 ./job "$2 " "{}" ::: a bb "c c" bad' \
        _ "${HARNESS_ROOT}/runner/bats-parallel.bash" "$dir"
    assert_equal "$output" $'out a go\nout bb\nout c c\nout bad'
    assert_equal "$stderr" $'err a\nerr bb\nerr c c\nerr bad'
    run -0 sort -u "$dir/seen"
    refute_line 2
    run -0 bash -c 'source "$1"; parallel --keep-order --jobs 1 echo "{}" ::: x y' _ "${HARNESS_ROOT}/runner/bats-parallel.bash"
    assert_output $'x\ny'
}
