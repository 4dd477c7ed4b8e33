# watch.awk - follow a run as it goes: say how far it is, and stop it early when asked.
#
# Reads `tail -f TAP PROGRESS`: Bats' TAP output and the harness's progress file, each part
# headed "==> FILE <==" by tail. The progress file has a line per test as it starts and ends
# ("start<TAB>NAME", "done<TAB>NAME", written by harness_setup and teardown): with --jobs, Bats
# prints a test file's TAP only once the file is done, so progress is read from there, as it
# happens. The TAP is read for STOP.
#
# Variables: PLAN, the file with the run's test names in order, one a line (for the total);
# PROGRESS=1 to report progress (TTY=1: one line kept up to date, "[done/total] the test just
# started"; otherwise, for a log, a plain "[done/total] tests done" line every 10 tests and at
# the end: the grade table that follows names every failure); TAP, the TAP file's name as tail
# heads it; STOP, an extended regular expression (case-insensitive): once a failed test's
# message matches it, run STOP_CMD (which stops the run) and exit 3. Progress goes to stdout.
BEGIN {
    while ((getline line < PLAN) > 0) if (line != "") total++
    close(PLAN)
    stop = tolower(STOP)
    FS = "\t"
}
function judge() {
    if (STOP != "" && failing && tolower(msg) ~ stop) {
        system(STOP_CMD)
        stopped = 1
        exit 3
    }
    failing = 0; msg = ""
}
function show() {
    if (!PROGRESS) return
    if (TTY) {
        printf "\r\033[K  [%d/%d] %s", done, total, substr(running, 1, 70)
    } else if (done % 10 == 0 || done == total) {
        printf "  [%d/%d] tests done\n", done, total
    }
    fflush()
}
/^==> .* <==$/ { in_tap = (substr($0, 5, length($0) - 8) == TAP); next }
!in_tap && $1 == "start" { running = $2; if (TTY) show(); next }
!in_tap && $1 == "done" { done++; show(); next }
!in_tap { next }
/^(not )?ok [0-9]+ / { judge(); failing = /^not ok/; next }
/^# / && failing { msg = msg substr($0, 3) "\n" }
END {
    if (!stopped) judge()
    if (PROGRESS && TTY && done > 0) printf "\r\033[K"
}
