# progress.awk - say how far a lab's run is, from Bats' TAP output as it arrives.
#
# Reads the TAP stream; PLAN is the file with the run's test names in order, one a line. On a
# terminal (TTY=1) keeps one line up to date: "[done/total] next test's name"; otherwise prints
# one plain line per finished test. Writes to stdout (run-tests sends it to stderr).
BEGIN {
    while ((getline line < PLAN) > 0) if (line != "") name[++total] = line
    close(PLAN)
}
/^(not )?ok [0-9]+ / {
    done++
    verdict = /^not ok/ ? "FAIL" : (/ # skip not run: needs / ? "not run" : "ok")
    if (TTY) {
        next_name = (done < total) ? name[done + 1] : "finishing"
        printf "\r\033[K  [%d/%d] %s", done, total, substr(next_name, 1, 70)
    } else {
        test_name = $0
        sub(/^(not )?ok [0-9]+ /, "", test_name); sub(/ # skip.*$/, "", test_name)
        printf "  [%d/%d] %s: %s\n", done, total, verdict, test_name
    }
    fflush()
}
END { if (TTY && done > 0) printf "\r\033[K" }
