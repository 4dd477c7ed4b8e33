# shellcheck shell=bash
# common.bash - what every lab's Bats tests share.
#
# Loaded from a test file's setup():
#     load "${BATS_TEST_DIRNAME}/../../../harness/lib/common"
#     harness_setup
# and undone in teardown() by harness_teardown. docs/harness.md describes every helper.
#
# Every process a test starts goes through harness/bin/launch under setsid: its own session
# and process group, bounded in time, no descriptor above 2 inherited (fd 3 is Bats' result
# stream: a program that holds it could write into the results, and Bats waits for every
# holder of it), its exit status written to a file, and inside the test's network namespace.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

HARNESS_ROOT=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)

# How long a started program may run before timeout(1) stops it, in seconds.
: "${STUDENT_TIMEOUT:=10}"
: "${SPAWN_TIMEOUT:=120}"
: "${HARNESS_NETNS:=auto}"

# ---------------------------------------------------------------- setup and teardown

# harness_setup - prepare one test: scratch space, process table, network namespace.
harness_setup() {
    if [[ -z "${HARNESS_BIN:-}" || ! -x "${HARNESS_BIN}/nsholder" ]]; then
        fail "HARNESS_BIN ('${HARNESS_BIN:-}') does not hold the built test peers; run the tests through 'make test' or 'make grade'"
        return 1
    fi
    H_DIR="${BATS_TEST_TMPDIR}/harness"
    mkdir -p "$H_DIR"
    declare -gA H_PIDS=()
    declare -ga H_ORDER=()
    declare -ga H_SHORTIO_ENV=()
    H_VALGRIND="${HARNESS_VALGRIND:-0}"
    H_EMULATOR=()
    H_BIN="${LAB_BIN:-}"
    H_RUNS=0
    H_NS_PID=""
    H_NET_PID=$BASHPID
    H_NSENTER=()
    H_MODE="shared-loopback"
    if [[ "$HARNESS_NETNS" != off ]]; then
        h_start_netns || true
    fi
}

# h_start_netns - start a holder process in a new network namespace with lo up.
# Returns 0 with H_NSENTER set to the command prefix that enters it; 1 if the machine
# does not allow it (no privilege and no unprivileged user namespaces), leaving the
# shared-loopback mode in place.
h_start_netns() {
    local ready="${H_DIR}/netns.ready" flags=(--net) enter=(--net)
    if [[ $EUID -ne 0 ]]; then
        flags=(--user --map-root-user --net)
        enter=(--user --net --preserve-credentials)
    fi
    unshare "${flags[@]}" -- "${HARNESS_BIN}/nsholder" "$ready" "$((SPAWN_TIMEOUT + 60))" \
        </dev/null >"${H_DIR}/netns.log" 2>&1 3>&- &
    H_NS_PID=$!
    local i
    for ((i = 0; i < 250; i++)); do
        [[ -e "$ready" ]] && break
        h_alive "$H_NS_PID" || break
        sleep 0.02
    done
    if [[ ! -e "$ready" ]]; then
        h_kill_group "$H_NS_PID"
        H_NS_PID=""
        return 1
    fi
    H_NET_PID=$H_NS_PID
    H_NSENTER=(nsenter --target "$H_NS_PID" "${enter[@]}" --)
    H_MODE="netns"
}

# harness_teardown - kill and reap everything the test started, then check Valgrind's logs.
# Fails the test if a program under Valgrind had memory errors or leaked descriptors.
harness_teardown() {
    local name
    for name in "${H_ORDER[@]}"; do
        h_kill_group "${H_PIDS[$name]}"
    done
    if [[ -n "${H_NS_PID:-}" ]]; then
        h_kill_group "$H_NS_PID"
    fi
    if [[ -z "${BATS_TEST_COMPLETED:-}" && ${#H_SHORTIO_ENV[@]} -gt 0 ]]; then
        echo "(short-I/O injector was on: ${H_SHORTIO_ENV[*]}; set the same values to replay)"
    fi
    h_check_valgrind_logs
}

# h_kill_group - stop process group PGID: TERM, up to 2 s to go, then KILL; reap it.
h_kill_group() {
    local pgid=$1 i
    if h_alive "$pgid"; then
        kill -TERM -- "-$pgid" 2>/dev/null || kill -TERM "$pgid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            h_alive "$pgid" || break
            sleep 0.02
        done
    fi
    # Also after the leader is gone: a forked child may still hold the group.
    kill -KILL -- "-$pgid" 2>/dev/null || true
    wait "$pgid" 2>/dev/null || true
    return 0
}

# h_deadline - the moment SEC seconds from now, in ms, for h_before. Polling loops are bounded
# by this clock, not only by their count: under load each poll takes longer than its sleep.
h_deadline() {
    local now=${EPOCHREALTIME//[.,]/}
    echo $((now / 1000 + $1 * 1000))
}

# h_before - true while the deadline DEADLINE (from h_deadline) has not passed.
h_before() {
    local now=${EPOCHREALTIME//[.,]/}
    ((now / 1000 < $1))
}

# h_alive - true if PID exists and is not a zombie waiting to be reaped.
h_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z && ${stat:0:1} != X ]]
}

# ---------------------------------------------------------------- starting programs

# port_for - the port a test should use for the well-known port N.
# In a private namespace N itself is free; on a shared loopback another test or program may
# hold it, so a free ephemeral port is used instead.
port_for() {
    if [[ "$H_MODE" == netns ]]; then
        echo "$1"
    else
        "${HARNESS_BIN}/freeport"
    fi
}

# harness_mode - prints "netns" or "shared-loopback".
harness_mode() { echo "$H_MODE"; }

# with_shortio - student programs started after this run with the short-I/O injector.
with_shortio() {
    H_SHORTIO_ENV=("LD_PRELOAD=${HARNESS_BIN}/shortio.so" "SHORTIO_SEED=$1"
        "SHORTIO_MAX=${2:-7}" "SHORTIO_EINTR=${3:-0}")
}

# with_valgrind - student programs started after this run under Valgrind memcheck.
with_valgrind() { H_VALGRIND=1; }

# use_big_endian_build - student programs started after this are the s390x cross-build,
# run under qemu-s390x.
use_big_endian_build() {
    if [[ -z "${LAB_BIN_BE:-}" || ! -d "${LAB_BIN_BE}" ]]; then
        fail "no big-endian build of this lab (LAB_BIN_BE unset); install gcc-s390x-linux-gnu and qemu-user ('make deps') and rebuild"
        return 1
    fi
    if ! command -v qemu-s390x >/dev/null; then
        fail "qemu-s390x is not installed; install qemu-user ('make deps')"
        return 1
    fi
    H_BIN="$LAB_BIN_BE"
    H_EMULATOR=(qemu-s390x)
}

# h_student_cmd - build, in H_CMD, the command line that runs student program PROG.
h_student_cmd() {
    local prog=$1 name=$2
    shift 2
    if [[ -z "$H_BIN" || ! -x "${H_BIN}/${prog}" ]]; then
        echo "program '${prog}' was not built (looked in '${H_BIN}'): did the lab compile?" >&2
        return 1
    fi
    H_CMD=()
    if [[ ${#H_SHORTIO_ENV[@]} -gt 0 ]]; then
        H_CMD+=(env "${H_SHORTIO_ENV[@]}")
    fi
    if [[ ${#H_EMULATOR[@]} -gt 0 ]]; then
        H_CMD+=("${H_EMULATOR[@]}")
    elif [[ "$H_VALGRIND" == 1 ]]; then
        mkdir -p "${H_DIR}/valgrind"
        H_CMD+=(valgrind --leak-check=full "--errors-for-leak-kinds=definite,indirect"
            "--show-leak-kinds=definite,indirect" --track-fds=yes
            "--log-file=${H_DIR}/valgrind/${name}.%p.log")
    fi
    H_CMD+=("${H_BIN}/${prog}" "$@")
}

# h_slow_factor - how much longer than native a program may take (Valgrind, emulation).
h_slow_factor() {
    if [[ ${#H_EMULATOR[@]} -gt 0 ]]; then echo 4
    elif [[ "$H_VALGRIND" == 1 ]]; then echo 8
    else echo 1; fi
}

# h_start - start CMD in the background as NAME: own process group, time-bounded, fd 3 closed,
# inside the test's namespace.
h_start() {
    local name=$1 limit=$2
    shift 2
    if [[ -n "${H_PIDS[$name]:-}" ]]; then
        fail "test bug: a process named '$name' was already started in this test"
        return 1
    fi
    setsid "${HARNESS_ROOT}/bin/launch" "${H_DIR}/${name}.status" "$limit" "${H_NSENTER[@]}" "$@" \
        </dev/null >"${BATS_TEST_TMPDIR}/${name}.out" 2>"${BATS_TEST_TMPDIR}/${name}.err" 3>&- &
    H_PIDS[$name]=$!
    H_ORDER+=("$name")
}

# spawn - start any command in the background as NAME.
spawn() {
    local name=$1
    shift
    h_start "$name" "$SPAWN_TIMEOUT" "$@"
}

# spawn_student - start student program PROG in the background as NAME.
spawn_student() {
    local name=$1 prog=$2
    shift 2
    h_student_cmd "$prog" "$name" "$@" || { fail "$(h_student_cmd "$prog" "$name" 2>&1)"; return 1; }
    h_start "$name" "$((SPAWN_TIMEOUT * $(h_slow_factor)))" "${H_CMD[@]}"
}

# spawn_peer - start C peer PEER from HARNESS_BIN in the background as NAME.
spawn_peer() {
    local name=$1 peer=$2
    shift 2
    h_start "$name" "$SPAWN_TIMEOUT" "${HARNESS_BIN}/${peer}" "$@"
}

# student - run student program PROG in the foreground (for use with `run`).
# Exit status 124 means it was still running after STUDENT_TIMEOUT seconds.
student() {
    local prog=$1
    shift
    H_RUNS=$((H_RUNS + 1))
    h_student_cmd "$prog" "${prog}-run${H_RUNS}" "$@" || return 127
    if [[ -t 0 ]]; then exec </dev/null; fi
    setsid -w "${HARNESS_ROOT}/bin/launch" - "$((STUDENT_TIMEOUT * $(h_slow_factor)))" \
        "${H_NSENTER[@]}" "${H_CMD[@]}" 3>&-
}

# peer - run C peer PEER in the foreground, in the test's namespace.
peer() {
    local name=$1
    shift
    setsid -w "${HARNESS_ROOT}/bin/launch" - "$STUDENT_TIMEOUT" "${H_NSENTER[@]}" "${HARNESS_BIN}/${name}" "$@" 3>&-
}

# in_netns - run any command in the test's namespace, time-bounded.
in_netns() {
    setsid -w "${HARNESS_ROOT}/bin/launch" - "$STUDENT_TIMEOUT" "${H_NSENTER[@]}" "$@" 3>&-
}

# ---------------------------------------------------------------- looking at processes

pid_of() {
    [[ -n "${H_PIDS[$1]:-}" ]] || { echo "test bug: no process named '$1'" >&2; return 1; }
    echo "${H_PIDS[$1]}"
}
out_of() { echo "${BATS_TEST_TMPDIR}/$1.out"; }
err_of() { echo "${BATS_TEST_TMPDIR}/$1.err"; }

# program_pid - the pid of NAME's program itself: launch's grandchild, under timeout(1)
# (nsenter, env, valgrind and qemu exec in place, so it is the program by now).
program_pid() {
    local pid kids
    pid=$(pid_of "$1") || return 1
    for _ in timeout program; do
        kids=$(cat "/proc/${pid}/task/${pid}/children" 2>/dev/null) || return 1
        pid=${kids%% *}
        [[ -n "$pid" ]] || return 1
    done
    echo "$pid"
}

# is_running - true while NAME has not exited.
is_running() { h_alive "$(pid_of "$1")"; }

# wait_for_exit - wait up to SEC seconds for NAME to exit; its exit status lands in `status`.
wait_for_exit() {
    local name=$1 limit=${2:-5} pid i
    pid=$(pid_of "$name") || return 1
    limit=$((limit * $(h_slow_factor)))
    local end
    end=$(h_deadline "$limit")
    for ((i = 0; i < limit * 50 && i < 100000; i++)); do
        h_before "$end" || break
        h_alive "$pid" || break
        sleep 0.02
    done
    if h_alive "$pid"; then
        status=124
        return 0
    fi
    # The status file is written by launch just before it exits; read it (not `wait`), so
    # that this works in `run`'s subshell too.
    for ((i = 0; i < 50; i++)); do
        [[ -s "${H_DIR}/${name}.status" ]] && break
        sleep 0.02
    done
    status=$(cat "${H_DIR}/${name}.status" 2>/dev/null) || status=255
}

# stop - send SIG (default TERM) to NAME and wait for it to exit; sets `status`.
stop() {
    local name=$1 sig=${2:-TERM} pid
    pid=$(pid_of "$name") || return 1
    local prog
    prog=$(program_pid "$name") || prog=$pid
    kill "-$sig" "$prog" 2>/dev/null
    wait_for_exit "$name" 5
}

# fds_of - NAME's open descriptors, "N -> target" per line (Valgrind's own high fds left out).
fds_of() {
    local pid fd
    pid=$(program_pid "$1") || return 1
    for fd in "/proc/${pid}/fd/"*; do
        fd=${fd##*/}
        [[ "$fd" =~ ^[0-9]+$ && "$fd" -lt 1000 ]] || continue
        echo "${fd} -> $(readlink "/proc/${pid}/fd/${fd}" 2>/dev/null)"
    done
}

# h_tcp_listeners - "PORT INODE" for every TCP socket in LISTEN in the namespace of PID.
h_tcp_listeners() {
    local pid=$1 file laddr st rest inode
    for file in "/proc/${pid}/net/tcp" "/proc/${pid}/net/tcp6"; do
        [[ -r "$file" ]] || continue
        # sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
        while read -r _ laddr _ st rest; do
            [[ "$st" == 0A ]] || continue
            read -r _ _ _ _ _ inode _ <<<"$rest"
            echo "$((16#${laddr##*:})) ${inode}"
        done < <(sed 1d "$file")
    done
}

# listening_ports_of - the TCP ports NAME's program holds in LISTEN, one a line.
listening_ports_of() {
    local pid inodes port inode
    pid=$(program_pid "$1") || return 0
    inodes=$(fds_of "$1" | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p')
    [[ -n "$inodes" ]] || return 0
    while read -r port inode; do
        grep -qx "$inode" <<<"$inodes" && echo "$port"
    done < <(h_tcp_listeners "$pid") | sort -un
}

# h_listening_on - true if some socket in the test's namespace listens on TCP PORT.
h_listening_on() {
    local port inode
    while read -r port inode; do
        [[ "$port" == "$1" ]] && return 0
    done < <(h_tcp_listeners "$H_NET_PID")
    return 1
}

# h_tail_err - the last lines NAME wrote to stderr, indented, for a diagnosis.
h_tail_err() {
    local f
    f=$(err_of "$1")
    if [[ -s "$f" ]]; then
        echo "its stderr ended with:"
        tail -n 5 "$f" | sed 's/^/    /'
    else
        echo "it wrote nothing to stderr"
    fi
}

# h_startup_hint - the likely mistake when NAME exited during start-up: a stub still in place
# (it says "not implemented yet"), or else whatever its error message says.
h_startup_hint() {
    local stub
    stub=$(grep -m 1 -o '^[A-Za-z_][A-Za-z0-9_]*: not implemented yet' "$(err_of "$1")" 2>/dev/null)
    if [[ -n "$stub" ]]; then
        echo "${stub%%:*}() is still the skeleton's stub: write it (see the TODO in your file)"
    else
        echo "the program failed during start-up: read its error message above (socket, bind or listen?)"
    fi
}

# wait_for_port - wait until a TCP listener on PORT exists, started by NAME.
# Fails early if NAME exits first; on time-out, says what NAME listens on instead.
wait_for_port() {
    local port=$1 name=$2 limit=${3:-5} pid i
    pid=$(pid_of "$name") || return 1
    limit=$((limit * $(h_slow_factor)))
    local end
    end=$(h_deadline "$limit")
    for ((i = 0; i < limit * 50 && i < 100000; i++)); do
        h_before "$end" || break
        h_listening_on "$port" && return 0
        h_alive "$pid" || break
        sleep 0.02
    done
    if ! h_alive "$pid"; then
        wait_for_exit "$name" 1
        diagnose "'$name' exited with status $status before listening on port $port; $(h_tail_err "$name")" \
            "$(h_startup_hint "$name")"
        return 1
    fi
    local ports
    ports=$(listening_ports_of "$name" | tr '\n' ' ')
    ports=${ports% }
    if [[ -z "$ports" ]]; then
        diagnose "after ${limit}s '$name' is running but listens on no TCP port" \
            "is listen() called, and does the program reach it (blocked on something else first)?"
    elif [[ " $ports " == *" $(swap16 "$port") "* ]]; then
        diagnose "'$name' listens on port $(swap16 "$port"), expected $port: that is $port with its two bytes swapped" \
            "sin_port must hold the port in network byte order: sin_port = htons(port)"
    else
        diagnose "'$name' listens on port(s) $ports, expected $port" \
            "is the port from the command line the one passed to bind()?"
    fi
    return 1
}

# wait_for_unix_socket - wait until a listening Unix domain socket is bound at PATH.
wait_for_unix_socket() {
    local path=$1 name=$2 limit=${3:-5} pid i
    pid=$(pid_of "$name") || return 1
    limit=$((limit * $(h_slow_factor)))
    local end
    end=$(h_deadline "$limit")
    for ((i = 0; i < limit * 50 && i < 100000; i++)); do
        h_before "$end" || break
        # /proc/net/unix: flags 00010000 is __SO_ACCEPTCON, set by listen().
        if awk -v p="$path" '$4 == "00010000" && $NF == p { found = 1 } END { exit !found }' \
            "/proc/${H_NET_PID}/net/unix" 2>/dev/null; then
            return 0
        fi
        h_alive "$pid" || break
        sleep 0.02
    done
    if ! h_alive "$pid"; then
        wait_for_exit "$name" 1
        diagnose "'$name' exited with status $status before listening on $path; $(h_tail_err "$name")" \
            "$(h_startup_hint "$name")"
    else
        diagnose "after ${limit}s nothing listens on the Unix socket $path" \
            "is the path passed to bind() this one, and is listen() called?"
    fi
    return 1
}

# wait_for_file_content - wait up to SEC seconds until FILE has a line matching REGEX.
wait_for_file_content() {
    local file=$1 regex=$2 limit=${3:-5} i
    limit=$((limit * $(h_slow_factor)))
    local end
    end=$(h_deadline "$limit")
    for ((i = 0; i < limit * 50 && i < 100000; i++)); do
        h_before "$end" || break
        grep -qE -- "$regex" "$file" 2>/dev/null && return 0
        sleep 0.02
    done
    return 1
}

# wait_until - poll CMD [ARG...] every 20 ms until it succeeds, for at most SEC seconds
# (longer under Valgrind or emulation). CMD runs in this shell, so it may set variables the
# test reads afterwards. Returns 1 if the time ran out.
wait_until() {
    local limit=$1 i end
    shift
    limit=$((limit * $(h_slow_factor)))
    end=$(h_deadline "$limit")
    for ((i = 0; i < limit * 50 && i < 100000; i++)); do
        "$@" && return 0
        h_before "$end" || break
        sleep 0.02
    done
    "$@"
}

# ---------------------------------------------------------------- Valgrind

# valgrind_report - for NAME's Valgrind logs, print one line per problem: memory errors,
# leaks, and descriptors still open at a normal exit. Prints nothing if clean.
valgrind_report() {
    local log
    for log in "${H_DIR}/valgrind/$1".*.log; do
        [[ -e "$log" ]] || continue
        h_valgrind_problems "$log"
    done
}

# h_valgrind_problems - the problems in one Valgrind log (see valgrind_report).
h_valgrind_problems() {
    local log=$1 errors
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
    if [[ -n "$errors" && "$errors" != 0 ]]; then
        echo "memcheck found $errors error(s):"
        grep -E 'Invalid|uninitialised|definitely lost|indirectly lost|Mismatched|overlap' "$log" \
            | sed 's/^==[0-9]*== /    /' | sort -u | head -n 5
    fi
    # A program killed by a signal still had its descriptors open; only a normal exit counts.
    grep -q 'Process terminating with default action' "$log" && return 0
    awk '
        /Open (file descriptor|AF_[A-Z0-9]+ socket) [0-9]+:/ {
            line = $0; sub(/^==[0-9]+== +/, "", line)
            match(line, /[0-9]+:/); fd = substr(line, RSTART, RLENGTH - 1) + 0
            pending = (fd > 2) ? line : ""
            next
        }
        pending != "" && /inherited from parent/ { pending = ""; next }
        pending != "" { print "descriptor left open at exit: " pending; pending = "" }
    ' "$log"
}

# h_check_valgrind_logs - teardown's check: fail if any Valgrind log has a problem.
h_check_valgrind_logs() {
    [[ -d "${H_DIR}/valgrind" ]] || return 0
    local log problems="" p
    for log in "${H_DIR}/valgrind/"*.log; do
        [[ -e "$log" ]] || continue
        p=$(h_valgrind_problems "$log")
        [[ -n "$p" ]] && problems+="${log##*/}: ${p}"$'\n'
    done
    if [[ -n "$problems" ]]; then
        diagnose "Valgrind (memcheck, --track-fds=yes) reported: ${problems%$'\n'}" \
            "free what you allocate and close() every descriptor on every path out of the program"
        return 1
    fi
}

# ---------------------------------------------------------------- diagnoses and bytes

# diagnose - fail the test with what was observed and the likely mistake behind it.
diagnose() {
    batslib_print_kv_single_or_multi 15 "observed" "$1" "likely mistake" "$2" \
        | batslib_decorate "diagnosis" | fail
}

# swap16 / swap32 - N with its bytes reversed.
swap16() { echo $(((($1 & 0xff) << 8) | (($1 >> 8) & 0xff))); }
swap32() {
    echo $(((($1 & 0xff) << 24) | (($1 & 0xff00) << 8) | (($1 >> 8) & 0xff00) | (($1 >> 24) & 0xff)))
}

# hexdump_of - FILE as lowercase hex without spaces.
hexdump_of() { od -An -v -tx1 "$1" | tr -d ' \n'; }
