# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # SOCK, ABS are read by the tests; status, output and stderr are set by run
# unix_helpers.bash - what lab 09's test files share: their set-up, running unixtool, and
# reading the test's Unix sockets from the kernel's table. Loaded after the sockets-harness
# library.

# setup() - the harness's set-up, then SOCK (a socket path in the test's own directory) and
# ABS (an abstract name unique to this test: abstract names belong to the network namespace,
# and without one every test on the machine shares them).
setup() {
    harness_setup
    # sun_path holds 107 bytes and a NUL; the tests' longest name is SOCK's directory + 12.
    if ((${#BATS_TEST_TMPDIR} > 90)); then
        fail "test set-up: BATS_TEST_TMPDIR ($BATS_TEST_TMPDIR) is ${#BATS_TEST_TMPDIR} bytes long, too long for a socket path in sun_path (108 bytes); set TMPDIR to a shorter directory"
        return 1
    fi
    SOCK="${BATS_TEST_TMPDIR}/srv.sock"
    ABS="@lab09.$$.${BATS_TEST_NUMBER}"
    # The programs' working directory: a name mistaken for a path lands here, where it is seen.
    cd "$BATS_TEST_TMPDIR" || return 1
}

# ut ARG... - run the student's unixtool in the foreground through `run --separate-stderr`
# (sets status, output, stderr).
ut() {
    run --separate-stderr student unixtool "$@"
}

# said - what unixtool printed, on one line, and what it said on stderr: for a diagnosis.
said() {
    local out=${output//$'\n'/ | } err=${stderr//$'\n'/ | } tail=""
    [[ -z "$err" ]] || tail=", stderr '${err:0:300}'"
    echo "printed '${out:0:200}', exit status $status$tail"
}

# stub_hint - the likely mistake when unixtool's stderr shows a stub still in place; empty if
# not.
stub_hint() {
    local stub
    stub=$(grep -m 1 -o '[A-Za-z_][A-Za-z0-9_]*: not implemented yet' <<<"$stderr" || true)
    [[ -z "$stub" ]] || echo "${stub%%:*}() is still the stub of the skeleton: write it (see the TODO in unixsock.c)"
}

# start_server NAME ARG... - start `unixtool ARG...` in the background as NAME and wait until
# it printed "listening" (unix_listen() returned); fails the test with a diagnosis if it
# exited first or took more than 5 s.
start_server() {
    local name=$1
    shift
    spawn_student "$name" unixtool "$@"
    wait_until 5 listening_or_gone "$name" || true
    h_has_line "$(out_of "$name")" '^listening$' && return 0
    wait_for_exit "$name" 1
    diagnose "unixtool $* did not start: exit status $status; $(h_tail_err "$name")" \
        "$(h_startup_hint "$name")"
}

# listening_or_gone NAME - true once unixtool NAME printed "listening" or has exited.
listening_or_gone() {
    h_has_line "$(out_of "$1")" '^listening$' || ! is_running "$1"
}

# unix_names [all] - the names of the Unix sockets in the test's network namespace that listen
# (with "all": every bound one), one a line, as the kernel shows them: a path, or '@' and an
# abstract name whose every NUL byte is shown as '@' too.
unix_names() {
    local flags path
    while read -r _ _ _ flags _ _ _ path; do
        [[ -n "$path" && "$flags" != Flags ]] || continue
        [[ "${1:-}" == all || "$flags" == 00010000 ]] && printf '%s\n' "$path"
    done <"$H_NET_DIR/unix"
    return 0
}

# file_kind PATH - what is at PATH: "socket", "regular file", "nothing", …
file_kind() {
    if [[ -S "$1" ]]; then
        echo socket
    elif [[ -L "$1" ]]; then
        echo "symbolic link"
    elif [[ -f "$1" ]]; then
        echo "regular file"
    elif [[ -e "$1" ]]; then
        stat -c %F "$1"
    else
        echo nothing
    fi
}

# program_ids - "UID GID" as the test's programs see themselves (in a user namespace, the
# mapped ids).
program_ids() {
    # shellcheck disable=SC2016  # expanded by sh, inside the namespace
    in_netns sh -c 'echo "$(id -u) $(id -g)"'
}

# other_uid_works - true if the test can run a program as uid 65534 (nobody): as root, through
# setpriv; false as a normal user, whose user namespace maps only its own uid.
other_uid_works() {
    local rc=0
    in_netns setpriv --reuid=65534 --regid=65534 --clear-groups -- "${LAB_BIN}/unixtool" >/dev/null 2>&1 || rc=$?
    [[ $rc -eq 2 ]] # unixtool's usage: it ran
}

# hello_as_nobody NAME - `unixtool hello NAME` run as uid and gid 65534 (sets status, output,
# stderr); through setpriv, so without Valgrind or the short-I/O injector.
hello_as_nobody() {
    run --separate-stderr in_netns setpriv --reuid=65534 --regid=65534 --clear-groups -- \
        "${LAB_BIN}/unixtool" hello "$1"
}

# try_server NAME ARG... - start `unixtool ARG...` as NAME and wait until it printed
# "listening" (true) or exited (false, with status its exit status and err its stderr's tail).
try_server() {
    local name=$1
    shift
    spawn_student "$name" unixtool "$@"
    wait_until 5 listening_or_gone "$name" || true
    h_has_line "$(out_of "$name")" '^listening$' && return 0
    wait_for_exit "$name" 1
    err=$(h_tail_err "$name")
    return 1
}
