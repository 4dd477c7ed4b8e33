#!/usr/bin/env bats
# Lab 05, part 1: send_fds, recv_fds, unix_listen and unix_connect on their own.
#
# fdtool (provided) runs them: `fdtool recv` listens on a Unix socket and reports every
# descriptor it receives; `fdtool send` opens files and sends their descriptors. What a
# descriptor refers to is checked against stat(1) and against the files' contents, which both
# sides write through the descriptors they hold.
# shellcheck disable=SC2034  # read by Bats
BATS_TEST_TIMEOUT=60

bats_load_library sockets-harness

setup() {
    harness_setup
    SOCK="${BATS_TEST_TMPDIR}/fd.sock"
}

# start_receiver NAME [OPTION...] - `fdtool recv` on $SOCK as NAME, waited for.
start_receiver() {
    local name=$1
    shift
    spawn_student "$name" fdtool recv "$@" "$SOCK"
    wait_for_unix_socket "$SOCK" "$name"
}

# send_files [-m TEXT] FILE... - `fdtool send` them to $SOCK; fails with a diagnosis.
send_files() {
    run student fdtool send "$@"
    [[ "$status" -eq 0 ]] && return 0
    local hint="read send_fds()'s error above"
    if [[ "$output" == *"Bad file descriptor"* ]]; then
        hint="sendmsg() found a descriptor number that is not open: it reads (cmsg_len - CMSG_LEN(0)) / sizeof(int) descriptors, so cmsg_len must be CMSG_LEN(n * sizeof(int)), without the padding CMSG_SPACE() adds"
    fi
    diagnose "fdtool send $* exited with status $status: ${output}" "$hint"
}

# received NAME - wait for receiver NAME to finish; fail with a diagnosis unless it received
# one message and closed everything. Leaves its stdout in $output.
received() {
    local name=$1 err H_OUT_FILE H_ERR_FILE
    wait_for_exit "$name" 5
    # h_std_files and $(<file): no fork, unlike $(cat "$(err_of …)"); every test that sends calls this.
    h_std_files "$name"
    { err=$(<"$H_ERR_FILE"); } 2>/dev/null || err=""
    { output=$(<"$H_OUT_FILE"); } 2>/dev/null || output=""
    case $status in
    0) return 0 ;;
    124) diagnose "fdtool recv was still waiting 5 s after the sender finished" \
        "recv_fds() must return after one recvmsg(): with the message's data, or 0 at end of stream" ;;
    3) diagnose "after closing every descriptor it received, fdtool recv still had some open: ${err}" \
        "recv_fds() must hand over every descriptor that arrived, or close it: none may be lost in between" ;;
    *) if [[ "$err" == *"Message too long"* ]]; then
        diagnose "the sender sent what fits in a receiver with room for 16 descriptors, yet recv_fds() failed with EMSGSIZE (the kernel set MSG_CTRUNC): ${err}" \
            "the control buffer given to recvmsg() must hold MAXFDS descriptors: msg_controllen = CMSG_SPACE(maxfds * sizeof(int)), not room for one"
    elif [[ "$err" == *"end of stream before any message"* ]]; then
        diagnose "the sender's send_fds() succeeded, yet the receiver's recvmsg() saw end of stream: no byte and no descriptor arrived" \
            "on a stream socket, sendmsg() with 0 data bytes sends nothing, not even the descriptors: send_fds() must send at least one data byte (a '\\0') when LEN is 0"
    else
        diagnose "fdtool recv exited with status $status: ${err}" \
            "read recv_fds()'s error above; a message the kernel delivered whole is never an error"
    fi ;;
    esac
    return 1
}

# identities_in - the st_dev:st_ino of each descriptor fdtool recv reported, in order.
identities_in() {
    sed -n 's/^fd [0-9]*: number [0-9]* identity \([0-9]*:[0-9]*\) .*/\1/p' <<<"$output"
}

# count_in - how many descriptors fdtool recv reported.
count_in() {
    sed -n 's/^descriptors: //p' <<<"$output"
}

# three_files - create a.txt, b.txt and c.txt in this test's directory; prints their paths.
three_files() {
    local f
    for f in a b c; do
        : >"${BATS_TEST_TMPDIR}/${f}.txt"
        echo "${BATS_TEST_TMPDIR}/${f}.txt"
    done
}

# points: 2
@test "one descriptor sent over a Unix socket arrives and refers to the sender's file" {
    local file="${BATS_TEST_TMPDIR}/one.txt"
    : >"$file"
    start_receiver receiver
    send_files "$SOCK" "$file"
    received receiver
    local count
    count=$(count_in)
    if [[ "$count" != 1 ]]; then
        local why="the receiver must get exactly the descriptors that were sent"
        [[ "$count" =~ ^[0-9]+$ && "$count" -gt 1 ]] &&
            why="cmsg_len must be CMSG_LEN(nfds * sizeof(int)); with CMSG_SPACE() the kernel counts the padding as one more descriptor (here: whatever number 0 is)"
        diagnose "sent 1 descriptor, the receiver got '${count}': ${output}" "$why"
    fi
    local want got
    want=$(stat -c %d:%i "$file")
    got=$(identities_in)
    [[ "$got" == "$want" ]] ||
        diagnose "the received descriptor refers to file ${got}, the sent one to ${want} (st_dev:st_ino)" \
            "copy the descriptor numbers with memcpy() to and from CMSG_DATA(cmsg)"
}

# points: 2
@test "the sender and the receiver share one file offset through the passed descriptor" {
    needs "one descriptor sent over a Unix socket arrives and refers to the sender's file"
    local file="${BATS_TEST_TMPDIR}/offset.txt"
    : >"$file"
    start_receiver receiver
    send_files "$SOCK" "$file"
    received receiver
    # sender writes "sender: before\n" (15 bytes), passes the descriptor; the receiver writes
    # "receiver\n"; then the sender writes "sender: after\n". One offset: nothing overwritten.
    local want=$'sender: before\nreceiver\nsender: after'
    [[ "$(cat "$file")" == "$want" ]] ||
        diagnose "the file reads '$(cat "$file")' after both sides wrote to it; expected '${want}'" \
            "the receiver must write through the very descriptor that arrived: recv_fds() returns the numbers from CMSG_DATA()"
    [[ "$output" == *"offset 15"* ]] ||
        diagnose "the receiver saw the offset as: $(grep '^fd' <<<"$output"); the sender had moved it to 15" \
            "a passed descriptor shares the sender's open file description, offset included"
}

# points: 2
@test "three descriptors travel in one message and arrive in order" {
    needs "one descriptor sent over a Unix socket arrives and refers to the sender's file"
    local files
    mapfile -t files < <(three_files)
    start_receiver receiver
    send_files "$SOCK" "${files[@]}"
    received receiver
    local want got
    want=$(stat -c %d:%i "${files[@]}")
    got=$(identities_in)
    [[ "$(count_in)" == 3 ]] ||
        diagnose "sent 3 descriptors in one message, the receiver got '$(count_in)': ${output}" \
            "(cmsg_len - CMSG_LEN(0)) / sizeof(int) descriptors are in the message: copy them all out"
    [[ "$got" == "$want" ]] ||
        diagnose "the received descriptors refer to $(echo "$got" | tr '\n' ' '), the sent ones to $(echo "$want" | tr '\n' ' ') (st_dev:st_ino)" \
            "copy the descriptors out of CMSG_DATA() in the order they were put in"
}

# points: 1
@test "a message without descriptors delivers its data and no descriptor" {
    start_receiver receiver
    send_files -m hello "$SOCK"
    received receiver
    [[ "$output" == *"data 5 byte(s): hello"* && "$(count_in)" == 0 ]] ||
        diagnose "sent 'hello' and no descriptor; the receiver reported: ${output}" \
            "with NFDS 0 send no control message; a received message without one has no descriptors (CMSG_FIRSTHDR() returns NULL)"
}

# points: 1
@test "recv_fds returns 0 at end of stream, when the peer closes before sending anything" {
    needs "one descriptor sent over a Unix socket arrives and refers to the sender's file"
    start_receiver receiver
    peer scripted -o "${BATS_TEST_TMPDIR}/closer.log" "unix:${SOCK}" close >/dev/null || true
    wait_for_exit receiver 5
    local err
    err=$(cat "$(err_of receiver)")
    [[ "$err" == *"end of stream before any message arrived"* ]] && return 0
    case $status in
    124) diagnose "a peer connected to fdtool recv and closed without sending; 5 s later recv_fds() had not returned" \
        "recvmsg() returns 0 at end of stream: return 0 from recv_fds() then, instead of calling it again" ;;
    0) diagnose "a peer connected and closed without sending anything, yet recv_fds() reported a message: $(cat "$(out_of receiver)")" \
        "recvmsg() returning 0 is end of stream: return 0 with *nfds = 0" ;;
    *) diagnose "a peer connected and closed without sending anything; recv_fds() failed instead of returning 0: ${err}" \
        "recv_fds() returned -1 at end of stream: recvmsg() returning 0 means the peer closed; return 0 (with *nfds = 0), which is how a worker learns that the master has closed its channel" ;;
    esac
}

# points: 1
@test "send_fds to a peer that has gone fails with EPIPE instead of raising SIGPIPE" {
    needs "one descriptor sent over a Unix socket arrives and refers to the sender's file"
    local fifo="${BATS_TEST_TMPDIR}/full.fifo" fill
    # The receiver accepts and closes at once (socat -t 0: not half a second later, its default
    # wait for the other side's end). The sender's FILE is a FIFO the test has filled,
    # so `fdtool send` blocks writing "sender: before" there, after connecting and before
    # send_fds(); the test lets it go on once the receiver has closed.
    mkfifo "$fifo"
    exec {fill}<>"$fifo"
    dd if=/dev/zero bs=4096 count=16 oflag=nonblock 1>&"$fill" 2>/dev/null || true
    spawn gone socat -t 0 "UNIX-LISTEN:${SOCK}" SYSTEM:true
    wait_for_unix_socket "$SOCK" gone
    spawn_student sender fdtool send "$SOCK" "$fifo"
    wait_for_exit gone 5
    dd bs=65536 count=1 iflag=nonblock <&"$fill" >/dev/null 2>&1 || true
    wait_for_exit sender 5
    exec {fill}>&-
    local err
    err=$(cat "$(err_of sender)")
    case $status in
    1) [[ "$err" == *"send_fds: Broken pipe"* ]] && return 0
        diagnose "send_fds() to a peer that had closed failed, with: ${err}" \
            "a dead peer must give -1 with errno EPIPE" ;;
    141) diagnose "the sender was killed by SIGPIPE (exit status 141): send_fds() wrote to a peer that had closed" \
        "pass MSG_NOSIGNAL to sendmsg(): a dead peer then gives -1 with errno EPIPE instead of SIGPIPE, which would kill the master when a worker dies" ;;
    124) diagnose "send_fds() to a peer that had closed had not returned 5 s later" \
        "sendmsg() on a closed connection fails at once with EPIPE: return -1" ;;
    *) diagnose "fdtool send to a peer that had closed exited with status $status: ${err}" \
        "send_fds() must fail with -1 and errno EPIPE when the peer has gone" ;;
    esac
}

# points: 2
@test "a message with more descriptors than the receiver has room for is reported, not hidden" {
    needs "one descriptor sent over a Unix socket arrives and refers to the sender's file"
    local files
    mapfile -t files < <(three_files)
    start_receiver receiver -n 2
    send_files "$SOCK" "${files[@]}"
    wait_for_exit receiver 5
    local err
    err=$(cat "$(err_of receiver)")
    output=$(cat "$(out_of receiver)")
    case $status in
    1) [[ "$err" == *"recv_fds: Message too long"* ]] ||
        diagnose "recv_fds() failed, but with: ${err}" "report MSG_CTRUNC with errno EMSGSIZE" ;;
    0) diagnose "3 descriptors sent to a receiver with room for 2: recv_fds() reported success with $(count_in), and the kernel silently closed the third" \
        "after recvmsg() check msg.msg_flags & MSG_CTRUNC: the control data was cut short; fail with EMSGSIZE" ;;
    3) diagnose "recv_fds() reported the truncation but left a descriptor open: ${err}" \
        "on MSG_CTRUNC close() the descriptors that did arrive before failing: nobody else knows their numbers" ;;
    *) diagnose "fdtool recv -n 2 exited with status $status: ${err}" \
        "on MSG_CTRUNC close what arrived and return -1 with errno EMSGSIZE" ;;
    esac
}

# points: 1
@test "a receiver with room for one descriptor never gets two" {
    needs "one descriptor sent over a Unix socket arrives and refers to the sender's file"
    local files
    mapfile -t files < <(three_files)
    start_receiver receiver -n 1
    send_files "$SOCK" "${files[0]}" "${files[1]}"
    wait_for_exit receiver 5
    local err
    err=$(cat "$(err_of receiver)")
    [[ "$status" -ne 3 ]] ||
        diagnose "recv_fds() refused the message but left a descriptor open: ${err}" \
            "close() every descriptor that did arrive before failing"
    [[ "$status" -eq 1 && "$err" == *"recv_fds: Message too long"* ]] ||
        diagnose "2 descriptors sent to a receiver with room for 1 (fdtool recv -n 1): it exited with status $status: ${err}$(grep '^descriptors' <<<"$(cat "$(out_of receiver)")")" \
            "CMSG_SPACE(1 * sizeof(int)) rounds up to 24 bytes, which is CMSG_LEN(2 * sizeof(int)): the padding holds a second descriptor and the kernel does not set MSG_CTRUNC. Count what arrived; more than MAXFDS: close them all, fail with EMSGSIZE"
}

# points: 1
@test "a socket file left behind by a killed receiver does not stop the next one" {
    needs "one descriptor sent over a Unix socket arrives and refers to the sender's file"
    local file="${BATS_TEST_TMPDIR}/one.txt"
    : >"$file"
    start_receiver first
    stop first KILL
    [[ -S "$SOCK" ]] || skip "the killed receiver left no socket file behind"
    spawn_student second fdtool recv "$SOCK"
    if ! wait_for_unix_socket "$SOCK" second 2>/dev/null; then
        diagnose "the first receiver was killed with SIGKILL and left its socket file at $SOCK; the next one could not listen there: $(cat "$(err_of second)")" \
            "nobody removes the stale socket file of a process that died: unix_listen() must unlink() it (after lstat() shows S_ISSOCK) before bind(), or bind() fails with EADDRINUSE"
    fi
    send_files "$SOCK" "$file"
    received second
}

# points: 1
@test "a regular file at the socket path is left alone" {
    # Control: unix_listen() works on a free path, so refusing every path earns nothing here.
    spawn_student control fdtool recv "${SOCK}.free"
    wait_for_unix_socket "${SOCK}.free" control || return 1
    echo "precious data" >"$SOCK"
    spawn_student receiver fdtool recv "$SOCK"
    wait_for_exit receiver 3
    if [[ ! -f "$SOCK" || "$(cat "$SOCK" 2>/dev/null)" != "precious data" ]]; then
        diagnose "a regular file at $SOCK was removed or replaced by unix_listen()" \
            "remove a file at the path only if it is a socket (lstat() and S_ISSOCK(st_mode)): any other file belongs to someone else"
    fi
    [[ "$status" -ne 0 && "$status" -ne 124 ]] ||
        diagnose "fdtool recv exited with status $status; a regular file at its path must make unix_listen() fail (bind: EADDRINUSE)" \
            "leave the file alone and let bind() fail"
}

# long_path N - an absolute path of exactly N bytes in this test's directory.
long_path() {
    local dir=$BATS_TEST_TMPDIR
    printf '%s/%s\n' "$dir" "$(printf '%*s' $(($1 - ${#dir} - 1)) '' | tr ' ' s)"
}

# need_short_tmpdir - skip if this test's directory is too long to build a 107-byte path in.
need_short_tmpdir() {
    [[ ${#BATS_TEST_TMPDIR} -le 90 ]] || skip "BATS_TEST_TMPDIR is longer than 90 bytes"
}

# points: 2
@test "unix_listen refuses a path longer than sun_path with ENAMETOOLONG instead of truncating it" {
    need_short_tmpdir
    local long cut
    long=$(long_path 150)
    cut=${long:0:107}
    spawn_student receiver fdtool recv "$long"
    wait_for_exit receiver 3
    local err
    err=$(cat "$(err_of receiver)")
    if [[ -e "$cut" || "$status" -eq 124 ]]; then
        diagnose "asked to listen on a 150-byte path, unix_listen() bound a socket at its first $(( ${#cut} )) bytes ($( [[ -e "$cut" ]] && echo "the file exists")): the path was silently truncated to fit sun_path" \
            "sun_path holds 108 bytes including the NUL: if strlen(path) >= sizeof(addr.sun_path) fail with ENAMETOOLONG; never strncpy() it short"
    fi
    [[ "$status" -ne 0 && "$err" == *"File name too long"* ]] ||
        diagnose "fdtool recv on a 150-byte path exited with status $status: ${err}" \
            "fail with errno ENAMETOOLONG when the path does not fit in sun_path"
}

# points: 1
@test "a 108-byte path, with no room left for its NUL in sun_path, is refused" {
    needs "unix_listen refuses a path longer than sun_path with ENAMETOOLONG instead of truncating it"
    need_short_tmpdir
    local path err
    path=$(long_path 108)
    spawn_student receiver fdtool recv "$path"
    wait_for_exit receiver 3
    err=$(cat "$(err_of receiver)")
    [[ "$status" -ne 0 && "$status" -ne 124 && "$err" == *"File name too long"* ]] && return 0
    diagnose "fdtool recv on a path of 108 bytes $( [[ $status -eq 124 ]] && echo "was still listening 3 s later" || echo "exited with status $status: ${err}")" \
        "sun_path[108] holds at most 107 bytes and the NUL: refuse strlen(path) >= sizeof(addr.sun_path) with ENAMETOOLONG (an off-by-one '>' lets 108 bytes through, without their NUL)"
}

# points: 1
@test "unix_connect refuses a path longer than sun_path instead of connecting to its truncation" {
    need_short_tmpdir
    local long
    long=$(long_path 150)
    SOCK=${long:0:107}
    start_receiver receiver
    run student fdtool send "$long"
    if [[ "$status" -eq 0 ]]; then
        diagnose "unix_connect() to a 150-byte path connected: to the listener at its first 107 bytes" \
            "sun_path holds 108 bytes including the NUL: if strlen(path) >= sizeof(addr.sun_path) fail with ENAMETOOLONG instead of truncating"
    fi
    [[ "$output" == *"File name too long"* ]] ||
        diagnose "fdtool send to a 150-byte path failed with: ${output}" \
            "fail with errno ENAMETOOLONG when the path does not fit in sun_path"
}

# points: 1
@test "a 107-byte path, the longest sun_path holds, works" {
    needs "one descriptor sent over a Unix socket arrives and refers to the sender's file"
    need_short_tmpdir
    local file="${BATS_TEST_TMPDIR}/one.txt"
    : >"$file"
    SOCK=$(long_path 107)
    spawn_student receiver fdtool recv "$SOCK"
    if ! wait_for_unix_socket "$SOCK" receiver 2>/dev/null; then
        diagnose "fdtool recv on a path of 107 bytes did not listen: $(cat "$(err_of receiver)")" \
            "107 bytes and the NUL fill sun_path[108] exactly: refuse only strlen(path) >= sizeof(addr.sun_path)"
    fi
    send_files "$SOCK" "$file"
    received receiver
}

# vg_run NAME ARG... - run fdtool under Valgrind in the foreground, stdout and stderr to NAME.out
# and NAME.err in this test's directory; sets status. Not `run`: each run keeps its own name
# (fdtool-runN, in order) for valgrind_report.
vg_run() {
    local name=$1
    shift
    status=0
    student fdtool "$@" >"${BATS_TEST_TMPDIR}/${name}.out" 2>"${BATS_TEST_TMPDIR}/${name}.err" || status=$?
}

# vg_leaks NAME - the descriptors Valgrind found open at the exit of fdtool's run NAME.
vg_leaks() {
    valgrind_report "$1" | grep 'left open' || true
}

# points: 2
@test "under Valgrind fdtool leaks no descriptor and no memory, also when unix_listen or unix_connect fails" {
    needs "one descriptor sent over a Unix socket arrives and refers to the sender's file"
    with_valgrind
    local files report
    mapfile -t files < <(three_files)
    start_receiver receiver
    # The two runs that fail need nothing from the transfer, and each start under Valgrind costs
    # about 0.4 s of CPU: they run alongside it, on the other core. Only once the receiver
    # listens: an fdtool that hangs is then one program under Valgrind, not three.
    # A regular file at the path: unix_listen() must fail (EADDRINUSE) and close its socket.
    echo "precious data" >"${BATS_TEST_TMPDIR}/taken"
    spawn_student listen-fails fdtool recv "${BATS_TEST_TMPDIR}/taken"
    # Nothing at the path: unix_connect() must fail (ENOENT) and close its socket.
    spawn_student connect-fails fdtool send "${BATS_TEST_TMPDIR}/nobody.sock"
    vg_run sender send "${BATS_TEST_TMPDIR}/fd.sock" "${files[@]}" # fdtool-run1
    [[ $status -eq 0 ]] || diagnose "under Valgrind, fdtool send of 3 descriptors exited with status $status: $(cat "${BATS_TEST_TMPDIR}/sender.err")" \
        "read send_fds()'s error above"
    received receiver || return 1
    # A run still going has written no leak report yet: it must not pass for a clean one.
    wait_for_exit listen-fails 5
    if [[ $status -eq 124 ]]; then
        needs "a regular file at the socket path is left alone"
        diagnose "under Valgrind, fdtool recv on a path taken by a regular file was still running $((5 * H_SLOW)) s later, so its descriptors could not be checked" \
            "unix_listen() on a path that holds a regular file must fail with EADDRINUSE, not remove the file and listen"
    fi
    wait_for_exit connect-fails 5
    [[ $status -ne 124 ]] || diagnose "under Valgrind, fdtool send to a path where nothing listens was still running $((5 * H_SLOW)) s later, so its descriptors could not be checked" \
        "unix_connect() to a path without a listener fails at once (ENOENT): return -1 after closing the socket"
    report=$(vg_leaks listen-fails)
    [[ -z "$report" ]] || diagnose "under Valgrind (--track-fds=yes), unix_listen() on a path taken by a regular file failed, and fdtool exited with a socket still open: ${report}" \
        "when bind() (or listen()) fails, close() the socket before returning -1: unix_listen() must leave no descriptor open on any path"
    report=$(vg_leaks connect-fails)
    [[ -z "$report" ]] || diagnose "under Valgrind (--track-fds=yes), unix_connect() to a path where nothing listens failed, and fdtool exited with a socket still open: ${report}" \
        "when connect() fails, close() the socket before returning -1: unix_connect() must leave no descriptor open on any path"
    report=$(valgrind_report receiver)$(valgrind_report fdtool-run1)
    [[ -z "$report" ]] || diagnose "under Valgrind, passing 3 descriptors from fdtool send to fdtool recv: ${report}" \
        "every descriptor that arrives is handed to the caller or closed, and nothing is read outside the control buffer: walk it with CMSG_FIRSTHDR/CMSG_NXTHDR and copy with memcpy()"
}
