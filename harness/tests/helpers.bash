# shellcheck shell=bash
# helpers.bash - what the harness's own peer and injector tests share.
#
# These tests check the primitives the sockets-harness library is built on (the peers, the
# injector), so they manage their processes by hand instead of through the library; of it they
# use only its polling primitive, poll_until.

bats_load_library sockets-harness/poll.bash

helpers_setup() {
    PIDS=()
    LOG=$BATS_TEST_TMPDIR/recorder.log
}

helpers_teardown() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -- "-$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

# line_or_exited FILE REGEX [PID] - true once a line of FILE matches REGEX, or once process PID
# (if given) has exited.
line_or_exited() {
    grep -Eq -- "$2" "$1" 2>/dev/null || { [[ -n ${3:-} ]] && ! kill -0 "$3" 2>/dev/null; }
}

# wait_for_line FILE REGEX [PID] - poll FILE (poll_until: 20 ms steps, at most 5 s) until a line
# matches REGEX. Fails early if process PID has exited.
wait_for_line() {
    local file=$1 regex=$2 pid=${3:-}
    poll_until 5 line_or_exited "$file" "$regex" "$pid" || true
    if grep -Eq -- "$regex" "$file" 2>/dev/null; then
        return 0
    fi
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
        echo "process $pid exited before '$regex' appeared in $file" >&2
        return 1
    fi
    echo "timed out waiting for '$regex' in $file" >&2
    return 1
}

# gone PID - true once process PID no longer exists (bash has reaped it).
gone() {
    ! kill -0 "$1" 2>/dev/null
}

# wait_for_exit PID - poll (poll_until: 20 ms steps, at most 5 s) until background process PID
# has exited; then set status to its exit status.
wait_for_exit() {
    local pid=$1
    if ! poll_until 5 gone "$pid"; then
        echo "process $pid did not exit within 5 s" >&2
        return 1
    fi
    status=0
    # shellcheck disable=SC2034  # status is for the caller, as Bats' run sets it
    wait "$pid" || status=$?
}

# start_recorder [OPTION...] - start a recorder logging to $LOG on a port
# from freeport, set PORT and RECORDER, and wait for its listen line.
# A port taken in the meantime by another test is retried (3 tries).
start_recorder() {
    local try
    for ((try = 0; try < 3; try++)); do
        PORT=$("$HARNESS_BIN/freeport")
        setsid "$HARNESS_BIN/recorder" -o "$LOG" "$@" "$PORT" \
            2>"$BATS_TEST_TMPDIR/recorder.err" 3>&- &
        RECORDER=$!
        PIDS+=("$RECORDER")
        if wait_for_line "$LOG" "^listen 127\.0\.0\.1:$PORT\$" "$RECORDER"; then
            return 0
        fi
        grep -q "Address already in use" "$BATS_TEST_TMPDIR/recorder.err" ||
            break
    done
    cat "$BATS_TEST_TMPDIR/recorder.err" >&2
    return 1
}

# recv_hex K - the hex of every "recv K COUNT HEX" line of $LOG, joined.
recv_hex() {
    awk -v k="$1" '$1 == "recv" && $2 == k { printf "%s", $4 }' "$LOG"
}

# recv_total K - the sum of the counts of the "recv K COUNT" lines of $LOG.
recv_total() {
    awk -v k="$1" '$1 == "recv" && $2 == k { n += $3 } END { print n + 0 }' "$LOG"
}
