#!/usr/bin/env bats
# shellcheck disable=SC2034  # Bats reads BATS_TEST_TIMEOUT
# Lab 03: what each function returns. The provided program msgcheck calls readn, writen,
# writev_all and recv_msg directly on a socket pair and prints each call's return value, errno
# and *len, and whether the bytes that reached the other end are the ones sent:
#     writen rc=100000 errno=-
#     recv_msg-eof-in-header rc=-1 errno=EPROTO len=777777
# The wire tests (framing, shortio) come first: a test here that relies on one says so (needs).
BATS_TEST_TIMEOUT=60

bats_load_library sockets-harness
load helpers

# check CASE... - run msgcheck CASE... (time limit 5 s); CHECK holds its output, CHECK_STATUS its
# exit status, and FIELD[CASE.KEY] the value of KEY= on CASE's first line (FIELD[writen.rc]; unset
# if there is no such line). Read once here, by the shell: the tests look up several values each.
declare -A FIELD=()
check() {
    local c rest kv kvs
    local -A seen=()
    CHECK_STATUS=0
    CHECK=$(STUDENT_TIMEOUT=5 student msgcheck "$@" 2>"$T/check.err") || CHECK_STATUS=$?
    declare -gA FIELD=()
    while read -r c rest; do
        [[ -n "$c" && -z "${seen[$c]:-}" ]] || continue
        seen[$c]=1
        read -ra kvs <<<"$rest"
        for kv in "${kvs[@]}"; do
            [[ "$kv" == *=* ]] && FIELD["$c.${kv%%=*}"]=${kv#*=}
        done
    done <<<"$CHECK"
    return 0
}

# field_to VAR CASE KEY - set VAR to the value of KEY= on CASE's line of CHECK (FIELD), "" if
# there is none.
field_to() { printf -v "$1" '%s' "${FIELD["$2.$3"]:-}"; }

# line_of CASE - CASE's line of CHECK, or what happened instead.
line_of() {
    local line
    line=$(grep -m 1 "^$1 " <<<"$CHECK" || true)
    if [[ -n "$line" ]]; then
        echo "'$line'"
    elif [[ $CHECK_STATUS == 124 ]]; then
        echo "no result: the call had not returned after 5 s"
    else
        echo "no result: msgcheck exited with status $CHECK_STATUS; $(head -c 300 "$T/check.err")"
    fi
}

# points: 2
@test "writen returns n once every byte is out, also after short writes" {
    needs "writen writes all of 1 MiB through short writes (seed 11)"
    with_shortio 17 3
    check writen 100000
    local rc
    field_to rc writen rc
    [[ "$rc" == 100000 ]] && return 0
    if [[ "$rc" =~ ^[1-3]$ ]]; then
        diagnose "writen() returned $rc for 100000 bytes written through writes cut to at most 3 bytes: $(line_of writen)" \
            "writen() returned the count of its last write(), not the total: it must return n once all n bytes are out"
    elif [[ "$rc" == 0 ]]; then
        diagnose "writen() returned 0 for 100000 bytes: $(line_of writen)" \
            "writen() returned the bytes still to write (0) or a count it never updated: it must return n once all n bytes are out"
    else
        diagnose "writen() of 100000 bytes, each write() cut to at most 3 bytes: $(line_of writen)" \
            "writen() must return n once all n bytes are out, and -1 only when write() failed with an error other than EINTR"
    fi
}

# points: 1
@test "writen returns -1 with errno EPIPE when the peer has closed" {
    needs "writen sends every byte of a buffer"
    check writen-epipe
    local rc err
    field_to rc writen-epipe rc
    field_to err writen-epipe errno
    [[ "$rc" == -1 && "$err" == EPIPE ]] && return 0
    if [[ -z "$rc" && $CHECK_STATUS == 124 ]]; then
        diagnose "writen() of 100000 bytes to a socket whose peer had closed: $(line_of writen-epipe)" \
            "writen() never returned: it calls write() again after every failure, but only EINTR is worth a retry; any other -1 (here EPIPE) must be returned as -1 with errno as write() set it"
    elif [[ "$rc" == -1 ]]; then
        diagnose "writen() to a socket whose peer had closed returned -1 but errno is $err: $(line_of writen-epipe)" \
            "return -1 right after the failed write(), leaving errno as write() set it (EPIPE): a call made in between may change errno"
    else
        diagnose "writen() to a socket whose peer had closed returned $rc: $(line_of writen-epipe)" \
            "a write() that fails (-1, errno EPIPE) is an error: writen() must return -1, not a count"
    fi
}

# points: 2
@test "writev_all returns the total of all iovecs, empty ones included, after short writevs" {
    needs "send_msg sends all of a 1 MiB message through short writevs (seed 11)"
    with_shortio 19 3
    check writev 0,4,0,100,0,7000,0
    local rc none got
    field_to rc writev_all rc
    field_to none writev_all-none rc
    got=$(grep -m 1 '^writev_all-received ' <<<"$CHECK" | cut -d' ' -f2- || true)
    if [[ "$rc" == 7104 && "$none" == 0 && "$got" == "got=7104 intact" ]]; then
        return 0
    fi
    if [[ -z "$rc" ]]; then
        diagnose "writev_all() of 7 iovecs of 0, 4, 0, 100, 0, 7000 and 0 bytes, each writev() cut to at most 3 bytes: $(line_of writev_all)" \
            "writev_all() did not return: an empty iovec (length 0) must be skipped like one written in full, and the loop must end once every byte is out, even when empty entries are left at the end"
    elif [[ "$rc" =~ ^[1-3]$ ]]; then
        diagnose "writev_all() returned $rc for 7104 bytes written through writevs cut to at most 3 bytes: $(line_of writev_all)" \
            "writev_all() returned the count of its last writev(), not the total: add up what every writev() returned and return that sum"
    elif [[ "$rc" != 7104 ]]; then
        diagnose "writev_all() returned $rc for iovecs holding 7104 bytes (0, 4, 0, 100, 0, 7000, 0), each writev() cut to at most 3 bytes: $(line_of writev_all); the other end got ${got:-nothing}" \
            "writev_all() must write every byte of every iovec and return the total number of bytes written"
    elif [[ "$none" != 0 ]]; then
        diagnose "writev_all() of no iovec at all (iovcnt 0): $(line_of writev_all-none)" \
            "with nothing to write, writev_all() has nothing to do: it must return 0 without calling writev() in a loop"
    else
        diagnose "writev_all() returned 7104, but the other end got: ${got:-nothing}" \
            "continue each short writev() from the exact byte where it stopped, skipping empty entries"
    fi
}

# points: 2
@test "readn returns the bytes that came before EOF, then 0" {
    with_shortio 23 3 20
    check readn
    local part zero inside at
    field_to part readn-part rc
    field_to zero readn-zero rc
    field_to inside readn-eof-inside rc
    field_to at readn-at-eof rc
    [[ "$part" == 4 && "$zero" == 0 && "$inside" == 6 && "$at" == 0 ]] && return 0
    local seen
    seen="the peer sent 10 bytes and shut down its side; readn(4), readn(0), readn(20), readn(20) gave: $(line_of readn-part), $(line_of readn-zero), $(line_of readn-eof-inside), $(line_of readn-at-eof)"
    if [[ "$inside" == 20 ]]; then
        diagnose "readn() returned 20 for 20 bytes asked, but the stream ended after 6 of them; $seen" \
            "at EOF readn() must return the count it has read so far (n - left), not n: the caller tells a whole read from a stream that ended by that number"
    elif [[ "$part" != 4 ]]; then
        diagnose "readn(fd, buf, 4) with 10 bytes waiting; $seen" \
            "readn() must return n once n bytes are in: loop on read(), adding up what each returns"
    elif [[ "$zero" != 0 ]]; then
        diagnose "readn(fd, buf, 0) must return 0 at once; $seen" \
            "with n = 0 there is nothing to read: return 0 without calling read()"
    elif [[ "$inside" == -1 || "$at" == -1 ]]; then
        diagnose "readn() returned -1 at the end of the stream; $seen" \
            "read() returning 0 means EOF, not an error: readn() returns the bytes read so far, 0 if EOF came first"
    else
        diagnose "readn() across the end of the stream; $seen" \
            "readn() returns n; fewer only at EOF (the bytes read before it); 0 if EOF came first; -1 only on an error"
    fi
}

# points: 1
@test "send_msg returns 0, or -1 with errno EPIPE when the peer has closed" {
    needs "send_msg frames a 5-byte message as a 4-byte big-endian length and the body"
    check send_msg
    local rc err erc
    field_to rc send_msg rc
    field_to erc send_msg-epipe rc
    field_to err send_msg-epipe errno
    [[ "$rc" == 0 && "$erc" == -1 && "$err" == EPIPE ]] && return 0
    if [[ "$rc" != 0 ]]; then
        diagnose "send_msg() of a 5-byte message: $(line_of send_msg)" \
            "send_msg() returns 0 once the message is out (not the byte count writev_all() returned), or -1 on an error"
    else
        diagnose "send_msg() to a socket whose peer had closed: $(line_of send_msg-epipe)" \
            "when writev_all() fails, send_msg() must return -1 with errno as writev() set it (here EPIPE)"
    fi
}

# points: 1
@test "readn returns -1 with read()'s errno when read() fails" {
    check readn
    local rc err
    field_to rc readn-bad-fd rc
    field_to err readn-bad-fd errno
    [[ "$rc" == -1 && "$err" == EBADF ]] && return 0
    diagnose "readn() on a descriptor that is not open (read() fails with EBADF): $(line_of readn-bad-fd)" \
        "when read() fails with anything but EINTR, readn() must return -1 at once, leaving errno as read() set it"
}

# points: 2
@test "recv_msg returns 1, 0, or -1 with EPROTO or EMSGSIZE, as its contract says" {
    needs "recv_msg receives a message sent in one piece and msgrecv acknowledges it" \
        "readn returns the bytes that came before EOF, then 0"
    check recv_msg
    local c want got_rc="" got_errno="" bad=""
    while read -r c want; do
        field_to got_rc "$c" rc
        field_to got_errno "$c" errno
        [[ "$got_rc $got_errno" == "$want" ]] || bad+=" $c"
    done <<'CASES'
recv_msg-whole 1 -
recv_msg-exact-cap 1 -
recv_msg-empty-message 1 -
recv_msg-clean-end 0 -
recv_msg-eof-in-header -1 EPROTO
recv_msg-eof-in-body -1 EPROTO
recv_msg-over-cap -1 EMSGSIZE
CASES
    [[ -z "$bad" ]] && return 0
    local first=${bad# }
    first=${first%% *}
    local what
    case $first in
    recv_msg-whole) what="a whole 5-byte message with cap 64: expected rc=1" ;;
    recv_msg-exact-cap) what="a 5-byte message with cap 5 (it fits exactly): expected rc=1" ;;
    recv_msg-empty-message) what="a zero-length message (the header 00 00 00 00 alone): expected rc=1, len=0" ;;
    recv_msg-clean-end) what="a stream that ends before any header: expected rc=0 (no message, no error)" ;;
    recv_msg-eof-in-header) what="2 bytes of a header, then EOF: expected rc=-1, errno EPROTO" ;;
    recv_msg-eof-in-body) what="a header announcing 10 bytes, 3 bytes, then EOF: expected rc=-1, errno EPROTO" ;;
    recv_msg-over-cap) what="a header announcing 100 bytes to cap 50: expected rc=-1, errno EMSGSIZE" ;;
    esac
    diagnose "recv_msg() on $what; got $(line_of "$first")" \
        "recv_msg() returns 1 with a message, 0 only if the stream ended before the first byte of a header, and -1 with errno EPROTO (ended inside a header or a body) or EMSGSIZE (len > cap; len == cap fits)"
}

# points: 1
@test "recv_msg leaves *len alone until a whole header is in, then sets it" {
    needs "recv_msg returns 1, 0, or -1 with EPROTO or EMSGSIZE, as its contract says"
    check recv_msg
    local h b o e
    field_to h recv_msg-eof-in-header len
    field_to e recv_msg-clean-end len
    field_to b recv_msg-eof-in-body len
    field_to o recv_msg-over-cap len
    if [[ "$h" != 777777 || "$e" != 777777 ]]; then
        diagnose "*len held 777777 before the call; after a stream that ended $( [[ "$h" != 777777 ]] && echo "inside the header: $(line_of recv_msg-eof-in-header)" || echo "before any header: $(line_of recv_msg-clean-end)")" \
            "*len was changed although no whole header had been read: read the header into a local variable and set *len only once all 4 bytes are in"
    elif [[ "$b" != 10 || "$o" != 100 ]]; then
        diagnose "after a whole header, *len must hold the announced length, also when recv_msg() then fails: $(line_of recv_msg-eof-in-body), $(line_of recv_msg-over-cap)" \
            "set *len = ntohl(header) as soon as the header is in, before checking it against cap or reading the body"
    fi
}

# points: 1
@test "recv_msg passes read()'s own errno on when read() fails" {
    needs "recv_msg returns 1, 0, or -1 with EPROTO or EMSGSIZE, as its contract says" \
        "readn returns -1 with read()'s errno when read() fails"
    check recv_msg
    local rc err
    field_to rc recv_msg-bad-fd rc
    field_to err recv_msg-bad-fd errno
    [[ "$rc" == -1 && "$err" == EBADF ]] && return 0
    diagnose "recv_msg() on a descriptor that is not open (read() fails with EBADF): $(line_of recv_msg-bad-fd)" \
        "when readn() returns -1, recv_msg() must return -1 with read()'s own errno: EPROTO means the stream ended early, and only that"
}
