# shellcheck shell=bash
# shellcheck disable=SC2034  # the H_* globals set here are read by the library's other files
# netns.bash - the test's private network namespace, and running commands inside it.

# h_start_netns() - start a holder process in a new network namespace with lo up
# Returns 0 with H_NS_PID the holder, H_NSENTER the command prefix that enters its namespace
# and H_NET_DIR its socket tables (/proc/PID/net); 1 if the machine does not allow it (no
# privilege and no unprivileged user namespaces), leaving the shared-loopback mode in place.
# The holder records the namespace's packets into H_DIR/capture.pcap (capture.bash).
h_start_netns() {
    local ready="${H_DIR}/netns.ready" new=-n enter=(--net)
    if [[ $EUID -ne 0 ]]; then
        new=-U # a user namespace too, where it is root (unshare --user --map-root-user)
        enter=(--user --net --preserve-credentials)
    fi
    "${HARNESS_BIN}/nsholder" "$new" "$ready" "$((SPAWN_TIMEOUT + 60))" "${H_DIR}/capture.pcap" \
        </dev/null >"${H_DIR}/netns.log" 2>&1 3>&- &
    H_NS_PID=$!
    poll_until 5 h_ready_or_exited "$ready" "$H_NS_PID" || true
    if [[ ! -e "$ready" ]]; then
        h_kill_group "$H_NS_PID"
        H_NS_PID=""
        return 1
    fi
    H_NSENTER=(nsenter --target "$H_NS_PID" "${enter[@]}" --)
    H_NET_DIR="/proc/${H_NS_PID}/net"
    H_MODE="netns"
}

# h_ready_or_exited() - true once a ready file exists or its writer has exited
# $1: the ready file
# $2: the pid of the process that creates it
h_ready_or_exited() {
    [[ -e "$1" ]] || ! h_alive "$2"
}
