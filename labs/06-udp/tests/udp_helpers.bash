# shellcheck shell=bash
# udp_helpers.bash - what lab 06's two test files share: starting the udppeer as a client or a
# server, reading its log, and putting what it saw into words. Loaded after the sockets-harness
# library.

# quiet_ms - how long (ms) the udppeer waits for one more reply before it decides none is coming:
# a reply on loopback takes well under a millisecond, so this is waited out only when a reply is
# missing (a test that expects none asks for fewer with -n). 1 s, for a loaded machine; 4 s under
# Valgrind, which slows the program that replies.
quiet_ms() {
    echo $((500 * H_SLOW / 2 + 500))
}

# udp_send NAME [OPTION...] -- DGRAM... - run the udppeer as a client: it sends each DGRAM
# (text:TEXT, hex:HEX, file:PATH) to 127.0.0.1:$PORT from a port of its own, then waits for the
# replies. Its log is NAME.log, reply K is NAME.d/K.bin in the test's directory. Sets `status`.
udp_send() {
    local name=$1 dir="${BATS_TEST_TMPDIR}/$1.d"
    shift
    local opts=()
    while [[ $# -gt 0 && "$1" != -- ]]; do
        opts+=("$1")
        shift
    done
    shift
    mkdir -p "$dir"
    status=0
    peer udppeer -o "${BATS_TEST_TMPDIR}/${name}.log" -O "$dir" -w "$(quiet_ms)" "${opts[@]}" \
        send "127.0.0.1:${PORT}" "$@" || status=$?
}

# log_of NAME - the path of the udppeer NAME's log.
log_of() {
    echo "${BATS_TEST_TMPDIR}/$1.log"
}

# count_lines NAME WORD - how many lines of NAME's log start with WORD.
count_lines() {
    grep -c "^$2 " "$(log_of "$1")" 2>/dev/null || true
}

# sizes_of NAME WORD - the sizes on NAME's WORD lines (reply, recv), joined by spaces.
sizes_of() {
    awk -v w="$2" '$1 == w { printf "%s%s", sep, $3; sep = " " }' "$(log_of "$1")" 2>/dev/null
}

# sources_of NAME - the distinct addresses NAME's replies came from, joined by spaces.
sources_of() {
    awk '$1 == "reply" && !seen[$4]++ { printf "%s%s", sep, $4; sep = " " }' "$(log_of "$1")" 2>/dev/null
}

# bound_of NAME - the address the udppeer NAME sent from (127.0.0.1:PORT).
bound_of() {
    awk '$1 == "bound" { print $2; exit }' "$(log_of "$1")" 2>/dev/null
}

# in_words SIZES - "one reply of 21 bytes", "3 replies of 5, 7 and 9 bytes", "no reply".
in_words() {
    local -a s
    read -ra s <<<"$1"
    local n=${#s[@]} head
    case $n in
    0) echo "no reply" ;;
    1) echo "one reply of ${s[0]} bytes" ;;
    *)
        head="${s[*]:0:n-1}"
        echo "$n replies of ${head// /, } and ${s[n - 1]} bytes" ;;
    esac
}

# reply_is NAME K FILE - true if NAME's reply K holds exactly the bytes of FILE.
reply_is() {
    cmp -s "${BATS_TEST_TMPDIR}/$1.d/$2.bin" "$3"
}

# start_server [NAME [PORT [OPTION...]]] - start the student's server on PORT ($PORT) as NAME
# (server), with OPTIONs before the port, and wait until its UDP socket is bound.
start_server() {
    local name=${1:-server} at=${2:-$PORT}
    if [[ $# -ge 2 ]]; then shift 2; else set --; fi
    spawn_student "$name" udpserver "$@" "$at"
    wait_for_udp_port "$at" "$name"
}

# expect_server_alive NAME WHAT LIKELY - diagnose (with LIKELY) if server NAME has exited, or
# exits within a second, after WHAT.
expect_server_alive() {
    wait_for_exit "$1" 1
    [[ $status -eq 124 ]] && return 0
    diagnose "your server exited with status $status after $2; $(h_tail_err "$1")" "$3"
    return 1
}

# ms_since START - milliseconds since START (a copy of $EPOCHREALTIME).
ms_since() {
    local now=${EPOCHREALTIME//[.,]/} then=${1//[.,]/}
    echo $(((now - then) / 1000))
}

# brief TEXT - TEXT for a diagnosis: its first 200 characters on one line, and its length when
# there is more.
brief() {
    local text=${1//$'\n'/\\n}
    if [[ ${#text} -gt 200 ]]; then
        echo "${text:0:200}... (${#1} characters in all)"
    else
        echo "$text"
    fi
}
