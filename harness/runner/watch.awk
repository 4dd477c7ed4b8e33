# watch.awk - follow Bats' TAP output as it arrives: say how far the run is, and stop it early
# when asked.
#
# Variables: PLAN, the file with the run's test names in order, one a line; PROGRESS=1 to
# report progress (TTY=1: one line kept up to date, "[done/total] next test's name"; otherwise,
# for a log, a plain "[done/total] tests done" line every 10 tests and at the end: the grade
# table that follows names every failure); STOP, an extended regular expression (case-insensitive): once
# a failed test's message matches it, run STOP_CMD (which stops the run) and exit 3. Progress
# goes to stdout.
BEGIN {
    while ((getline line < PLAN) > 0) if (line != "") name[++total] = line
    close(PLAN)
    stop = tolower(STOP)
}
function judge() {
    if (STOP != "" && failing && tolower(msg) ~ stop) {
        system(STOP_CMD)
        stopped = 1
        exit 3
    }
    failing = 0; msg = ""
}
/^(not )?ok [0-9]+ / {
    judge()
    failing = /^not ok/
    done++
    if (PROGRESS && TTY) {
        next_name = (done < total) ? name[done + 1] : "finishing"
        printf "\r\033[K  [%d/%d] %s", done, total, substr(next_name, 1, 70)
    } else if (PROGRESS && (done % 10 == 0 || done == total)) {
        printf "  [%d/%d] tests done\n", done, total
    }
    fflush()
    next
}
/^# / && failing { msg = msg substr($0, 3) "\n" }
END {
    if (!stopped) judge()
    if (PROGRESS && TTY && done > 0) printf "\r\033[K"
}
