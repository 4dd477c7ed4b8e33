#!/usr/bin/env bats
# shellcheck disable=SC2034  # Bats reads BATS_TEST_TIMEOUT
# Lab 03: the calls themselves. The bytes on the wire are the same whether the header and the
# body go out in one writev() or in two write()s, so these tests read the injector's call log
# (with_call_log, harness calls.bash): every read, write and writev on the socket, with the count
# asked for and the count returned.
BATS_TEST_TIMEOUT=60

bats_load_library sockets-harness
load helpers

# points: 3
@test "send_msg hands the header and the body to the kernel in one writev() call" {
    needs "send_msg frames a 5-byte message as a 4-byte big-endian length and the body"
    printf hello >"$T/hello.txt"
    random_file "$T/k.bin" 1000
    with_call_log "$T/calls"
    send_to_recorder -n "$T/hello.txt" "$T/k.bin"
    local calls story
    calls=$(awk '$1 ~ /^(write|writev|send|sendmsg|sendto)$/ { sub(/ pid=.*/, ""); print }' "$T/calls")
    story=$'msgsend sent messages of 5 and 1000 bytes with send_msg(); the calls on its socket were:\n'"$(call_log_story "$T/calls")"
    if [[ -z "$calls" ]]; then
        diagnose "$story" "send_msg() made no write-side call on the socket: is it still a stub? ($(sender_said))"
        return 1
    fi
    if [[ "$(awk '{ print $1 }' <<<"$calls" | sort -u)" == writev ]] && grep -q ' iovcnt=2 bytes=9 ret=9 ' <<<"$calls" &&
        grep -q ' iovcnt=2 bytes=1004 ret=1004 ' <<<"$calls" && (($(wc -l <<<"$calls") == 2)); then
        return 0
    fi
    if grep -qE '^(write|send|sendto) .* bytes=4 ' <<<"$calls"; then
        diagnose "$story" "the header and the body went out in separate calls (a 4-byte write, then the body): two system calls per message, and with Nagle's algorithm the 4-byte header may travel alone. Put htonl(len) and the body in two iovecs and send both with one writev_all() call"
    elif grep -qE '^(write|send|sendto) .* bytes=(9|1004) ' <<<"$calls"; then
        diagnose "$story" "the header and the body were copied into one buffer and sent with write(): that copies every body (up to 64 MiB). Put htonl(len) and the body in two iovecs and send both with one writev_all() call"
    elif grep -qE '^writev .* iovcnt=1 ' <<<"$calls"; then
        diagnose "$story" "each writev() had one iovec, so the header and the body were not handed over together: build two iovecs, the 4-byte header and the body, and pass both to one writev_all() call"
    elif grep -qE '^writev .* bytes=4 ' <<<"$calls"; then
        diagnose "$story" "the header and the body went out in separate writev() calls: put both in one iovec array (2 entries) and make one writev_all() call per message"
    else
        diagnose "$story" "send_msg() must make one writev_all() call with two iovecs, the header htonl(len) and the body; without short counts that is exactly one writev() of 4 + len bytes per message"
    fi
}

# points: 1
@test "writev_all asks each writev() for exactly the bytes the previous one left" {
    needs "a writev cut inside the header goes on from the byte where it stopped"
    random_file "$T/m.bin" 300
    with_shortio 5 3
    with_call_log "$T/calls"
    send_to_recorder -n "$T/m.bin"
    local broke
    broke=$(write_chain "$T/calls")
    [[ -z "$broke" ]] && return 0
    diagnose "msgsend sent a 300-byte message with send_msg(), each writev() cut to at most 3 bytes: $broke; the calls were:"$'\n'"$(call_log_story "$T/calls" 8)" \
        "writev_all() must go on with writev() from the exact byte where the last one stopped, asking for exactly what is left (skip the finished iovecs, move iov_base/iov_len of the one cut in part), until every byte is out"
}

# points: 1
@test "writen asks each write() for exactly the bytes the previous one left" {
    needs "writen writes all of 1 MiB through short writes (seed 11)"
    random_file "$T/data.bin" 3000
    with_shortio 5 7
    with_call_log "$T/calls"
    send_to_recorder -r "$T/data.bin"
    local broke
    broke=$(write_chain "$T/calls")
    [[ -z "$broke" ]] && return 0
    diagnose "msgsend -r wrote 3000 bytes with writen(), each write() cut to at most 7 bytes: $broke; the calls were:"$'\n'"$(call_log_story "$T/calls" 8)" \
        "writen() must call write() again after a short write, from buf + done for n - done bytes, until all n bytes are out"
}
