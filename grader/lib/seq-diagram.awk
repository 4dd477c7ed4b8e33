# seq-diagram.awk - a capture drawn as a sequence diagram: one SVG element, for report.html.
#
# Reads what `tcpdump -nn -tt -r FILE` prints and draws each endpoint (address:port) as a
# lifeline and what crossed between them as arrows, in order: SYN, SYN+ACK, data (the bytes of
# consecutive segments in one direction added up, as the labs' transcripts do), FIN, RST, UDP
# datagrams and ICMP errors. Bare ACKs carry nothing a student needs and are left out. A listening
# side (one that received a SYN) is drawn on the right. Variables: CAPTURE, the file's name, for
# the diagram's title; ID, unique in the page, for its arrowheads. At most MAX_LANES endpoints and
# MAX_ROWS arrows are drawn; a note says what was left out.

BEGIN {
    MAX_LANES = 6; MAX_ROWS = 60
    LANE_GAP = 330; LEFT = 190; TOP = 64; ROW = 32
    colour["syn"] = "#57606a"; colour["data"] = "#0969da"; colour["fin"] = "#1a7f37"
    colour["rst"] = "#cf222e"; colour["udp"] = "#8250df"; colour["icmp"] = "#bc4c00"
}

# endpoint - "127.0.0.1.8080" as "127.0.0.1:8080", "::1.8080" as "[::1]:8080"; an address
# without a port (ICMP) as it is.
function endpoint(text,    n, parts, port, host) {
    sub(/:$/, "", text)
    n = split(text, parts, ".")
    if (text ~ /:/) {               # IPv6: the port is after the last dot
        port = parts[n]; host = substr(text, 1, length(text) - length(port) - 1)
        return "[" host "]:" port
    }
    if (n == 5) return parts[1] "." parts[2] "." parts[3] "." parts[4] ":" parts[5]
    return text
}

function lane(ep) {
    if (!(ep in lane_of)) { lane_of[ep] = ++nlanes; lane_name[nlanes] = ep }
    return ep
}

# add - one arrow; data in the same direction as the arrow before it joins that arrow.
function add(kind, from, to, label, bytes, t) {
    lane(from); lane(to)
    if (kind == "data" && n > 0 && ev_kind[n] == "data" && ev_from[n] == from && ev_to[n] == to) {
        ev_bytes[n] += bytes; ev_segs[n]++
        return
    }
    n++
    ev_kind[n] = kind; ev_from[n] = from; ev_to[n] = to; ev_label[n] = label
    ev_bytes[n] = bytes; ev_segs[n] = 1; ev_time[n] = t
}

function esc(s) {
    gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s)
    return s
}

$2 != "IP" && $2 != "IP6" { next }
{
    t = $1 + 0
    if (!started) { t0 = t; started = 1 }
    from = endpoint($3); to = endpoint($5)
    len = 0
    if (match($0, /length [0-9]+/)) len = substr($0, RSTART + 7, RLENGTH - 7) + 0
}
/ Flags \[/ {
    match($0, /Flags \[[^]]*\]/)
    flags = substr($0, RSTART + 7, RLENGTH - 8)
    if (flags ~ /R/) { add("rst", from, to, "RST: reset (data for a closed socket, or SO_LINGER 0)", 0, t); next }
    if (flags ~ /S/) {
        if (flags ~ /\./) add("syn", from, to, "SYN+ACK: the kernel accepts the connection", 0, t)
        else { add("syn", from, to, "SYN: connect()", 0, t); listening[to] = 1 }
        next
    }
    if (len > 0) add("data", from, to, "", len, t)
    if (flags ~ /F/) add("fin", from, to, "FIN: shutdown(SHUT_WR) or close()", 0, t)
    else if (len == 0) acks++
    next
}
/: UDP, length / { add("udp", from, to, "UDP datagram, " len " bytes", len, t); next }
/: ICMP / {
    what = $0; sub(/.*: ICMP /, "", what); sub(/, length [0-9]+$/, "", what)
    add("icmp", from, to, "ICMP " what, 0, t)
    next
}

END {
    if (n == 0) {
        print "<p class=\"nodiagram\">The capture holds no packet to draw.</p>"
        exit
    }
    # The listening sides go to the right, in the order they appeared.
    k = 0
    for (i = 1; i <= nlanes; i++) if (!(lane_name[i] in listening)) order[++k] = lane_name[i]
    for (i = 1; i <= nlanes; i++) if (lane_name[i] in listening) order[++k] = lane_name[i]
    drawn = (nlanes < MAX_LANES) ? nlanes : MAX_LANES
    for (i = 1; i <= drawn; i++) x[order[i]] = LEFT + (i - 1) * LANE_GAP
    rows = 0; left_out = 0
    for (i = 1; i <= n; i++) {
        if (!(ev_from[i] in x) || !(ev_to[i] in x) || rows >= MAX_ROWS) { left_out++; continue }
        row[++rows] = i
    }
    width = LEFT + (drawn - 1) * LANE_GAP + 130
    height = TOP + (rows + 1) * ROW
    printf "<svg class=\"sequence\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"what crossed the test's loopback, in order\">\n", width, height, width, height
    printf "<title>what crossed the test's loopback, in order (%s)</title>\n", esc(CAPTURE)
    print "<defs>"
    for (kind in colour)
        printf "<marker id=\"%s-%s\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n", ID, kind, colour[kind]
    print "</defs>"
    for (i = 1; i <= drawn; i++) {
        ep = order[i]; cx = x[ep]
        printf "<rect x=\"%d\" y=\"8\" width=\"200\" height=\"40\" rx=\"6\" fill=\"#f6f8fa\" stroke=\"#8c959f\"/>\n", cx - 100
        printf "<text x=\"%d\" y=\"25\" text-anchor=\"middle\" class=\"ep\">%s</text>\n", cx, esc(ep)
        printf "<text x=\"%d\" y=\"41\" text-anchor=\"middle\" class=\"role\">%s</text>\n", cx, (ep in listening) ? "listening side" : "connecting side"
        printf "<line x1=\"%d\" y1=\"48\" x2=\"%d\" y2=\"%d\" stroke=\"#8c959f\" stroke-dasharray=\"4 4\"/>\n", cx, cx, height - 8
    }
    for (r = 1; r <= rows; r++) {
        i = row[r]; y = TOP + r * ROW
        x1 = x[ev_from[i]]; x2 = x[ev_to[i]]; c = colour[ev_kind[i]]
        label = ev_label[i]
        if (ev_kind[i] == "data")
            label = ev_bytes[i] " bytes" (ev_segs[i] > 1 ? " (" ev_segs[i] " segments)" : "")
        printf "<text x=\"8\" y=\"%d\" class=\"time\">+%.3f ms</text>\n", y + 4, (ev_time[i] - t0) * 1000
        if (x1 == x2)
            printf "<path d=\"M%d,%d h40 v12 h-40\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" marker-end=\"url(#%s-%s)\"/>\n", x1, y - 6, c, ID, ev_kind[i]
        else
            printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\" marker-end=\"url(#%s-%s)\" class=\"arrow %s\"/>\n", x1, y, x2, y, c, ID, ev_kind[i], ev_kind[i]
        printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" class=\"label\">%s</text>\n", (x1 + x2) / 2 + (x1 == x2 ? 60 : 0), y - 6, c, esc(label)
    }
    print "</svg>"
    note = ""
    if (acks > 0) note = acks " bare ACKs not drawn"
    if (left_out > 0) note = note (note ? "; " : "") left_out " more arrows not drawn (more than " MAX_ROWS " arrows or " MAX_LANES " endpoints)"
    if (note) printf "<p class=\"note\">%s.</p>\n", note
}
