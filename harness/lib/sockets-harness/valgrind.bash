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
# One awk reads the whole log (each teardown reads every log): the last error count, the
# memcheck errors (their first lines, distinct, at most five, sorted), and each descriptor left
# open above 2 that was not inherited, unless the program was killed by a signal (it still had
# its descriptors open; only a normal exit counts).
h_valgrind_problems() {
    awk '
        { line = $0; sub(/^==[0-9]+== +/, "", line) }
        /ERROR SUMMARY: [0-9]+ errors/ { match($0, /ERROR SUMMARY: [0-9]+/); errors = substr($0, RSTART + 15, RLENGTH - 15) + 0 }
        /Invalid|uninitialised|definitely lost|indirectly lost|Mismatched|overlap/ {
            text = $0; sub(/^==[0-9]+== /, "    ", text)
            if (!(text in seen)) { seen[text] = 1; memcheck[++n] = text }
        }
        /Process terminating with default action/ { killed = 1 }
        /Open (file descriptor|AF_[A-Z0-9]+ socket) [0-9]+:/ {
            match(line, /[0-9]+:/); fd = substr(line, RSTART, RLENGTH - 1) + 0
            pending = (fd > 2) ? line : ""
            next
        }
        pending != "" && /inherited from parent/ { pending = ""; next }
        pending != "" { left[++nleft] = "descriptor left open at exit: " pending; pending = "" }
        END {
            if (errors > 0) {
                print "memcheck found " errors " error(s):"
                for (i = 1; i <= n; i++) print memcheck[i] | "sort | head -n 5"
                close("sort | head -n 5")
            }
            if (!killed) for (i = 1; i <= nleft; i++) print left[i]
        }
    ' "$1"
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
