# c-text.awk - the functions check-handout's awk programs share (load it with -f first).
#
# The leak check compares code by its tokens, not by its layout: comments out, every blank
# out. So a reference function copied into a file, reindented or with its comments edited,
# is still found.

# c_strip - TEXT without its C comments (/* ... */ and // to the end of the line). A comment
# becomes the newlines it held, so line numbers stay right. With IN_C, string and character
# literals are kept whole: a "/*" inside a string is not a comment. In other files (prose,
# shell) quotes are only characters, since an apostrophe in "don't" opens no literal, and only
# a "/*" followed by a blank opens a comment, as the course writes them: "dir/*.c" is a glob,
# and "${f//x/y}" a substitution.
function c_strip(text, in_c,    out, special, tok, j, comment) {
    out = ""
    special = in_c ? "/[*]|//|\"|'" : "/[*][ \t\n]"
    while (match(text, special)) {
        out = out substr(text, 1, RSTART - 1)
        tok = substr(text, RSTART, RLENGTH)
        text = substr(text, RSTART + RLENGTH)
        if (tok ~ /^\/\*/) {
            j = index(text, "*/")
            comment = j ? substr(text, 1, j - 1) : text
            text = j ? substr(text, j + 2) : ""
            gsub(/[^\n]/, "", comment)
            out = out " " comment
        } else if (tok == "//") {
            j = index(text, "\n")
            text = j ? substr(text, j) : ""
        } else if (match(text, tok == "\"" ? "^([^\"\\\\\n]|\\\\.)*\"" : "^([^'\\\\\n]|\\\\.)*'")) {
            out = out tok substr(text, 1, RLENGTH)
            text = substr(text, RLENGTH + 1)
        } else {
            out = out tok
        }
    }
    return out text
}

# squeeze - TEXT with every blank (space, tab, newline...) removed.
function squeeze(text) {
    gsub(/[ \t\n\r\f\v]+/, "", text)
    return text
}
