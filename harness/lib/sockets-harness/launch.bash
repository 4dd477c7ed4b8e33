# shellcheck shell=bash
# launch.bash - starting programs: the student's, the course's peers, any command.
#
# Every process starts as one exec of harness/contain: in its own session and process group,
# descriptors above 2 closed, inside the test's network namespace, bounded in time, its exit
# status written down, and taking down whatever it forked when it ends. Background processes
# are known by a NAME (procs.bash).

# with_shortio() - student programs started after this run with the short-I/O injector
# $1: the injector's seed
# $2: the most bytes one call may move (default 7)
# $3: the percentage of calls that fail with EINTR (default 0)
with_shortio() {
    H_SHORTIO_ENV=("LD_PRELOAD=${HARNESS_BIN}/shortio.so" "SHORTIO_SEED=$1"
        "SHORTIO_MAX=${2:-7}" "SHORTIO_EINTR=${3:-0}")
}

# with_valgrind() - student programs started after this run under Valgrind memcheck
with_valgrind() {
    H_VALGRIND=1
    h_set_slow
}

# use_big_endian_build() - student programs started after this are the s390x cross-build,
# run under qemu-s390x
# Fails the test if there is no such build or no qemu-s390x.
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
    h_set_slow
}

# h_student_cmd() - set H_CMD to the command line that runs a student program
# $1: the program's name in LAB_BIN
# $2: the name its Valgrind logs are filed under
# $3...: its arguments
# Returns 1, saying so on stderr, if the program was not built.
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
        # --read-inline-info=no: the labs build without optimisation, so no student function is
        # inlined; reading libc's inlining tables cost 45 ms of every start (about 10 %).
        H_CMD+=(valgrind --read-inline-info=no --leak-check=full "--errors-for-leak-kinds=definite,indirect"
            "--show-leak-kinds=definite,indirect" --track-fds=yes
            "--log-file=${H_DIR}/valgrind/${name}.%p.log")
    fi
    H_CMD+=("${H_BIN}/${prog}" "$@")
}

# h_set_slow() - set H_SLOW to how many times longer than native a program may take
# 8 under Valgrind, 4 under emulation, 1 otherwise. The harness reads H_SLOW (no fork); tests
# may too, or print it with h_slow_factor.
h_set_slow() {
    if [[ ${#H_EMULATOR[@]} -gt 0 ]]; then H_SLOW=4
    elif [[ "$H_VALGRIND" == 1 ]]; then H_SLOW=8
    else H_SLOW=1; fi
}

# h_slow_factor() - print how many times longer than native a program may take (H_SLOW)
h_slow_factor() { echo "$H_SLOW"; }

# h_contained() - set H_CMD to a command line that runs the rest contained (harness/contain)
# $1: its time limit in seconds
# $2: the file that lists what it left running when it ended ("" for no report)
# $3: the file its exit status is written to when it has ended ("" for none)
# $4...: the command and its arguments
# Contained: in a session of its own, with no descriptor above 2 (fd 3 is Bats' result stream: a
# program that holds it could write into the results, and Bats waits for every holder of it), in
# the test's network namespace, in a PID namespace of its own (in no-namespace mode, under a
# subreaper), so that whatever it forks is killed when it ends; stopped at the limit (exit
# status 124). With H_WRITE_ONLY set (student programs, when HARNESS_CONFINE_WRITES is), it may
# write files only under that directory (contain --write-only). H_CONTAIN_OPTS holds more of
# contain's options a test wants for every program it starts (lab 10's use_hosts: --bind).
h_contained() {
    local limit=$1 report=$2 status=$3
    shift 3
    H_CMD=("${HARNESS_BIN}/contain" --setsid --close-fds --limit "$limit")
    [[ -n "$report" ]] && H_CMD+=(--report "$report")
    [[ -n "$status" ]] && H_CMD+=(--status "$status")
    if [[ "$H_MODE" == netns ]]; then
        H_CMD+=(--netns "$H_NS_PID")
    else
        H_CMD+=(--no-pidns)
    fi
    [[ -n "${H_WRITE_ONLY:-}" ]] && H_CMD+=(--write-only "$H_WRITE_ONLY")
    # Under Valgrind: glibc's symbol tables without its line tables, where run-tests made them
    # (runner/valgrind-symbols): a third of each start.
    if [[ "$H_VALGRIND" == 1 && -n "${HARNESS_VALGRIND_SYMBOLS:-}" ]]; then
        H_CMD+=(--try-bind "${HARNESS_VALGRIND_SYMBOLS}:/usr/lib/debug")
    fi
    H_CMD+=("${H_CONTAIN_OPTS[@]}" -- "$@")
}

# h_start() - start a command in the background as NAME
# $1: NAME
# $2: its time limit in seconds
# $3: the file for what it leaves running ("" for none)
# $4...: the command and its arguments
h_start() {
    local name=$1 limit=$2 report=$3 H_OUT_FILE H_ERR_FILE
    shift 3
    if [[ -n "${H_PIDS[$name]:-}" ]]; then
        fail "test bug: a process named '$name' was already started in this test"
        return 1
    fi
    h_contained "$limit" "$report" "${H_DIR}/${name}.status" "$@"
    h_std_files "$name"
    "${H_CMD[@]}" </dev/null >"$H_OUT_FILE" 2>"$H_ERR_FILE" 3>&- &
    # shellcheck disable=SC2004  # H_PIDS is an associative array (harness_setup): $name is a key
    H_PIDS[$name]=$!
    H_ORDER+=("$name")
}

# h_run() - run a command in the foreground, contained and time-bounded, in the test's namespace
# $1: its time limit in seconds
# $2: the file for what it leaves running ("" for none)
# $3...: the command and its arguments
# Returns the command's exit status (124: still running at the limit).
h_run() {
    local limit=$1 report=$2
    shift 2
    h_contained "$limit" "$report" "" "$@"
    "${H_CMD[@]}" 3>&-
}

# h_write_only() - set H_WRITE_ONLY to where a student program may write files: with
# HARNESS_CONFINE_WRITES set (grade-class's sandbox, where it runs as the same user as the
# harness), only its test's own BATS_TEST_TMPDIR, so that it cannot rewrite the run's files (Bats'
# copies of the tests, the TAP stream, the built peers) to claim passes; otherwise empty
# (anywhere). The caller declares H_WRITE_ONLY local; no subshell, as it runs for every program.
h_write_only() {
    H_WRITE_ONLY=""
    [[ -z "${HARNESS_CONFINE_WRITES:-}" ]] || H_WRITE_ONLY=$BATS_TEST_TMPDIR
}

# spawn() - start any command in the background as NAME
# $1: NAME; its stdout goes to $(out_of NAME), its stderr to $(err_of NAME)
# $2...: the command and its arguments
spawn() {
    local name=$1
    shift
    h_start "$name" "$SPAWN_TIMEOUT" "" "$@"
}

# spawn_student() - start a student program in the background as NAME
# $1: NAME
# $2: the program's name in LAB_BIN (Valgrind, short-I/O and emulation applied)
# $3...: its arguments
spawn_student() {
    local name=$1 prog=$2
    shift 2
    h_student_cmd "$prog" "$name" "$@" || { fail "$(h_student_cmd "$prog" "$name" 2>&1)"; return 1; }
    local H_WRITE_ONLY
    h_write_only
    h_start "$name" "$((SPAWN_TIMEOUT * H_SLOW))" "${H_DIR}/left/${name}" "${H_CMD[@]}"
    # shellcheck disable=SC2004  # H_STUDENT is an associative array (harness_setup): $name is a key
    H_STUDENT[$name]=1
}

# h_who() - print how a diagnosis names a started process: "your program 'server'" for a
# student program, "the test's 'recorder'" for anything else
# $1: NAME
h_who() {
    if [[ -n "${H_STUDENT[$1]:-}" ]]; then
        echo "your program '$1'"
    else
        echo "the test's '$1'"
    fi
}

# spawn_peer() - start a C peer from HARNESS_BIN in the background as NAME
# $1: NAME
# $2: the peer (recorder, scripted, …)
# $3...: its arguments
spawn_peer() {
    local name=$1 peer=$2
    shift 2
    h_start "$name" "$SPAWN_TIMEOUT" "" "${HARNESS_BIN}/${peer}" "$@"
}

# student() - run a student program in the foreground (for use with `run`)
# $1: the program's name in LAB_BIN
# $2...: its arguments
# Exit status 124 means it was still running after STUDENT_TIMEOUT seconds (longer under
# Valgrind or emulation); 127 that it was not built.
student() {
    local prog=$1
    shift
    H_RUNS=$((H_RUNS + 1))
    # `run` counts H_RUNS in a subshell (two runs are both "run1"), and Valgrind's %p is the pid
    # inside contain's PID namespace (always the same): the shell's own pid keeps the Valgrind
    # logs of two runs apart, so one never overwrites the other. valgrind_report PROG-runN reads
    # them all (PROG-runN.*.log).
    h_student_cmd "$prog" "${prog}-run${H_RUNS}.${BASHPID}" "$@" || return 127
    if [[ -t 0 ]]; then exec </dev/null; fi
    # The subshell's pid keeps the report of what it left running apart, too.
    local limit=$((STUDENT_TIMEOUT * H_SLOW)) left="${H_DIR}/left/${prog}@${BASHPID}" H_WRITE_ONLY
    h_write_only
    if [[ -z "${HARNESS_OUTPUT_CAP:-}" ]]; then
        h_run "$limit" "$left" "${H_CMD[@]}"
        return
    fi
    # Output kept to HARNESS_OUTPUT_CAP bytes (stdout, or stdout and stderr when `run` merges
    # them into one pipe, in their order); past it the program gets SIGPIPE (status 141), so
    # gigabytes of output cost one failed test, not the memory and time of `run`'s capture.
    if [[ /proc/self/fd/1 -ef /proc/self/fd/2 ]]; then
        h_run "$limit" "$left" "${H_CMD[@]}" 2>&1 | head -c "$HARNESS_OUTPUT_CAP"
    else
        h_run "$limit" "$left" "${H_CMD[@]}" | head -c "$HARNESS_OUTPUT_CAP"
    fi
    return "${PIPESTATUS[0]}"
}

# peer() - run a C peer from HARNESS_BIN in the foreground, in the test's namespace
# $1: the peer
# $2...: its arguments
peer() {
    local name=$1
    shift
    h_run "$STUDENT_TIMEOUT" "" "${HARNESS_BIN}/${name}" "$@"
}

# in_netns() - run any command in the foreground in the test's namespace, time-bounded
# $@: the command and its arguments (socat, nc, ss, …)
in_netns() {
    h_run "$STUDENT_TIMEOUT" "" "$@"
}
