#!/usr/bin/env bats
# Lab 09: Unix domain sockets at a path. unix_listen() and unix_connect() through unixtool's
# server and client: the greeting, the socket file's mode, a stale socket file, a regular file
# and a live server at the path, and a path too long for sun_path.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# shellcheck disable=SC2034  # read by the harness: nothing here waits on purpose
STUDENT_TIMEOUT=8

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/unix_helpers"

# points: 2
@test "a server listens at a path and greets a client with the client's uid, gid and pid" {
    start_server srv serve -c 1 "$SOCK"
    ut hello "$SOCK"
    local hint ids
    hint=$(stub_hint)
    [[ -z "$hint" ]] || { diagnose "unixtool hello $SOCK: $(said)" "$hint"; return 1; }
    ids=$(program_ids)
    if [[ $status -ne 0 ]]; then
        diagnose "unixtool serve listens at $SOCK; unixtool hello could not reach it: $(said)" \
            "unix_connect(): socket(AF_UNIX, TYPE, 0), a struct sockaddr_un with sun_family AF_UNIX and the path (and its NUL) in sun_path, connect() with that address's length"
        return 1
    fi
    [[ "$output" =~ ^hello\ uid\ ([0-9]+)\ gid\ ([0-9]+)\ pid\ ([0-9]+)$ ]] || {
        diagnose "unixtool hello $SOCK: $(said)" "the server greets every client it does not refuse: unix_accept() must return the connection and fill *UID, *GID and *PID"
        return 1
    }
    # The pid may be 0: each program runs in a PID namespace of its own, where the other is not seen.
    if [[ "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" != "$ids" ]]; then
        diagnose "the client runs with uid and gid $ids; the server greeted it with '$output'" \
            "read SO_PEERCRED with getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) into a struct ucred, and copy cred.uid, cred.gid and cred.pid out"
        return 1
    fi
}

# points: 2
@test "the socket file has exactly the mode asked for, whatever the umask" {
    needs "a server listens at a path and greets a client with the client's uid, gid and pid"
    umask 027
    start_server srv serve -m 0666 "$SOCK"
    local mode
    mode=$(stat -c %a "$SOCK" 2>/dev/null || echo none)
    [[ "$mode" == 666 ]] && return 0
    if [[ "$mode" == 640 ]]; then
        diagnose "started with umask 027 and -m 0666, the server's socket file has mode $mode: 0666 with the umask's bits taken away" \
            "fchmod() on the socket before bind() only changes what bind() starts from: bind() still applies the umask. chmod() the PATH to MODE after bind() (or set the umask around bind())"
    else
        diagnose "started with umask 027 and -m 0666, the server's socket file has mode $mode, not 666" \
            "bind() creates the socket file with 0777 minus the process's umask: chmod(path, mode) after bind() so it has exactly MODE whatever the umask; who may connect depends on it (write permission on the file)"
    fi
}

# points: 2
@test "a stale socket file left by a killed server is replaced, and the new server serves" {
    needs "a server listens at a path and greets a client with the client's uid, gid and pid"
    start_server old serve "$SOCK"
    stop old KILL
    [[ -S "$SOCK" ]] || { fail "test bug: the killed server left no socket file at $SOCK"; return 1; }
    spawn_student new unixtool serve -c 1 "$SOCK"
    wait_until 5 listening_or_gone new || true
    if ! h_has_line "$(out_of new)" '^listening$'; then
        wait_for_exit new 1
        diagnose "a server killed with SIGKILL left its socket file at $SOCK (nobody listens there: a connect() is refused); a new server could not listen there: $(h_tail_err new)" \
            "a stale socket file makes bind() fail with EADDRINUSE: lstat() the path and, if it is a socket (S_ISSOCK) that nobody serves (connect() fails with ECONNREFUSED), unlink() it before bind()"
        return 1
    fi
    ut hello "$SOCK"
    [[ $status -eq 0 && "$output" == "hello uid "* ]] ||
        diagnose "the new server listens at $SOCK; unixtool hello: $(said)" \
            "after removing the stale file, bind() and listen() on the same path as usual"
}

# points: 2
@test "a regular file at the path is left untouched, and the server fails with EADDRINUSE" {
    needs "a server listens at a path and greets a client with the client's uid, gid and pid"
    printf 'precious data\n' >"$SOCK"
    local kind listened=0 err=""
    try_server srv serve -c 1 "$SOCK" && listened=1
    kind=$(file_kind "$SOCK")
    if [[ "$kind" != "regular file" || "$(cat "$SOCK" 2>/dev/null)" != "precious data" ]]; then
        diagnose "a regular file holding 'precious data' was at $SOCK; after unixtool serve $( ((listened)) && echo "listened" || echo "failed ($err)") there is $kind there" \
            "unix_listen() removed a regular file that is not its to remove: lstat() the path first and unlink() only a socket (S_ISSOCK(st.st_mode)) that nobody serves; anything else stays, and unix_listen() fails with EADDRINUSE"
        return 1
    fi
    [[ $listened -eq 0 && "$err" == *"Address already in use"* ]] ||
        diagnose "a regular file was at $SOCK (it is still there); unixtool serve $( ((listened)) && echo "listened" || echo "exited with status $status; $err")" \
            "fail with errno EADDRINUSE when something that is not a socket holds the path (bind() says so too when you leave the file there)"
}

# points: 3
@test "a second server on a live server's path fails with EADDRINUSE, and the first one still serves" {
    needs "a server listens at a path and greets a client with the client's uid, gid and pid"
    start_server first serve "$SOCK"
    spawn_student second unixtool serve "$SOCK"
    wait_until 5 listening_or_gone second || true
    if h_has_line "$(out_of second)" '^listening$'; then
        diagnose "a live server listens at $SOCK; a second server started on the same path listened too ($(h_tail_err second))" \
            "unix_listen() removed a live server's socket file and bound its own: the first server still runs but nobody can reach it any more. Remove a socket file only when connect() to it is refused (ECONNREFUSED: nobody serves it); a connect() that succeeds means a live server: fail with EADDRINUSE"
        return 1
    fi
    wait_for_exit second 1
    local second=$status second_err
    second_err=$(h_tail_err second)
    ut hello "$SOCK"
    if [[ $status -ne 0 || "$output" != "hello uid "* ]]; then
        diagnose "a live server listened at $SOCK; after a second server failed on the same path (exit status $second; $second_err), a client could not reach the first: $(said)" \
            "unix_listen() must not touch a live server's socket file when it fails: remove a socket file only when connect() to it is refused (ECONNREFUSED), and never unlink() the path on an error before your own bind() succeeded"
        return 1
    fi
    [[ $second -ne 0 && "$second_err" == *"Address already in use"* ]] ||
        diagnose "a live server listens at $SOCK; a second server on the same path exited with status $second; $second_err" \
            "when a connect() to the socket at the path succeeds, someone serves it: fail with errno EADDRINUSE"
}

# points: 1
@test "a path longer than sun_path is refused with ENAMETOOLONG, not truncated" {
    needs "a server listens at a path and greets a client with the client's uid, gid and pid"
    local dir=$BATS_TEST_TMPDIR/d long cut
    mkdir -p "$dir"
    long=$dir/$(printf 'p%.0s' {1..150})
    cut=${long:0:107}
    local err=""
    if try_server srv serve -c 1 "$long" || [[ -e "$cut" ]]; then
        diagnose "asked to listen on a ${#long}-byte path, unixtool serve $( [[ -e "$cut" ]] && echo "bound a socket file at its first 107 bytes" || echo "listened")" \
            "the path was silently truncated to fit sun_path (108 bytes with the NUL): if strlen(path) >= sizeof(addr.sun_path) fail with ENAMETOOLONG; never strncpy() it short"
        return 1
    fi
    [[ "$err" == *"File name too long"* ]] ||
        diagnose "asked to listen on a ${#long}-byte path, unixtool serve exited with status $status; $err" \
            "fail with errno ENAMETOOLONG when the path does not fit in sun_path"
}

# points: 2
@test "under Valgrind the functions leak no descriptor and no memory, also when a path is taken" {
    needs "a server listens at a path and greets a client with the client's uid, gid and pid" \
        "a stale socket file left by a killed server is replaced, and the new server serves"
    with_valgrind
    start_server srv serve -c 1 "$SOCK"
    # Not `run`: the run keeps its name (unixtool-run1) for valgrind_report.
    student unixtool serve -c 1 "$SOCK" >/dev/null 2>&1 || true
    # The client: socat, so that only two programs pay for Valgrind.
    in_netns socat -u "UNIX-CONNECT:$SOCK" - >/dev/null 2>&1 || true
    wait_for_exit srv 10
    local report
    report=$(valgrind_report unixtool-run1)
    if [[ -n "$report" ]]; then
        diagnose "under Valgrind, a second server on a live server's path (it must fail with EADDRINUSE): $report" \
            "on every failure path of unix_listen() close what you opened before returning -1 (the socket that probed the live server, the socket that was to listen), and keep errno: save it, close(), restore it"
        return 1
    fi
    report=$(valgrind_report srv)
    [[ -z "$report" ]] || diagnose "under Valgrind, a server that served one client: $report" \
        "unix_listen() and unix_accept() return their one descriptor to the caller and keep nothing else open"
}
