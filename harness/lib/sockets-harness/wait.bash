# shellcheck shell=bash
# wait.bash - waiting for something a test started: exit, a listener, a line in a file, any
# check. All are built on poll_until (poll.bash); limits stretch under Valgrind or emulation.

# wait_until() - poll a check every 20 ms until it succeeds
# $1: the most seconds to wait (longer under Valgrind or emulation)
# $2...: the check: a command run in this shell, so it may set variables the test reads
# Returns 1 if the time ran out.
wait_until() {
    local limit=$1
    shift
    poll_until "$((limit * H_SLOW))" "$@"
}

# wait_for_exit() - wait for NAME to exit; its exit status lands in `status`
# $1: NAME
# $2: the most seconds to wait (default 5)
# `status` is 124 if NAME was still running then (it is not stopped).
wait_for_exit() {
    local name=$1 limit=${2:-5} pid H_PID
    h_pid "$name" || return 1
    pid=$H_PID
    if ! wait_until "$limit" h_exited "$pid"; then
        status=124
        return 0
    fi
    # The status file is written by contain just before it exits; read it (not `wait`), so
    # that this works in `run`'s subshell too.
    poll_until 1 test -s "${H_DIR}/${name}.status" || true
    read -r status 2>/dev/null <"${H_DIR}/${name}.status" || status=255
}

# stop() - send a signal to NAME's program and wait for it to exit; sets `status`
# $1: NAME
# $2: the signal (default TERM)
# TERM, INT, HUP, QUIT, USR1 and USR2 go through harness/contain, which passes them on to the
# program itself (not its children) and so knows the test stopped it; any other signal (KILL)
# goes to the program directly. Either way, contain then takes down what the program left.
stop() {
    local name=$1 sig=${2:-TERM} pid target H_PID
    h_pid "$name" || return 1
    pid=$H_PID
    case ${sig#SIG} in
        TERM | INT | HUP | QUIT | USR1 | USR2 | 15 | 2 | 1 | 3)
            target=$pid ;;
        *) target=$(program_pid "$name") || target=$pid ;;
    esac
    kill "-$sig" "$target" 2>/dev/null
    wait_for_exit "$name" "$STOP_GRACE"
    # Still running: teardown kills it at once instead of signalling it again and waiting.
    # shellcheck disable=SC2004,SC2034  # H_DEAF: an associative array (harness_setup), read at teardown
    [[ "$status" != 124 ]] || H_DEAF[$name]=1
}

# h_listening_or_exited() - true once a listener check succeeds (H_SEEN=listening) or a
# process has exited
# $1: the process's pid
# $2...: the check (h_listening_on PORT, h_unix_listening PATH)
h_listening_or_exited() {
    local pid=$1
    shift
    if "$@"; then
        H_SEEN=listening
        return 0
    fi
    h_exited "$pid"
}

# h_wait_for_listener() - wait until a listener check succeeds, or NAME exits
# $1: NAME, the process that should listen
# $2: the most seconds to wait (longer under Valgrind or emulation)
# $3: what it should listen on, for the diagnosis ("port 8080", a path)
# $4...: the check (h_listening_on PORT, h_unix_listening PATH)
# Returns 0 once it listens; 1 when the time ran out with NAME still running; 2 when NAME
# exited first (the test is failed, with NAME's stderr and the likely mistake).
h_wait_for_listener() {
    local name=$1 limit=$2 what=$3 pid H_PID
    shift 3
    h_pid "$name" || return 2
    pid=$H_PID
    H_SEEN=""
    wait_until "$limit" h_listening_or_exited "$pid" "$@" || true
    [[ "$H_SEEN" == listening ]] && return 0
    h_alive "$pid" && return 1
    wait_for_exit "$name" 1
    diagnose "$(h_who "$name") exited with status $status before listening on $what; $(h_tail_err "$name")" \
        "$(h_startup_hint "$name")"
    return 2
}

# wait_for_port() - wait until a TCP listener on a port exists, started by NAME
# $1: the port
# $2: NAME
# $3: the most seconds to wait (default 5)
# Fails early, with NAME's stderr, if NAME exits first; on time-out, says what NAME listens on
# instead (and recognises a port with its bytes swapped).
wait_for_port() {
    local port=$1 name=$2 limit=${3:-5} waited=0 ports
    h_wait_for_listener "$name" "$limit" "port $port" h_listening_on "$port" || waited=$?
    case $waited in 0) return 0 ;; 2) return 1 ;; esac
    limit=$((limit * H_SLOW))
    ports=$(listening_ports_of "$name" | tr '\n' ' ')
    ports=${ports% }
    if [[ -z "$ports" ]]; then
        diagnose "after ${limit}s $(h_who "$name") is running but listens on no TCP port" \
            "is listen() called, and does the program reach it (blocked on something else first)?"
    elif [[ " $ports " == *" $(swap16 "$port") "* ]]; then
        diagnose "$(h_who "$name") listens on port $(swap16 "$port"), expected $port: that is $port with its two bytes swapped" \
            "sin_port must hold the port in network byte order: sin_port = htons(port)"
    else
        diagnose "$(h_who "$name") listens on port(s) $ports, expected $port" \
            "is the port from the command line the one passed to bind()?"
    fi
    return 1
}

# wait_for_udp_port() - wait until a UDP socket bound to a port exists, started by NAME
# $1: the port
# $2: NAME
# $3: the most seconds to wait (default 5)
# Fails early, with NAME's stderr, if NAME exits first; on time-out, recognises a port with its
# bytes swapped.
wait_for_udp_port() {
    local port=$1 name=$2 limit=${3:-5} waited=0
    h_wait_for_listener "$name" "$limit" "UDP port $port" h_udp_bound "$port" || waited=$?
    case $waited in 0) return 0 ;; 2) return 1 ;; esac
    if h_udp_bound "$(swap16 "$port")"; then
        diagnose "a UDP socket is bound to port $(swap16 "$port"), expected $port: that is $port with its two bytes swapped" \
            "sin_port must hold the port in network byte order: sin_port = htons(port)"
    else
        diagnose "after $((limit * H_SLOW))s $(h_who "$name") is running but no UDP socket is bound to port $port" \
            "is bind() called with the port from the command line, and does the program reach it?"
    fi
    return 1
}

# wait_for_unix_socket() - wait until a listening Unix domain socket is bound at a path
# $1: the path
# $2: NAME, the process that binds it
# $3: the most seconds to wait (default 5)
# Fails early, with NAME's stderr, if NAME exits first.
wait_for_unix_socket() {
    local path=$1 name=$2 limit=${3:-5} waited=0
    h_wait_for_listener "$name" "$limit" "$path" h_unix_listening "$path" || waited=$?
    case $waited in 0) return 0 ;; 2) return 1 ;; esac
    diagnose "after $((limit * H_SLOW))s nothing listens on the Unix socket $path" \
        "is the path passed to bind() this one, and is listen() called?"
    return 1
}

# wait_for_file_content() - wait until a file has a line matching an extended regex
# $1: the file
# $2: the regular expression
# $3: the most seconds to wait (default 5)
# Returns 1 if the time ran out.
wait_for_file_content() {
    wait_until "${3:-5}" h_has_line "$1" "$2" || return 1
}
