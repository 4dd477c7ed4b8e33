# shellcheck shell=bash
# shellcheck disable=SC2154  # $status is set by wait_for_exit (the sockets-harness library, wait.bash)
# transcript.bash - what crossed the wire, in order, told from a test peer's log.
#
# Lab 04 is about the order of events at the end of a connection: the data, then FIN (not RST),
# then the other direction still working. Every diagnosis in this lab shows that order as a short
# numbered story, so that the difference between close() and shutdown() is there to see:
#
#     1. the client connects (127.0.0.1:8080)
#     2. server -> client: 65536 bytes (in 3 reads)
#     3. server -> client: FIN (shutdown SHUT_WR or close)
#     4. client -> server: 6 bytes
#     5. client -> server: FIN (the client's shutdown SHUT_WR)
#
# Consecutive reads or writes in one direction are added up into one line.
# Loaded by the lab's .bats files: load transcript

# transcript_of_client LOG - the story told by the log of a `scripted` client (the student's
# program is the server). Prints "(the test's client logged nothing)" for an empty log.
transcript_of_client() {
    h04_transcript client "$1"
}

# transcript_of_server LOG - the story told by the log of the `recorder` (the student's program is
# the client).
transcript_of_server() {
    h04_transcript server "$1"
}

# h04_transcript SIDE LOG - render LOG, written by the test's peer playing SIDE (client|server).
h04_transcript() {
    local side=$1 log=$2
    if [[ ! -s "$log" ]]; then
        echo "    (the test's ${side} logged nothing)"
        return 0
    fi
    awk -v side="$side" '
        function flush() {
            if (run_bytes > 0 || run_pieces > 0) {
                what = (run_dir == "in") ? "reads" : "writes"
                piece = (run_pieces == 1) ? "" : sprintf(" (in %d %s)", run_pieces, what)
                say(run_text ": " run_bytes " bytes" piece)
            }
            run_dir = ""; run_bytes = 0; run_pieces = 0
        }
        function bytes(dir, text, n) {
            if (run_dir != dir) flush()
            run_dir = dir; run_text = text; run_bytes += n; run_pieces++
        }
        function event(text) { flush(); say(text) }
        function say(text) { printf "    %2d. %s\n", ++step, text }
        # The peers do not read after their last step, so an RST shows up as the next call failing.
        function reset_note(msg) {
            if (msg ~ /Broken pipe|Connection reset|Transport endpoint is not connected/)
                return " (an RST had come back: the other side'"'"'s socket was gone or no longer reading)"
            return ""
        }
        # The peer is the client: its recv is the server talking.
        side == "client" && $1 == "connect"  { event("the client connects (" $2 ")"); next }
        side == "client" && $1 == "recv"     { bytes("in", "server -> client", $2); next }
        side == "client" && $1 == "send"     { bytes("out", "client -> server", $2); next }
        side == "client" && $1 == "eof"      { event("server -> client: FIN (the server called shutdown SHUT_WR or close)"); next }
        side == "client" && $1 == "rst"      { event("server -> client: RST (the connection was reset)"); next }
        side == "client" && $1 == "shutdown" { event($2 == "SHUT_WR" ? "client -> server: FIN (the client called shutdown SHUT_WR)" : "the client calls shutdown " $2 " (nothing is sent)"); next }
        side == "client" && $0 == "close rst" { event("client -> server: RST (the client closed with SO_LINGER 0)"); next }
        side == "client" && $1 == "close"    { event("the client closes its socket"); next }
        side == "client" && $1 == "error"    { sub(/^error /, ""); event("the client: " $0 reset_note($0)); next }
        # The peer is the server (recorder): "VERB K ..." lines.
        side == "server" && $1 == "listen"   { next }
        side == "server" && $1 == "accept"   { event("the client connects (from " $3 ")"); next }
        side == "server" && $1 == "recv"     { bytes("in", "client -> server", $3); next }
        side == "server" && $1 == "send"     { bytes("out", "server -> client", $3); next }
        side == "server" && $1 == "eof"      { event("client -> server: FIN (the client called shutdown SHUT_WR or close, or exited)"); next }
        side == "server" && $1 == "rst"      { event("client -> server: RST (the connection was reset)"); next }
        side == "server" && $1 == "shutdown" { event("server -> client: FIN (the server called shutdown " $3 ")"); next }
        side == "server" && $1 == "close"    { event("the server closes its socket"); next }
        side == "server" && $1 == "error"    { sub(/^error [0-9]+ /, ""); event("the server: " $0 reset_note($0)); next }
        { event($0) }
        END { flush(); if (step == 0) say("nothing: no connection was made") }
    ' "$log"
}

# wire_story TITLE STORY - a transcript under a heading, ready to go into a diagnosis.
wire_story() {
    printf 'what crossed the wire, as %s saw it:\n%s' "$1" "$2"
}

# student_side NAME - one line on what the student's program NAME did: still running, or its exit
# status (with the signal that killed it), and the end of its stderr.
student_side() {
    local name=$1 line
    if is_running "$name"; then
        line="your ${name}: still running"
    else
        wait_for_exit "$name" 1
        line="your ${name}: $(exit_story "$status")"
    fi
    printf '%s\n%s' "$line" "$(stderr_tail "$(err_of "$name")" 4)"
}

# exit_story STATUS - an exit status in words (124 is the harness' time limit; 128+N a signal).
exit_story() {
    case $1 in
        0) echo "exited with status 0" ;;
        124) echo "was still running at the time limit, and was stopped" ;;
        141) echo "was killed by signal 13, SIGPIPE (exit status 141)" ;;
        13[0-9] | 1[4-5][0-9]) echo "was killed by signal $(($1 - 128)), SIG$(kill -l $(($1 - 128))) (exit status $1)" ;;
        *) echo "exited with status $1" ;;
    esac
}

# size_of FILE - FILE's size in bytes (0 if it does not exist).
size_of() {
    file_size "$1" || echo 0
}

# first_difference A B - the first byte (from 1) at which files A and B differ; empty if one is a
# prefix of the other or they are equal.
first_difference() {
    cmp "$1" "$2" 2>/dev/null | sed -n 's/.* differ: [a-z]* \([0-9]*\),.*/\1/p'
}

# ---------------------------------------------------------------- the calls themselves
# The student's program runs with the injector's call log (with_call_log, harness calls.bash):
# every read, write, shutdown and close on a socket, in order, with its result.

# calls_shut_hows LOG - the `how` of every shutdown() in LOG, in order, one a line.
calls_shut_hows() {
    grep -oE '^shutdown .* how=[A-Z_0-9]+' "$1" 2>/dev/null | sed 's/.*how=//' || true
}

# calls_closes LOG - the connections in LOG, one line each, as they ended: "eof close" (a read
# returned 0, then close()), "noeof close" (close() before any read returned 0), "eintr close" (the
# last data call failed with EINTR and close() followed), or "open" (never closed) for the last one.
calls_closes() {
    awk '
        function field(name,    i) {
            for (i = 2; i <= NF; i++)
                if (index($i, name "=") == 1) return substr($i, length(name) + 2)
            return ""
        }
        $1 == "close" { fd = field("fd"); if (fd in seen) { print (eintr[fd] ? "eintr" : eof[fd] ? "eof" : "noeof") " close"; delete seen[fd] } ; eof[fd] = 0; eintr[fd] = 0; next }
        {
            fd = field("fd"); seen[fd] = 1
            if ($1 ~ /^(read|recv|recvfrom|recvmsg|readv)$/ && field("ret") == 0) eof[fd] = 1
            eintr[fd] = (field("ret") == -1 && field("errno") == 4)
        }
        END { for (fd in seen) print "open" }
    ' "$1" 2>/dev/null
}

# calls_mistake LOG WHO [ERR] - the likely mistake the call log of WHO (server|client) shows at
# the end of a connection, in socket terms; empty if it shows none. ERR is WHO's stderr: a close()
# with no shutdown() is taken for close() instead of shutdown() only if WHO reported no error, or
# EBADF (a read after the close); otherwise it gave up before the shutdown, for that reason.
calls_mistake() {
    local log=$1 who=$2 err=${3:-/dev/null} hows ends
    [[ -s "$log" ]] || return 0
    hows=$(calls_shut_hows "$log" | sort -u | tr '\n' ' ')
    ends=$(calls_closes "$log")
    if [[ "$hows" == *SHUT_RDWR* ]]; then
        echo "your ${who} called shutdown(fd, SHUT_RDWR): that ends its reading direction too, so read() reports EOF at once and the other side's bytes meet a reset. Half-close with shutdown(fd, SHUT_WR): it ends only the sending direction"
    elif [[ "$hows" == *SHUT_RD* && "$hows" != *SHUT_WR* ]]; then
        echo "your ${who} called shutdown(fd, SHUT_RD) instead of SHUT_WR: SHUT_RD sends no FIN and ends its own reading. Half-close with shutdown(fd, SHUT_WR)"
    elif [[ -z "$hows" && "$ends" == *close* ]] && { [[ ! -s "$err" ]] || grep -q 'Bad file descriptor' "$err"; }; then
        echo "your ${who} called close() instead of shutdown(SHUT_WR) (the log shows no shutdown() at all): close() gives up both directions, so the other side's bytes meet a socket that no longer exists (RST). shutdown(fd, SHUT_WR) sends the same FIN and keeps reading open; close() comes after reading until EOF"
    elif [[ "$ends" == *eintr* ]]; then
        echo "a call on the socket failed with EINTR and your ${who} gave up and closed: EINTR means a signal arrived before anything moved, and the call must be made again (EINTR was not retried)"
    fi
}

# calls_note LOG - the call log in short, under a heading, for a diagnosis.
calls_note() {
    [[ -s "$1" ]] || return 0
    printf '\nthe calls your program made on its sockets:\n%s' "$(call_log_story "$1" 12)"
}
