# shellcheck shell=bash
# left.bash - what a student's program left running when it ended.
#
# Every program runs under harness/contain: when it ends, whatever it forked and left behind is
# listed in a file and killed, so nothing outlives it or holds the test's pipes. A program that
# ended on its own (not stopped by the test or the harness) and left processes behind has a bug
# the test reports: a fork()ed child that never exits, or a daemon.

# h_left_file() - print the file that lists what NAME left running
# $1: NAME (a spawned program's name, or PROG@PID for a foreground run from a shell PID)
h_left_file() { echo "${H_DIR}/left/$1"; }

# left_running() - print what NAME's program left running when it ended ("" if nothing)
# $1: NAME
# The first line says how the program ended; then one "pid PID (COMM), child of PPID" a line.
# (contain writes the file's first line the moment the program ends, and the list only if it
# left something.)
left_running() {
    local file
    file=$(h_left_file "$1")
    h_lists_processes "$file" || return 0
    cat "$file"
}

# h_lists_processes() - true if a report of contain lists processes, not just how its program ended
# $1: the report
h_lists_processes() {
    local lines=()
    mapfile -n 2 -t lines 2>/dev/null <"$1" || return 1
    [[ ${#lines[@]} -gt 1 ]]
}

# h_ended() - true once NAME's program has ended (contain has written its report), even while
# contain still waits for what the program left
# $1: NAME
# (h_left_file's path, spelt out: is_running polls this, and $(…) would cost a fork a poll.)
h_ended() { [[ -e "${H_DIR}/left/$1" ]]; }

# h_check_left() - teardown's check: fail the test if a program that ended on its own left
# processes running
# Programs ended by a signal (from the test, the harness, or a crash) are not judged here: a
# fork server's children may outlive a SIGTERM to the parent; a test that cares looks itself.
h_check_left() {
    local file report="" how name
    for file in "${H_DIR}/left/"*; do
        [[ -f "$file" && "$file" != *.tmp ]] || continue
        h_lists_processes "$file" || continue
        read -r how <"$file"
        [[ "$how" == *"exited with status"* && "$how" != *"after a signal"* ]] || continue
        name=${file##*/}
        report+="'${name%@*}': ${how}, and left running (killed when it ended):"$'\n'
        report+=$(tail -n +2 "$file" | head -n 5 | sed 's/^/    /')$'\n'
    done
    [[ -n "$report" ]] || return 0
    diagnose "${report%$'\n'}" \
        "a fork()ed child outlived the program: every child must exit when its work is done (e.g. when read() returns 0 or -1), and a parent that ends first should wait for it (waitpid). Programs in this course never daemonize"
    return 1
}
