# shellcheck shell=bash
# capture.bash - a failed test's packets: the capture of its loopback, kept for the student.
#
# The test's namespace holder (nsholder) records every packet on the namespace's lo into
# H_DIR/capture.pcap from before the test's first program starts. A test that passes throws it
# away with its scratch space; a test that fails keeps it in HARNESS_CAPTURES (run-tests sets it:
# OUTDIR/captures) under a name made from the test's name, and its message says how to open it.
# Without a private namespace (the shared-loopback fallback) there is no capture: the host's
# loopback carries other programs' packets too.
# Also sourced by run-tests, for h_capture_name.

# h_capture_name() - print the file name a test's capture is kept under
# $1: the test's name
# Lower case, every run of other characters one "-", at most 80 characters, then ".pcap".
h_capture_name() {
    local s=${1,,}
    s=${s//[^a-z0-9]/-}
    while [[ "$s" == *--* ]]; do s=${s//--/-}; done
    s=${s#-}
    s=${s:0:80}
    echo "${s%-}.pcap"
}

# h_keep_capture() - keep this (failed) test's capture and say where it is
# Call after the namespace holder has been stopped (its file is then complete). Keeps nothing
# when there is no capture, no packet in it, or no HARNESS_CAPTURES to keep it in.
h_keep_capture() {
    local cap="${H_DIR}/capture.pcap" dest
    [[ -n "${HARNESS_CAPTURES:-}" && -f "$cap" ]] || return 0
    # 24 bytes is pcap's file header alone: the test sent no packet (a Unix-socket test, say).
    [[ $(stat -c %s "$cap") -gt 24 ]] || return 0
    mkdir -p "$HARNESS_CAPTURES"
    dest="${HARNESS_CAPTURES}/$(h_capture_name "$BATS_TEST_DESCRIPTION")"
    cp "$cap" "$dest"
    echo "packets on the test's loopback: $dest"
    echo "  (open it with: tcpdump -nn -r $dest   or: wireshark $dest)"
    # The machine was too busy for the holder to keep up: say the capture is incomplete.
    if [[ -s "$cap.dropped" ]]; then
        cp "$cap.dropped" "$dest.dropped"
        echo "  ($(<"$cap.dropped") packets are missing from it: the machine was too busy to record them all)"
    fi
}
