#!/usr/bin/env bats
# Lab 06: udpcast, broadcast and multicast, tested with the course's castpeer as the other side.
# Every test here runs only in the test's private network namespace: lo (127.0.0.1, broadcast
# 127.255.255.255) and a veth pair, veth0 (192.0.2.1) - veth1, to which the namespace's route
# for the multicast range 224.0.0.0/4 leads, so that a group's datagram sent on, or a group
# joined on, the wrong interface shows. Nothing leaves the namespace.
# shellcheck disable=SC2154  # $stderr is set by `run --separate-stderr`
bats_require_minimum_version 1.5.0
# shellcheck disable=SC2034  # read by Bats and the harness
BATS_TEST_TIMEOUT=60
# udpcast send answers at once: a hang shows in 5 s.
STUDENT_TIMEOUT=5

bats_load_library sockets-harness
load "${BATS_TEST_DIRNAME}/udp_helpers"

GROUP=239.0.6.1
VETH_ADDR=192.0.2.1

setup() {
    harness_setup
    PORT=$(port_for 8080)
}

# cast_net WHY - stop the test as not run unless it has a private network namespace (WHY: what
# it would send there); then give the namespace its veth pair and its multicast route. A test
# calls it before `needs`: without a namespace, "not run: needs a private network namespace" is
# the reason, not the needed test's not running.
cast_net() {
    needs_private_netns "$1"
    # One ip(8) for the six commands (-batch stops at the first that fails), not a shell and six.
    printf '%s\n' "link set lo multicast on" "link add veth0 type veth peer name veth1" \
        "link set veth0 up" "link set veth1 up" "addr add $VETH_ADDR/24 dev veth0" \
        "route add 224.0.0.0/4 dev veth0" >"$BATS_TEST_TMPDIR/net.cmds"
    in_netns ip -batch "$BATS_TEST_TMPDIR/net.cmds" >"$BATS_TEST_TMPDIR/net.log" 2>&1 && return 0
    # Not the student's doing: a namespace that may not have a veth pair (no privilege).
    # shellcheck disable=SC2034  # read by the harness's teardown (needs.bash)
    H_NOT_RUN=1
    skip "not run: needs a private network namespace with a veth pair ($(tr '\n' ' ' <"$BATS_TEST_TMPDIR/net.log"))"
}

# start_castpeer NAME [-j GROUP@IFADDR]... - start the castpeer as a listener on 0.0.0.0:$PORT,
# joined as asked, and wait until it is ready (log: NAME.log).
start_castpeer() {
    local name=$1
    shift
    spawn_peer "$name" castpeer -o "$(log_of "$name")" "$@" listen "$PORT"
    wait_for_file_content "$(log_of "$name")" '^ready ' ||
        fail "test set-up: the castpeer '$name' is not ready: $(tr '\n' ' ' <"$(log_of "$name")") $(cat "$(err_of "$name")")"
}

# cast_send NAME [OPTION...] ADDR TEXT - the castpeer sends TEXT as one datagram to ADDR:$PORT
# (log: NAME.log, "sent SIZE FROM").
cast_send() {
    local name=$1
    shift
    local addr=${*: -2:1} text=${*: -1}
    peer castpeer -o "$(log_of "$name")" "${@:1:$#-2}" send "$addr:$PORT" "$text" ||
        fail "test set-up: the castpeer could not send to $addr:$PORT: $(tr '\n' ' ' <"$(log_of "$name")")"
}

# sent_from NAME - the address the castpeer NAME sent from.
sent_from() {
    awk '$1 == "sent" { print $3; exit }' "$(log_of "$1")" 2>/dev/null
}

# arrivals NAME TEXT - the castpeer NAME's recv lines for TEXT, as "if=IF ttl=TTL", joined by
# spaces, after waiting up to a second for the first.
arrivals() {
    wait_for_file_content "$(log_of "$1")" "^recv .* $2\$" 1 || true
    awk -v t="$2" '$1 == "recv" && $NF == t { printf "%s%s %s", sep, $4, $6; sep = ", " }' "$(log_of "$1")"
}

# printed NAME TEXT - wait up to a second for the student's listener NAME to print a line
# holding TEXT; true if it did.
printed() {
    wait_for_file_content "$(out_of "$1")" "$2" 1
}

# igmp_devices - the interfaces on which the namespace is a member of $GROUP (from
# /proc/net/igmp, where a group is hex in the host's byte order), joined by spaces.
igmp_devices() {
    awk -v le=010600EF -v be=EF000601 '
        /^[0-9]/ { dev = $2 }
        /^\t/ && ($1 == le || $1 == be) { printf "%s%s", sep, dev; sep = " " }' \
        "$H_NET_DIR/igmp" 2>/dev/null
}

# h_joined_or_exited NAME - true once $GROUP is joined somewhere or NAME has exited.
h_joined_or_exited() {
    [[ -n "$(igmp_devices)" ]] || ! is_running "$1"
}

# udp_binds PORT - the local addresses ("127.0.0.1", "0.0.0.0") of the namespace's UDP sockets
# bound to PORT, one per line.
udp_binds() {
    local hex laddr
    printf -v hex '%04X' "$1"
    while read -r _ laddr _; do
        [[ "${laddr##*:}" == "$hex" ]] || continue
        printf '%d.%d.%d.%d\n' "0x${laddr:6:2}" "0x${laddr:4:2}" "0x${laddr:2:2}" "0x${laddr:0:2}"
    done < <(tail -n +2 "$H_NET_DIR/udp")
}

# h_two_bound_or_exited NAME - true once 2 UDP sockets are bound to $PORT or NAME has exited.
h_two_bound_or_exited() {
    [[ $(udp_binds "$PORT" | wc -l) -ge 2 ]] || ! is_running "$1"
}

# send_failed WHAT - diagnose a `run student udpcast send` that exited non-zero.
send_failed() {
    if [[ $status -eq 124 ]]; then
        diagnose "$1: your udpcast was still running ${STUDENT_TIMEOUT}s later" \
            "send sends one datagram with sendto() and exits: check what blocks"
    else
        diagnose "$1: your udpcast exited with status $status and said: '$(brief "$stderr")'" \
            "open_sender() must return a socket ready for that address; main() reports what sendto() said"
    fi
}

# points: 2
@test "udpcast send -b broadcasts one datagram that every listener on the port receives" {
    cast_net "a broadcast reaches every socket bound to the port"
    start_castpeer one
    start_castpeer two
    run --separate-stderr student udpcast send -b 127.255.255.255 "$PORT" hello-all
    if [[ $status -ne 0 && "$stderr" == *"Permission denied"* ]]; then
        diagnose "'udpcast send -b 127.255.255.255 $PORT hello-all' failed: '$(brief "$stderr")' (EACCES)" \
            "sendto() a broadcast address is refused with EACCES unless the socket has SO_BROADCAST: with -b, setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) before sendto()"
        return 1
    fi
    [[ $status -eq 0 ]] || { send_failed "'udpcast send -b 127.255.255.255 $PORT hello-all'"; return 1; }
    local one two
    one=$(arrivals one hello-all)
    two=$(arrivals two hello-all)
    [[ -n "$one" && -n "$two" ]] && return 0
    diagnose "your udpcast sent 'hello-all' to 127.255.255.255:$PORT and exited 0; of the test's two listeners bound to 0.0.0.0:$PORT, the first got it ${one:-no time}, the second ${two:-no time}" \
        "send TEXT as one datagram to the address and port given, with sendto(): a broadcast goes to every socket bound to that port"
}

# points: 2
@test "udpcast listen prints a broadcast datagram with its sender" {
    cast_net "the test broadcasts to 127.255.255.255"
    spawn_student listener udpcast listen "$PORT"
    wait_for_udp_port "$PORT" listener || return 1
    cast_send bcast -b 127.255.255.255 hello-listener
    local from bound
    from=$(sent_from bcast)
    if printed listener hello-listener; then
        grep -q "^$from hello-listener\$" "$(out_of listener)" && return 0
        diagnose "the castpeer sent 'hello-listener' from $from to 127.255.255.255:$PORT; your listener printed '$(brief "$(cat "$(out_of listener)")")'" \
            "print each datagram with print_datagram(), passing the address recvfrom() filled in and the count it returned"
        return 1
    fi
    bound=$(udp_binds "$PORT" | tr '\n' ' ')
    if [[ "$bound" == "127.0.0.1 " ]]; then
        diagnose "your listener's socket is bound to 127.0.0.1:$PORT; the castpeer sent 'hello-listener' to the broadcast address 127.255.255.255:$PORT, and your listener printed nothing" \
            "a broadcast datagram is delivered only to sockets bound to INADDR_ANY (or to the broadcast address), never to one bound to 127.0.0.1: bind(INADDR_ANY, port)"
        return 1
    fi
    is_running listener || {
        wait_for_exit listener 1
        diagnose "the castpeer sent 'hello-listener' to 127.255.255.255:$PORT; your listener exited with status $status; $(h_tail_err listener)" \
            "listen prints datagram after datagram until SIGTERM: recvfrom() in a loop"
        return 1
    }
    diagnose "the castpeer sent 'hello-listener' from $from to 127.255.255.255:$PORT; your listener (bound to ${bound:-nothing}) printed nothing within a second; $(h_tail_err listener)" \
        "receive with recvfrom() and print each datagram at once with print_datagram()"
}

# points: 1
@test "SIGTERM makes udpcast listen exit with status 0" {
    needs_private_netns "the listener binds every address, 0.0.0.0"
    needs "udpcast listen prints a broadcast datagram with its sender"
    spawn_student listener udpcast listen "$PORT"
    wait_for_udp_port "$PORT" listener || return 1
    stop listener
    case $status in
    0) return 0 ;;
    124)
        diagnose "your listener was still running $STOP_GRACE s after SIGTERM (sent while it waited in recvfrom())" \
            "the provided handler only sets the stop flag; the blocked recvfrom() then fails with EINTR: check the flag there and leave the loop, instead of calling recvfrom() again at once" ;;
    *)
        diagnose "your listener exited with status $status after SIGTERM; $(h_tail_err listener)" \
            "EINTR from recvfrom() is not an error: it means a signal arrived. Check the stop flag, return 0, and let main() close the socket and exit 0" ;;
    esac
}

# points: 1
@test "two udpcast listeners share one port and each prints the broadcast" {
    cast_net "the test broadcasts to 127.255.255.255"
    needs "udpcast listen prints a broadcast datagram with its sender"
    spawn_student first udpcast listen "$PORT"
    wait_for_udp_port "$PORT" first || return 1
    spawn_student second udpcast listen "$PORT"
    wait_until 5 h_two_bound_or_exited second || true
    if ! is_running second; then
        wait_for_exit second 1
        if grep -q "Address already in use" "$(err_of second)"; then
            diagnose "a first listener was bound to port $PORT; a second 'udpcast listen $PORT' exited with status $status: $(h_tail_err second)" \
                "set SO_REUSEADDR on the listener's socket, before bind(): then several listeners share one port, and each gets its copy of a broadcast or multicast datagram"
        else
            diagnose "a first listener was bound to port $PORT; a second 'udpcast listen $PORT' exited with status $status; $(h_tail_err second)" \
                "set SO_REUSEADDR before bind(), and check each call's result"
        fi
        return 1
    fi
    cast_send bcast -b 127.255.255.255 hello-both
    local a=no b=no
    printed first hello-both && a=yes
    printed second hello-both && b=yes
    [[ $a == yes && $b == yes ]] && return 0
    diagnose "two listeners on port $PORT; the castpeer broadcast 'hello-both': the first printed it: $a, the second: $b" \
        "each listener's socket, bound to INADDR_ANY:port with SO_REUSEADDR, gets its own copy of a broadcast datagram: print every datagram recvfrom() returns"
}

# points: 2
@test "udpcast listen -g joins the group on the loopback interface and prints its datagrams" {
    cast_net "the test sends to the multicast group $GROUP on lo"
    needs "udpcast listen prints a broadcast datagram with its sender"
    spawn_student listener udpcast listen -g "$GROUP" "$PORT"
    wait_until 5 h_joined_or_exited listener || true
    local devs
    devs=$(igmp_devices)
    if [[ -z "$devs" ]]; then
        if ! is_running listener; then
            wait_for_exit listener 1
            diagnose "'udpcast listen -g $GROUP $PORT' exited with status $status before joining the group; $(h_tail_err listener)" \
                "open_listener() then join_group(): IP_ADD_MEMBERSHIP with the group and the interface 127.0.0.1; check each call's result"
        else
            diagnose "your listener ('udpcast listen -g $GROUP $PORT') is running, but after 5 s no interface is a member of $GROUP (/proc/net/igmp)" \
                "join_group() must setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)), mreq holding the group and the interface address 127.0.0.1"
        fi
        return 1
    fi
    if [[ " $devs " != *" lo "* ]]; then
        diagnose "your listener joined $GROUP on $devs, not on lo (/proc/net/igmp); the group's datagrams, sent on lo, never reach it" \
            "name the interface in the membership: imr_interface = 127.0.0.1 (htonl(INADDR_LOOPBACK)). With INADDR_ANY the kernel picks the interface its route to the group leads to - here $devs, on a real host the LAN"
        return 1
    fi
    cast_send mcast "$GROUP" hello-group
    local from
    from=$(sent_from mcast)
    printed listener hello-group && grep -q "^$from hello-group\$" "$(out_of listener)" && return 0
    diagnose "your listener joined $GROUP on lo; the castpeer sent 'hello-group' from $from to $GROUP:$PORT on lo; your listener printed '$(brief "$(cat "$(out_of listener)")")'; $(h_tail_err listener)" \
        "bind the listener to INADDR_ANY:port (a socket bound to 127.0.0.1 gets no multicast), then print each datagram with print_datagram()"
}

# points: 2
@test "udpcast send to a group sends the datagram on the loopback interface with TTL 1" {
    cast_net "a datagram to the multicast group $GROUP, on lo or veth0"
    start_castpeer watch -j "$GROUP@127.0.0.1" -j "$GROUP@$VETH_ADDR"
    run --separate-stderr student udpcast send "$GROUP" "$PORT" hello-group
    [[ $status -eq 0 ]] || { send_failed "'udpcast send $GROUP $PORT hello-group'"; return 1; }
    local got
    got=$(arrivals watch hello-group)
    case $got in
    "if=lo ttl=1") return 0 ;;
    "")
        diagnose "your udpcast sent 'hello-group' to $GROUP:$PORT and exited 0; the test's listener, a member of $GROUP on lo and on veth0, got nothing" \
            "send to a group with IP_MULTICAST_IF set to 127.0.0.1 (and IP_MULTICAST_LOOP 1): then it goes out on lo and comes back to this host's members" ;;
    if=lo*)
        diagnose "your udpcast's datagram to $GROUP came on lo, as it should, but with ${got#* } (castpeer): a TTL above 1 lets it cross routers" \
            "set IP_MULTICAST_TTL to 1 (an unsigned char): the datagram stays on its own network" ;;
    *)
        local dev=${got%% *}
        diagnose "your udpcast's datagram to $GROUP:$PORT arrived on ${dev#if=} (castpeer: ${got}), not on lo" \
            "set IP_MULTICAST_IF to 127.0.0.1 (a struct in_addr) before sendto(): without it the kernel sends a group's datagram on the interface its route for 224.0.0.0/4 leads to - veth0 here, the LAN on a real host" ;;
    esac
}

# points: 1
@test "udpcast send -i loops a group's datagram back to a listener on the same host" {
    cast_net "a datagram to the multicast group $GROUP, on veth0"
    needs "udpcast send to a group sends the datagram on the loopback interface with TTL 1"
    start_castpeer watch -j "$GROUP@127.0.0.1" -j "$GROUP@$VETH_ADDR"
    run --separate-stderr student udpcast send -i "$VETH_ADDR" "$GROUP" "$PORT" hello-loop
    [[ $status -eq 0 ]] || { send_failed "'udpcast send -i $VETH_ADDR $GROUP $PORT hello-loop'"; return 1; }
    local got
    got=$(arrivals watch hello-loop)
    case $got in
    if=veth0*) return 0 ;;
    "")
        diagnose "your udpcast sent 'hello-loop' to $GROUP:$PORT on veth0 ($VETH_ADDR) and exited 0; the test's listener on the same host, a member of $GROUP on veth0, got no copy" \
            "a member on the sending host gets a copy only with IP_MULTICAST_LOOP 1 (Linux's default): set it to 1, never 0. On lo the loopback device hands the datagram back anyway, so only a real interface shows the difference" ;;
    *)
        local dev=${got%% *}
        diagnose "with -i $VETH_ADDR, your udpcast's datagram to $GROUP arrived on ${dev#if=} (castpeer: ${got}), not on veth0" \
            "IP_MULTICAST_IF takes the interface address given with -i (the ifaddr passed to open_sender()), not always 127.0.0.1" ;;
    esac
}
