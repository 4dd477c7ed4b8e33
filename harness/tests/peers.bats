#!/usr/bin/env bats
# shellcheck disable=SC2016  # awk programs are single-quoted on purpose
# shellcheck disable=SC2030,SC2031  # PIDS: each test shares one subshell with its setup and teardown
# shellcheck disable=SC2153  # PORT and RECORDER are set by start_recorder (helpers.bash)
#
# The harness's own tests of the C peers: recorder, scripted, udppeer, loadpeer, nsholder,
# freeport and bytes (docs/harness.md, "C peers").
#
# Run with the built peers in HARNESS_BIN:
#     HARNESS_BIN=/tmp/hb BATS_LIB_PATH=$PWD/harness/lib:/usr/lib/bats bats harness/tests/peers.bats

# shellcheck disable=SC2034  # read by Bats
BATS_TEST_TIMEOUT=30

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

setup_file() {
    if [[ -z ${HARNESS_BIN:-} ]]; then
        echo "HARNESS_BIN is not set: build the peers and set HARNESS_BIN" \
            "to their directory (see docs/harness.md)" >&2
        return 1
    fi
    local tool
    for tool in recorder scripted udppeer loadpeer nsholder freeport bytes; do
        if [[ ! -x $HARNESS_BIN/$tool ]]; then
            echo "HARNESS_BIN=$HARNESS_BIN has no executable '$tool'" >&2
            return 1
        fi
    done
}

setup() {
    load helpers
    helpers_setup
}

teardown() {
    helpers_teardown
}

# run_reset_client STEP... - run a scripted client with STEPs on a
# connection that the server resets; sets status and output (its log).
# The recorder (-R) resets each connection as soon as it accepts it.
run_reset_client() {
    local client
    start_recorder -n 1 -R
    setsid "$HARNESS_BIN/scripted" -o "$BATS_TEST_TMPDIR/client.log" \
        "127.0.0.1:$PORT" "$@" 3>&- &
    client=$!
    PIDS+=("$client")
    wait_for_exit "$client"
    output=$(<"$BATS_TEST_TMPDIR/client.log")
}

@test "freeport prints a port number" {
    run -0 "$HARNESS_BIN/freeport"
    assert_output --regexp '^[0-9]+$'
    (( output >= 1024 && output <= 65535 ))
}

@test "bytes crc32 prints zlib's CRC-32 of a file" {
    printf 123456789 >"$BATS_TEST_TMPDIR/check"
    : >"$BATS_TEST_TMPDIR/empty"
    run -0 "$HARNESS_BIN/bytes" crc32 "$BATS_TEST_TMPDIR/check"
    assert_output cbf43926
    run -0 "$HARNESS_BIN/bytes" crc32 "$BATS_TEST_TMPDIR/empty"
    assert_output 00000000
}

@test "bytes hex prints the bytes from an offset, fewer past the end" {
    printf '\x00\x01\xfeAB' >"$BATS_TEST_TMPDIR/five"
    run -0 "$HARNESS_BIN/bytes" hex "$BATS_TEST_TMPDIR/five" 1 3
    assert_output '01 fe 41'
    run -0 "$HARNESS_BIN/bytes" hex "$BATS_TEST_TMPDIR/five" 3 10
    assert_output '41 42'
    run -0 "$HARNESS_BIN/bytes" hex "$BATS_TEST_TMPDIR/five" 9 2
    assert_output ''
}

@test "bytes rejects a missing file and bad numbers" {
    run -1 "$HARNESS_BIN/bytes" crc32 "$BATS_TEST_TMPDIR/missing"
    assert_output --partial 'No such file or directory'
    : >"$BATS_TEST_TMPDIR/empty"
    run -2 "$HARNESS_BIN/bytes" hex "$BATS_TEST_TMPDIR/empty" -1 4
    assert_output --partial 'whole numbers'
    run -2 "$HARNESS_BIN/bytes" size "$BATS_TEST_TMPDIR/empty"
    assert_output --partial usage
}

@test "scripted writes in pieces of at most CHUNK bytes" {
    start_recorder -n 1
    run -0 "$HARNESS_BIN/scripted" "127.0.0.1:$PORT" chunk:3 sendtext:abcdefg
    assert_line --index 0 "connect 127.0.0.1:$PORT"
    assert_line --index 1 "send 3"
    assert_line --index 2 "send 3"
    assert_line --index 3 "send 1"
    assert_line --index 4 "close"
}

@test "recorder logs the bytes and the EOF of a client sending in chunks of 3" {
    start_recorder -n 1 -x
    run -0 "$HARNESS_BIN/scripted" "127.0.0.1:$PORT" chunk:3 delay:5 \
        sendtext:hello shut:wr recvall
    wait_for_exit "$RECORDER"
    assert_equal "$status" 0
    assert_equal "$(recv_hex 1)" "68656c6c6f"
    assert_equal "$(recv_total 1)" 5
    run -0 grep -Ev '^recv ' "$LOG"
    assert_line --index 0 "listen 127.0.0.1:$PORT"
    assert_line --index 1 --regexp '^accept 1 127\.0\.0\.1:[0-9]+$'
    assert_line --index 2 "eof 1"
    assert_line --index 3 "close 1"
}

@test "recorder logs one recv line per read, each at most -c bytes" {
    start_recorder -n 1 -c 4
    run -0 "$HARNESS_BIN/scripted" "127.0.0.1:$PORT" sendtext:0123456789
    wait_for_exit "$RECORDER"
    run -0 awk '$1 == "recv" && ($3 < 1 || $3 > 4)' "$LOG"
    assert_output ""
    assert_equal "$(recv_total 1)" 10
}

@test "recorder echoes every chunk back with -e" {
    start_recorder -n 1 -e -x
    run -0 "$HARNESS_BIN/scripted" -O "$BATS_TEST_TMPDIR/got" \
        "127.0.0.1:$PORT" sendtext:hel recv:3 sendtext:lo recv:2
    assert_file_contains "$BATS_TEST_TMPDIR/got" '^hello$'
    assert_equal "$(wc -c <"$BATS_TEST_TMPDIR/got")" 5
    wait_for_exit "$RECORDER"
    run -0 grep -E '^(recv|send) ' "$LOG"
    assert_output "recv 1 3 68656c
send 1 3
recv 1 2 6c6f
send 1 2"
}

@test "recorder logs rst when the client resets the connection" {
    start_recorder -n 1 -e
    # Waiting for the echo first makes sure the data was read before the RST.
    run -0 "$HARNESS_BIN/scripted" "127.0.0.1:$PORT" sendtext:abc recv:3 rst
    assert_line "close rst"
    wait_for_exit "$RECORDER"
    assert_equal "$status" 0
    run -0 tail -n 2 "$LOG"
    assert_output "rst 1
close 1"
}

@test "recorder sends a file with -s, half-closes with -S, and the client sees EOF" {
    printf 'welcome\n' >"$BATS_TEST_TMPDIR/greet"
    start_recorder -n 1 -s "$BATS_TEST_TMPDIR/greet" -S
    run -0 "$HARNESS_BIN/scripted" -O "$BATS_TEST_TMPDIR/got" \
        "127.0.0.1:$PORT" recvall
    assert_line "eof"
    assert_files_equal "$BATS_TEST_TMPDIR/greet" "$BATS_TEST_TMPDIR/got"
    wait_for_exit "$RECORDER"
    run -0 grep -Ev '^(listen|accept) ' "$LOG"
    assert_output "send 1 8
shutdown 1 SHUT_WR
eof 1
close 1"
}

@test "recorder sends the -a reply only after the client's EOF" {
    printf 'answer' >"$BATS_TEST_TMPDIR/reply"
    start_recorder -n 1 -a "$BATS_TEST_TMPDIR/reply"
    run -0 "$HARNESS_BIN/scripted" -O "$BATS_TEST_TMPDIR/got" \
        "127.0.0.1:$PORT" sendtext:question shut:wr recvall
    assert_files_equal "$BATS_TEST_TMPDIR/reply" "$BATS_TEST_TMPDIR/got"
    wait_for_exit "$RECORDER"
    run -0 tail -n 3 "$LOG"
    assert_output "eof 1
send 1 6
close 1"
}

@test "recorder saves the bytes of each connection with -d" {
    mkdir "$BATS_TEST_TMPDIR/saved"
    start_recorder -n 2 -d "$BATS_TEST_TMPDIR/saved"
    run -0 "$HARNESS_BIN/scripted" "127.0.0.1:$PORT" send:00ff0a41
    run -0 "$HARNESS_BIN/scripted" "127.0.0.1:$PORT" sendtext:second
    wait_for_exit "$RECORDER"
    run -0 od -An -tx1 "$BATS_TEST_TMPDIR/saved/conn-1.bin"
    assert_output --regexp '^ *00 ff 0a 41$'
    assert_file_contains "$BATS_TEST_TMPDIR/saved/conn-2.bin" '^second$'
}

@test "recorder exits with status 0 after -n connections have ended" {
    start_recorder -n 2
    run -0 "$HARNESS_BIN/scripted" "127.0.0.1:$PORT" sendtext:one
    run -0 "$HARNESS_BIN/scripted" "127.0.0.1:$PORT" sendtext:two
    wait_for_exit "$RECORDER"
    assert_equal "$status" 0
    assert_file_contains "$LOG" '^close 2$'
}

@test "recorder exits with status 0 on SIGTERM" {
    start_recorder
    kill -TERM -- "-$RECORDER"
    wait_for_exit "$RECORDER"
    assert_equal "$status" 0
}

@test "recorder logs a failed send and goes on to the next connection" {
    # More than both socket buffers can ever hold (their largest sizes plus
    # 1 MiB), so the send is still going on when the client resets.
    local wmem rmem
    read -r _ _ wmem </proc/sys/net/ipv4/tcp_wmem
    read -r _ _ rmem </proc/sys/net/ipv4/tcp_rmem
    if (( wmem + rmem > 60 * 1024 * 1024 )); then
        skip "TCP buffers too large for the recorder's 64 MiB file limit"
    fi
    truncate -s $(( wmem + rmem + 1024 * 1024 )) "$BATS_TEST_TMPDIR/big"
    start_recorder -n 2 -s "$BATS_TEST_TMPDIR/big"
    run -0 "$HARNESS_BIN/scripted" "127.0.0.1:$PORT" recv:1 rst
    wait_for_line "$LOG" '^close 1$' "$RECORDER"
    run -0 grep '^error 1 ' "$LOG"
    assert_output --regexp '^error 1 send: (Broken pipe|Connection reset by peer)$'
    # The second connection gets the file as well; it just closes.
    run -0 "$HARNESS_BIN/scripted" "127.0.0.1:$PORT" close
    wait_for_exit "$RECORDER"
    assert_equal "$status" 0
    assert_file_contains "$LOG" '^accept 2 '
}

@test "recorder listens on a unix socket, replacing a stale socket file" {
    local sock=$BATS_TEST_TMPDIR/s.sock
    # A recorder killed by SIGTERM leaves its socket file behind.
    setsid "$HARNESS_BIN/recorder" -o "$LOG" "unix:$sock" 3>&- &
    # Kept at once: a poll's nap opens a process substitution, which sets $! too.
    local stale=$!
    PIDS+=("$stale")
    wait_for_line "$LOG" "^listen unix:$sock\$" "$stale"
    kill -TERM -- "-$stale"
    wait_for_exit "$stale"
    assert_socket_exists "$sock"

    : >"$LOG"
    setsid "$HARNESS_BIN/recorder" -n 1 -o "$LOG" -x "unix:$sock" 3>&- &
    RECORDER=$!
    PIDS+=("$RECORDER")
    wait_for_line "$LOG" "^listen unix:$sock\$" "$RECORDER"
    run -0 "$HARNESS_BIN/scripted" "unix:$sock" sendtext:hi
    assert_line --index 0 "connect unix:$sock"
    wait_for_exit "$RECORDER"
    assert_equal "$status" 0
    assert_file_contains "$LOG" "^accept 1 unix:$sock\$"
    assert_file_contains "$LOG" '^recv 1 2 6869$'
}

@test "recorder refuses to replace a file that is not a socket" {
    local path=$BATS_TEST_TMPDIR/not-a-socket
    echo keep >"$path"
    run -1 "$HARNESS_BIN/recorder" -o "$LOG" "unix:$path"
    assert_output "recorder: remove stale socket unix:$path: Socket operation on non-socket"
    assert_file_contains "$path" '^keep$'
}

@test "recorder rejects a malformed port with status 2" {
    run -2 "$HARNESS_BIN/recorder" 80x
    assert_output --partial "bad port"
}

@test "scripted reports a refused connection with status 1" {
    local port
    port=$("$HARNESS_BIN/freeport")
    run -1 "$HARNESS_BIN/scripted" "127.0.0.1:$port" sendtext:x
    assert_output "error connect: Connection refused"
}

@test "scripted rejects an unknown step with a usage message and status 2" {
    run -2 "$HARNESS_BIN/scripted" 127.0.0.1:9 sendtext:x jump:3
    assert_line --index 0 --partial "bad step 'jump:3'"
    assert_line --index 1 --partial "usage: scripted"
}

@test "scripted fails a step on a connection it has closed, with status 1" {
    start_recorder -n 1
    run -1 "$HARNESS_BIN/scripted" "127.0.0.1:$PORT" close sendtext:x
    assert_line --index 1 "close"
    assert_line --index 2 "error send: Bad file descriptor"
}

@test "scripted logs rst when the server resets the connection" {
    run_reset_client recvall
    assert_equal "$status" 0
    assert_output "connect 127.0.0.1:$PORT
rst
close"
}

@test "scripted reports a send on a reset connection as an error with status 1" {
    run_reset_client recvall sendtext:x
    assert_equal "$status" 1
    assert_output "connect 127.0.0.1:$PORT
rst
error send: Broken pipe
close"
}

@test "scripted writes the bytes it receives to -O FILE" {
    printf 'abc\000def' >"$BATS_TEST_TMPDIR/greet"
    start_recorder -n 1 -s "$BATS_TEST_TMPDIR/greet" -S
    run -0 "$HARNESS_BIN/scripted" -O "$BATS_TEST_TMPDIR/got" \
        "127.0.0.1:$PORT" recv:4 recvall
    assert_files_equal "$BATS_TEST_TMPDIR/greet" "$BATS_TEST_TMPDIR/got"
}

@test "nsholder creates its ready file and exits 0 when its time is up" {
    run -0 "$HARNESS_BIN/nsholder" "$BATS_TEST_TMPDIR/ready" 0
    assert_output ""
    assert_file_contains "$BATS_TEST_TMPDIR/ready" '^ready$'
}

@test "nsholder -n brings lo up in a network namespace of its own and exits 0 on SIGTERM" {
    if ! unshare -n true 2>/dev/null; then
        skip "this machine does not allow new network namespaces"
    fi
    setsid "$HARNESS_BIN/nsholder" -n "$BATS_TEST_TMPDIR/ready" 20 3>&- &
    local holder=$!
    PIDS+=("$holder")
    wait_for_line "$BATS_TEST_TMPDIR/ready" '^ready$' "$holder"
    assert_not_equal "$(readlink "/proc/$holder/ns/net")" "$(readlink /proc/self/ns/net)"
    run -0 nsenter -t "$holder" -n ip -o link show lo
    assert_output --regexp '<[^>]*\bUP\b'
    kill -TERM -- "-$holder"
    wait_for_exit "$holder"
    assert_equal "$status" 0
}

@test "nsholder -U, started by an ordinary user, is root in a user namespace of its own with lo up" {
    if ! command -v setpriv >/dev/null ||
        ! setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U -n true 2>/dev/null; then
        skip "needs setpriv and unprivileged user namespaces"
    fi
    # The ready file's directory, reachable by nobody (Bats makes its directories root's alone).
    local dir="$BATS_TEST_TMPDIR/nobody"
    mkdir "$dir" && chmod 777 "$dir"
    chmod a+x "$BATS_RUN_TMPDIR" "${BATS_TEST_TMPDIR%/*}" "$BATS_TEST_TMPDIR"
    setsid setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$HARNESS_BIN/nsholder" -U "$dir/ready" 20 3>&- &
    local holder=$!
    PIDS+=("$holder")
    wait_for_line "$dir/ready" '^ready$' "$holder"
    assert_not_equal "$(readlink "/proc/$holder/ns/user")" "$(readlink /proc/self/ns/user)"
    run -0 cat "/proc/$holder/uid_map"
    assert_output --regexp '^ +0 +65534 +1$'
    run -0 cat "/proc/$holder/gid_map"
    assert_output --regexp '^ +0 +65534 +1$'
    run -0 nsenter -t "$holder" -U -n --preserve-credentials ip -o link show lo
    assert_output --regexp '<[^>]*\bUP\b'
    kill -TERM -- "-$holder"
    wait_for_exit "$holder"
    assert_equal "$status" 0
}

@test "nsholder -n says why when the machine allows it no new namespace" {
    if ! command -v setpriv >/dev/null; then
        skip "needs setpriv"
    fi
    # An ordinary user may not make a network namespace without a user namespace of its own.
    run -1 setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$HARNESS_BIN/nsholder" -n "$BATS_TEST_TMPDIR/ready" 5
    assert_output "nsholder: unshare: Operation not permitted"
    assert_not_exists "$BATS_TEST_TMPDIR/ready"
}

@test "nsholder rejects an unknown option with its usage and status 2" {
    run -2 "$HARNESS_BIN/nsholder" -x "$BATS_TEST_TMPDIR/ready" 5
    assert_line "usage: nsholder [-n | -U] READYFILE SECONDS [CAPTURE]"
    assert_not_exists "$BATS_TEST_TMPDIR/ready"
}

@test "nsholder says why when it may not bring lo up" {
    if ! unshare -n true 2>/dev/null || ! command -v setpriv >/dev/null; then
        skip "needs unshare -n (root) and setpriv"
    fi
    run -1 unshare -n setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$HARNESS_BIN/nsholder" "$BATS_TEST_TMPDIR/ready" 5
    assert_output "nsholder: SIOCSIFFLAGS lo: Operation not permitted"
    assert_not_exists "$BATS_TEST_TMPDIR/ready"
}

# start_udppeer OPTION... - start the udppeer as a server on a free port (PORT), logging to $LOG,
# and wait until it says it is bound.
start_udppeer() {
    PORT=$("$HARNESS_BIN/freeport")
    setsid "$HARNESS_BIN/udppeer" -o "$LOG" "$@" serve "$PORT" 3>&- &
    UDPPEER=$!
    PIDS+=("$UDPPEER")
    wait_for_line "$LOG" "^bound 127\.0\.0\.1:$PORT\$" "$UDPPEER"
}

@test "udppeer serve echoes each datagram to its sender and logs its whole length" {
    start_udppeer -x
    run -0 "$HARNESS_BIN/udppeer" -w 2000 send "127.0.0.1:$PORT" text:hello text: hex:00ff
    assert_line --regexp '^bound 127\.0\.0\.1:[0-9]+$'
    assert_line "send 1 5 127.0.0.1:$PORT"
    assert_line "reply 1 5 127.0.0.1:$PORT"
    assert_line "reply 2 0 127.0.0.1:$PORT"
    assert_line "reply 3 2 127.0.0.1:$PORT"
    refute_line --partial quiet
    wait_for_line "$LOG" '^echo 3 2 '
    run -0 grep -c '^recv [123] ' "$LOG"
    assert_output 3
    assert_file_contains "$LOG" '^recv 1 5 127\.0\.0\.1:[0-9]* 68656c6c6f$'
}

@test "udppeer serve drops the first datagrams with -d and answers from another port with -F" {
    start_udppeer -d 1 -F
    run -0 "$HARNESS_BIN/udppeer" -w 300 send "127.0.0.1:$PORT" text:one text:two
    assert_line --regexp '^reply 1 3 127\.0\.0\.1:[0-9]+$'
    refute_line "reply 1 3 127.0.0.1:$PORT"
    assert_line "quiet 300"
    assert_file_contains "$LOG" '^drop 1$'
    wait_for_line "$LOG" '^echo 2 3 127\.0\.0\.1:[0-9]+ from 127\.0\.0\.1:[0-9]+$'
}

@test "udppeer send saves each reply whole, a 65507-byte one too" {
    start_udppeer
    head -c 65507 /dev/urandom >"$BATS_TEST_TMPDIR/big"
    mkdir "$BATS_TEST_TMPDIR/replies"
    run -0 "$HARNESS_BIN/udppeer" -O "$BATS_TEST_TMPDIR/replies" -w 2000 \
        send "127.0.0.1:$PORT" "file:$BATS_TEST_TMPDIR/big"
    assert_line "reply 1 65507 127.0.0.1:$PORT"
    cmp "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/replies/1.bin"
}

@test "udppeer refuses a bad datagram before sending anything" {
    run -2 "$HARNESS_BIN/udppeer" send 127.0.0.1:9 text:ok bogus
    assert_output --partial "bad datagram 'bogus'"
    refute_output --partial "send 1"
}

@test "loadpeer sends messages, checks each echo and reports counts and latencies" {
    start_recorder -e
    run -0 "$HARNESS_BIN/loadpeer" -n 1 -r 3 -s 100 "127.0.0.1:$PORT"
    assert_line --index 0 "open 1"
    assert_line --index 1 --regexp '^opened in [0-9]+ ms$'
    assert_line --index 2 "echoed 3"
    assert_line --regexp '^latency p50 [0-9]+ p99 [0-9]+ us$'
    assert_line --regexp '^rate [0-9]+ per second$'
    assert_line "done ok"
    # The recorder got the opening message and the 3 rounds: 4 messages of 100 bytes.
    wait_for_line "$LOG" "^send 1 " "$RECORDER"
    [[ $(awk '$1 == "recv" { n += $3 } END { print n }' "$LOG") -eq 400 ]]
}

@test "loadpeer reports the connection it is stuck on when no echo comes, and exits 1" {
    start_recorder
    run -1 "$HARNESS_BIN/loadpeer" -t 1 -n 1 -s 10 "127.0.0.1:$PORT"
    assert_line "stuck 1 waiting sent 10 got 0 of message 1"
    assert_line "stall 1 after 1 s without progress"
    assert_line "done failed"
}

@test "loadpeer counts a connection the server resets as failed" {
    start_recorder -R
    run -1 "$HARNESS_BIN/loadpeer" -t 2 -n 1 "127.0.0.1:$PORT"
    assert_line --regexp '^(rst|eof|error) 1 '
    assert_line "open 0"
    assert_line "failed 1"
}

@test "loadpeer refuses a load that its descriptor limit cannot hold" {
    run -2 bash -c 'ulimit -n 64 && exec "$0" -n 100 127.0.0.1:9' "$HARNESS_BIN/loadpeer"
    assert_output "error RLIMIT_NOFILE 64 is too low for 100 connections"
}

@test "loadpeer holds its connections with -H until SIGTERM" {
    start_recorder -e
    setsid "$HARNESS_BIN/loadpeer" -o "$BATS_TEST_TMPDIR/load.log" -H -n 1 "127.0.0.1:$PORT" 3>&- &
    local load=$!
    PIDS+=("$load")
    wait_for_line "$BATS_TEST_TMPDIR/load.log" '^hold$' "$load"
    kill -TERM "$load"
    wait_for_exit "$load"
    wait_for_line "$BATS_TEST_TMPDIR/load.log" '^done ok$'
}

@test "loadpeer -h half-closes after its message and wants the whole echo, then EOF" {
    start_recorder -e
    run -0 "$HARNESS_BIN/loadpeer" -h -r 0 -n 1 -s 1000 "127.0.0.1:$PORT"
    assert_line "eof 1 after the whole echo"
    assert_line "open 1"
    assert_line "done ok"
}
