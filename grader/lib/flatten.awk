# flatten.awk - each input file on one line: PATH<TAB>TEXT, TEXT without comments and blanks.
#
# usage: awk -f c-text.awk -f flatten.awk FILE...
# The same normal form as c-functions.awk's bodies (c-text.awk), so a function's body is found
# in any file by a plain substring search. C comments are removed from every file: a reference
# function pasted into a Markdown page with its comments is found too.

FNR == 1 {
    if (NR > 1)
        flush()
    path = FILENAME
    sub(/^\.\//, "", path)
}
{ text = text $0 "\n" }
END { if (NR > 0) flush() }

function flush() {
    printf "%s\t%s\n", path, squeeze(c_strip(text, path ~ /\.[ch]$/))
    text = ""
}
