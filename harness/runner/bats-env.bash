# shellcheck shell=bash
# bats-env.bash - BASH_ENV of the Bats that run-tests starts: Bats' own scripts get rm and sleep
# as builtins (Debian's bash-builtins), where they are installed.
#
# Bats 1.8 starts a new bash (bats-exec-test) for every test, and before the test file, and so
# the harness, is loaded, that shell runs rm once (its output file) and sleep once (the time
# limit's countdown): two execs a test, some 8 ms where an exec is dear. bash reads this file
# before it runs any script, so only Bats' own scripts ($0 is the script) are changed; every
# other bash script a test starts reads it and is left as it was. Not mkdir: Bats makes the
# run's shared test directory with `mkdir -p` in every test, and the builtin's -p fails with
# EEXIST when the first tests of two files (--jobs) make it at the same moment; coreutils'
# does not, and such a test vanished from the results.

case $0 in
    */bats-core/bats-exec-*)
        for bats_env_dir in /usr/lib/bash /usr/local/lib/bash; do
            [[ -f "$bats_env_dir/rm" ]] || continue
            for bats_env_name in rm sleep; do
                [[ -f "$bats_env_dir/$bats_env_name" ]] &&
                    enable -f "$bats_env_dir/$bats_env_name" "$bats_env_name" 2>/dev/null
            done
            break
        done
        unset bats_env_dir bats_env_name
        ;;
esac
