#!/usr/bin/env bats
# report.html and the captures: what a student looks at after a failed grade. One lab 04 variant
# with a classic mistake (close() where shutdown(SHUT_WR) belongs) is graded once for the file;
# each test checks one promise about what that grade left behind.
export BATS_TEST_TIMEOUT=120

# The test whose failure the checks below look at, and what its transcript says crossed the wire.
FAILING="the server still reads the client's acknowledgement after its FIN"

setup_file() {
    export COURSE_ROOT="${COURSE_ROOT:-$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)}"
    export OUT="${BATS_FILE_TMPDIR}/out"
    local sub="${BATS_FILE_TMPDIR}/submission"
    cp -r "${COURSE_ROOT}/solutions" "$sub"
    find "$sub" -name mutants -type d -prune -exec rm -rf {} +
    "${COURSE_ROOT}/harness/bin/apply-mutant" "${COURSE_ROOT}/solutions/04-half-close/server.c" \
        "${COURSE_ROOT}/solutions/04-half-close/mutants/server.close-not-shutdown.patch" "$sub/04-half-close/server.c"
    "${COURSE_ROOT}/grader/grade" --submission "$sub" --lab 04 --jobs 2 --out "$OUT" >"${BATS_FILE_TMPDIR}/grade.txt" 2>&1
}

setup() {
    bats_require_minimum_version 1.5.0
    bats_load_library bats-support
    bats_load_library bats-assert
    bats_load_library bats-file
    LAB="$OUT/04-half-close"
}

# result_of NAME FIELD - one field of a test's record in results.jsonl.
result_of() {
    jq -r --arg n "$1" "select(.name == \$n) | .$2 // empty" "$LAB/results.jsonl"
}

@test "the grade says where report.html is, and writes it" {
    run -0 cat "${BATS_FILE_TMPDIR}/grade.txt"
    assert_output --partial "$OUT/report.html"
    assert_file_exists "$OUT/report.html"
}

@test "report.html is valid HTML" {
    command -v tidy >/dev/null || fail "tidy is not installed (Debian package tidy): run harness/install-deps"
    run -0 tidy -q -e "$OUT/report.html"
}

@test "report.html needs nothing from elsewhere: no script, style sheet, image or font to fetch" {
    run -1 grep -n -i -E '<script|<link|<img|<iframe|@import|url\(http|src=' "$OUT/report.html"
    # The only address is SVG's namespace name, which is never fetched.
    run -0 bash -c "grep -o -E 'https?://[^\"]*' '$OUT/report.html' | sort -u"
    assert_output "http://www.w3.org/2000/svg"
}

@test "report.html shows every test with its points, and the failure's likely mistake" {
    local tests
    tests=$(jq -s length "$LAB/results.jsonl")
    run -0 grep -c '<tr><td class="\(pass\|fail\|skip\)">' "$OUT/report.html"
    assert_output "$tests"
    run -0 grep -F "<strong>Likely mistake:</strong> your server called close() instead of shutdown(SHUT_WR)" "$OUT/report.html"
}

@test "a failed network test keeps a capture whose packets match its transcript" {
    local capture
    capture=$(result_of "$FAILING" capture)
    [[ -n "$capture" ]] || fail "results.jsonl names no capture for '$FAILING'"
    assert_file_exists "$LAB/$capture"
    # The transcript, from the test's own peer: the file, FIN, the client's 6 bytes, then RST.
    run -0 cat "$LAB/$(result_of "$FAILING" message)"
    assert_output --partial "server -> client: 65536 bytes"
    assert_output --partial "server -> client: FIN"
    assert_output --partial "client -> server: 6 bytes"
    assert_output --partial "an RST had come back"
    # The same story in the packets, each from the side the transcript says.
    run -0 bash -c "tcpdump -nn -r '$LAB/$capture' 2>/dev/null | awk '
        function bytes() { match(\$0, /length [0-9]+/); return substr(\$0, RSTART + 7, RLENGTH - 7) }
        / 127\\.0\\.0\\.1\\.8080 > .*length [1-9]/ { sent += bytes() }
        / 127\\.0\\.0\\.1\\.8080 > .*Flags \\[F/ { fin = 1 }
        / > 127\\.0\\.0\\.1\\.8080: .*length [1-9]/ { ack += bytes() }
        / 127\\.0\\.0\\.1\\.8080 > .*Flags \\[R/ { rst = 1 }
        END { print \"server sent \" sent \", fin \" fin \", client sent \" ack \", rst \" rst }'"
    assert_output "server sent 65536, fin 1, client sent 6, rst 1"
}

@test "a test that passed keeps no capture" {
    local file name
    for file in "$LAB"/captures/*.pcap; do
        name=$(jq -r --arg c "captures/${file##*/}" 'select(.capture == $c) | .result' "$LAB/results.jsonl")
        [[ "$name" == fail ]] || fail "${file##*/} is kept but its test's result is '${name:-none}'"
    done
    run -0 jq -s '[.[] | select(.result == "pass" and .capture != null)] | length' "$LAB/results.jsonl"
    assert_output 0
}

@test "headless Chromium renders the failure's sequence diagram" {
    command -v chromium >/dev/null || fail "chromium is not installed (Debian package chromium): run harness/install-deps"
    local shot="${BATS_TEST_TMPDIR}/report.png"
    # A lab's failures come first on the page: the only failure's diagram is in the first screen.
    # --no-sandbox: Chromium refuses to run as root otherwise, and the page is the course's own.
    run -0 timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="${BATS_TEST_TMPDIR}/profile" --window-size=1100,1000 \
        --screenshot="$shot" "file://$OUT/report.html"
    assert_file_exists "$shot"
    # Data arrows are drawn in #0969da and the RST arrow in #cf222e: nothing else on the page is
    # that blue, so blue pixels mean the diagram was drawn.
    run -0 "${BATS_TEST_DIRNAME}/png-colour-count" "$shot" 0969da
    (( output > 300 )) || fail "the screenshot shows $output pixels of the data arrows' blue; expected the diagram (over 300)"
}

@test "the grade explains the names its messages give to the lab's drivers and the test's peers" {
    run -0 cat "${BATS_FILE_TMPDIR}/grade.txt"
    assert_output --partial "in these messages:"
    run -0 grep -c '<dl class="terms">' "$OUT/report.html"
}

@test "every lab has a terms.tsv of 'term<TAB>meaning' lines, each term used by its tests" {
    local lab terms term meaning
    for lab in "${COURSE_ROOT}"/labs/[0-9][0-9]-*/; do
        terms="${lab}tests/terms.tsv"
        assert_file_exists "$terms"
        while IFS=$'\t' read -r term meaning; do
            [[ -z "$term" || "$term" == \#* ]] && continue
            [[ -n "$meaning" ]] || fail "$terms: '$term' has no meaning after a tab"
            grep -q -w -- "$term" "$lab"tests/*.bats "$lab"tests/*.bash 2>/dev/null ||
                fail "$terms: no test of ${lab} uses '$term'; remove it"
        done <"$terms"
    done
}

@test "a test this machine cannot run is left out of the total, and the report says so" {
    local out="$BATS_TEST_TMPDIR/out" lab=07-timeouts-options
    mkdir -p "$out/$lab/messages"
    echo 'not run: needs a private network namespace (a rule drops SYNs): it cannot be run on this machine, and earns no points here.' \
        >"$out/$lab/messages/2.txt"
    printf '%s\n' '{"name":"a test that ran","points":3,"result":"pass","earned":3,"message":null}' \
        '{"name":"a test that needs a namespace","points":2,"result":"not-run","earned":0,"message":"messages/2.txt","counted":false}' \
        >"$out/$lab/results.jsonl"
    NO_COLOR=1 run -0 "${COURSE_ROOT}/grader/lib/report" "$out" "$lab"
    assert_line --partial "$lab: 3/3   (2 points not counted: tests this machine cannot run)"
    assert_line --partial "this machine has none (not counted)"
    assert_line --partial "TOTAL 3/3"
    run -0 jq -r '"\(.score)/\(.max_score)"' "$out/results.json"
    assert_output 3/3
}
