# shellcheck shell=bash
# sockets-harness - the course's Bats helpers: what every lab's tests share.
#
# A test file loads it, with harness/lib on BATS_LIB_PATH (run-tests and CTest set it):
#     bats_load_library sockets-harness
# It loads bats-support, bats-assert and bats-file, then the helpers by concern, and gives the
# file a default setup() (harness_setup) and teardown() (harness_teardown). A file that needs
# more defines its own setup() and calls harness_setup first. docs/harness.md lists the helpers.
#
# Every process a test starts goes through harness/bin/launch under setsid: its own session
# and process group, no descriptor above 2 inherited (fd 3 is Bats' result stream: a program
# that holds it could write into the results, and Bats waits for every holder of it), its exit
# status written to a file, inside the test's network namespace; and under harness/contain, in
# a PID namespace of its own, bounded in time, and taking down whatever it forked when it ends.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

HARNESS_LIB=$(cd "${BASH_SOURCE[0]%/*}" && pwd)
HARNESS_ROOT=$(cd "${HARNESS_LIB}/../.." && pwd)

# How long a started program may run before timeout(1) stops it, in seconds.
: "${STUDENT_TIMEOUT:=10}"
: "${SPAWN_TIMEOUT:=120}"
: "${HARNESS_NETNS:=auto}"

# shellcheck source=harness/lib/sockets-harness/poll.bash
source "${HARNESS_LIB}/poll.bash"
# shellcheck source=harness/lib/sockets-harness/lifecycle.bash
source "${HARNESS_LIB}/lifecycle.bash"
# shellcheck source=harness/lib/sockets-harness/netns.bash
source "${HARNESS_LIB}/netns.bash"
# shellcheck source=harness/lib/sockets-harness/launch.bash
source "${HARNESS_LIB}/launch.bash"
# shellcheck source=harness/lib/sockets-harness/procs.bash
source "${HARNESS_LIB}/procs.bash"
# shellcheck source=harness/lib/sockets-harness/sockets.bash
source "${HARNESS_LIB}/sockets.bash"
# shellcheck source=harness/lib/sockets-harness/wait.bash
source "${HARNESS_LIB}/wait.bash"
# shellcheck source=harness/lib/sockets-harness/valgrind.bash
source "${HARNESS_LIB}/valgrind.bash"
# shellcheck source=harness/lib/sockets-harness/left.bash
source "${HARNESS_LIB}/left.bash"
# shellcheck source=harness/lib/sockets-harness/needs.bash
source "${HARNESS_LIB}/needs.bash"
# shellcheck source=harness/lib/sockets-harness/diagnose.bash
source "${HARNESS_LIB}/diagnose.bash"
# shellcheck source=harness/lib/sockets-harness/calls.bash
source "${HARNESS_LIB}/calls.bash"

# setup() - Bats' per-test set-up, unless the test file defines its own: harness_setup
setup() { harness_setup; }

# teardown() - Bats' per-test clean-up, unless the test file defines its own: harness_teardown
teardown() { harness_teardown; }
