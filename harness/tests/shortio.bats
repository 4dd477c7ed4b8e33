#!/usr/bin/env bats
# shellcheck disable=SC2016  # awk programs are single-quoted on purpose
# shellcheck disable=SC2030,SC2031  # PIDS: each test shares one subshell with its setup and teardown
# shellcheck disable=SC2153  # PORT and RECORDER are set by start_recorder (helpers.bash)
#
# The harness's own tests of the short-I/O injector, shortio.so
# (docs/harness.md, "The short-I/O injector").
#
# Run with the built peers and shortio.so in HARNESS_BIN:
#     HARNESS_BIN=/tmp/hb BATS_LIB_PATH=$PWD/harness/lib:/usr/lib/bats bats harness/tests/shortio.bats

# shellcheck disable=SC2034  # read by Bats
BATS_TEST_TIMEOUT=30

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

setup_file() {
    if [[ -z ${HARNESS_BIN:-} ]]; then
        echo "HARNESS_BIN is not set: build the peers and shortio.so and set" \
            "HARNESS_BIN to their directory (see docs/harness.md)" >&2
        return 1
    fi
    local tool
    for tool in recorder scripted freeport shortio.so; do
        if [[ ! -e $HARNESS_BIN/$tool ]]; then
            echo "HARNESS_BIN=$HARNESS_BIN has no '$tool'" >&2
            return 1
        fi
    done

    # The small programs the tests run under the injector.
    local prog cflags=(-std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror)
    for prog in naive_send passfd vecio forklog; do
        gcc "${cflags[@]}" -o "$BATS_FILE_TMPDIR/$prog" \
            "$BATS_TEST_DIRNAME/$prog.c"
    done
    # As Ubuntu's gcc does by default: read() becomes __read_chk().
    gcc "${cflags[@]}" -O2 -D_FORTIFY_SOURCE=2 \
        -o "$BATS_FILE_TMPDIR/fortified_read" \
        "$BATS_TEST_DIRNAME/fortified_read.c"
}

setup() {
    load helpers
    helpers_setup
    SHORTIO=$HARNESS_BIN/shortio.so
    T=$BATS_FILE_TMPDIR
}

teardown() {
    helpers_teardown
}

# counts_of SEED - the counts of a looped 100000-byte send with SEED, one
# per line (needs a recorder on $PORT).
counts_of() {
    env LD_PRELOAD="$SHORTIO" SHORTIO_SEED="$1" \
        "$T/naive_send" -l "tcp:$PORT" 100000
}

@test "one write of 100000 bytes on a socket transfers at most SHORTIO_MAX bytes" {
    start_recorder -n 1
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_SEED=1 SHORTIO_MAX=7 \
        "$T/naive_send" "tcp:$PORT" 100000
    assert_output --regexp '^[1-7]$'
}

@test "a write loop sends all 100000 bytes in many short writes" {
    start_recorder -n 1
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_SEED=7 SHORTIO_MAX=7 \
        "$T/naive_send" -l "tcp:$PORT" 100000
    # At most 7 bytes a call: at least 100000 / 7 calls.
    (( ${#lines[@]} >= 14286 ))
    run -0 awk '$1 < 1 || $1 > 7 { bad++ } { sum += $1 }
        END { print bad + 0, sum }' <<<"$output"
    assert_output "0 100000"
    wait_for_exit "$RECORDER"
    assert_equal "$(recv_total 1)" 100000
}

@test "the same seed gives the same sequence of counts" {
    start_recorder -n 2
    local first second
    first=$(counts_of 42)
    second=$(counts_of 42)
    (( $(wc -l <<<"$first") > 14285 ))
    assert_equal "$first" "$second"
}

@test "a different seed gives a different sequence of counts" {
    start_recorder -n 2
    local first second
    first=$(counts_of 42)
    second=$(counts_of 43)
    refute [ "$first" = "$second" ]
}

@test "SHORTIO_EINTR=100 makes the first call fail with EINTR" {
    start_recorder -n 1
    run -1 env LD_PRELOAD="$SHORTIO" SHORTIO_EINTR=100 \
        "$T/naive_send" "tcp:$PORT" 10
    assert_output "error write: Interrupted system call"
}

@test "a count of 0 is passed on unchanged" {
    start_recorder -n 1
    run -0 env LD_PRELOAD="$SHORTIO" "$T/naive_send" "tcp:$PORT" 0
    assert_output "0"
}

@test "writes to a regular file are not cut without SHORTIO_ALL_FDS" {
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_EINTR=50 \
        "$T/naive_send" "file:$BATS_TEST_TMPDIR/out" 100000
    assert_output "100000"
    assert_file_size_equals "$BATS_TEST_TMPDIR/out" 100000
}

@test "writes to a regular file are cut with SHORTIO_ALL_FDS=1" {
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_ALL_FDS=1 \
        "$T/naive_send" "file:$BATS_TEST_TMPDIR/out" 100000
    assert_output --regexp '^[1-7]$'
}

@test "reads on a socket are cut too, and a careful client still gets every byte" {
    head -c 3000 /dev/urandom >"$BATS_TEST_TMPDIR/data"
    start_recorder -n 1 -s "$BATS_TEST_TMPDIR/data" -S
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_SEED=5 SHORTIO_MAX=5 \
        "$HARNESS_BIN/scripted" -O "$BATS_TEST_TMPDIR/got" \
        "127.0.0.1:$PORT" recvall
    assert_files_equal "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/got"
    run -0 awk '$1 == "recv" && ($2 < 1 || $2 > 5)' <<<"$output"
    assert_output ""
}

@test "a read through __read_chk (_FORTIFY_SOURCE) is cut too" {
    run -0 nm -D "$T/fortified_read"
    assert_output --partial "__read_chk"
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_MAX=3 "$T/fortified_read" 64
    assert_output --regexp '^[1-3]$'
}

@test "recvmsg still delivers a descriptor sent with SCM_RIGHTS" {
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_SEED=3 SHORTIO_MAX=3 \
        "$T/passfd"
    assert_line --index 0 --regexp '^sent [1-3]$'
    assert_line --index 1 --regexp '^received [1-3]$'
    assert_line --index 2 "iovec intact"
    assert_line --index 3 "descriptor works"
}

@test "writev and readv are cut without changing the caller's iovecs" {
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_SEED=9 SHORTIO_MAX=4 \
        "$T/vecio"
    assert_line "data intact"
    assert_line "iovecs untouched"
    run -0 awk '$1 ~ /^(writev|readv)$/ && ($2 < 1 || $2 > 4)' <<<"$output"
    assert_output ""
}

@test "a bad SHORTIO_MAX is reported once and no call is cut" {
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_MAX=seven SHORTIO_ALL_FDS=1 \
        "$T/vecio"
    assert_line --index 0 "shortio: bad SHORTIO_MAX 'seven'"
    assert_line --index 1 "writev 26"
    assert_line --index 2 "readv 26"
    run -0 grep -c '^shortio:' <<<"$output"
    assert_output "1"
}

@test "shortio prints nothing of its own in normal use" {
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_SEED=2 SHORTIO_EINTR=0 \
        "$T/passfd"
    refute_output --partial "shortio"
}

@test "SHORTIO_MAX=0 cuts no call" {
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_MAX=0 SHORTIO_ALL_FDS=1 "$T/vecio"
    assert_line --index 0 "writev 26"
    assert_line --index 1 "readv 26"
    assert_line "data intact"
}

@test "SHORTIO_LOG records each call on a socket with its count and result" {
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_MAX=0 \
        SHORTIO_LOG="$BATS_TEST_TMPDIR/calls" "$T/vecio"
    run -0 sed -E 's/ pid=[0-9]+$//; s/fd=[0-9]+/fd=N/' "$BATS_TEST_TMPDIR/calls"
    assert_output "writev fd=N iovcnt=3 bytes=26 ret=26 errno=0
readv fd=N iovcnt=2 bytes=26 ret=26 errno=0"
}

@test "SHORTIO_LOG records the counts of cut calls" {
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_SEED=9 SHORTIO_MAX=4 \
        SHORTIO_LOG="$BATS_TEST_TMPDIR/calls" "$T/vecio"
    # Each writev asks for what the previous ones left, and gets 1 to 4.
    run -0 awk '$1 == "writev" { sub(/bytes=/, "", $4); sub(/ret=/, "", $5)
            if (left != "" && $4 != left) bad++
            if ($5 < 1 || $5 > 4) bad++
            left = $4 - $5; n++ }
        END { print (n > 6), bad + 0, left }' "$BATS_TEST_TMPDIR/calls"
    assert_output "1 0 0"
}

@test "SHORTIO_LOG records shutdown, close and a read at EOF on a socket" {
    start_recorder -n 1 -S
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_MAX=0 \
        SHORTIO_LOG="$BATS_TEST_TMPDIR/calls" \
        "$HARNESS_BIN/scripted" -o "$BATS_TEST_TMPDIR/scripted.log" \
        "127.0.0.1:$PORT" sendtext:hi shut:wr recvall close
    run -0 sed -E 's/ pid=[0-9]+$//; s/fd=[0-9]+/fd=N/; s/bytes=[0-9]+/bytes=B/' \
        "$BATS_TEST_TMPDIR/calls"
    assert_line --index 0 --regexp '^(write|send) fd=N bytes=B ret=2 errno=0$'
    assert_line --index 1 "shutdown fd=N how=SHUT_WR ret=0 errno=0"
    assert_line --index 2 --regexp '^(read|recv) fd=N bytes=B ret=0 errno=0$'
    assert_line --index 3 "close fd=N ret=0 errno=0"
    assert_equal "${#lines[@]}" 4
}

@test "SHORTIO_LOG records an injected EINTR as ret=-1 errno=4" {
    start_recorder -n 1
    run -1 env LD_PRELOAD="$SHORTIO" SHORTIO_EINTR=100 \
        SHORTIO_LOG="$BATS_TEST_TMPDIR/calls" "$T/naive_send" "tcp:$PORT" 10
    run -0 sed 's/ pid=[0-9]*$//; s/fd=[0-9]*/fd=N/' "$BATS_TEST_TMPDIR/calls"
    assert_line --index 0 "write fd=N bytes=10 ret=-1 errno=4"
}

@test "SHORTIO_LOG leaves out calls on other descriptors, even when they are cut" {
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_LOG="$BATS_TEST_TMPDIR/calls" \
        "$T/naive_send" "file:$BATS_TEST_TMPDIR/out" 1000
    assert_file_not_exists "$BATS_TEST_TMPDIR/calls"
}

@test "processes sharing a SHORTIO_LOG write whole lines, each with its pid" {
    run -0 env LD_PRELOAD="$SHORTIO" SHORTIO_MAX=0 \
        SHORTIO_LOG="$BATS_TEST_TMPDIR/calls" "$T/forklog" 500
    assert_line "child wrote 500"
    assert_line "parent read 500"
    # 500 writes, 501 reads (the last returns 0), a shutdown, and 4 closes.
    run -0 grep -cvE '^((read|write) fd=[0-9]+ bytes=1 ret=[01]|shutdown fd=[0-9]+ how=SHUT_WR ret=0|close fd=[0-9]+ ret=0) errno=0 pid=[0-9]+$' \
        "$BATS_TEST_TMPDIR/calls" || true
    assert_output "0"
    run -0 wc -l <"$BATS_TEST_TMPDIR/calls"
    assert_output "1006"
    run -0 awk '{ print $NF }' "$BATS_TEST_TMPDIR/calls"
    run -0 sort -u <<<"$output"
    assert_equal "${#lines[@]}" 2
}
