# mutant-text.awk - what marks each mutant as the course's own, one a line: WHAT<TAB>TEXT.
#
# usage: awk -f c-text.awk -f mutant-text.awk MUTANT.patch...
# A mutant (solutions/LAB/mutants/*.patch, docs/instructor-guide.md) starts with the line
# "MUTANT: the mistake" and changes one file. Prints that description, and each line the patch
# adds (a '+' line after the first hunk header), both in check-handout's normal form
# (c-text.awk). Lines that are only blanks or comments are left out.

FNR == 1 {
    in_hunk = 0
    if (sub(/^MUTANT: /, ""))
        printf "the description of mutant %s\t%s\n", FILENAME, squeeze($0)
}
/^@@/ { in_hunk = 1; next }
in_hunk && /^\+/ && !/^\+\+\+ / {
    line = squeeze(c_strip(substr($0, 2), 1))
    if (line != "")
        printf "a line mutant %s adds\t%s\n", FILENAME, line
}
