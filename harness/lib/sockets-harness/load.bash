# shellcheck shell=bash
# sockets-harness - the course's Bats helpers: what every lab's tests share.
#
# A test file loads it, with harness/lib on BATS_LIB_PATH (run-tests and CTest set it):
#     bats_load_library sockets-harness
# It loads bats-support, bats-assert and bats-file, then the helpers by concern, and gives the
# file a default setup() (harness_setup) and teardown() (harness_teardown). A file that needs
# more defines its own setup() and calls harness_setup first. docs/harness.md lists the helpers.
#
# Every process a test starts is one exec of harness/contain: its own session and process
# group, no descriptor above 2 inherited (fd 3 is Bats' result stream: a program that holds it
# could write into the results, and Bats waits for every holder of it), its exit status written
# to a file, inside the test's network namespace, in a PID namespace of its own, bounded in
# time, and taking down whatever it forked when it ends.

# Bats' DEBUG trap (a stack trace before every command) is already on when bats-exec-file reads
# a test file for its setup_file: loading this library under it costs about 30 ms a file.
# harness_setup turns it off for each test for the same reason (lifecycle.bash).
trap - DEBUG
bats_require_minimum_version 1.5.0

HARNESS_LIB=${BASH_SOURCE[0]%/*}
[[ "$HARNESS_LIB" == /* ]] || HARNESS_LIB=$(cd "$HARNESS_LIB" && pwd)

# h_load_bats_helpers() - load bats-support, bats-assert and bats-file, as bats_load_library would
# Their load.bash files find each of their files with "$(dirname …)": a fork and an exec each, 17
# in all, and Bats loads a test file's libraries again for every test: about 130 ms a test,
# 20 s a course run. Their src/*.bash files only define functions, so they are read directly.
h_load_bats_helpers() {
    local lib dir found file path=()
    IFS=: read -ra path <<<"${BATS_LIB_PATH:-/usr/lib/bats}"
    for lib in bats-support bats-assert bats-file; do
        found=""
        for dir in "${path[@]}"; do
            [[ -f "$dir/$lib/load.bash" && -d "$dir/$lib/src" ]] && { found="$dir/$lib/src"; break; }
        done
        if [[ -z "$found" ]]; then
            bats_load_library "$lib" # not laid out as Debian's: let Bats find it, or say why not
            continue
        fi
        for file in "$found"/*.bash; do
            # shellcheck source=/dev/null
            source "$file"
        done
    done
}
h_load_bats_helpers

# shellcheck source=SCRIPTDIR/builtins.bash
source "${HARNESS_LIB}/builtins.bash"

# get_mills_since_epoch() - Bats' clock for BATS_TEST_START_TIME, without its date(1)
# Bats 1.8 runs `date +%s%N` in a command substitution before every test, --timing or not: two
# forks and an exec, some 10 ms a test where processes are dear. The shell's own clock gives the
# same milliseconds. Only replaced where Bats defines it (a later Bats may keep its time apart).
if declare -F get_mills_since_epoch >/dev/null; then
    get_mills_since_epoch() {
        local now=${EPOCHREALTIME//[.,]/}
        printf '%d\n' $((now / 1000))
    }
fi

# bats_start_timeout_countdown() - Bats' BATS_TEST_TIMEOUT watchdog, in one fork instead of three
# Bats 1.8 checks for ps or pkill in a subshell, then starts a subshell that starts sleep(1) in
# the background and waits for it (sleep(1) could not be interrupted otherwise). With sleep a
# builtin (h_enable_builtins), a trapped signal ends it at once, so one background subshell
# sleeps, then does what Bats' own watchdog does: SIGABRT to the test (Bats' bats_timeout_trap
# ends it as "timeout after Ns") and its children killed. Bats' bats_abort_timeout_countdown
# stops it with SIGABRT, as before. Only replaced where Bats defines it and sleep is a builtin.
if declare -F bats_start_timeout_countdown >/dev/null && [[ -n "$H_SLEEP_BUILTIN" ]]; then
    bats_start_timeout_countdown() {
        local -ri timeout=$1
        local -ri target_pid=$$
        # shellcheck disable=SC2064 # the pid is fixed now, as in Bats
        trap "bats_timeout_trap $target_pid" ABRT
        (
            trap 'exit 0' ABRT
            sleep "$timeout"
            if kill -ABRT "$target_pid"; then
                bats_kill_childprocesses_of "$target_pid"
            fi &>/dev/null
        ) &
    }
fi

# shellcheck disable=SC2034 # the harness's own directory, for tests that run its scripts (common.bats)
HARNESS_ROOT=${HARNESS_LIB%/lib/sockets-harness}

# How long a started program may run before contain stops it, in seconds.
: "${STUDENT_TIMEOUT:=10}"
: "${SPAWN_TIMEOUT:=120}"
# How long a program has to exit after stop() signals it, in seconds (longer under Valgrind or
# emulation). A right one exits within milliseconds; one that is still running then is judged as
# hung (status 124) without keeping the student waiting.
: "${STOP_GRACE:=2}"
: "${HARNESS_NETNS:=auto}"

# shellcheck source=SCRIPTDIR/poll.bash
source "${HARNESS_LIB}/poll.bash"
# shellcheck source=SCRIPTDIR/lifecycle.bash
source "${HARNESS_LIB}/lifecycle.bash"
# shellcheck source=SCRIPTDIR/netns.bash
source "${HARNESS_LIB}/netns.bash"
# shellcheck source=SCRIPTDIR/launch.bash
source "${HARNESS_LIB}/launch.bash"
# shellcheck source=SCRIPTDIR/procs.bash
source "${HARNESS_LIB}/procs.bash"
# shellcheck source=SCRIPTDIR/sockets.bash
source "${HARNESS_LIB}/sockets.bash"
# shellcheck source=SCRIPTDIR/wait.bash
source "${HARNESS_LIB}/wait.bash"
# shellcheck source=SCRIPTDIR/files.bash
source "${HARNESS_LIB}/files.bash"
# shellcheck source=SCRIPTDIR/valgrind.bash
source "${HARNESS_LIB}/valgrind.bash"
# shellcheck source=SCRIPTDIR/left.bash
source "${HARNESS_LIB}/left.bash"
# shellcheck source=SCRIPTDIR/needs.bash
source "${HARNESS_LIB}/needs.bash"
# shellcheck source=SCRIPTDIR/diagnose.bash
source "${HARNESS_LIB}/diagnose.bash"
# shellcheck source=SCRIPTDIR/calls.bash
source "${HARNESS_LIB}/calls.bash"
# shellcheck source=SCRIPTDIR/capture.bash
source "${HARNESS_LIB}/capture.bash"

# setup() - Bats' per-test set-up, unless the test file defines its own: harness_setup
setup() { harness_setup; }

# teardown() - Bats' per-test clean-up, unless the test file defines its own: harness_teardown
teardown() { harness_teardown; }
