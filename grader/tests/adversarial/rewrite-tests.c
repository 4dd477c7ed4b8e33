
/* rewrite-tests: rewrites the tests it is graded by so that they pass, each time wire runs:
 * the course's .bats files and the harness library (read-only in the sandbox: refused), and
 * Bats' preprocessed copies of the test files in the sandbox's /tmp, from which each later test
 * of the file is read (every line of every test's body becomes "true"). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void
adversary(void)
{
	if (system("for f in /course/labs/01-byte-order/tests/*.bats; do"
	           "  if printf '\\n@test \"free points\" { true; }\\n' 2>/dev/null >>\"$f\"; then"
	           "   echo \"adversary: rewrote $f\" >&2;"
	           "  else echo \"adversary: could not rewrite $f\" >&2; fi;"
	           " done;"
	           " for f in $(find /tmp -name '*.src' 2>/dev/null); do"
	           "  sed -i '/^test_.*bats_test_begin/,/^}/{/bats_test_begin/b;/^}/b;s/.*/true/}' \"$f\""
	           "   && echo \"adversary: rewrote Bats' copy $f\" >&2;"
	           " done") < 0)
		fputs("adversary: could not rewrite\n", stderr);
	_exit(1);
}
