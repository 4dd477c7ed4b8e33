# shellcheck shell=bash
# files.bash - what a test asks of the files its programs wrote, without starting a process
# where it can: a test asks a file's size, or whether it has a line, dozens of times (a poll asks
# every few milliseconds), and stat(1) or grep(1) costs an exec each, 8–20 ms in a test's shell.

# h_file_size() - set H_SIZE to a file's size in bytes; returns 1 (H_SIZE empty) if it does not exist
# $1: the file
# With bash-builtins' stat (load.bash), no process is started.
h_file_size() {
    H_SIZE=""
    if [[ -n "${H_STAT_BUILTIN:-}" ]]; then
        local -A st=()
        enable stat
        stat -A st "$1" 2>/dev/null
        enable -n stat
        H_SIZE=${st[size]:-}
    else
        H_SIZE=$(command stat -c %s -- "$1" 2>/dev/null) || H_SIZE=""
    fi
    [[ -n "$H_SIZE" ]]
}

# file_size() - print a file's size in bytes; nothing, and status 1, if it does not exist
# $1: the file
file_size() {
    h_file_size "$1" && echo "$H_SIZE"
}

# h_first_line() - set H_LINE to the first line of a file that matches an extended regular
# expression; returns 1 (H_LINE empty) if none does or the file is missing
# $1: the file
# $2: the regular expression
# A file of up to 64 KiB (a program's log, what a wait polls) is read by the shell itself;
# grep(1) reads a larger one.
h_first_line() {
    local line lines=()
    H_LINE=""
    h_file_size "$1" || return 1
    if ((H_SIZE > 65536)); then
        H_LINE=$(grep -m 1 -E -- "$2" "$1" 2>/dev/null) || return 1
        return 0
    fi
    mapfile -t lines <"$1" 2>/dev/null || return 1
    for line in "${lines[@]}"; do
        [[ "$line" =~ $2 ]] && { H_LINE=$line; return 0; }
    done
    return 1
}

# h_has_line() - true if a file has a line matching an extended regular expression (see
# h_first_line)
# $1: the file (missing: false)
# $2: the regular expression
h_has_line() { h_first_line "$1" "$2"; }

# first_line_matching() - print the first line of a file that matches an extended regular
# expression; status 1 (nothing printed) if none does or the file is missing (see h_first_line)
# $1: the file
# $2: the regular expression
first_line_matching() {
    h_first_line "$1" "$2" && printf '%s\n' "$H_LINE"
}
