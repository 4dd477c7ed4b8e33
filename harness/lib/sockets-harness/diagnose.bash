# shellcheck shell=bash
# diagnose.bash - the text of a diagnosis: what was observed, the likely mistake, and the
# pieces it is made of (a program's last words, bytes in hex, swapped byte orders).

# diagnose() - fail the test with what was observed and the likely mistake behind it
# $1: what was observed
# $2: the likely mistake
diagnose() {
    local observed=$1 half=$((H_OBSERVED_MAX / 2))
    # What a program printed can be megabytes; bats-support formats a message line by line in
    # bash, so a long one is cut here, to its start and its end (run-tests keeps 8 KiB anyway).
    if ((${#observed} > H_OBSERVED_MAX)); then
        observed="${observed:0:half}
[... $((${#observed} - 2 * half)) characters cut ...]
${observed: -half}"
    fi
    batslib_print_kv_single_or_multi 15 "observed" "$observed" "likely mistake" "$2" \
        | batslib_decorate "diagnosis" | fail
}

# The most of an observation a diagnosis shows, in characters.
H_OBSERVED_MAX=6144

# stderr_tail() - print the last lines of a program's stderr, indented, for a diagnosis
# $1: the file holding the stderr
# $2: how many lines (default 5)
# Says "it wrote nothing to stderr" for an empty or missing file.
stderr_tail() {
    if [[ -s "$1" ]]; then
        echo "its stderr ended with:"
        tail -n "${2:-5}" "$1" | sed 's/^/    /'
    else
        echo "it wrote nothing to stderr"
    fi
}

# h_tail_err() - print the last lines NAME wrote to stderr, indented, for a diagnosis
# $1: NAME
h_tail_err() {
    stderr_tail "$(err_of "$1")"
}

# h_startup_hint() - print the likely mistake when NAME exited during start-up
# $1: NAME
# A stub still in place (it says "not implemented yet"), or else whatever its error says.
h_startup_hint() {
    local stub
    stub=$(grep -m 1 -o '^[A-Za-z_][A-Za-z0-9_]*: not implemented yet' "$(err_of "$1")" 2>/dev/null)
    if [[ -n "$stub" ]]; then
        echo "${stub%%:*}() is still the skeleton's stub: write it (see the TODO in your file)"
    else
        echo "the program failed during start-up: read its error message above (socket, bind or listen?)"
    fi
}

# swap16() - print a 16-bit number with its two bytes swapped
# $1: the number
swap16() { echo $(((($1 & 0xff) << 8) | (($1 >> 8) & 0xff))); }

# swap32() - print a 32-bit number with its four bytes reversed
# $1: the number
swap32() {
    echo $(((($1 & 0xff) << 24) | (($1 & 0xff00) << 8) | (($1 >> 8) & 0xff00) | (($1 >> 24) & 0xff)))
}

# hexdump_of() - print a file as lowercase hex without spaces
# $1: the file
hexdump_of() { od -An -v -tx1 "$1" | tr -d ' \n'; }
