# shellcheck shell=bash
# bats-env.bash - BASH_ENV of the Bats that run-tests starts: Bats' own scripts get mkdir, rm
# and sleep as builtins (Debian's bash-builtins), where they are installed, each test's shell is
# started without env(1), and with Bats 1.8.2, the version these were measured and checked
# against (Debian 12's), its preprocessor and its use of GNU parallel run in the shell.
#
# Bats 1.8 starts a new bash (bats-exec-test) for every test, and before the test file, and so
# the harness, is loaded, that shell runs mkdir twice (the run's test directory, the test's
# own), rm once (its output file) and sleep once (the time limit's countdown): four execs a
# test, some 16 ms where an exec is dear. bash reads this file before it runs any script, so
# only Bats' own scripts ($0 is the script) are changed; every other bash script a test starts
# reads it and is left as it was. The harness's builtins.bash does the work: the same builtins
# the test shell gets, and a mkdir -p that tolerates a directory made at the same moment by
# another test's Bats (the builtin's alone does not, and such a test vanished from the results).

case $0 in
    */bats-core/bats-exec-*)
        # shellcheck source=SCRIPTDIR/../lib/sockets-harness/builtins.bash
        source "${BASH_SOURCE[0]%/*}/../lib/sockets-harness/builtins.bash"
        ;;
esac

# bats-exec-file runs each test as "$BATS_LIBEXEC/bats-exec-test", whose first line is
# `#!/usr/bin/env bash`: an exec of env(1), then one of bash, a test. A function of that name
# (bash looks functions up before it looks at a slash) starts the same bash on the script
# directly. Only for a plain path: a function's name cannot be quoted.
case $0 in
    */bats-core/bats-exec-file)
        if [[ "${BATS_LIBEXEC:-}" =~ ^/[A-Za-z0-9/._+-]+$ && -x "${BATS_LIBEXEC}/bats-exec-test" && -n "${BASH:-}" ]]; then
            eval "function ${BATS_LIBEXEC}/bats-exec-test { \"\$BASH\" \"\${FUNCNAME[0]}\" \"\$@\"; }"
        fi
        ;;
esac

# Bats 1.8.2 only: bats-preprocess and GNU parallel, each as a function of the same name (bash
# finds a function before a program on the PATH), doing what they did for Bats, faster.
if [[ "${BATS_VERSION:-}" == 1.8.2 ]]; then
    case $0 in
        */bats-core/bats-exec-suite | */bats-core/bats-exec-file)
            # shellcheck source=SCRIPTDIR/bats-preprocess.bash
            source "${BASH_SOURCE[0]%/*}/bats-preprocess.bash"
            ;;
    esac
    case $0 in
        */bats-core/bats-exec-suite)
            # shellcheck source=SCRIPTDIR/bats-parallel.bash
            source "${BASH_SOURCE[0]%/*}/bats-parallel.bash"
            # Last: Bats' suite, with its per-test forks gone, runs here and exits, if it can.
            # shellcheck source=SCRIPTDIR/bats-suite.bash
            source "${BASH_SOURCE[0]%/*}/bats-suite.bash"
            if h_bats_suite_patched "$0"; then
                unset -f h_bats_suite_patched
                eval "$H_BATS_SUITE"
                exit
            fi
            unset -f h_bats_suite_patched
            unset H_BATS_SUITE
            ;;
    esac
fi
