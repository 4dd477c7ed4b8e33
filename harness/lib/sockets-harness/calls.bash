# shellcheck shell=bash
# calls.bash - the call log: which socket calls a student program made, in order, with what
# counts and results, written by the short-I/O injector (harness/shortio, SHORTIO_LOG).
#
# Some contracts are about the calls themselves, not the bytes on the wire: "the header and the
# body in one writev()", "read until read() returns 0 before close()", "shutdown(SHUT_WR), not
# SHUT_RDWR", "close() every accepted socket". The bytes a peer sees can be the same either way;
# the log tells them apart. One line per call, appended by every process of the program:
#
#     writev fd=5 iovcnt=2 bytes=12 ret=12 errno=0 pid=123
#     read fd=5 bytes=255 ret=0 errno=0 pid=123
#     shutdown fd=5 how=SHUT_WR ret=0 errno=0 pid=123
#     close fd=5 ret=0 errno=0 pid=123
#
# bytes= is the count asked for, ret= what the call returned, errno= its errno when ret=-1
# (4 is EINTR, injected or not).

# with_call_log() - student programs started after this log their calls on sockets
# $1: the log file (default: $(call_log_file))
# Calls are not cut unless with_shortio is also in force; call with_shortio first, as it replaces
# the injector's settings (with_call_log after it adds the log to them).
with_call_log() {
    H_CALL_LOG=${1:-${H_DIR}/calls.log}
    if [[ " ${H_SHORTIO_ENV[*]} " != *" LD_PRELOAD="* ]]; then
        H_SHORTIO_ENV+=("LD_PRELOAD=${HARNESS_BIN}/shortio.so" "SHORTIO_MAX=0")
    fi
    H_SHORTIO_ENV+=("SHORTIO_LOG=${H_CALL_LOG}")
}

# call_log_file() - print the file with_call_log writes to
call_log_file() {
    echo "${H_CALL_LOG:-${H_DIR}/calls.log}"
}

# call_log_story() - print the call log in short, for a diagnosis: each call on its own line if
# there are at most MAX of them; otherwise one line per run of the same call on the same
# descriptor by the same process, with the bytes asked for first and moved in all
# $1: the log file (default: $(call_log_file))
# $2: the most lines to print (default 20; the rest is counted)
call_log_story() {
    local log=${1:-$(call_log_file)} max=${2:-20} total
    if [[ ! -s "$log" ]]; then
        echo "    (no call on a socket was logged)"
        return 0
    fi
    total=$(wc -l <"$log")
    awk -v max="$max" -v each="$((total <= max))" '
        function field(name,    i) {
            for (i = 2; i <= NF; i++)
                if (index($i, name "=") == 1) return substr($i, length(name) + 2)
            return ""
        }
        function flush() {
            if (n == 0) return
            if (++shown <= max) {
                text = (n > 1 ? n " x " : "") key
                if (asked != "") text = text (n > 1 ? ", the first asking for " : ", asking for ") asked " bytes"
                text = text (n > 1 ? ", returned a total of " : ", returned ") moved
                if (errs != "") text = text errs
                printf "    %s\n", text
            }
            n = 0; asked = ""; moved = 0; errs = ""
        }
        {
            k = $1 "(fd " field("fd") (field("how") != "" ? ", " field("how") : "") ")" \
                (field("iovcnt") != "" ? " of " field("iovcnt") " iovecs" : "") " in pid " field("pid")
            if (k != key || each) flush()
            key = k; n++
            if (field("bytes") != "" && asked == "") asked = field("bytes")
            r = field("ret")
            if (r < 0) errs = errs " (-1, errno " field("errno") ")"; else moved += r
        }
        END { flush(); if (shown > max) printf "    ... and %d more\n", shown - max }
    ' "$log"
}
