#!/usr/bin/env bats
# Lab 07: socket options. set_keepalive(), set_nodelay(), set_bufsizes() and tcp_stats() on a
# connection to the course's recorder: what optool reads back with getsockopt(), and what ss(8)
# shows of the same connection from outside the program.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# shellcheck disable=SC2034  # read by the harness
STUDENT_TIMEOUT=5

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/opt_helpers"

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# opts_line NAME WORD - optool NAME's read-back line that starts with WORD.
opts_line() {
    grep -m 1 "^$2 " "$(out_of "$1")" 2>/dev/null || true
}

# start_opts NAME ARG... - start `optool opts ARG... 127.0.0.1 $PORT` as NAME against a running
# recorder, and wait until it printed its read-back ("ready"); diagnose and return 1 if it did not.
start_opts() {
    local name=$1
    shift
    spawn_optool "$name" opts "$@" 127.0.0.1 "$PORT"
    wait_ready "$name" && return 0
    local stub likely="each function returns 0 on success and -1 with errno set: read the error above"
    stub=$(grep -m 1 -o '[A-Za-z_][A-Za-z0-9_]*: not implemented yet' "$(err_of "$name")" 2>/dev/null || true)
    [[ -z "$stub" ]] || likely="${stub%%:*}() is still the stub of the skeleton: write it (see the TODO in netopt.c)"
    diagnose "optool opts $* 127.0.0.1 $PORT did not get to print its options; $(h_tail_err "$name")" "$likely"
    return 1
}

# points: 2
@test "set_keepalive turns keepalive on with the idle time, interval and probe count asked for" {
    start_recorder
    start_opts opts -k 30,5,3 || return 1
    local line ss timer
    line=$(opts_line opts keepalive)
    ss=$(conn_ss -o)
    timer=$(grep -o 'timer:(keepalive,[^)]*)' <<<"$ss" || true)
    if [[ "$line" == "keepalive 0 "* ]]; then
        diagnose "after set_keepalive(fd, 30, 5, 3), getsockopt() reads back: $line (ss shows ${timer:-no keepalive timer} on the connection)" \
            "TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT only tune keepalive: it stays off until setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one))"
        return 1
    fi
    if [[ "$line" != "keepalive 1 idle 30 intvl 5 count 3" ]]; then
        diagnose "after set_keepalive(fd, 30, 5, 3), getsockopt() reads back: '$line'" \
            "SO_KEEPALIVE alone keeps the system's defaults (idle 7200 s, interval 75 s, 9 probes: a dead peer is noticed after 2 h 11 min). Set TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT, at level IPPROTO_TCP, each to its own argument, in seconds"
        return 1
    fi
    local secs
    # ss prints the time left as 29sec, or 800ms in its last second.
    secs=$(sed -n -e 's/^timer:(keepalive,\([0-9.]*\)sec,.*/\1/p' -e 's/^timer:(keepalive,[0-9.]*ms,.*/0/p' <<<"$timer")
    [[ -n "$secs" && ${secs%.*} -le 30 ]] || diagnose "getsockopt() reads back idle 30, but ss shows the connection's timer as '${timer:-none}' ($ss)" \
        "the options must be set on the connected socket that optool passes in (fd), with setsockopt() at level IPPROTO_TCP"
}

# points: 1
@test "set_nodelay turns Nagle's algorithm off, and on again" {
    start_recorder
    start_opts on -d 1 || return 1
    local line
    line=$(opts_line on nodelay)
    if [[ "$line" != "nodelay 1" ]]; then
        diagnose "after set_nodelay(fd, 1), getsockopt(IPPROTO_TCP, TCP_NODELAY) reads back '$line'" \
            "TCP_NODELAY is a TCP option: setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)). At level SOL_SOCKET the same number means another option (SO_DEBUG), and nothing tells you"
        return 1
    fi
    stop on
    start_opts off -d 0 || return 1
    line=$(opts_line off nodelay)
    [[ "$line" == "nodelay 0" ]] || diagnose "after set_nodelay(fd, 0), getsockopt() reads back '$line'" \
        "set_nodelay(fd, 0) turns Nagle's algorithm back on: pass ON (as 1 or 0) as the option's value"
}

# points: 1
@test "set_bufsizes asks for both buffer sizes, and Linux doubles them" {
    start_recorder
    start_opts opts -b 16384,32768 || return 1
    local line skmem
    line=$(opts_line opts rcvbuf)
    skmem=$(conn_ss -m | grep -o 'skmem:([^)]*)' || true)
    if [[ "$line" != "rcvbuf 32768 sndbuf 65536" ]]; then
        diagnose "after set_bufsizes(fd, 16384, 32768), getsockopt() reads back '$line' (ss: ${skmem:-no skmem})" \
            "SO_RCVBUF gets RCVBUF and SO_SNDBUF gets SNDBUF, each asked for exactly: Linux doubles what you ask (the other half is for its own bookkeeping) and getsockopt() shows the doubled value, so do not halve or double it yourself"
        return 1
    fi
    [[ "$skmem" == *",rb32768,"* && "$skmem" == *",tb65536,"* ]] || diagnose "getsockopt() reads back '$line', but ss shows the connection's buffers as '${skmem:-nothing}'" \
        "set the sizes on the socket passed in, before connect()"
}

# near A B - true if the numbers A and B differ by at most 1 (ss prints milliseconds to 3 places).
near() {
    [[ "$1" =~ ^[0-9]+$ ]] && (($1 - $2 <= 1 && $2 - $1 <= 1))
}

# points: 2
@test "tcp_stats reports the connection's state, round-trip time, MSS and congestion window as ss sees them" {
    start_recorder -e
    spawn_optool info info 127.0.0.1 "$PORT"
    if ! wait_ready info; then
        local likely="tcp_stats(): getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) with len = sizeof(struct tcp_info), then copy the fields; return 0"
        grep -q 'tcp_stats: not implemented yet' "$(err_of info)" 2>/dev/null &&
            likely="tcp_stats() is still the stub of the skeleton: write it (see the TODO in netopt.c)"
        diagnose "optool info did not get to print the connection's statistics; $(h_tail_err info)" "$likely"
        return 1
    fi
    local line ss rtt var mss cwnd state want_rtt want_var
    line=$(head -n 1 "$(out_of info)")
    ss=$(conn_ss -i)
    read -r _ state _ rtt _ var _ mss _ cwnd _ <<<"$line"
    want_rtt=$(sed -n 's/.* rtt:\([0-9.]*\)\/\([0-9.]*\) .*/\1/p' <<<"$ss ")
    want_var=$(sed -n 's/.* rtt:\([0-9.]*\)\/\([0-9.]*\) .*/\2/p' <<<"$ss ")
    local us vus
    us=$(awk -v m="$want_rtt" 'BEGIN { printf "%d", m * 1000 + 0.5 }')
    vus=$(awk -v m="$want_var" 'BEGIN { printf "%d", m * 1000 + 0.5 }')
    if [[ "$state" != ESTAB ]]; then
        diagnose "optool info printed '$line'; ss shows the connection as ESTAB: $ss" \
            "state is TCP_INFO's tcpi_state (TCP_ESTABLISHED is 1)"
        return 1
    fi
    if [[ -z "$want_rtt" ]] || ! near "$rtt" "$us" || ! near "$var" "$vus"; then
        diagnose "optool info printed '$line'; ss shows the same connection's round-trip time as rtt:${want_rtt:-?}/${want_var:-?} (milliseconds, so ${us} and ${vus} microseconds): $ss" \
            "rtt_us and rttvar_us are in MICROseconds, as TCP_INFO gives them (tcpi_rtt, tcpi_rttvar): copy them as they are, no conversion"
        return 1
    fi
    [[ " $ss " == *" mss:$mss "* && " $ss " == *" cwnd:$cwnd "* ]] || diagnose "optool info printed '$line'; ss shows the same connection as: $ss" \
        "snd_mss is tcpi_snd_mss and snd_cwnd tcpi_snd_cwnd (in segments), from one getsockopt(TCP_INFO) with len = sizeof(struct tcp_info)"
}

# points: 2
@test "under Valgrind the functions leak no descriptor and no memory, also when a connect fails" {
    needs "connect_timeout connects to a listening port and returns the socket in blocking mode" \
        "connect_timeout reports a closed port as refused at once, not as connected or as a timeout"
    with_valgrind
    start_recorder
    local closed report
    closed=$(port_for 8081)
    # Not `run`: the runs keep their names (optool-run1, -run2) for valgrind_report.
    student optool connect 127.0.0.1 "$PORT" 5000 >/dev/null 2>&1 || true
    student optool connect 127.0.0.1 "$closed" 5000 >/dev/null 2>&1 || true
    report=$(valgrind_report optool-run1)
    if [[ -n "$report" ]]; then
        diagnose "under Valgrind, after a connect that succeeded: $report" \
            "connect_timeout() returns its one descriptor to the caller and keeps nothing else open"
        return 1
    fi
    report=$(valgrind_report optool-run2)
    [[ -z "$report" ]] || diagnose "under Valgrind, after a refused connect (nothing on port $closed): $report" \
        "on every failure path (EINPROGRESS not coming, poll failing or timing out, SO_ERROR not 0) close the socket before returning -1, and keep errno: save it, close(), restore it"
}
