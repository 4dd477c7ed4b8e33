# shellcheck shell=bash
# echo_helpers.bash - what lab 02's two test files share: comparing an echo with what was sent,
# and running a scripted client against the server. Loaded after the sockets-harness library.

# size_of FILE - FILE's size in bytes (0 if it does not exist).
size_of() {
    file_size "$1" || echo 0
}

# echo_mismatch SENT GOT [WHO] - how file GOT differs from file SENT, in words, with byte counts:
# "sent N bytes, got M back; ..." or, with WHO, "sent N bytes, WHO received M; ...".
echo_mismatch() {
    local sent=$1 got=$2 n m first head
    n=$(size_of "$sent")
    m=$(size_of "$got")
    if [[ -n "${3:-}" ]]; then
        head="sent $n bytes, $3 received $m"
    else
        head="sent $n bytes, got $m back"
    fi
    first=$(cmp "$sent" "$got" 2>/dev/null | sed -n 's/.* differ: [a-z]* \([0-9]*\),.*/\1/p')
    if [[ $m -eq 0 ]]; then
        echo "${head/%got 0 back/got nothing back}"
    elif [[ -n "$first" ]]; then
        echo "$head; they first differ at byte $first (counting from 1): bytes were lost, repeated or reordered there"
    elif [[ $m -lt $n ]]; then
        echo "$head: the first $m are right, the last $((n - m)) never came"
    elif [[ $m -gt $n ]]; then
        echo "$head: all $n came, followed by $((m - n)) extra bytes"
    else
        echo "$head, the same bytes"
    fi
}

# one_line FILE [N] - the last N (3) lines of FILE, each cut to 200 characters, joined with " | ",
# for a diagnosis.
one_line() {
    if [[ -s "$1" ]]; then
        tail -n "${2:-3}" "$1" | tr -d '\r' | cut -c 1-200 | paste -sd '|' | sed 's/|/ | /g'
    else
        echo "(nothing)"
    fi
}

# talk NAME STEP... - run the scripted peer as a client of 127.0.0.1:$PORT. Its event log goes to
# NAME.log and the bytes it receives to NAME.bin in the test's directory. Sets `status` to its
# exit status (124: it was still running after its time limit).
talk() {
    local name=$1
    shift
    status=0
    peer scripted -o "${BATS_TEST_TMPDIR}/${name}.log" -O "${BATS_TEST_TMPDIR}/${name}.bin" \
        "127.0.0.1:${PORT}" "$@" || status=$?
}

# expect_talk_echo NAME SENT LIKELY - after `talk NAME ...`: pass if the client got back exactly
# the bytes of file SENT and the connection ended cleanly; otherwise diagnose, naming LIKELY.
expect_talk_echo() {
    local name=$1 sent=$2 likely=$3 got="${BATS_TEST_TMPDIR}/$1.bin" log="${BATS_TEST_TMPDIR}/$1.log"
    [[ -f "$got" ]] || : >"$got"
    if [[ $status -eq 0 ]] && cmp -s "$sent" "$got"; then
        return 0
    fi
    if [[ $status -eq 124 ]]; then
        diagnose "the client sent its data, half-closed, and after ${STUDENT_TIMEOUT}s was still waiting for the server to close; $(echo_mismatch "$sent" "$got"); client log: $(one_line "$log")" \
            "when read() returns 0 the client has closed its side (EOF): the server must then close() the connection, which the client sees as EOF"
        return 1
    fi
    diagnose "$(echo_mismatch "$sent" "$got"); the client's log ended with: $(one_line "$log")" "$likely"
}

# expect_file_echo SENT GOT CONTEXT LIKELY [WHO] - pass if file GOT holds exactly the bytes of
# file SENT; otherwise diagnose with the counts, the place they diverge, CONTEXT and LIKELY. WHO
# names the receiver when GOT is not an echo (see echo_mismatch).
expect_file_echo() {
    cmp -s "$1" "$2" && return 0
    diagnose "$3: $(echo_mismatch "$1" "$2" "${5:-}")" "$4"
}

# brief TEXT - TEXT for a diagnosis: its first 200 characters on one line, and its length when
# there is more (a program's output may be megabytes).
brief() {
    local text=${1//$'\n'/\\n}
    if [[ ${#text} -gt 200 ]]; then
        echo "${text:0:200}... (${#1} characters in all)"
    else
        echo "$text"
    fi
}
