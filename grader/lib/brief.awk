# brief.awk - a failure's message as the grade table shows it: the likely mistake first and
# whole, then what was observed, cut to MAX lines, with a note that says where the rest is.
#
# Run with message.awk, no input: awk -v FULL=FILE -f message.awk -f brief.awk. Variables: FULL,
# the message file (read, and named in the note); INDENT, the table's indent; MAX, the observed
# lines kept.
BEGIN {
    read_message(FULL)
    pad = "                "
    for (i = 1; i <= nm; i++)
        print INDENT (first[i] ? "likely mistake: " : pad) mistake[i]
    for (i = 1; i <= no && i <= MAX; i++)
        print INDENT (i == 1 ? "observed:       " : pad) seen[i]
    if (no > MAX)
        print INDENT pad "(" no - MAX " more lines: " FULL ")"
}
