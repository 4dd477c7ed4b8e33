# shellcheck shell=bash
# valgrind.bash - reading Valgrind's logs: memory errors, leaks, descriptors left open.

# valgrind_report() - print one line per problem in NAME's Valgrind logs
# $1: NAME
# Memory errors, leaks, and descriptors still open at a normal exit; nothing if clean.
valgrind_report() {
    local log
    for log in "${H_DIR}/valgrind/$1".*.log; do
        [[ -e "$log" ]] || continue
        h_valgrind_problems "$log"
    done
}

# h_valgrind_problems() - print the problems in one Valgrind log (see valgrind_report)
# $1: the log file
h_valgrind_problems() {
    local log=$1 errors
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
    if [[ -n "$errors" && "$errors" != 0 ]]; then
        echo "memcheck found $errors error(s):"
        grep -E 'Invalid|uninitialised|definitely lost|indirectly lost|Mismatched|overlap' "$log" \
            | sed 's/^==[0-9]*== /    /' | sort -u | head -n 5
    fi
    # A program killed by a signal still had its descriptors open; only a normal exit counts.
    grep -q 'Process terminating with default action' "$log" && return 0
    awk '
        /Open (file descriptor|AF_[A-Z0-9]+ socket) [0-9]+:/ {
            line = $0; sub(/^==[0-9]+== +/, "", line)
            match(line, /[0-9]+:/); fd = substr(line, RSTART, RLENGTH - 1) + 0
            pending = (fd > 2) ? line : ""
            next
        }
        pending != "" && /inherited from parent/ { pending = ""; next }
        pending != "" { print "descriptor left open at exit: " pending; pending = "" }
    ' "$log"
}

# h_check_valgrind_logs() - teardown's check: fail the test if any Valgrind log has a problem
h_check_valgrind_logs() {
    [[ -d "${H_DIR}/valgrind" ]] || return 0
    local log problems="" p
    for log in "${H_DIR}/valgrind/"*.log; do
        [[ -e "$log" ]] || continue
        p=$(h_valgrind_problems "$log")
        [[ -n "$p" ]] && problems+="${log##*/}: ${p}"$'\n'
    done
    if [[ -n "$problems" ]]; then
        diagnose "Valgrind (memcheck, --track-fds=yes) reported: ${problems%$'\n'}" \
            "free what you allocate and close() every descriptor on every path out of the program"
        return 1
    fi
}
