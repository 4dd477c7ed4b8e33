#!/usr/bin/env bats
# Lab 08: the poll() chat server, with the course's scripted clients: who gets which line, and
# that a silent client, one that never reads and one that half-closes hold up nobody.
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# A client of a working server is done at once: a hang shows in 10 s.
STUDENT_TIMEOUT=10

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/servers_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# chat_client NAME STEP... - start a scripted client NAME in the background, saving what it
# receives in NAME.bin and its log in NAME.log.
chat_client() {
    local name=$1
    shift
    spawn_peer "$name" scripted -o "$BATS_TEST_TMPDIR/$name.log" -O "$BATS_TEST_TMPDIR/$name.bin" \
        "127.0.0.1:$PORT" "$@"
}

# got NAME - what client NAME received, for a diagnosis.
got() {
    local f="$BATS_TEST_TMPDIR/$1.bin"
    if [[ ! -s "$f" ]]; then
        echo "nothing"
    else
        echo "'$(brief "$(tr '\n' '|' <"$f")")' ('|' for a newline)"
    fi
}

# received_is NAME TEXT - true if client NAME received exactly TEXT.
received_is() {
    cmp -s "$BATS_TEST_TMPDIR/$1.bin" <(printf '%s' "$2")
}

# points: 3
@test "a line from one client reaches every other client and not its sender" {
    start_server pollchat
    chat_client b recv:7 sendtext:$'from b\n' close
    chat_client c recv:14 close
    wait_for_clients 2 || return 1
    run peer scripted -O "$BATS_TEST_TMPDIR/a.bin" "127.0.0.1:$PORT" sendtext:$'from a\n' recv:7 close
    wait_for_exit b 5
    wait_for_exit c 5
    if received_is a $'from a\n'; then
        diagnose "client a sent 'from a\\n'; the first line it received was its own" \
            "pass each line on to every client except the one it came from"
        return 1
    fi
    received_is b $'from a\n' && received_is c $'from a\nfrom b\n' && received_is a $'from b\n' && return 0
    expect_alive "3 clients chatted" || return 1
    diagnose "b and c connected, then a sent 'from a\\n', and b, once it had that line, sent 'from b\\n'. a received $(got a) (expected 'from b|'), b received $(got b) (expected 'from a|'), c received $(got c) (expected 'from a|from b|')" \
        "when poll() says a client is readable, read() what is there, and queue each whole line for every other client; write a client's queue when poll() says it is writable (POLLOUT)"
}

# points: 1
@test "in echo mode (-e) each line goes back to its sender only" {
    needs "a line from one client reaches every other client and not its sender"
    start_server pollchat -e
    run_load echo -n 5 -r 3
    [[ $status -eq 0 ]] && return 0
    expect_alive "5 clients in echo mode" || return 1
    diagnose "pollchat -e: 5 clients each sent lines and waited for each to come back to them alone; the test's loadpeer saw: $(load_story echo)" \
        "with -e, queue each line for its sender only (and no one else) instead of for every other client"
}

# points: 2
@test "a client that says nothing does not keep the others from chatting" {
    needs "a line from one client reaches every other client and not its sender"
    start_server pollchat
    chat_client idle pause:30000
    wait_for_clients 1 || return 1
    chat_client b recv:11 close
    wait_for_clients 2 "a client that says nothing must not stop the server: read() only from a client poll() reported readable (POLLIN in revents), once per report, on a non-blocking socket; a read() on a silent client blocks the whole server, accept() included" || return 1
    run peer scripted "127.0.0.1:$PORT" sendtext:$'hello all\n\n' close
    wait_for_exit b 5
    received_is b $'hello all\n\n' && return 0
    expect_alive "a silent client" || return 1
    diagnose "one client connected first and said nothing; then b connected and a third client sent 'hello all\\n\\n'; b received $(got b) within 5 s (your server waits in the kernel (wchan) at '$(wchan_of "$(program_pid server)")')" \
        "read() only from a client poll() reported readable (POLLIN in revents), and only once per report, on a non-blocking socket: a read() on a silent client blocks the whole server"
}

# points: 3
@test "a client that never reads does not hold up the others" {
    needs "a line from one client reaches every other client and not its sender"
    start_server pollchat
    chat_client deaf pause:30000
    wait_for_clients 1 || return 1
    local size=8388608
    yes 'a line of chat that one client never reads, but another reads whole' | head -c "$size" \
        >"$BATS_TEST_TMPDIR/lines"
    chat_client b "recv:$size" close
    wait_for_clients 2 || return 1
    run peer scripted "127.0.0.1:$PORT" "sendfile:$BATS_TEST_TMPDIR/lines" close
    wait_for_exit b 10
    cmp -s "$BATS_TEST_TMPDIR/lines" "$BATS_TEST_TMPDIR/b.bin" && return 0
    expect_alive "a client that never reads" || return 1
    diagnose "one client connected and never read; b connected; a third client sent 8 MiB of lines; b received $(stat -c %s "$BATS_TEST_TMPDIR/b.bin" 2>/dev/null || echo 0) bytes of them within 10 s (your server waits in the kernel (wchan) at '$(wchan_of "$(program_pid server)")')" \
        "never write() more than a client takes now: queue each line in the recipient's own output queue, ask poll() for POLLOUT while it is not empty, and write a non-blocking socket's share when it comes; a client that never reads then fills only its own queue"
}

# points: 2
@test "a client that half-closes is closed, and its last line still reaches the others" {
    needs "a line from one client reaches every other client and not its sender"
    start_server pollchat
    chat_client b recv:22 close
    wait_for_clients 1 || return 1
    run peer scripted "127.0.0.1:$PORT" sendtext:'last words' shut:wr recvall
    local h=$output
    if [[ "$h" != *eof* ]]; then
        expect_alive "a client half-closed" || return 1
        diagnose "a client sent 'last words' (no newline) and shut down its side; the server did not close the connection within ${STUDENT_TIMEOUT}s" \
            "read() returning 0 means the client has left: pass on what it sent after its last newline, then close() it and take it out of the poll() array (a descriptor at EOF stays readable for ever)"
        return 1
    fi
    run peer scripted "127.0.0.1:$PORT" sendtext:$'still here\n' close
    wait_for_exit b 5
    received_is b $'last words\nstill here\n' && return 0
    expect_alive "a client half-closed" || return 1
    diagnose "b connected; a client sent 'last words' (no newline) and half-closed, then another sent 'still here\\n'; b received $(got b) (expected 'last words|still here|')" \
        "when a client leaves, pass on its last partial line with a newline added, then go on serving the others"
}

# points: 2
@test "under Valgrind the chat server leaks no descriptor and no memory" {
    needs "a line from one client reaches every other client and not its sender"
    with_valgrind
    start_server pollchat
    chat_client b recv:7 close
    chat_client held pause:30000
    wait_for_clients 2 || return 1
    run peer scripted "127.0.0.1:$PORT" sendtext:$'hello\n' sendtext:'bye' shut:wr recvall
    wait_for_exit b 10
    stop server
    valgrind_verdict "a chat, a half-close and a client still connected at SIGTERM" \
        "close every client's socket when it leaves, and at SIGTERM every one still connected and the listener" \
        "free each client's state and output queue when it leaves, and at SIGTERM those of every client still connected, and the poll() array"
}
