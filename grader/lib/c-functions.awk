# c-functions.awk - every function a C file defines, one a line: NAME<TAB>LINE<TAB>BODY.
#
# usage: awk -f c-text.awk -f c-functions.awk FILE.c
# LINE is the line of the function's name; BODY is everything from its opening brace to its
# closing one, comments and blanks removed (c-text.awk). A function is a brace at the top level
# whose header, since the previous top-level ';' or '}', ends in ')' and holds no '=' (that
# would be an initialiser such as "int a[] = {...}"). Braces inside string and character
# literals do not count; preprocessor lines are skipped whole.

{ source = source $0 "\n" }

END {
    text = blank_preprocessor(c_strip(source, 1))
    line = 1
    depth = 0
    header = ""
    while (match(text, "[{};\"'\n]")) {
        before = substr(text, 1, RSTART - 1)
        c = substr(text, RSTART, 1)
        text = substr(text, RSTART + 1)
        if (depth == 0)
            header = header before
        else
            body = body before
        if (c == "\"" || c == "'") {
            # Skip the literal whole (c_strip checked it is closed on its line).
            match(text, c == "\"" ? "^([^\"\\\\\n]|\\\\.)*\"" : "^([^'\\\\\n]|\\\\.)*'")
            if (depth == 0)
                header = header c substr(text, 1, RLENGTH)
            else
                body = body c substr(text, 1, RLENGTH)
            text = substr(text, RLENGTH + 1)
            continue
        }
        if (c == "\n") {
            line++
            if (depth == 0)
                header = header c
            else
                body = body c
            continue
        }
        if (c == "{" && depth == 0) {
            is_function = header ~ /\)[ \t\n]*$/ && header !~ /=/
            if (is_function) {
                match(header, /[A-Za-z_][A-Za-z0-9_]*[ \t\n]*\(/)
                name = substr(header, RSTART, RLENGTH)
                sub(/[ \t\n]*\($/, "", name)
                after = substr(header, RSTART)
                name_line = line - gsub(/\n/, "", after)
            }
            body = ""
        }
        if (depth > 0 || c == "{")
            body = body c
        if (c == "{")
            depth++
        else if (c == "}" && depth > 0)
            depth--
        if (depth == 0 && c != "{") {
            if (c == "}" && is_function)
                printf "%s\t%d\t%s\n", name, name_line, squeeze(body)
            header = ""
            is_function = 0
        }
    }
}

# blank_preprocessor - TEXT with each preprocessor line (and its continuation lines) emptied;
# the newlines stay, so line numbers stay right.
function blank_preprocessor(text,    lines, n, i, out, continued) {
    n = split(text, lines, "\n")
    out = ""
    continued = 0
    for (i = 1; i <= n; i++) {
        if (continued || lines[i] ~ /^[ \t]*#/) {
            continued = lines[i] ~ /\\$/
            lines[i] = ""
        }
        out = out lines[i] (i < n ? "\n" : "")
    }
    return out
}
