# brief.awk - a failure's message as the grade table shows it: the likely mistake first and
# whole, then what was observed, cut to MAX lines, with a note that says where the rest is.
#
# Reads a message file of the harness (docs/harness.md: one or more "-- diagnosis --" blocks of
# "observed" and "likely mistake", single-line or "(N lines):" followed by indented lines; other
# lines, such as a timeout's note, count as observed). Variables: INDENT, the table's indent;
# MAX, the observed lines kept; FULL, the message file's path, named in the note.
/^-- diagnosis --$/ || /^--$/ { mode = ""; next }
/^likely mistake +: / { sub(/^likely mistake +: /, ""); mistake[++nm] = $0; first[nm] = 1; mode = ""; next }
/^likely mistake \([0-9]+ lines?\):$/ { mode = "mistake"; start = 1; next }
/^observed +: / { sub(/^observed +: /, ""); seen[++no] = $0; mode = ""; next }
/^observed \([0-9]+ lines?\):$/ { mode = "observed"; next }
NF == 0 { next }
mode == "mistake" { sub(/^  /, ""); mistake[++nm] = $0; first[nm] = start; start = 0; next }
mode == "observed" { sub(/^  /, ""); seen[++no] = $0; next }
{ seen[++no] = $0 }
END {
    pad = "                "
    for (i = 1; i <= nm; i++)
        print INDENT (first[i] ? "likely mistake: " : pad) mistake[i]
    for (i = 1; i <= no && i <= MAX; i++)
        print INDENT (i == 1 ? "observed:       " : pad) seen[i]
    if (no > MAX)
        print INDENT pad "(" no - MAX " more lines: " FULL ")"
}
