# shellcheck shell=bash
# builtins.bash - mkdir, rm, mktemp and sleep as builtins of the shell, where Debian's
# bash-builtins is installed. Read by load.bash in every test shell, and by run-tests' BASH_ENV
# (harness/runner/bats-env.bash) in Bats' own scripts, before a test file is loaded.

# h_enable_builtins() - make mkdir, rm, mktemp and sleep builtins of this shell, where Debian's
# bash-builtins is installed (and stat a builtin at hand)
# Every test is a shell of its own, and Bats and the harness run these in each (the test's
# scratch directory, Bats' output file, the time limit's countdown, `run --separate-stderr`): an
# exec each, some 20 ms a test on a machine where an exec costs 5 ms. Loaded by absolute path
# only: bash would otherwise also look for them in the current directory. Without the package,
# the programs of coreutils run as before. Its stat is loaded too, but kept disabled:
# h_file_size (files.bash) turns it on for its one call, and `stat -c` stays coreutils'.
# shellcheck disable=SC2034 # H_STAT_BUILTIN, H_SLEEP_BUILTIN: read by files.bash and poll.bash
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

# mkdir() - mkdir, where -p also succeeds when another process makes the same directory at the
# same moment: the builtin's -p then fails with EEXIST (coreutils' does not; 3 times in 600 here).
# Tests of files run side by side make the run's shared directories so (Bats' test directory, the
# harness's verdicts, ports and captures); a test whose Bats failed there vanished from the
# results.
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
