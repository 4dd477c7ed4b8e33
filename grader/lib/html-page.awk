# html-page.awk - report.html: one grade as a page, self-contained (no script, no network).
#
# Run with message.awk. Reads records written by html-report, tab-separated:
#     lab    LAB  EARNED  POSSIBLE  STATE  DETAIL        (STATE: graded, build-failed, not-started)
#     test   LAB  RESULT  EARNED  POINTS  NAME  MESSAGE  CAPTURE  DIAGRAM
#     term   LAB  TERM  MEANING                                   (terms.awk: words the failures use)
# MESSAGE, CAPTURE and DIAGRAM are paths (or empty); DETAIL is a file (the compiler's errors, or
# the stubs still to write). Variables: TITLE, SUBMISSION, WHEN. Each lab shows its failures
# first, each with its likely mistake, the diagram of its packets when it has a capture, and what
# was observed; then the table of every test.

function esc(s) {
    gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s)
    return s
}

function slurp(file,    line, text) {
    text = ""
    while ((getline line < file) > 0) text = text line "\n"
    close(file)
    return text
}

function anchor(s) { gsub(/[^A-Za-z0-9]+/, "-", s); return s }

BEGIN { FS = "\t" }

$1 == "lab" {
    nlabs++; lab[nlabs] = $2; earned[$2] = $3; possible[$2] = $4; state[$2] = $5; detail[$2] = $6
    total += $3; max += $4
    next
}
$1 == "term" { k = ++nterms[$2]; term[$2 SUBSEP k] = $3; meaning[$2 SUBSEP k] = $4; next }
$1 == "test" {
    k = ++ntests[$2]; key = $2 SUBSEP k
    t_result[key] = $3; t_earned[key] = $4; t_points[key] = $5; t_name[key] = $6
    t_msg[key] = $7; t_cap[key] = $8; t_svg[key] = $9
    if ($3 != "pass") failed[$2]++
    next
}

function status_cell(result) {
    if (result == "pass") return "<td class=\"pass\">PASS</td>"
    if (result == "not-run") return "<td class=\"skip\">NOT RUN</td>"
    return "<td class=\"fail\">FAIL</td>"
}

function failure(l, k,    key, id, i) {
    key = l SUBSEP k; id = anchor(l "-" k)
    printf "<article class=\"failure\" id=\"%s\">\n", id
    printf "<h4>%s %d/%d &middot; %s</h4>\n", (t_result[key] == "not-run" ? "NOT RUN" : "FAIL"), t_earned[key], t_points[key], esc(t_name[key])
    if (t_msg[key] == "") { print "<p>No message was recorded.</p>\n</article>"; return }
    read_message(t_msg[key])
    if (t_result[key] == "not-run") {
        printf "<p class=\"needs\">%s</p>\n</article>\n", esc(seen[1]); return
    }
    for (i = 1; i <= nm; i++)
        printf "<p class=\"mistake\">%s%s</p>\n", (first[i] ? "<strong>Likely mistake:</strong> " : ""), esc(mistake[i])
    if (t_svg[key] != "") {
        print "<figure>"
        printf "%s", slurp(t_svg[key])
        printf "<figcaption>What crossed the test's loopback, as captured: <code>%s</code> (open it with <code>tcpdump -nn -r</code> or Wireshark).</figcaption>\n", esc(t_cap[key])
        print "</figure>"
    }
    if (no > 0) {
        print "<pre class=\"observed\">"
        # Where the capture is: the figure's caption says it.
        for (i = 1; i <= no; i++)
            if (seen[i] !~ /^packets on the test's loopback: / && seen[i] !~ /^  \(open it with: tcpdump /)
                print esc(seen[i])
        print "</pre>"
    }
    print "</article>"
}

END {
    print "<!DOCTYPE html>"
    print "<html lang=\"en\">"
    print "<head>"
    print "<meta charset=\"utf-8\">"
    print "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    printf "<title>%s</title>\n", esc(TITLE)
    print "<style>"
    print "body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #1f2328; }"
    print "table { border-collapse: collapse; margin: 0.5em 0 1em; }"
    print "th, td { text-align: left; padding: 0.2em 0.8em; border-bottom: 1px solid #d0d7de; vertical-align: top; }"
    print "td.pass { color: #1a7f37; font-weight: 600; } td.fail { color: #cf222e; font-weight: 600; } td.skip { color: #9a6700; font-weight: 600; }"
    print "td.num { text-align: right; font-variant-numeric: tabular-nums; }"
    print "article.failure { border-left: 4px solid #cf222e; padding: 0.1em 1em 0.5em; margin: 1em 0; background: #fff8f8; }"
    print "p.mistake { font-size: 1.05em; } p.needs { color: #9a6700; }"
    print "pre { background: #f6f8fa; padding: 0.6em; overflow-x: auto; font-size: 13px; white-space: pre-wrap; }"
    print "figure { margin: 0.5em 0; overflow-x: auto; } figcaption { font-size: 13px; color: #57606a; }"
    print "svg.sequence { background: #fff; border: 1px solid #d0d7de; }"
    print "dl.terms dt { font-weight: 600; font-family: ui-monospace, monospace; } dl.terms dd { margin: 0 0 0.4em 2em; }"
    print "svg.sequence text { font: 12px system-ui, sans-serif; } svg.sequence text.ep { font: 600 12px ui-monospace, monospace; }"
    print "svg.sequence text.role, svg.sequence text.time { fill: #57606a; font-size: 11px; }"
    print "</style>"
    print "</head>"
    print "<body>"
    printf "<h1>%s</h1>\n", esc(TITLE)
    printf "<p>%s &middot; graded %s</p>\n", esc(SUBMISSION), esc(WHEN)
    printf "<p class=\"total\"><strong>Total: %d/%d</strong></p>\n", total, max
    print "<table class=\"labs\">"
    print "<thead><tr><th>lab</th><th>points</th><th>to fix</th></tr></thead>"
    print "<tbody>"
    for (i = 1; i <= nlabs; i++) {
        l = lab[i]
        printf "<tr><td><a href=\"#%s\">%s</a></td><td class=\"num\">%d/%d</td><td>%s</td></tr>\n", anchor(l), esc(l), earned[l], possible[l], \
            (state[l] == "build-failed" ? "did not compile" : state[l] == "not-started" ? "not started" : (failed[l] + 0) " tests")
    }
    print "</tbody>"
    print "</table>"
    for (i = 1; i <= nlabs; i++) {
        l = lab[i]
        printf "<section id=\"%s\">\n", anchor(l)
        printf "<h2>%s: %d/%d</h2>\n", esc(l), earned[l], possible[l]
        if (state[l] == "build-failed")
            printf "<p>The lab did not compile, so none of its tests could run. The compiler said:</p>\n<pre>%s</pre>\n", esc(slurp(detail[l]))
        if (state[l] == "not-started")
            printf "<p>Not started: every function you write is still the skeleton's stub. Read <code>labs/%s/README.md</code> and begin with the first of them:</p>\n<pre>%s</pre>\n", esc(l), esc(slurp(detail[l]))
        # What went wrong first, each failure with its likely mistake; then every test.
        if (state[l] == "graded" && failed[l] > 0) {
            print "<h3>What went wrong</h3>"
            for (k = 1; k <= ntests[l]; k++)
                if (t_result[l SUBSEP k] != "pass") failure(l, k)
            if (nterms[l] > 0) {
                print "<p>In these messages:</p>\n<dl class=\"terms\">"
                for (k = 1; k <= nterms[l]; k++)
                    printf "<dt>%s</dt><dd>%s</dd>\n", esc(term[l SUBSEP k]), esc(meaning[l SUBSEP k])
                print "</dl>"
            }
        }
        print "<h3>Every test</h3>"
        print "<table class=\"tests\">"
        print "<thead><tr><th>result</th><th>points</th><th>test</th></tr></thead>"
        print "<tbody>"
        for (k = 1; k <= ntests[l]; k++) {
            key = l SUBSEP k
            name = esc(t_name[key])
            if (t_result[key] != "pass" && state[l] == "graded")
                name = "<a href=\"#" anchor(l "-" k) "\">" name "</a>"
            printf "<tr>%s<td class=\"num\">%d/%d</td><td>%s</td></tr>\n", status_cell(t_result[key]), t_earned[key], t_points[key], name
        }
        print "</tbody>"
        print "</table>"
        print "</section>"
    }
    print "</body>"
    print "</html>"
}
