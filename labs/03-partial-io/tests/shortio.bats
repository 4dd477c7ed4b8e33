#!/usr/bin/env bats
# shellcheck disable=SC2034  # Bats reads BATS_TEST_TIMEOUT
# Lab 03: short counts and EINTR. The short-I/O injector (harness/shortio) makes every read(),
# write() and writev() on a socket move between 1 and MAX bytes, and some fail with EINTR; each
# test names its seed, and a failing test prints the settings that replay it.
BATS_TEST_TIMEOUT=60

bats_load_library sockets-harness
load helpers

# writen_survives SEED MAX EINTR% - msgsend -r writes 1 MiB with writen() under the injector;
# the recorder must receive exactly those bytes.
writen_survives() {
    random_file "$T/data.bin" 1048576
    with_shortio "$1" "$2" "$3"
    send_to_recorder -r "$T/data.bin"
    h_eintr_check "$3" writen write
    check_raw_stream "$T/data.bin" "$T/rec/conn-1.bin" \
        "msgsend -r wrote 1048576 bytes with writen(), each write() cut to at most $2 bytes${3:+ and $3% failing with EINTR}" \
        "$(sender_said)"
    expect_send_ok
}

# send_msg_survives SEED MAX EINTR% SIZE... - msgsend -n sends messages of the SIZEs with
# send_msg() under the injector; the recorder must receive exactly their frames.
send_msg_survives() {
    local seed=$1 max=$2 eintr=$3 i=0 size files=()
    shift 3
    : >"$T/expected.bin"
    for size in "$@"; do
        i=$((i + 1))
        random_file "$T/m$i.bin" "$size"
        frame "$T/m$i.bin" "$T/m$i.framed"
        cat "$T/m$i.framed" >>"$T/expected.bin"
        files+=("$T/m$i.bin")
    done
    with_shortio "$seed" "$max" "$eintr"
    send_to_recorder -n "${files[@]}"
    h_eintr_check "$eintr" writev_all writev
    check_framed_stream "$T/expected.bin" "$T/rec/conn-1.bin" \
        "msgsend sent messages of $* bytes with send_msg(), each writev() cut to at most $max bytes${eintr:+ and $eintr% failing with EINTR}" \
        "$(sender_said)"
    expect_send_ok
}

# recv_msg_survives SEED MAX EINTR% SIZE... - the scripted peer sends messages of the SIZEs to
# msgrecv running under the injector; msgrecv must receive each whole and acknowledge it.
recv_msg_survives() {
    local seed=$1 max=$2 eintr=$3 i=0 size steps=()
    shift 3
    : >"$T/acks.bin"
    for size in "$@"; do
        i=$((i + 1))
        random_file "$T/m$i.bin" "$size"
        frame "$T/m$i.bin" "$T/m$i.framed"
        ack_for "$T/m$i.bin" "$T/m$i.ack"
        cat "$T/m$i.ack" >>"$T/acks.bin"
        steps+=(sendfile:"$T/m$i.framed")
    done
    with_shortio "$seed" "$max" "$eintr"
    start_server
    run_client client "${steps[@]}" recv:$((12 * i))
    for ((i = 1; i <= $#; i++)); do
        check_received "$T/m$i.bin" "$T/got/conn-1-msg-$i.bin" server "$max"
    done
    check_acks "$T/acks.bin" "$T/client.bin"
}

# h_eintr_check EINTR% FUNCTION CALL - with EINTR injected, the sender must not have given up
# with "Interrupted system call". Checked before the bytes: a sender that gave up on EINTR also
# sent too few, and the reason is the EINTR.
h_eintr_check() {
    [[ -n "$1" && "$1" != 0 ]] || return 0
    if grep -q 'Interrupted system call' "$(err_of sender)"; then
        diagnose "msgsend gave up: '$(grep -m 1 'Interrupted system call' "$(err_of sender)")'" \
            "EINTR treated as fatal: $3() failing with EINTR moved no byte (a signal arrived first); $2() must call it again"
    fi
}

# The first seed of each function and the cuts inside the header come first: syscalls.bats and
# units.bats, run beside this file under --jobs, need them and wait for their verdicts.

# points: 2
@test "writen writes all of 1 MiB through short writes (seed 11)" {
    needs "writen sends every byte of a buffer"
    writen_survives 11 4096 ""
}

# points: 2
@test "send_msg sends all of a 1 MiB message through short writevs (seed 11)" {
    needs "send_msg frames a 5-byte message as a 4-byte big-endian length and the body"
    send_msg_survives 11 4096 "" 1048576
}

# points: 2
@test "a writev cut inside the header goes on from the byte where it stopped" {
    needs "send_msg sends all of a 1 MiB message through short writevs (seed 11)"
    send_msg_survives 5 3 "" 200 0 3 50
}

# points: 2
@test "recv_msg receives all of a 1 MiB message through short reads (seed 11)" {
    # msgrecv acknowledges with send_msg(), its acknowledgements cut too: that side first.
    needs "send_msg sends all of a 1 MiB message through short writevs (seed 11)"
    recv_msg_survives 11 4096 "" 1048576
}

# points: 2
@test "a read cut inside the header goes on from the byte where it stopped" {
    needs "recv_msg receives all of a 1 MiB message through short reads (seed 11)"
    recv_msg_survives 5 3 "" 200 0 3 50
}

# points: 1
@test "writen writes all of 1 MiB through short writes (seed 23)" {
    needs "writen writes all of 1 MiB through short writes (seed 11)"
    writen_survives 23 1000 ""
}

# points: 1
@test "writen writes all of 1 MiB through short writes (seed 47)" {
    needs "writen writes all of 1 MiB through short writes (seed 11)"
    writen_survives 47 65536 ""
}

# points: 1
@test "send_msg sends all of a 1 MiB message through short writevs (seed 23)" {
    needs "send_msg sends all of a 1 MiB message through short writevs (seed 11)"
    send_msg_survives 23 1000 "" 1048576
}

# points: 1
@test "send_msg sends all of a 1 MiB message through short writevs (seed 47)" {
    needs "send_msg sends all of a 1 MiB message through short writevs (seed 11)"
    send_msg_survives 47 65536 "" 1048576
}

# points: 1
@test "recv_msg receives all of a 1 MiB message through short reads (seed 23)" {
    needs "recv_msg receives all of a 1 MiB message through short reads (seed 11)"
    recv_msg_survives 23 1000 "" 1048576
}

# points: 1
@test "recv_msg receives all of a 1 MiB message through short reads (seed 47)" {
    needs "recv_msg receives all of a 1 MiB message through short reads (seed 11)"
    recv_msg_survives 47 65536 "" 1048576
}

# points: 2
@test "writen retries a write() that fails with EINTR" {
    needs "writen writes all of 1 MiB through short writes (seed 11)"
    writen_survives 31 4096 30
}

# points: 2
@test "send_msg retries a writev() that fails with EINTR" {
    needs "send_msg sends all of a 1 MiB message through short writevs (seed 11)"
    send_msg_survives 31 4096 30 100000 0 7
}

# points: 2
@test "recv_msg retries a read() that fails with EINTR" {
    # msgrecv acknowledges with send_msg(): its EINTR handling is tested first.
    needs "recv_msg receives all of a 1 MiB message through short reads (seed 11)" \
        "send_msg retries a writev() that fails with EINTR"
    recv_msg_survives 31 4096 30 100000 0 7
}
