# terms.awk - which of a lab's terms the failure messages use, with what each means.
#
# usage: awk -f terms.awk LAB/tests/terms.tsv MESSAGE...
# terms.tsv holds "term<TAB>meaning" lines (# starts a comment): the names the tests' messages
# give to what is not the student's (the lab's driver programs, the test's peers, the injector).
# Prints "term<TAB>meaning" for each term that appears, as a word, in one of the messages, in
# the order of terms.tsv, so that a message can name a test program and still be read in the
# student's terms.
FNR == NR {
    if ($0 ~ /^#/ || $0 !~ /\t/) next
    split($0, f, "\t")
    n++; term[n] = f[1]; meaning[n] = f[2]
    next
}
{
    line = " " $0 " "
    for (i = 1; i <= n; i++)
        if (!(i in used) && line ~ ("[^A-Za-z0-9_]" term[i] "[^A-Za-z0-9_]")) used[i] = 1
}
END {
    for (i = 1; i <= n; i++)
        if (i in used) printf "%s\t%s\n", term[i], meaning[i]
}
