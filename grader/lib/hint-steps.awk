# hint-steps.awk - print the hints of one test from a lab's hints.md, one a record.
#
# hints.md has a "## <test name>" section per test, each a numbered list ("1. text", continued on
# lines indented three spaces). Variables: TEST, the test's name. Prints each hint as one
# paragraph, the hints separated by a line holding only "\f".
/^## / { in_test = (substr($0, 4) == TEST); next }
!in_test { next }
/^[0-9]+\. / { if (n++) print "\f"; sub(/^[0-9]+\. /, ""); printf "%s", $0; next }
/^   [^ ]/ && n { sub(/^ +/, ""); printf " %s", $0; next }
END { if (n) print "" }
