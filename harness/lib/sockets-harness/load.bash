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

# h_enable_builtins() - make mkdir, rm, mktemp and sleep builtins of this shell, where Debian's
# bash-builtins is installed (and stat a builtin at hand)
# Every test is a shell of its own, and Bats and the harness run these in each (the test's
# scratch directory, Bats' output file, the time limit's countdown, `run --separate-stderr`): an
# exec each, some 20 ms a test on a machine where an exec costs 5 ms. Loaded by absolute path
# only: bash would otherwise also look for them in the current directory. Without the package,
# the programs of coreutils run as before. Its stat is loaded too, but kept disabled:
# h_file_size (files.bash) turns it on for its one call, and `stat -c` stays coreutils'.
h_enable_builtins() {
    local dir name
    H_STAT_BUILTIN="" H_SLEEP_BUILTIN=""
    for dir in /usr/lib/bash /usr/local/lib/bash; do
        [[ -f "$dir/mkdir" ]] || continue
        for name in mkdir rm mktemp; do
            [[ -f "$dir/$name" ]] && enable -f "$dir/$name" "$name" 2>/dev/null
        done
        # The pause between two probes of poll_until (h_nap), without a fork; never a wait for
        # readiness: every wait in the harness probes for what it waits for.
        [[ -f "$dir/sleep" ]] && enable -f "$dir/sleep" sleep 2>/dev/null && H_SLEEP_BUILTIN=1
        if [[ -f "$dir/stat" ]] && enable -f "$dir/stat" stat 2>/dev/null; then
            enable -n stat
            H_STAT_BUILTIN=1
        fi
        return 0
    done
}
h_enable_builtins

# mkdir() - mkdir, where -p also succeeds when another test makes the same directory at the same
# moment: the builtin's -p then fails with EEXIST (coreutils' does not), and tests of files run
# side by side make the run's shared directories (verdicts, ports, captures) so.
mkdir() {
    local dir
    command mkdir "$@" 2>/dev/null && return 0
    if [[ "$1" == -p ]]; then
        for dir in "${@:2}"; do
            [[ -d "$dir" ]] || { command mkdir "$@"; return; }
        done
        return 0
    fi
    command mkdir "$@"
}

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

HARNESS_LIB=${BASH_SOURCE[0]%/*}
[[ "$HARNESS_LIB" == /* ]] || HARNESS_LIB=$(cd "$HARNESS_LIB" && pwd)
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
