# flatten.awk - each input file on one line: PATH<TAB>TEXT, TEXT without comments and blanks.
#
# usage: awk -f c-text.awk -f flatten.awk FILE...
# The same normal form as c-functions.awk's bodies (c-text.awk), so a function's body is found
# in any file by a plain substring search. A file that is not C (.c, .h) gets two lines: its
# text with C comments removed, so that a reference function pasted into a Markdown page with
# its comments is found; and its text as it is, since in a script "/*" or "//" is more often a
# glob or a substitution than a comment, and taking it for one would hide what follows.

FNR == 1 {
    if (NR > 1)
        flush()
    path = FILENAME
    sub(/^\.\//, "", path)
}
{ text = text $0 "\n" }
END { if (NR > 0) flush() }

function flush(    is_c, stripped) {
    is_c = path ~ /\.[ch]$/
    stripped = squeeze(c_strip(text, is_c))
    printf "%s\t%s\n", path, stripped
    if (!is_c && stripped != squeeze(text))
        printf "%s\t%s\n", path, squeeze(text)
    text = ""
}
