# message.awk - a failure's message file read into its parts, for brief.awk and html-page.awk.
#
# A message of the harness (docs/harness.md) holds one or more "-- diagnosis --" blocks of
# "observed" and "likely mistake", each single-line or "(N lines):" followed by indented lines;
# other lines, such as a timeout's note or where the capture is, count as observed.

# read_message - read FILE into nm, mistake[1..nm] and first[i] (1 where a mistake starts), and
# no, seen[1..no] (what was observed).
function read_message(file,    line, mode, start) {
    nm = 0; no = 0; mode = ""
    split("", mistake); split("", first); split("", seen)
    while ((getline line < file) > 0) {
        if (line ~ /^-- diagnosis --$/ || line ~ /^--$/) { mode = ""; continue }
        if (line ~ /^likely mistake +: /) {
            sub(/^likely mistake +: /, "", line); mistake[++nm] = line; first[nm] = 1; mode = ""; continue
        }
        if (line ~ /^likely mistake \([0-9]+ lines?\):$/) { mode = "mistake"; start = 1; continue }
        if (line ~ /^observed +: /) { sub(/^observed +: /, "", line); seen[++no] = line; mode = ""; continue }
        if (line ~ /^observed \([0-9]+ lines?\):$/) { mode = "observed"; continue }
        if (line ~ /^[ \t]*$/) continue
        if (mode == "mistake") { sub(/^  /, "", line); mistake[++nm] = line; first[nm] = start; start = 0; continue }
        if (mode == "observed") sub(/^  /, "", line)
        seen[++no] = line
    }
    close(file)
}
