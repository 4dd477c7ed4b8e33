# shellcheck shell=bash
# servers_helpers.bash - what lab 08's three test files share: starting a server, the test's
# many-client peer (loadpeer) and its log, and what the server's process and its children hold,
# read from /proc. Loaded after the sockets-harness library.

# start_server PROG [ARG...] - start the student's PROG as "server" with ARGs then $PORT, and
# wait until it listens.
start_server() {
    local prog=$1
    shift
    spawn_student server "$prog" "$@" "$PORT"
    wait_for_port "$PORT" server
}

# load_log NAME - the path of the loadpeer NAME's log.
load_log() {
    echo "${BATS_TEST_TMPDIR}/$1.log"
}

# run_load NAME [OPTION...] - run the loadpeer in the foreground against 127.0.0.1:$PORT, its
# log in $(load_log NAME); it gives up after 3 s without progress (-t 3, more under Valgrind).
# Sets `status`.
run_load() {
    local name=$1
    shift
    status=0
    peer loadpeer -o "$(load_log "$name")" -t "$((3 * H_SLOW))" "$@" \
        "127.0.0.1:${PORT}" || status=$?
}

# spawn_load NAME [OPTION...] - start the loadpeer in the background as NAME with -H (it holds its
# connections open until stopped) and wait until it holds them all (or gave up).
# Returns 1 if it never got there: its log says why.
spawn_load() {
    local name=$1 log
    shift
    log=$(load_log "$name")
    spawn_peer "$name" loadpeer -o "$log" -t "$((3 * H_SLOW))" -H "$@" "127.0.0.1:${PORT}"
    wait_for_file_content "$log" '^(hold|done|stall|error)' 30 || true
    h_has_line "$log" '^hold'
}

# load_value NAME WORD - the number after WORD on the loadpeer NAME's log line "WORD N" (or
# nothing).
load_value() {
    awk -v w="$2" '$1 == w { print $2; exit }' "$(load_log "$1")" 2>/dev/null
}

# load_story NAME - what the loadpeer NAME saw, in one line for a diagnosis: its counts, the
# connections it lost or found stuck (the first three), and its last word.
load_story() {
    awk '
        /^(open|failed|echoed|lost|stall|noread|done|hold) / { s = s sep $0; sep = "; "; next }
        /^(error|eof|rst|mismatch|stuck|idle|stopped) / && shown++ < 3 { s = s sep $0; sep = "; " }
        END { print (s == "" ? "it logged nothing" : s) }
    ' "$(load_log "$1")" 2>/dev/null
}

# first_lost NAME - the number of the first connection the loadpeer NAME lost (closed, reset or
# refused), or nothing.
first_lost() {
    awk '$1 ~ /^(error|eof|rst)$/ && $2 ~ /^[0-9]+$/ { print $2; exit }' "$(load_log "$1")" 2>/dev/null
}

# children_of PID - the pids of a process's children, one a line (zombies included).
children_of() {
    local -a kids=()
    read -r -a kids 2>/dev/null <"/proc/$1/task/$1/children" || true
    [[ ${#kids[@]} -eq 0 ]] || printf '%s\n' "${kids[@]}"
}

# state_of PID - a process's state letter (R, S, Z, …), or nothing if it is gone.
state_of() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
    stat=${stat##*) }
    echo "${stat:0:1}"
}

# count_children PID - sets H_LIVE and H_ZOMBIES: how many of the process's children are
# running and how many are zombies (exited, not yet reaped).
count_children() {
    local -a kids=()
    local kid stat
    H_LIVE=0
    H_ZOMBIES=0
    read -r -a kids 2>/dev/null <"/proc/$1/task/$1/children" || true
    for kid in "${kids[@]}"; do
        read -r stat 2>/dev/null <"/proc/${kid}/stat" || continue
        stat=${stat##*) }
        if [[ ${stat:0:1} == Z ]]; then H_ZOMBIES=$((H_ZOMBIES + 1)); else H_LIVE=$((H_LIVE + 1)); fi
    done
}

# live_children_are PID N - true when exactly N of the process's children are running.
live_children_are() {
    count_children "$1"
    [[ $H_LIVE -eq $2 ]]
}

# no_children PID - true when the process has no child at all, running or zombie.
no_children() {
    count_children "$1"
    [[ $((H_LIVE + H_ZOMBIES)) -eq 0 ]]
}

# wchan_of PID - where in the kernel a process waits (do_wait: in wait(); inet_csk_accept: in
# accept()), for a diagnosis.
wchan_of() {
    local w=""
    read -r w 2>/dev/null <"/proc/$1/wchan" || true
    echo "${w:-?}"
}

# socket_count PID - how many sockets a process holds (the harness's socket_count_of).
socket_count() { socket_count_of "$1"; }

# h_has_sockets PID N - true when the process holds exactly N sockets.
h_has_sockets() {
    h_count_sockets "$1"
    ((H_SOCKETS == $2))
}

# wait_for_clients N [LIKELY] - wait (5 s) until the server holds N client sockets besides its
# listener; fails the test with a diagnosis (LIKELY: its likely mistake) if it does not.
wait_for_clients() {
    local pid likely=${2:-"accept() a client as soon as poll() reports the listening socket readable, and keep each connected socket open until that client leaves"}
    pid=$(program_pid server) || { expect_alive "$1 clients connected"; return 1; }
    wait_until 5 h_has_sockets "$pid" "$(($1 + 1))" && return 0
    expect_alive "$1 clients connected" || return 1
    diagnose "$1 clients connected to your server, yet after 5 s it holds $(($(socket_count "$pid") - 1)) client socket(s) besides its listener (it waits in the kernel (wchan) at '$(wchan_of "$pid")')" \
        "$likely"
    return 1
}

# expect_alive WHAT - diagnose (and return 1) if the server has exited, saying it did after WHAT.
expect_alive() {
    is_running server && return 0
    wait_for_exit server 1
    diagnose "your server exited with status $status (128+N: killed by signal N) after $1; $(h_tail_err server)" \
        "a server serves client after client until SIGTERM: one client's trouble (or a signal such as SIGCHLD interrupting a call with EINTR) must never end it"
    return 1
}

# clients_limit - how many clients at once the tests ask for: 1,100 when the descriptor limit
# allows (so that a server's descriptors pass FD_SETSIZE, 1024), else as many as fit, at least
# 1,000 (the hard limit the programs inherit: grade-class's sandbox sets it to 1024, which
# leaves 1,004).
clients_limit() {
    local hard
    hard=$(ulimit -Hn)
    if [[ "$hard" == unlimited || "$hard" -ge 1200 ]]; then
        echo 1100
    else
        echo $((hard - 20))
    fi
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

# valgrind_verdict WHAT CLOSE-HINT FREE-HINT - after `stop server`: diagnose a non-zero exit or
# what Valgrind found, WHAT saying what the server went through.
valgrind_verdict() {
    local what=$1 close_hint=$2 free_hint=$3 report
    if [[ $status -ne 0 ]]; then
        diagnose "under Valgrind, after $what, your server exited with status $status after SIGTERM (124: still running $STOP_GRACE s later); $(h_tail_err server)" \
            "on SIGTERM the blocked call fails with EINTR: check the stop flag, leave the loop, close everything and exit 0"
        return 1
    fi
    report=$(valgrind_report server)
    [[ -n "$report" ]] || return 0
    if grep -q 'left open' <<<"$report"; then
        diagnose "Valgrind (--track-fds=yes): after $what, a process of your server exited with a descriptor still open: $(brief "$report")" "$close_hint"
    elif grep -q 'definitely lost\|indirectly lost' <<<"$report"; then
        diagnose "Valgrind (memcheck) after $what: memory was allocated and never freed: $(brief "$report")" "$free_hint"
    else
        diagnose "Valgrind reported: $(brief "$report")" \
            "fix the memory error it names (a read or write outside a buffer, or an uninitialised value)"
    fi
    return 1
}
