# shellcheck shell=bash
# bats-env.bash - BASH_ENV of the Bats that run-tests starts: Bats' own scripts get mkdir, rm
# and sleep as builtins (Debian's bash-builtins), where they are installed.
#
# Bats 1.8 starts a new bash (bats-exec-test) for every test, and before the test file, and so
# the harness, is loaded, that shell runs mkdir twice (the test's scratch directory), rm once
# (its output file) and sleep once (the time limit's countdown): four execs a test, some 15 ms
# where an exec is dear, four seconds a course run. bash reads this file before it runs any
# script, so only Bats' own scripts ($0 is the script) are changed; every other bash script a
# test starts reads it and is left as it was.

case $0 in
    */bats-core/bats-exec-*)
        for bats_env_dir in /usr/lib/bash /usr/local/lib/bash; do
            [[ -f "$bats_env_dir/mkdir" ]] || continue
            for bats_env_name in mkdir rm sleep; do
                [[ -f "$bats_env_dir/$bats_env_name" ]] &&
                    enable -f "$bats_env_dir/$bats_env_name" "$bats_env_name" 2>/dev/null
            done
            break
        done
        unset bats_env_dir bats_env_name
        ;;
esac
