#!/usr/bin/env bats
# Lab 07: timeouts. connect_timeout() against a listener, a closed port, a full accept queue and
# a port whose SYNs are dropped; listen_reuse() across TIME_WAIT; read timeouts on both ends.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# The longest right run here is a 1.5 s read timeout: a program that hangs shows in 8 s.
STUDENT_TIMEOUT=8

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/opt_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# points: 2
@test "connect_timeout connects to a listening port and returns the socket in blocking mode" {
    start_recorder
    optool connect 127.0.0.1 "$PORT" $((3000 * H_SLOW))
    local hint
    hint=$(stub_hint)
    [[ -z "$hint" ]] || { diagnose "optool connect 127.0.0.1 $PORT: $(said)" "$hint"; return 1; }
    if [[ $status -eq 0 && "$output" == *"mode non-blocking"* ]]; then
        diagnose "connect_timeout() connected, but the descriptor it returned still has O_NONBLOCK set ($(said))" \
            "restore the socket's blocking mode once the connection is made: fcntl(fd, F_SETFL, flags) with the flags read by F_GETFL before you added O_NONBLOCK. The caller's read() would otherwise fail with EAGAIN instead of waiting"
        return 1
    fi
    [[ $status -eq 0 && "$output" == $'connected\nmode blocking' ]] && return 0
    if [[ "${stderr,,}" == *"in progress"* ]]; then
        diagnose "the test's recorder listens on 127.0.0.1:$PORT; connect_timeout() failed: $(said)" \
            "connect() on a non-blocking socket fails with EINPROGRESS: that is not an error but 'the handshake has started'. Only then wait (poll() for POLLOUT, with the time limit), and ask SO_ERROR how it ended"
    elif [[ "$output" == timeout* ]]; then
        diagnose "the test's recorder listens on 127.0.0.1:$PORT and accepts at once; connect_timeout() reported a timeout after $took ms: $(said)" \
            "a connect in progress is over when the socket becomes WRITABLE: poll() for POLLOUT (a new connection has nothing to read, so POLLIN never comes). Is the time limit in milliseconds?"
    else
        diagnose "the test's recorder listens on 127.0.0.1:$PORT; optool connect: $(said)" \
            "connect_timeout(): socket(), O_NONBLOCK with fcntl(), connect() (EINPROGRESS), poll() for POLLOUT with TIMEOUT_MS, getsockopt(SO_ERROR) (0: connected), then the old flags back; return the descriptor"
    fi
}

# points: 2
@test "connect_timeout reports a closed port as refused at once, not as connected or as a timeout" {
    local limit=$((3000 * H_SLOW))
    optool connect 127.0.0.1 "$PORT" "$limit"
    local hint
    hint=$(stub_hint)
    [[ -z "$hint" ]] || { diagnose "optool connect 127.0.0.1 $PORT: $(said)" "$hint"; return 1; }
    [[ $status -eq 3 && "$output" == refused ]] && return 0
    if [[ "$output" == connected* ]]; then
        diagnose "nothing listens on 127.0.0.1:$PORT (the kernel answers the SYN with a RST), yet connect_timeout() returned a descriptor: $(said)" \
            "poll() says only that the connect is OVER, not that it worked: a refused connect makes the socket writable too. Read getsockopt(SOL_SOCKET, SO_ERROR) after poll(); when it is not 0, set errno to it (ECONNREFUSED) and fail"
    elif [[ "$output" == timeout* || $status -eq 124 ]]; then
        diagnose "nothing listens on 127.0.0.1:$PORT, which is refused at once; connect_timeout() ($limit ms) took $took ms and $(said)" \
            "a refusal ends the wait: poll() returns as soon as the RST comes (POLLOUT with POLLERR/POLLHUP). Then SO_ERROR holds ECONNREFUSED: return -1 with errno set to it, not ETIMEDOUT"
    else
        diagnose "nothing listens on 127.0.0.1:$PORT; optool connect: $(said)" \
            "report a refused connect as errno ECONNREFUSED (from SO_ERROR after poll(), or from connect() itself if it fails at once), with nothing left open"
    fi
}

# points: 2
@test "connect_timeout gives up on a full accept queue when its time is up, not before" {
    needs "connect_timeout connects to a listening port and returns the socket in blocking mode"
    spawn_optool server serve -b 0 -n "$PORT"
    wait_for_port "$PORT" server
    # backlog 0: the queue holds one connection that nobody accepts; the next SYN is dropped.
    spawn_peer filler scripted "127.0.0.1:$PORT" pause:60000
    wait_until 10 queue_holds "$PORT" 1 || true
    local limit=400 queued waited
    optool connect 127.0.0.1 "$PORT" "$limit"
    queued=$(listen_queue "$PORT")
    if [[ "$output" == connected* && "${queued:-0}" -ge 2 ]]; then
        diagnose "optool serve -b 0 (listen_reuse(PORT, 0)) accepts nothing; after one connection a second one still got in: $queued wait in its accept queue" \
            "listen_reuse() must pass BACKLOG on to listen(): listen(fd, backlog), not a constant such as SOMAXCONN"
        return 1
    fi
    waited=$(waited_ms)
    [[ $status -eq 4 && "$output" == "timeout after "* && ${waited:-0} -ge $limit ]] && return 0
    if [[ "$output" == timeout* ]]; then
        diagnose "the listener's accept queue is full, so its kernel drops the SYN; connect_timeout($limit ms) reported a timeout after only ${waited:-?} ms" \
            "poll()'s timeout is in MILLISECONDS: pass TIMEOUT_MS as it is (not TIMEOUT_MS / 1000, seconds); after EINTR, wait again for the time left, never give up early"
    elif [[ $status -eq 124 ]]; then
        diagnose "the listener's accept queue is full, so its kernel drops the SYN; connect_timeout($limit ms) was still waiting ${STUDENT_TIMEOUT}s later" \
            "connect() on a blocking socket waits for the kernel's own limit (over a minute of SYN retries): make the socket non-blocking and poll() for POLLOUT with TIMEOUT_MS (milliseconds, not microseconds)"
    elif [[ "$output" == connected* ]]; then
        diagnose "the listener's accept queue is full (its SYNs are dropped), yet connect_timeout($limit ms) returned a descriptor: $(said)" \
            "when poll() returns 0 the time ran out: close the socket and fail with errno ETIMEDOUT; only a ready socket whose SO_ERROR is 0 is connected"
    else
        diagnose "the listener's accept queue is full, so its kernel drops the SYN; connect_timeout($limit ms) took $took ms and $(said)" \
            "when poll() returns 0, the time is up: close the socket and return -1 with errno = ETIMEDOUT, so the caller can tell a timeout ('timeout') from other failures"
    fi
}

# points: 2
@test "connect_timeout waits through signals for the time left, no longer" {
    needs "connect_timeout gives up on a full accept queue when its time is up, not before"
    spawn_optool server serve -b 0 -n "$PORT"
    wait_for_port "$PORT" server
    spawn_peer filler scripted "127.0.0.1:$PORT" pause:60000
    wait_until 10 queue_holds "$PORT" 1 || true
    local limit=1000 pid i waited
    spawn_optool waiter connect 127.0.0.1 "$PORT" "$limit"
    # The first signal only once its SYN is out: optool has its handler by then (before it,
    # SIGUSR1 would kill it), and connect_timeout() is waiting.
    if ! wait_until 5 syn_sent_to "$PORT" || ! pid=$(program_pid waiter); then
        wait_for_exit waiter 1
        outputs_of waiter
        diagnose "optool connect 127.0.0.1 $PORT $limit, to a full accept queue ($(listen_queue "$PORT") connections wait in it), sent no SYN that waits for an answer: $(said)" \
            "connect_timeout(): socket(), O_NONBLOCK, connect() (EINPROGRESS: the SYN is sent), then poll() for POLLOUT"
        return 1
    fi
    # A SIGUSR1 every 100 ms while it waits, for 6 s at most: each one interrupts its poll().
    local end=$((${EPOCHREALTIME/[.,]/} / 1000 + 6000))
    for ((i = 0; i < 60; i++)); do
        is_running waiter && ((${EPOCHREALTIME/[.,]/} / 1000 < end)) || break
        kill -USR1 "$pid" 2>/dev/null || break
        h_nap 0.1
    done
    wait_for_exit waiter "$STUDENT_TIMEOUT"
    outputs_of waiter
    waited=$(waited_ms)
    local story="optool connect to a full accept queue with a ${limit} ms limit got a SIGUSR1 every 100 ms while it waited"
    if [[ $status -eq 1 && "${stderr,,}" == *"interrupted system call"* ]]; then
        diagnose "$story; connect_timeout() failed: $(said)" \
            "a signal makes poll() fail with EINTR: that is not an error of the connection. Wait again, for the time left until the deadline"
        return 1
    fi
    if [[ $status -eq 124 || ( -n "$waited" && $waited -ge $((limit * 4)) ) ]]; then
        diagnose "$story (for 6 s at most); connect_timeout() was still waiting after ${waited:-${STUDENT_TIMEOUT}000} ms: $(said)" \
            "after EINTR, wait again for the time LEFT (a deadline from CLOCK_MONOTONIC, minus now), not for the whole TIMEOUT_MS again: every signal restarts the wait, and a signal every 100 ms makes it wait forever"
        return 1
    fi
    if [[ $status -eq 4 && -n "$waited" && $waited -ge $limit ]]; then
        # optool counts the signals it got: none would mean the test proved nothing.
        grep -q '^signals [1-9]' <<<"$output" && return 0
        fail "test set-up: no signal reached optool while it waited ($(said))"
        return 1
    fi
    if [[ $status -eq 4 ]]; then
        diagnose "$story; connect_timeout() reported a timeout after only ${waited:-?} ms: $(said)" \
            "after EINTR, wait again for the time left; a signal is not the end of the time limit"
        return 1
    fi
    diagnose "$story; $(said)" \
        "a signal makes poll() fail with EINTR: wait again for the time left, and when the time is up fail with ETIMEDOUT"
}

# points: 2
@test "connect_timeout gives up on a port whose SYNs are dropped when its time is up" {
    needs "connect_timeout connects to a listening port and returns the socket in blocking mode"
    needs_private_netns "an nftables rule drops the SYNs to one port"
    local rules="$BATS_TEST_TMPDIR/drop.nft" limit=400
    printf 'table inet lab07 {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport %s tcp flags syn drop\n  }\n}\n' "$PORT" >"$rules"
    local nft=nft
    command -v nft >/dev/null || nft=/usr/sbin/nft # in sbin, which a user's PATH may lack
    run in_netns "$nft" -f "$rules"
    [[ $status -eq 0 ]] || { fail "the test could not add its nftables rule (nft -f: status $status: $output); is nftables installed ('make deps')?"; return 1; }
    optool connect 127.0.0.1 "$PORT" "$limit"
    local waited
    waited=$(waited_ms)
    [[ $status -eq 4 && "$output" == "timeout after "* && ${waited:-0} -ge $limit ]] && return 0
    if [[ "$output" == timeout* ]]; then
        diagnose "every SYN to 127.0.0.1:$PORT is dropped (an nftables rule); connect_timeout($limit ms) reported a timeout after only ${waited:-?} ms" \
            "poll()'s timeout is in MILLISECONDS; after EINTR, wait again for the time left, never less than TIMEOUT_MS in all"
    elif [[ $status -eq 124 ]]; then
        diagnose "every SYN to 127.0.0.1:$PORT is dropped; connect_timeout($limit ms) was still waiting ${STUDENT_TIMEOUT}s later" \
            "a blocking connect() retries its SYN for over a minute: make the socket non-blocking and poll() for POLLOUT with TIMEOUT_MS"
    else
        diagnose "every SYN to 127.0.0.1:$PORT is dropped; connect_timeout($limit ms) took $took ms and $(said)" \
            "when poll() returns 0 the time is up: close the socket and return -1 with errno = ETIMEDOUT"
    fi
}

# points: 3
@test "a server restarted while its last connection is in TIME_WAIT listens on the same port at once" {
    spawn_optool first serve -c 1 "$PORT"
    wait_for_port "$PORT" first
    # The server sends hello and closes first: its side of the connection goes to TIME_WAIT.
    run peer scripted "127.0.0.1:$PORT" recvall
    wait_for_exit first 5
    wait_until 5 in_time_wait "$PORT" || true
    local tw
    tw=$(time_wait_count "$PORT")
    [[ "$tw" -ge 1 ]] || { fail "test bug: no connection of port $PORT went to TIME_WAIT (first server's exit status $status)"; return 1; }
    spawn_optool second serve "$PORT"
    wait_until 5 ready_to_serve second || true
    if ! h_listening_on "$PORT"; then
        diagnose "the first server closed its connection first, so $tw connection(s) of port $PORT wait in TIME_WAIT; the restarted server did not listen: $(h_tail_err second)" \
            "set SO_REUSEADDR with setsockopt() BEFORE bind(): bind() is where the port is checked, so setting it after bind() or listen() comes too late, and without it bind() fails with EADDRINUSE while a TIME_WAIT connection holds the port"
        return 1
    fi
}

# points: 2
@test "a read on a quiet connection times out after the time given to set_read_timeout, not before" {
    printf 'hello\n' >"$BATS_TEST_TMPDIR/hello"
    start_recorder -s "$BATS_TEST_TMPDIR/hello"
    local limit=1500 waited
    optool read 127.0.0.1 "$PORT" "$limit"
    local hint
    hint=$(stub_hint)
    [[ -z "$hint" ]] || { diagnose "optool read 127.0.0.1 $PORT $limit: $(said)" "$hint"; return 1; }
    waited=$(waited_ms)
    [[ $status -eq 4 && "$output" == $'data 6\ntimeout after '* && ${waited:-0} -ge $limit ]] && return 0
    if [[ $status -eq 124 ]]; then
        diagnose "the test's recorder sent 6 bytes and then nothing (the connection stays open); after set_read_timeout($limit), optool's read() was still waiting ${STUDENT_TIMEOUT}s later" \
            "SO_RCVTIMEO takes a struct timeval: tv_sec = ms / 1000 and tv_usec = (ms % 1000) * 1000. A timeval of zero means 'no timeout at all'; was the option set on this socket, at level SOL_SOCKET?"
    elif [[ "${stderr,,}" == *"out of domain"* || "${stderr,,}" == *"invalid argument"* ]]; then
        diagnose "set_read_timeout($limit) failed: $(said)" \
            "tv_usec must stay below 1000000: put the whole seconds in tv_sec (ms / 1000) and only the rest in tv_usec ((ms % 1000) * 1000); setsockopt() refuses 1500000 microseconds with EDOM"
    elif [[ "$output" == *timeout* ]]; then
        diagnose "the test's recorder sent 6 bytes and then nothing; after set_read_timeout($limit), the read timed out after only ${waited:-?} ms ($(said))" \
            "the timeval's units: tv_sec = ms / 1000 (seconds) and tv_usec = (ms % 1000) * 1000 (MICROseconds). Dropping the remainder, or putting milliseconds in tv_usec, shortens the timeout"
    else
        diagnose "the test's recorder sent 6 bytes and then nothing; optool read with a $limit ms timeout: $(said)" \
            "set_read_timeout(): setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) with the time as a timeval; a read that times out then fails with EAGAIN/EWOULDBLOCK"
    fi
}

# points: 2
@test "accept_client puts the read timeout on the accepted connection, not on the listener" {
    needs "a read on a quiet connection times out after the time given to set_read_timeout, not before"
    spawn_optool server idle "$PORT" 500
    wait_for_port "$PORT" server
    # The client sends 2 bytes, then stays quiet for 4 s before it closes.
    spawn_peer client scripted -o "$BATS_TEST_TMPDIR/client.log" "127.0.0.1:$PORT" sendtext:hi pause:4000
    wait_for_exit server 8
    local out
    out=$(tr '\n' ' ' <"$(out_of server)")
    [[ $status -eq 4 && "$out" == "listening accepted data 2 timeout after "* ]] && return 0
    if [[ "$out" == *eof* ]]; then
        diagnose "optool idle (accept_client with 500 ms) printed '$out': its read waited until the client closed, 4 s later, instead of timing out after 500 ms" \
            "the read timeout belongs on the descriptor accept() RETURNED: the listening socket's SO_RCVTIMEO only bounds accept() itself, and a change to it after accept() never reaches a connection already accepted"
    else
        diagnose "optool idle $PORT 500 printed '$out' and exited with status $status (124: still running); $(h_tail_err server)" \
            "accept_client(): accept() (again on EINTR), then set_read_timeout() on the new descriptor; close it if that fails"
    fi
}

# points: 1
@test "listen_reuse refuses a port another socket is listening on" {
    needs "a server restarted while its last connection is in TIME_WAIT listens on the same port at once"
    spawn_optool first serve "$PORT"
    wait_for_port "$PORT" first
    local STUDENT_TIMEOUT=2 # a right answer comes at once; a second listener shows in 2 s
    optool serve "$PORT"
    [[ $status -ne 0 && $status -ne 124 && "$stderr" == *"in use"* ]] && return 0
    diagnose "a first server listens on 127.0.0.1:$PORT; a second 'optool serve $PORT' $(said) (124: it was still running)" \
        "SO_REUSEADDR lets a port be bound again while old connections are in TIME_WAIT, never while another socket listens on it. SO_REUSEPORT is another option: it lets several listeners share the port, so the second bind() succeeds. Set SO_REUSEADDR, not SO_REUSEPORT"
}

# points: 1
@test "set_read_timeout refuses a timeout of 0 ms, which would mean no timeout at all" {
    needs "a read on a quiet connection times out after the time given to set_read_timeout, not before"
    printf 'hello\n' >"$BATS_TEST_TMPDIR/hello"
    start_recorder -s "$BATS_TEST_TMPDIR/hello"
    local STUDENT_TIMEOUT=2 # a right answer comes at once; a read that waits forever shows in 2 s
    optool read 127.0.0.1 "$PORT" 0
    [[ $status -eq 1 && "${stderr,,}" == *"invalid argument"* ]] && return 0
    diagnose "optool read with a timeout of 0 ms: $(said) (124: still reading)" \
        "a struct timeval of zero given to SO_RCVTIMEO means 'never time out': refuse TIMEOUT_MS below 1 with errno EINVAL before calling setsockopt()"
}

# ready_to_serve NAME - true once server NAME listens on $PORT or has exited.
ready_to_serve() {
    h_listening_on "$PORT" || ! is_running "$1"
}
