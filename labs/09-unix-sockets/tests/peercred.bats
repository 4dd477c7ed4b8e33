#!/usr/bin/env bats
# Lab 09: the credentials of a peer. unix_accept() through unixtool credcheck (a child of the
# server connects: the server knows its pid) and unixtool serve -r UID (a client of that uid is
# refused). As root the refused client runs as nobody (uid 65534, through setpriv); as a normal
# user, whose user namespace maps only its own uid, the server is told to refuse that uid.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# shellcheck disable=SC2034  # read by the harness: nothing here waits on purpose
STUDENT_TIMEOUT=8

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/unix_helpers"

# points: 3
@test "unix_accept reports the pid, uid and gid of the process that connected, not the server's" {
    needs "a server listens at a path and greets a client with the client's uid, gid and pid"
    ut credcheck "$SOCK"
    local hint self child peer
    hint=$(stub_hint)
    [[ -z "$hint" ]] || { diagnose "unixtool credcheck $SOCK: $(said)" "$hint"; return 1; }
    self=$(sed -n 's/^self uid \([0-9]*\) gid \([0-9]*\) pid \([0-9]*\)$/\1 \2 \3/p' <<<"$output")
    child=$(sed -n 's/^child pid \([0-9]*\)$/\1/p' <<<"$output")
    peer=$(sed -n 's/^peer uid \([0-9]*\) gid \([0-9]*\) pid \([0-9]*\)$/\1 \2 \3/p' <<<"$output")
    if [[ -z "$peer" || $status -ne 0 ]]; then
        diagnose "unixtool credcheck (a child connects to the server, which accepts it): $(said)" \
            "unix_accept(): accept() the connection, then getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) on it with a struct ucred; return the connected descriptor"
        return 1
    fi
    [[ "$peer" == "${self% *} $child" ]] && return 0
    if [[ "${peer##* }" == "${self##* }" ]]; then
        diagnose "the server (pid ${self##* }) accepted a connection from its child (pid $child); unix_accept() reported pid ${peer##* }: the server's own" \
            "SO_PEERCRED was read from the listening socket, whose credentials are those of the process that called listen(): the server. Read it from the CONNECTED socket that accept() returned"
    else
        diagnose "the server (uid, gid, pid: $self) accepted a connection from its child (pid $child, same uid and gid); unix_accept() reported uid, gid, pid: $peer" \
            "copy cred.uid, cred.gid and cred.pid from the struct ucred that getsockopt(SO_PEERCRED) filled on the accepted socket, each into its own output"
    fi
}

# points: 2
@test "the server refuses a client of the uid it was told to refuse: no greeting, the connection closed" {
    needs "unix_accept reports the pid, uid and gid of the process that connected, not the server's"
    local uid ids
    ids=$(program_ids)
    if other_uid_works; then
        # The server (root) refuses nobody; the client runs as nobody. An abstract name: nobody
        # may not enter the test's directory, and abstract names have no permissions.
        uid=65534
        start_server srv serve -r "$uid" -c 1 "$ABS"
        hello_as_nobody "$ABS"
    else
        uid=${ids% *}
        start_server srv serve -r "$uid" -c 1 "$ABS"
        ut hello "$ABS"
    fi
    if [[ $status -ne 0 ]]; then
        diagnose "unixtool serve -r $uid listens on $ABS; a client of uid $uid could not connect: $(said)" \
            "unix_connect() and unix_listen() must build the same abstract address: sun_path[0] = '\\0', the name after it, and a length that counts only those bytes"
        return 1
    fi
    [[ "$output" == "closed without a greeting" ]] && return 0
    diagnose "unixtool serve -r $uid (the server runs with uid and gid $ids); a client of uid $uid was greeted: '$output'" \
        "the server refuses the uid that unix_accept() reports: read SO_PEERCRED from the connected socket (the listening socket's credentials are the server's own)"
}
