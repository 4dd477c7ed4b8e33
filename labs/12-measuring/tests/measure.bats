#!/usr/bin/env bats
# Lab 12: measuring sockets. sockbench (the provided driver) calls the student's functions; the
# tests grade the method, never the speed: the exact format of every line, the bytes and round
# trips the course's recorder counted at the other end, the arithmetic of the throughput and of
# the median and 99th percentile (recomputed from the lines printed), the clock's resolution,
# the CPU affinity /proc shows from outside the process, and the socket options getsockopt()
# reads back (sockbench's provided code). No test asserts a speed.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# The tests' runs move at most a few MiB and a few hundred round trips on loopback: well under a
# second. One still running after 4 s (32 under Valgrind) hangs, and costs its test 5 s, not 11.
# shellcheck disable=SC2034  # read by the harness
STUDENT_TIMEOUT=4

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/bench_helpers"

STREAM_RE=$'^stream\t(tcp|unix)\t[0-9]+\t[0-9]+\t[0-9]+\t[0-9]+\t[0-9]+\\.[0-9]{2}\t-?[0-9]+$'
RTT_RE=$'^rtt\t(tcp|unix)\t[0-9]+\t[0-9]+\t[0-9]+\t[0-9]+\t-?[0-9]+$'
LATENCY_RE=$'^latency\t(tcp|unix)\t[0-9]+\t[0-9]+\t[0-9]+\t[0-9]+\t[0-9]+\t-?[0-9]+$'

setup() {
    harness_setup
    PORT=$(port_for 8080)
    # sockbench's own Unix-domain peer listens in a new directory under $TMPDIR.
    export TMPDIR=$BATS_TEST_TMPDIR
}

# points: 2
@test "a stream run prints one line per run, in the exact format" {
    sockbench -n 3 -s 1000,65536 -b 262144 stream tcp
    ran_ok "-n 3 -s 1000,65536 -b 262144 stream tcp" || return 1
    local bad want got
    bad=$(bad_line "$STREAM_RE")
    if [[ -n "$bad" ]]; then
        diagnose "sockbench printed the line '$bad' (sed -n l shows a tab as \\t); $(said)" \
            "report(): a stream line is 'stream', the transport, size, rep, bytes, ns, MB/s with 2 decimals and the CPU, separated by ONE tab each (\\t, not spaces), ended by \\n, and nothing else on stdout"
        return 1
    fi
    want=$'tcp 1000 1 -1\ntcp 1000 2 -1\ntcp 1000 3 -1\ntcp 65536 1 -1\ntcp 65536 2 -1\ntcp 65536 3 -1'
    got=$(awk -F '\t' '{ print $2, $3, $4, $8 }' <<<"$output")
    [[ "$got" == "$want" ]] || diagnose "for 3 runs each of 1000 and 65536 bytes (tcp, not pinned), the lines' transport, size, rep and CPU fields were: ${got//$'\n'/; } (expected ${want//$'\n'/; })" \
        "report() prints the result it is given: r->transport, r->size, r->rep, ..., r->cpu, in the order of the format, one line per call"
}

# points: 2
@test "a ping-pong run prints a line per round trip and a summary line per run, in the exact format" {
    sockbench -n 2 -s 64 -r 30 pingpong tcp
    ran_ok "-n 2 -s 64 -r 30 pingpong tcp" || return 1
    local bad want got
    bad=$(bad_line "^(${RTT_RE:1:${#RTT_RE}-2}|${LATENCY_RE:1:${#LATENCY_RE}-2})\$")
    if [[ -n "$bad" ]]; then
        diagnose "sockbench printed the line '$bad' (sed -n l shows a tab as \\t); $(said)" \
            "report(): an rtt line is 'rtt', transport, size, rep, round, ns, CPU; a latency line is 'latency', transport, size, rep, rounds, median, p99, CPU; ONE tab between fields, \\n at the end"
        return 1
    fi
    want=$(for rep in 1 2; do seq -f "rtt $rep %g" 1 30; echo "latency $rep 30"; done)
    got=$(awk -F '\t' '{ print $1, $4, $5 }' <<<"$output")
    [[ "$got" == "$want" ]] || diagnose "for 2 runs of 30 round trips, the lines' kind, rep and round (rounds) fields were not 'rtt 1 1' ... 'rtt 1 30', 'latency 1 30', then the same for rep 2; $(said)" \
        "bench_pingpong() makes ROUNDS round trips and fills samples_ns[0..ROUNDS-1]; report() prints r->round for an rtt line and r->rounds for a latency line"
}

# points: 3
@test "the bytes a stream line reports are the bytes the peer received, also when writes come back short" {
    needs "a stream run prints one line per run, in the exact format"
    start_recorder "$PORT"
    with_shortio 12 65536
    sockbench -n 2 -s 100000 -b 600000 stream tcp "$PORT"
    ran_ok "-n 2 -s 100000 -b 600000 stream tcp $PORT (each write cut to at most 65536 bytes)" || return 1
    local conns k said_bytes got
    conns=$(peer_conns)
    if [[ "$conns" -ne 2 ]]; then
        diagnose "for 2 runs the recorder accepted $conns connection(s)" "every run is one connection of its own: sockbench opens it; bench_stream() only writes on the fd it is given"
        return 1
    fi
    for k in 1 2; do
        said_bytes=$(lines_of stream | awk -F '\t' -v k="$k" 'NR == k { print $5 }')
        got=$(peer_bytes "$k")
        if [[ "$said_bytes" != "$got" ]]; then
            diagnose "run $k: the stream line says $said_bytes bytes, the recorder received $got (600000 asked for, in writes of 100000 that the kernel cut to at most 65536 bytes each)" \
                "count the bytes as sent, not as asked for: write() may take fewer bytes than asked (a short write); send the rest (writen() loops until every byte went) and count what went"
            return 1
        fi
        if [[ "$got" -ne 600000 ]]; then
            diagnose "run $k: the recorder received $got bytes of the 600000 asked for, and the line says so" \
                "bench_stream() sends TOTAL bytes in all: writes of SIZE bytes until fewer than SIZE are left, then one write of the rest; a short write is not the end (writen())"
            return 1
        fi
    done
}

# points: 2
@test "the throughput is the bytes over the run's time, in megabytes per second" {
    needs "a stream run prints one line per run, in the exact format"
    sockbench -n 2 -s 4096,65536 -b 524288 stream unix
    ran_ok "-n 2 -s 4096,65536 -b 524288 stream unix" || return 1
    local line bytes ns mbps verdict
    # Bounded: four lines.
    while IFS=$'\t' read -r _ _ _ _ bytes ns mbps _; do
        line="bytes $bytes, ns $ns, MB/s $mbps"
        if ((ns <= 0 || ns > took * 1000)); then
            diagnose "a stream line says the run took $ns ns, but sockbench ran for $took microseconds in all ($line)" \
                "sockbench times the run; report() prints r->ns as it is (nanoseconds, %\" PRIu64 \")"
            return 1
        fi
        verdict=$(awk -v b="$bytes" -v n="$ns" -v m="$mbps" 'BEGIN {
            e = b * 1000 / n; d = m - e; if (d < 0) d = -d
            if (d <= 0.011 + e * 1e-9) print "ok"
            else if (m > e * 7.9 && m < e * 8.1) print "bits"
            else if (m > e / 1.05 && m < e / 1.045) print "mib"
            else printf "%.2f", e }')
        case $verdict in
        ok) ;;
        bits)
            diagnose "a stream line says $mbps MB/s for $bytes bytes in $ns ns: 8 times the $(awk -v b="$bytes" -v n="$ns" 'BEGIN { printf "%.2f", b * 1000 / n }') that makes" \
                "mb_per_s() counts bytes, not bits: megaBYTES a second (do not multiply by 8; Mbit/s is iperf3's unit, not this lab's)"
            return 1 ;;
        mib)
            diagnose "a stream line says $mbps MB/s for $bytes bytes in $ns ns: the count in MiB (2^20 bytes)" \
                "1 MB is 1,000,000 bytes here (SI, as the handout says): bytes * 1000 / ns, not divided by 1048576"
            return 1 ;;
        *)
            diagnose "a stream line says $mbps MB/s for $bytes bytes in $ns ns, which is $verdict MB/s" \
                "mb_per_s(bytes, ns) = bytes / (ns / 1e9) / 1e6 = bytes * 1000 / ns, in floating point (an integer division loses the fraction)"
            return 1 ;;
        esac
    done < <(lines_of stream)
}

# points: 2
@test "every round trip is timed in nanoseconds, on a clock that tells them apart" {
    needs "a ping-pong run prints a line per round trip and a summary line per run, in the exact format"
    sockbench -n 1 -s 64 -r 200 pingpong unix
    ran_ok "-n 1 -s 64 -r 200 pingpong unix" || return 1
    local stats zeros thousands sum
    stats=$(lines_of rtt | awk -F '\t' '{ s += $6; if ($6 == 0) z++; if ($6 % 1000 == 0) t++ } END { print z + 0, t + 0, s + 0 }')
    read -r zeros thousands sum <<<"$stats"
    if ((zeros > 0)); then
        diagnose "$zeros of 200 round trips were timed as 0 ns" \
            "a round trip on one machine takes microseconds: time() (seconds) or a coarse clock sees nothing; read clock_gettime(CLOCK_MONOTONIC) before the send and after the last byte came back, and subtract in nanoseconds (tv_sec * 1000000000 + tv_nsec)"
        return 1
    fi
    if ((thousands == 200)); then
        diagnose "every one of the 200 round-trip times is a whole number of microseconds (a multiple of 1000 ns)" \
            "gettimeofday() counts microseconds and jumps when the clock is set: time with clock_gettime(CLOCK_MONOTONIC), whose nanoseconds are kept"
        return 1
    fi
    ((sum <= took * 1000)) || diagnose "the 200 round trips add up to $sum ns, but sockbench ran for only $took microseconds in all" \
        "each sample is one round trip's time, end minus start, in nanoseconds: from just before the send to just after the last byte of the echo"
}

# points: 2
@test "a ping-pong run sends every message whole and reads every echo whole" {
    needs "a ping-pong run prints a line per round trip and a summary line per run, in the exact format"
    start_recorder -e "$PORT"
    with_shortio 21 1000
    sockbench -n 2 -s 3000 -r 20 pingpong tcp "$PORT"
    ran_ok "-n 2 -s 3000 -r 20 pingpong tcp $PORT (each read and write cut to at most 1000 bytes)" || return 1
    local k got end
    for k in 1 2; do
        wait_until 5 peer_ended "$k" || true
        got=$(peer_bytes "$k")
        end=$(peer_end "$k")
        if [[ "$got" -ne 60000 ]]; then
            diagnose "run $k: 20 round trips of 3000 bytes, and the echoing recorder received $got bytes (60000 expected); reads and writes were cut to at most 1000 bytes" \
                "send each message whole (writen()) and read each echo whole before the next round (readn(): read() returns what has arrived, maybe less)"
            return 1
        fi
        [[ "$end" == eof ]] || diagnose "run $k: the recorder saw the connection end with '${end:-nothing}', not a plain EOF: unread echo was left in sockbench's socket when it closed (the kernel then sends RST)" \
            "each round reads its whole echo (readn() of SIZE bytes): one read() returns what has arrived so far, the rest stays in the socket and shifts every later round"
    done
}

# points: 3
@test "the median and the 99th percentile are those of the round trips printed" {
    needs "a ping-pong run prints a line per round trip and a summary line per run, in the exact format"
    sockbench -n 3 -s 64 -r 250 pingpong tcp
    ran_ok "-n 3 -s 64 -r 250 pingpong tcp" || return 1
    local rep want got mean
    for rep in 1 2 3; do
        want=$(lines_of rtt | awk -F '\t' -v r="$rep" '$4 == r { print $6 }' | sort -n |
            awk '{ v[NR] = $1 } END { m = int(v[NR / 2] / 2) + int(v[NR / 2 + 1] / 2) + int((v[NR / 2] % 2 + v[NR / 2 + 1] % 2) / 2); printf "%d %d", m, v[248] }')
        got=$(lines_of latency | awk -F '\t' -v r="$rep" '$4 == r { print $6, $7 }')
        [[ "$got" == "$want" ]] && continue
        mean=$(lines_of rtt | awk -F '\t' -v r="$rep" '$4 == r { s += $6; n++ } END { printf "%d", s / n }')
        local likely="sort the samples first (qsort, smallest first); the median of 250 is the mean of the 125th and 126th (index 124 and 125), rounded down; the 99th percentile is the sample at index ceil(0.99 * 250) - 1 = 247"
        if [[ "${got%% *}" == "$mean" || "${got%% *}" -eq $((mean + 1)) || "${got%% *}" -eq $((mean - 1)) ]]; then
            likely="that is the mean ($mean ns), not the median: the median is the middle of the SORTED samples, which one slow round trip (a page fault, the scheduler) cannot drag up"
        elif [[ "${got%% *}" == "$(lines_of rtt | awk -F '\t' -v r="$rep" '$4 == r && $5 == 125 { print $6 }')" ]]; then
            likely="that is the 125th sample in the order they were measured: sort the samples (qsort, smallest first) before taking the middle"
        fi
        diagnose "run $rep: the latency line says median and p99 '$got' ns; the 250 rtt lines printed for that run give '$want'" "$likely"
        return 1
    done
}

# points: 2
@test "pin_to_cpu pins sockbench and its peer to the CPUs asked for" {
    local -a cpus
    mapfile -t cpus < <(my_cpus)
    local a=${cpus[0]} b=${cpus[${#cpus[@]} - 1]}
    spawn_student sb sockbench -n 1 -s 64 -r 10 -c "$a" -C "$b" -w pingpong tcp
    if ! wait_for_file_content "$(err_of sb)" '^sockbench: done$' 10; then
        local likely
        likely=$(stub_hint "$(cat "$(err_of sb)" 2>/dev/null || true)")
        diagnose "sockbench -c $a -C $b did not finish its run; $(h_tail_err sb)" "${likely:-pin_to_cpu() returns 0 once sched_setaffinity() has pinned the calling process}"
        return 1
    fi
    local pid peer mine theirs
    pid=$(program_pid sb)
    read -r peer _ <"/proc/$pid/task/$pid/children" || true
    mine=$(cpus_allowed "$pid")
    theirs=$(cpus_allowed "${peer:-0}")
    if [[ "$mine" != "$a" ]]; then
        diagnose "after pin_to_cpu($a), /proc/PID/status of sockbench says Cpus_allowed_list: $mine (its peer's: ${theirs:-?}; this machine's CPUs for the test: ${cpus[*]})" \
            "pin the calling process: sched_setaffinity(0, sizeof(set), &set) with pid 0 (the caller itself), after CPU_ZERO(&set) and CPU_SET(cpu, &set): a set with only that CPU"
        return 1
    fi
    [[ "$theirs" == "$b" ]] || diagnose "the peer sockbench forked called pin_to_cpu($b), and /proc/PID/status of the peer says Cpus_allowed_list: ${theirs:-(no peer found)}" \
        "pin the calling process (pid 0): the peer is a process of its own and pins itself"
    stop sb
}

# points: 1
@test "pin_to_cpu reports a CPU that does not exist as a failure" {
    sockbench -c 1023 -n 1 -s 64 -r 2 pingpong tcp
    [[ -z "$(stub_hint "$stderr")" ]] || { diagnose "sockbench -c 1023 $(said)" "$(stub_hint "$stderr")"; return 1; }
    [[ "$status" -eq 1 && "$stderr" == *"pin to CPU 1023"* ]] || diagnose "sockbench -c 1023 (no machine here has CPU 1023) $(said)" \
        "sched_setaffinity() fails with EINVAL for a set with no CPU of the machine in it: return -1 with its errno, do not ignore it (a benchmark that says it is pinned but is not measures the wrong thing)"
}

# points: 1
@test "tune_socket turns Nagle's algorithm off on a TCP connection when asked" {
    sockbench -d -n 1 -s 64 -r 2 pingpong tcp
    ran_ok "-d -n 1 -s 64 -r 2 pingpong tcp" || return 1
    local nd
    nd=$(readback nodelay)
    [[ "$nd" == 1 ]] || diagnose "after tune_socket(fd, 1, 0), getsockopt(IPPROTO_TCP, TCP_NODELAY) reads back '${nd:-nothing}'" \
        "when NODELAY is 1: setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) (at level IPPROTO_TCP, on a TCP socket)"
}

# points: 1
@test "tune_socket asks for both buffer sizes, and Linux doubles them" {
    sockbench -B 49152 -n 1 -s 64 -r 2 pingpong tcp
    ran_ok "-B 49152 -n 1 -s 64 -r 2 pingpong tcp" || return 1
    local snd rcv
    snd=$(readback sndbuf)
    rcv=$(readback rcvbuf)
    [[ "$snd" == 98304 && "$rcv" == 98304 ]] || diagnose "after tune_socket(fd, 0, 49152), getsockopt() reads back SO_SNDBUF $snd and SO_RCVBUF $rcv (Linux doubles what it is asked: 98304 each)" \
        "set both SO_SNDBUF and SO_RCVBUF (level SOL_SOCKET) to BUFSIZE as it is: the kernel doubles it for its bookkeeping, so do not halve or double it yourself"
}

# points: 1
@test "tune_socket skips Nagle on a Unix-domain socket and still sets its buffers" {
    sockbench -d -B 49152 -n 1 -s 64 -r 2 pingpong unix
    local likely
    likely=$(stub_hint "$stderr")
    if [[ "$status" -ne 0 ]]; then
        [[ -n "$likely" ]] || likely="a Unix-domain socket has no Nagle's algorithm, and setsockopt(TCP_NODELAY) on it fails (EOPNOTSUPP): ask the socket its family first (getsockopt SO_DOMAIN, or getsockname) and set TCP_NODELAY on TCP sockets only"
        diagnose "sockbench -d -B 49152 ... pingpong unix $(said)" "$likely"
        return 1
    fi
    local snd rcv
    snd=$(readback sndbuf)
    rcv=$(readback rcvbuf)
    [[ "$snd" == 98304 && "$rcv" == 98304 ]] || diagnose "on a Unix-domain socket, after tune_socket(fd, 1, 49152), getsockopt() reads back SO_SNDBUF $snd and SO_RCVBUF $rcv (98304 each expected)" \
        "skip only TCP_NODELAY on a Unix-domain socket: SO_SNDBUF and SO_RCVBUF apply to both kinds"
}

# points: 1
@test "the plot script draws throughput against size and the latency CDF from the results" {
    needs "a stream run prints one line per run, in the exact format" \
        "a ping-pong run prints a line per round trip and a summary line per run, in the exact format"
    local results=$BATS_TEST_TMPDIR/results.tsv t
    for t in tcp unix; do
        sockbench -n 1 -s 4096,65536 -b 131072 stream "$t"
        ran_ok "-n 1 -s 4096,65536 -b 131072 stream $t" || return 1
        printf '%s\n' "$output" >>"$results"
        sockbench -n 1 -s 64 -r 20 pingpong "$t"
        ran_ok "-n 1 -s 64 -r 20 pingpong $t" || return 1
        printf '%s\n' "$output" >>"$results"
    done
    run "${BATS_TEST_DIRNAME}/../plot" "$results" "$BATS_TEST_TMPDIR/plots"
    [[ "$status" -eq 0 ]] || { diagnose "plot $results exited $status: $output" "plot needs gnuplot (Debian's gnuplot-nox): make deps"; return 1; }
    local f
    for f in throughput.svg latency-cdf.svg; do
        f=$BATS_TEST_TMPDIR/plots/$f
        if [[ ! -s "$f" ]] || ! grep -q '</svg>' "$f" || ! grep -q '>tcp<' "$f" || ! grep -q '>unix<' "$f"; then
            diagnose "plot did not draw $(basename "$f") with a tcp and a unix series from sockbench's lines: $output" \
                "plot reads the stream and rtt lines in the exact format (tab-separated): check them with the format tests first"
            return 1
        fi
    done
    [[ "$(head -c 4 "$BATS_TEST_TMPDIR/plots/throughput.png" | od -An -c | tr -d ' ')" == *PNG* ]] ||
        diagnose "plot's throughput.png is not a PNG image" "plot needs gnuplot with its png terminal (Debian's gnuplot-nox)"
}

# points: 2
@test "under Valgrind a stream run and a ping-pong run leak no descriptor and no memory" {
    needs "a stream run prints one line per run, in the exact format" \
        "a ping-pong run prints a line per round trip and a summary line per run, in the exact format"
    with_valgrind
    local report
    # Not `run`: the runs keep their names (sockbench-run1, -run2) for valgrind_report.
    student sockbench -n 1 -s 4096 -b 65536 stream tcp >/dev/null 2>&1 || true
    student sockbench -n 1 -s 64 -r 5 pingpong unix >/dev/null 2>&1 || true
    report=$(valgrind_report sockbench-run1)
    if [[ -n "$report" ]]; then
        diagnose "under Valgrind, after a stream run: $report" \
            "bench_stream() frees the buffer it allocated, on every path (also when a write fails), and keeps no descriptor"
        return 1
    fi
    report=$(valgrind_report sockbench-run2)
    [[ -z "$report" ]] || diagnose "under Valgrind, after a ping-pong run: $report" \
        "bench_pingpong() frees its buffer on every path (a failed write or read, an early EOF included)"
}
