#!/usr/bin/env bats
# shellcheck disable=SC2034  # Bats reads BATS_TEST_TIMEOUT
# Lab 03 under Valgrind memcheck (--leak-check=full --track-fds=yes, set up by the harness):
# msgsend and msgrecv, which link your msgio.c, through whole messages and broken connections,
# each ending with a normal exit so that a leaked descriptor or block shows.
BATS_TEST_TIMEOUT=120

bats_load_library sockets-harness
load helpers

# points: 2
@test "msgsend and msgrecv run clean under Valgrind through whole and broken connections" {
    needs "msgsend and msgrecv exchange messages of 0, 1, 4, 1000 and 1048576 bytes" \
        "recv_msg reports a peer that closes in the middle of a message, without hanging" \
        "recv_msg reports a peer that closes in the middle of a header"
    : >"$T/m1.bin"
    printf hello >"$T/m2.bin"
    random_file "$T/m3.bin" 100000
    random_file "$T/part.bin" 100
    with_valgrind
    start_server -n 3
    spawn_student sender msgsend 127.0.0.1 "$PORT" "$T"/m{1,2,3}.bin
    wait_for_exit sender 30
    SEND_STATUS=$status
    run_client cut-body send:00001388 sendfile:"$T/part.bin" close
    run_client cut-header send:0000 close
    wait_for_exit server 30
    local server_status=$status problems
    [[ $SEND_STATUS == 0 ]] || diagnose "under Valgrind, $(sender_said)" \
        "msgsend must send three messages (0, 5 and 100000 bytes) and get their acknowledgements: see its error above"
    [[ $server_status == 0 ]] || diagnose "msgrecv -n 3 under Valgrind served a whole connection and two broken ones, then $(server_stuck_text server)" \
        "after a peer closes in the middle of a message or a header, recv_msg() returns -1 (EPROTO) and msgrecv goes on; after the third connection it exits 0"
    problems=$(valgrind_report sender; valgrind_report server)
    [[ -z "$problems" ]] && return 0
    if grep -q 'definitely lost\|indirectly lost' <<<"$problems"; then
        diagnose "Valgrind: $problems" \
            "memory your msgio.c allocated was never freed: a malloc() in send_msg() or writev_all() (a copy of the body or of the iovecs) needs a free() on every path out, or better no malloc() at all"
    elif grep -q 'descriptor left open' <<<"$problems"; then
        diagnose "Valgrind: $problems" \
            "a descriptor was left open at exit: msgio.c must not open descriptors of its own (dup(), socket()) or must close them"
    else
        diagnose "Valgrind: $problems" \
            "a memory error in msgio.c: a read or write past a buffer (is the length checked against cap before the body is read into buf? does readn() stay within n bytes?) or a use of uninitialised bytes"
    fi
}
