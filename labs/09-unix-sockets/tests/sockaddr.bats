#!/usr/bin/env bats
# Lab 09: the abstract namespace. A name that starts with '@' is an abstract name: no file, and
# an address whose length counts exactly the name's bytes (the kernel shows every extra NUL
# byte as '@' in /proc/net/unix and ss -x).
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# shellcheck disable=SC2034  # read by the harness: nothing here waits on purpose
STUDENT_TIMEOUT=8

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/unix_helpers"

# points: 3
@test "a server on an abstract name listens under exactly that name, and creates no file" {
    needs "a server listens at a path and greets a client with the client's uid, gid and pid"
    start_server srv serve -c 1 "$ABS"
    local names mine
    names=$(unix_names)
    mine=$(grep -F -- "${ABS}" <<<"$names" | head -n 1 || true)
    if [[ -e "$BATS_TEST_TMPDIR/$ABS" ]]; then
        diagnose "unixtool serve $ABS created a socket FILE named '$ABS' in its working directory" \
            "a name that starts with '@' is an abstract name: put a NUL byte in sun_path[0] and the name after the '@' from sun_path[1]; bind() then creates no file"
    elif [[ "$mine" == "$ABS" ]]; then
        return 0
    elif [[ "$mine" == "$ABS"@* ]]; then
        diagnose "unixtool serve $ABS listens under the abstract name '$mine' (the kernel shows each NUL byte of the name as '@': $(( ${#mine} - ${#ABS} )) trailing NULs)" \
            "the address length passed to bind() counts every byte of an abstract name: give offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name), not sizeof(struct sockaddr_un), or clients that use the exact name are refused"
    else
        diagnose "unixtool serve $ABS said 'listening'; the Unix sockets listening in the test's namespace are: $(tr '\n' ' ' <<<"$names")" \
            "an abstract name: sun_path[0] = '\\0', the name (without the '@') from sun_path[1], and the length offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)"
    fi
}

# points: 2
@test "unix_connect reaches a test peer that listens on an abstract name" {
    needs "a server listens at a path and greets a client with the client's uid, gid and pid"
    # socat's abstract addresses have the exact length (unix-tightsocklen, its default).
    spawn peer socat "ABSTRACT-LISTEN:${ABS#@}" SYSTEM:'echo peer here'
    wait_until 5 h_unix_listening "$ABS" || { fail "test bug: socat did not listen on $ABS: $(h_tail_err peer)"; return 1; }
    ut hello "$ABS"
    local hint
    hint=$(stub_hint)
    [[ -z "$hint" ]] || { diagnose "unixtool hello $ABS: $(said)" "$hint"; return 1; }
    [[ $status -eq 0 && "$output" == "peer here" ]] && return 0
    if [[ "$stderr" == *"Connection refused"* ]]; then
        diagnose "the test's socat listens on the abstract name '$ABS'; unixtool hello $ABS was refused: $(said)" \
            "nothing listens on the name your address says: an abstract address is sun_path[0] = '\\0', the name, and a length of offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name); sizeof(struct sockaddr_un) adds trailing NULs to the name"
    else
        diagnose "the test's socat listens on the abstract name '$ABS' and says 'peer here'; unixtool hello $ABS: $(said)" \
            "unix_connect(): a name that starts with '@' is an abstract name (no file): sun_path[0] = '\\0', the name after it, the exact length"
    fi
}
