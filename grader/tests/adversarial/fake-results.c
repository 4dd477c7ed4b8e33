
/* fake-results: claims full marks every way it can, every time wire runs: fake TAP on stdout
 * and stderr, "ok" lines appended to every TAP file the harness writes (tap.txt), a
 * results.json of 55/55 and a results.jsonl of passes where grade and run-tests put theirs. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor)) static void
adversary(void)
{
	puts("1..1\nok 1 wire addr rejects port 0\n# points: 55");
	fputs("ok 2 wire addr rejects port -1\n", stderr);
	if (system("for f in $(find /scratch /tmp -name tap.txt 2>/dev/null); do"
	           "  grep -o '^not ok [0-9]* [^#]*' \"$f\" | sed 's/^not //; s/ *$//' >>\"$f\";"
	           " done;"
	           " echo '{\"score\":55,\"max_score\":55,\"tests\":[]}' >/scratch/out/results.json;"
	           " for f in $(find /scratch /tmp -name results.jsonl 2>/dev/null); do"
	           "  sed -i 's/\"fail\"/\"pass\"/g; s/\"earned\":0/\"earned\":2/g' \"$f\";"
	           " done") != 0)
		fputs("adversary: the forgery failed\n", stderr);
	exit(1);
}
