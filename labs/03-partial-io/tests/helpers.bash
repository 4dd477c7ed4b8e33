# shellcheck shell=bash
# helpers.bash - what lab 03's tests share: building framed streams, and saying how the bytes
# a peer saw differ from the bytes that should have crossed the wire.
#
# Loaded by every .bats file of the lab after the sockets-harness library; its setup() is theirs.

# setup() - every test of the lab: the harness's set-up, the server's port, the test's scratch
# directory T, and no extra recorder options (REC_OPTS, see send_to_recorder)
setup() {
    harness_setup
    PORT=$(port_for 9000)
    T=$BATS_TEST_TMPDIR
    REC_OPTS=()
}

# ---------------------------------------------------------------- making bytes

# be32 N - print N as 4 raw bytes, big-endian (network byte order).
be32() {
    local escapes
    printf -v escapes '\\x%02x\\x%02x\\x%02x\\x%02x' \
        $((($1 >> 24) & 255)) $((($1 >> 16) & 255)) $((($1 >> 8) & 255)) $(($1 & 255))
    printf '%b' "$escapes"
}

# random_file PATH SIZE - PATH filled with SIZE random bytes.
random_file() { head -c "$2" /dev/urandom >"$1"; }

# size_of FILE - FILE's size in bytes.
size_of() { file_size "$1"; }

# frame BODY OUT - write OUT as BODY framed as one message: its length in 4 bytes, big-endian,
# then BODY itself.
frame() {
    h_file_size "$1"
    be32 "$H_SIZE" >"$2"
    cat "$1" >>"$2"
}

# crc32_hex FILE - FILE's CRC-32 (zlib's) as 8 lowercase hex digits.
crc32_hex() { "$HARNESS_BIN/bytes" crc32 "$1"; }

# ack_for BODY OUT - write OUT as the acknowledgement msgrecv owes for BODY: a message with an
# 8-byte body, the length and the CRC-32 of BODY, both big-endian.
ack_for() {
    local crc
    crc=$(crc32_hex "$1")
    h_file_size "$1"
    {
        be32 8
        be32 "$H_SIZE"
        be32 "$((16#$crc))"
    } >"$2"
}

# hex_at FILE OFFSET COUNT - COUNT bytes of FILE from OFFSET (0-based), as spaced hex.
# A file that is not there gives nothing (the reason on stderr), as the bytes of a missing file.
hex_at() { "$HARNESS_BIN/bytes" hex "$1" "$2" "$3" || true; }

# ---------------------------------------------------------------- comparing bytes

# compare_bytes EXPECTED GOT - how GOT differs from EXPECTED. Sets:
#   DIFF      same | missing | short | long | restart | last-byte | differs
#   DIFF_AT   offset (0-based) of the first byte that differs
#   DIFF_FROM for restart: the offset in EXPECTED that the bytes at DIFF_AT repeat
#   DIFF_TEXT what was observed, in words, with the numbers
compare_bytes() {
    local exp=$1 got=$2 esize gsize line="" at e g
    DIFF_AT=0 DIFF_FROM=0
    h_file_size "$exp"
    esize=$H_SIZE
    if [[ ! -s "$got" ]]; then
        if [[ -s "$exp" || ! -e "$got" ]]; then
            DIFF=missing DIFF_TEXT="nothing was received (expected $esize bytes)"
            return
        fi
    fi
    h_file_size "$got"
    gsize=$H_SIZE
    # The first differing byte, only where there is one: cmp -s answers alone for equal files.
    if ! { ((esize == gsize)) && cmp -s -- "$exp" "$got"; }; then
        line=$(cmp -l -- "$exp" "$got" 2>/dev/null | head -n 1)
    fi
    if [[ -z "$line" ]]; then
        if ((gsize == esize)); then
            DIFF=same DIFF_TEXT="all $esize bytes are as expected"
        elif ((gsize < esize)); then
            DIFF=short DIFF_AT=$gsize
            DIFF_TEXT="received $gsize of $esize bytes (all of them right), then the stream ended"
        else
            DIFF=long DIFF_AT=$esize
            DIFF_TEXT="received $gsize bytes, $((gsize - esize)) more than the $esize expected"
        fi
        return
    fi
    read -r at e g <<<"$line"
    DIFF_AT=$((at - 1))
    DIFF_TEXT="received $gsize of $esize bytes; byte $DIFF_AT (counting from 0) differs: got 0x$(printf %02x $((8#$g))), expected 0x$(printf %02x $((8#$e)))"
    if h_find_restart "$exp" "$got" 0 || h_find_restart "$exp" "$got" 4; then
        DIFF=restart
        DIFF_TEXT+="; from byte $DIFF_AT on the stream starts over: got '$(hex_at "$got" "$DIFF_AT" 8)', the bytes expected at offset $DIFF_FROM"
    elif ((DIFF_AT == esize - 1 || gsize == esize - 1)); then
        DIFF=last-byte
        DIFF_TEXT+=" (the last byte of the stream)"
    else
        DIFF=differs
        DIFF_TEXT+=" (got '$(hex_at "$got" "$DIFF_AT" 8)', expected '$(hex_at "$exp" "$DIFF_AT" 8)')"
    fi
}

# h_find_restart EXPECTED GOT FROM - true if GOT, at or up to 8 bytes before DIFF_AT, repeats the
# 8 bytes of EXPECTED at offset FROM (the stream started over); moves DIFF_AT there.
h_find_restart() {
    local exp=$1 got=$2 from=$3 want p
    h_file_size "$exp"
    ((H_SIZE >= from + 8)) || return 1
    want=$(hex_at "$exp" "$from" 8)
    for ((p = DIFF_AT; p >= 0 && p >= DIFF_AT - 8; p--)); do
        ((p > from)) || return 1
        if [[ "$(hex_at "$got" "$p" 8)" == "$want" ]]; then
            DIFF_AT=$p DIFF_FROM=$from
            return 0
        fi
    done
    return 1
}

# ---------------------------------------------------------------- diagnoses

# check_raw_stream EXPECTED GOT WHAT [CONTEXT] - GOT is what a peer received from writen() of
# EXPECTED; fail with a diagnosis unless they are the same. WHAT says how it was sent; CONTEXT,
# if given, ends the observation (the sender's exit status and errors).
check_raw_stream() {
    compare_bytes "$1" "$2"
    local seen="$3: $DIFF_TEXT${4:+; $4}"
    case $DIFF in
    same) return 0 ;;
    missing) diagnose "$seen" "writen() wrote nothing: see the program's error above (is it still a stub?)" ;;
    short) diagnose "$seen" "writen() returned after a single write() that wrote only part of the buffer: write() may accept fewer bytes than asked, so loop until all n bytes are out" ;;
    restart) diagnose "$seen" "the buffer position was not advanced after a short write: the next write() must start at buf + done, for n - done bytes" ;;
    long) diagnose "$seen" "bytes were written twice: after a short write, count only what write() returned and go on from there" ;;
    last-byte) diagnose "$seen" "an off-by-one: one byte too few or too many (a bound like n - 1, or <= for <)" ;;
    *) diagnose "$seen" "the bytes written are not the buffer's: after a short write, go on from buf + done with n - done bytes" ;;
    esac
    return 1
}

# check_framed_stream EXPECTED GOT WHAT [CONTEXT] - GOT is what a peer received from send_msg()
# calls whose framed messages are EXPECTED; fail with a diagnosis unless they are the same.
check_framed_stream() {
    compare_bytes "$1" "$2"
    local seen="$3: $DIFF_TEXT${4:+; $4}" exp_hdr got_hdr
    [[ $DIFF == same ]] && return 0
    exp_hdr=$(hex_at "$1" 0 4)
    got_hdr=$(hex_at "$2" 0 4)
    if [[ $DIFF =~ ^(restart|differs|last-byte)$ ]] && ((DIFF_AT < 4)); then
        local at=$DIFF_AT
        if [[ "$(echo "$got_hdr" | awk '{ print $4, $3, $2, $1 }')" == "$exp_hdr" ]]; then
            diagnose "$3: the header is '$got_hdr', expected '$exp_hdr': the length went out in little-endian host order" \
                "the 4-byte length must be big-endian (network byte order): put htonl(len) in the header"
        elif ((at == 0)); then
            diagnose "$3: the stream starts '$got_hdr', expected the 4-byte header '$exp_hdr' (the length, big-endian)" \
                "send_msg() must send the length as 4 bytes, htonl(len), in front of the body"
        else
            h_header_cut "$1" "$2" "$3" "$at"
        fi
        return 1
    fi
    case $DIFF in
    missing) diagnose "$seen" "send_msg() sent nothing: see the program's error above (is it still a stub?)" ;;
    short) diagnose "$seen" "writev_all() returned before every byte of every iovec was written: one writev() may write fewer bytes than the iovecs hold, so loop until all are out" ;;
    restart)
        if ((DIFF_FROM == 0)); then
            diagnose "$seen (the 4-byte header again)" \
                "a short writev() was restarted from the first iovec: after writev() returns k < total, skip the entries written in full and move iov_base/iov_len of the one written in part past the bytes sent"
        else
            diagnose "$seen (the start of the body again)" \
                "after a short writev(), the iovec written in part was sent again from its start: move its iov_base forward and shrink its iov_len by the bytes already written"
        fi
        ;;
    long) diagnose "$seen" "bytes were written twice: after a short writev(), continue from the exact byte where it stopped" ;;
    last-byte) diagnose "$seen" "an off-by-one in the lengths: the header and body must be exactly 4 + len bytes (check n - 1, <= for <)" ;;
    *) diagnose "$seen" "after a short writev(), continue from the exact byte where it stopped: skip finished entries, advance iov_base of the partial one by the bytes it sent" ;;
    esac
    return 1
}

# announced_length SERVER C K - set ANNOUNCED to the length msgrecv (started as SERVER) reported
# for message K of connection C, from its error or its "message K: N bytes" line; empty if it
# reported none.
announced_length() {
    # Read by the shell, without a process: this runs for every message a test checks. The first
    # 10000 lines of each file at most: a program that prints for ever must not stall the test.
    local H_OUT_FILE H_ERR_FILE line text rest n word1 word2 word3 cur=""
    local -a texts=("connection $2: message $3 announces "
        "connection $2: peer closed in the middle of message $3, which announced ")
    h_std_files "$1"
    ANNOUNCED=""
    n=0
    while ((n++ < 10000)) && IFS= read -r line; do
        for text in "${texts[@]}"; do
            [[ "$line" == *"$text"* ]] || continue
            rest=${line#*"$text"}
            [[ "$rest" =~ ^([0-9]+)\ bytes ]] || continue
            ANNOUNCED=${BASH_REMATCH[1]}
            return 0
        done
    done 2>/dev/null <"$H_ERR_FILE" || true
    n=0
    while ((n++ < 10000)) && read -r word1 word2 word3 _; do
        if [[ "$word1" == connection && "$word3" == accepted ]]; then
            cur=${word2%%[!0-9]*}
        elif [[ "$cur" == "$2" && "$word1" == message && "$word2" == "$3:" ]]; then
            ANNOUNCED=$word3
            return 0
        fi
    done 2>/dev/null <"$H_OUT_FILE" || true
    return 0
}

# h_header_cut EXPECTED GOT WHAT AT - diagnose a stream that goes wrong AT bytes into its first
# header: the next writev() started again from the first iovec (the header's first bytes come
# again, then more of them), or it did not move the header entry's iov_base (the header's first
# bytes come again, then the body). Where the bytes fit both, both are named.
h_header_cut() {
    local exp=$1 got=$2 at=$4 restart=0 base=0 seen
    [[ "$(hex_at "$got" "$at" "$at")" == "$(hex_at "$exp" 0 "$at")" ]] && restart=1
    [[ "$(hex_at "$got" "$at" $((4 - at)))" == "$(hex_at "$exp" 0 $((4 - at)))" &&
        "$(hex_at "$got" 4 1)" == "$(hex_at "$exp" 4 1)" ]] && base=1
    seen="$3: the stream starts '$(hex_at "$got" 0 12)', expected '$(hex_at "$exp" 0 12)': after $at bytes of the header, the header's first bytes come again"
    if ((restart && base)); then
        diagnose "$seen" "a writev() cut inside the header was not continued from the exact byte where it stopped: either the next call restarted from the first iovec, or the header entry's iov_base was not moved forward past the bytes sent (only its iov_len shrunk)"
    elif ((restart)); then
        diagnose "$seen, and then more of the header" \
            "a short writev() was restarted from the first iovec: after writev() returns k < total, skip the entries written in full and move iov_base/iov_len of the one written in part past the bytes sent"
    elif ((base)); then
        diagnose "$seen, and then the body" \
            "after a short writev() inside the header, its iov_len shrank but iov_base was not moved forward: the entry's first bytes went out twice; advance iov_base by the bytes sent"
    else
        diagnose "$3: the stream starts '$(hex_at "$got" 0 12)', expected '$(hex_at "$exp" 0 12)': after $at bytes of the header, the next bytes are wrong" \
            "a writev() cut inside the header must be continued from the exact byte where it stopped: move iov_base of the header entry forward by the bytes sent, and shrink its iov_len"
    fi
}

# check_received BODY SAVED SERVER MAX - msgrecv (started as SERVER, injector MAX or "off") saved
# SAVED for a message whose body is BODY; fail with a diagnosis unless they are the same.
check_received() {
    local body=$1 saved=$2 server=$3 max=$4 esize errline="" cut announced ANNOUNCED H_OUT_FILE H_ERR_FILE
    h_file_size "$body"
    esize=$H_SIZE
    h_std_files "$server"
    h_first_line "$H_ERR_FILE" 'msgrecv: connection' && errline=$H_LINE
    cut="one read() returns what has arrived so far"
    [[ "$max" != off ]] && cut+=" (here at most $max bytes)"
    [[ "$saved" =~ conn-([0-9]+)-msg-([0-9]+)\.bin$ ]] || fail "test bug: '$saved' is not a saved message"
    announced_length "$server" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    announced=$ANNOUNCED
    if [[ -n "$announced" && "$announced" != "$esize" ]]; then
        if [[ "$announced" == "$(swap32 "$esize")" ]]; then
            diagnose "the header on the wire announced $esize bytes (bytes $(printf '%08x' "$esize")), msgrecv took it for $announced: the same 4 bytes in reverse order" \
                "the length arrives big-endian (network byte order): convert it with ntohl() before using it"
        else
            diagnose "the header on the wire announced $esize bytes (bytes $(printf '%08x' "$esize")), but recv_msg() gave msgrecv a length of $announced" \
                "the 4-byte header was not read whole, or the stream lost its place: $cut; readn() must loop until all n bytes are in, storing each piece at buf + done (not at buf again)"
        fi
        return 1
    fi
    if [[ ! -e "$saved" ]]; then
        if [[ "$errline" == *"send_msg: Interrupted system call"* ]]; then
            diagnose "msgrecv gave up acknowledging a message: '$errline'" \
                "EINTR treated as fatal: writev() failing with EINTR moved no byte (a signal arrived first); writev_all() must call it again"
        elif [[ "$errline" == *"Interrupted system call"* ]]; then
            diagnose "msgrecv gave up on a $esize-byte message: '$errline'" \
                "EINTR treated as fatal: EINTR means a signal arrived before any byte moved; call read() again"
        elif [[ "$errline" == *announce* || "$errline" == *"peer closed"* ]]; then
            diagnose "the header on the wire announced $esize bytes, but msgrecv said: '$errline'" \
                "the header or the body was not read whole: $cut; readn() must loop until all n bytes are in, storing each piece at buf + done"
        elif [[ -n "$errline" ]]; then
            diagnose "msgrecv did not receive the $esize-byte message: '$errline'" \
                "recv_msg() must return 1 with the message: readn() the 4-byte header, ntohl() it, then readn() the body"
        else
            diagnose "msgrecv received no message of $esize bytes and reported no error; $(h_tail_err "$server")" \
                "recv_msg() must readn() the 4-byte header, ntohl() it, then readn() that many bytes of body; $cut, so readn() must loop"
        fi
        return 1
    fi
    compare_bytes "$body" "$saved"
    case $DIFF in
    same) return 0 ;;
    last-byte) diagnose "the message msgrecv received: $DIFF_TEXT" \
        "an off-by-one: recv_msg() must read exactly the announced length (not len - 1, not len + 1)" ;;
    *) diagnose "the message msgrecv received: $DIFF_TEXT" \
        "the body was not read whole: $cut; readn() must loop, storing each piece at buf + done, until n bytes are in" ;;
    esac
    return 1
}

# check_acks EXPECTED GOT - GOT is what the client received back from msgrecv, whose
# acknowledgements (sent with send_msg()) should be EXPECTED.
check_acks() {
    check_framed_stream "$1" "$2" "the acknowledgements msgrecv sent back with send_msg()"
}

# server_stuck_text SERVER - why SERVER looks stuck, for a diagnosis.
server_stuck_text() {
    if is_running "$1"; then
        echo "msgrecv is still running and has reported nothing; $(h_tail_err "$1")"
    else
        wait_for_exit "$1" 1
        # shellcheck disable=SC2154  # wait_for_exit sets status
        echo "msgrecv exited with status $status; $(h_tail_err "$1")"
    fi
}

# ---------------------------------------------------------------- running the programs

# send_to_recorder FLAG FILE... - msgsend FLAG (-n: messages, no acknowledgements; -r: raw,
# with writen) sends the FILEs to a recorder, which saves what arrives in $T/rec/conn-1.bin.
# Extra recorder options come from REC_OPTS. Sets SEND_STATUS to msgsend's exit status (124 if
# it was still running after SEND_LIMIT seconds, default 5).
send_to_recorder() {
    local flag=$1
    shift
    mkdir -p "$T/rec"
    spawn_peer rec recorder -n 1 -o "$T/rec.log" -d "$T/rec" "${REC_OPTS[@]}" "$PORT"
    wait_for_port "$PORT" rec || return 1
    spawn_student sender msgsend "$flag" 127.0.0.1 "$PORT" "$@"
    wait_for_exit sender "${SEND_LIMIT:-5}"
    SEND_STATUS=$status
    # The recorder (-n 1) exits once msgsend's connection has ended: the file is complete.
    wait_for_exit rec 5
}

# sender_said - msgsend's exit status and the end of its stderr, for a diagnosis.
sender_said() { echo "msgsend exited with status $SEND_STATUS; $(h_tail_err sender)"; }

# start_server [OPTION...] - start msgrecv as "server", saving each body in $T/got, and wait
# until it listens.
start_server() {
    mkdir -p "$T/got"
    spawn_student server msgrecv -d "$T/got" "$@" "$PORT"
    wait_for_port "$PORT" server
}

# run_client NAME STEP... - run the scripted peer as NAME against the server, with the STEPs;
# its log goes to $T/NAME.log, what it receives to $T/NAME.bin. Waits up to 5 s for it to end
# (longer means it is still waiting for acknowledgements that did not come).
run_client() {
    local name=$1
    shift
    spawn_peer "$name" scripted -o "$T/$name.log" -O "$T/$name.bin" "127.0.0.1:$PORT" "$@"
    wait_for_exit "$name" 5
}

# ---------------------------------------------------------------- the calls themselves

# write_chain LOG [PID] - check the write-side calls in a call log (harness calls.bash): after a
# short write()/writev()/send()/sendmsg(), the next call on that descriptor must be the same call,
# asking for exactly the bytes not yet written. Prints nothing if every chain is whole; otherwise
# one line saying where it broke, in words. Only PID's calls, if given.
write_chain() {
    awk -v pid="${2:-}" '
        function field(name,    i) {
            for (i = 2; i <= NF; i++)
                if (index($i, name "=") == 1) return substr($i, length(name) + 2)
            return ""
        }
        $1 !~ /^(write|writev|send|sendmsg|sendto)$/ { next }
        pid != "" && field("pid") != pid { next }
        {
            fd = field("fd"); asked = field("bytes") + 0; ret = field("ret") + 0; k++
            if (fd in left && left[fd] > 0) {
                if ($1 != name[fd]) {
                    printf "after a %s() that moved %d of %d bytes, the next call was %s() (asking for %d bytes) instead of another %s() for the %d bytes left\n", name[fd], prev_ret[fd], prev_ask[fd], $1, asked, name[fd], left[fd]
                    bad = 1; exit
                }
                if (asked != left[fd]) {
                    printf "after a %s() that moved %d of %d bytes, the next %s() asked for %d bytes instead of the %d bytes left\n", name[fd], prev_ret[fd], prev_ask[fd], $1, asked, left[fd]
                    bad = 1; exit
                }
            }
            name[fd] = $1; prev_ask[fd] = asked; prev_ret[fd] = ret
            if (ret < 0) left[fd] = (field("errno") == 4) ? asked : 0
            else left[fd] = asked - ret
        }
        END {
            if (bad) exit
            for (fd in left)
                if (left[fd] > 0)
                    printf "the last %s() moved %d of %d bytes, and no call followed for the %d bytes left\n", name[fd], prev_ret[fd], prev_ask[fd], left[fd]
        }
    ' "$1"
}

# expect_send_ok - msgsend (SEND_STATUS) exited 0, after the recorder got every byte right;
# otherwise a diagnosis.
expect_send_ok() {
    [[ $SEND_STATUS == 0 ]] && return 0
    if [[ $SEND_STATUS == 124 ]]; then
        diagnose "the recorder received every byte, but msgsend was still running after ${SEND_LIMIT:-5} s; $(h_tail_err sender)" \
            "send_msg() or writen() did not return after the last byte was out: the loop must end once nothing is left to write"
    else
        diagnose "the recorder received every byte, but $(sender_said)" \
            "msgsend checks what send_msg() and writen() return: once every byte is out they must report success (send_msg() 0, writen() n), -1 only after a failed call"
    fi
    return 1
}
