# needs.awk - the needs() calls of a lab's tests, and where each test ends, in the order the
# files are given (read by check-needs).
#
# usage: awk -v NDEFS=N -f needs.awk DEFS... FILES...
# The first N files are read only for variables set once to a literal (T_SEND="…"), which a
# needs() may name a test through; then FILES are read in order. One line per test a needs()
# names, and one as each test ends:
#     FILE<TAB>LINE<TAB>KIND<TAB>NAME<TAB>TEST
# FILE is the file's path, LINE the line the call starts on, TEST the @test it is in ("" in a
# helper). KIND is
#     name       NAME is the needed test's name (spelt out, or through such a variable)
#     unset      NAME is a variable not set to a literal in the lab's tests
#     passes-on  a helper passes its own arguments on ("$@", "$1"): checked where it is called
#     end        the test TEST ends on this line (NAME is empty)
# A call may go on over lines that end in a backslash.
FNR == 1 { fileno++; current = ""; call = "" }
fileno <= NDEFS {
    if (match($0, /^[[:space:]]*(export[[:space:]]+)?[A-Z_][A-Z0-9_]*="[^"$`]*"[[:space:]]*$/)) {
        line = $0; sub(/^[[:space:]]*(export[[:space:]]+)?/, "", line)
        var = line; sub(/=.*/, "", var)
        val = line; sub(/^[^=]*="/, "", val); sub(/"[[:space:]]*$/, "", val)
        value[var] = val
    }
    next
}
/^@test "/ {
    current = $0; sub(/^@test "/, "", current); sub(/" *\{ *$/, "", current)
}
call != "" || /^[[:space:]]*needs[[:space:]]+"/ {
    if (call == "") { start = FNR; call = $0 } else { call = call " " $0 }
    if (call ~ /\\$/) { sub(/\\$/, "", call); next }
    rest = call; call = ""
    sub(/^[[:space:]]*needs[[:space:]]+/, "", rest)
    while (match(rest, /^"[^"]*"/)) {
        wanted = substr(rest, 2, RLENGTH - 2)
        rest = substr(rest, RLENGTH + 1); sub(/^[[:space:]]+/, "", rest)
        kind = "name"
        if (wanted ~ /^\$(\{@\}|@|[0-9]|\{[0-9]\})$/) {
            kind = "passes-on"
        } else if (wanted ~ /^\$\{?[A-Z_][A-Z0-9_]*\}?$/) {
            var = wanted; gsub(/[${}]/, "", var)
            if (var in value) wanted = value[var]
            else kind = "unset"
        }
        print FILENAME "\t" start "\t" kind "\t" wanted "\t" current
    }
    next
}
/^}/ && current != "" {
    print FILENAME "\t" FNR "\tend\t\t" current
    current = ""
}
