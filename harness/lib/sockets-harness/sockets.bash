# shellcheck shell=bash
# sockets.bash - the sockets in the test's network namespace, as ss(8) reports them.
#
# ss runs inside the namespace (through H_NSENTER; on the shared loopback, in the host's), so
# it answers the same as root, as an unprivileged user in a user namespace, and without one.

# h_ss() - run ss(8) in the test's network namespace
# $@: ss's arguments
h_ss() {
    "${H_NSENTER[@]}" ss "$@" 2>/dev/null
}

# h_tcp_table() - print every TCP socket in the test's namespace, "INODE STATE PORT" a line
# STATE as ss names it (LISTEN, ESTAB, CLOSE-WAIT, …); PORT is the local port.
h_tcp_table() {
    h_ss -H -t -a -n -e | awk '{
        inode = ""
        for (i = 6; i <= NF; i++) if ($i ~ /^ino:/) inode = substr($i, 5)
        port = $4
        sub(/.*:/, "", port)
        if (inode != "" && inode != "0") print inode, $1, port
    }'
}

# tcp_sockets_of() - print the TCP sockets a process holds, "FD STATE PORT" a line
# $1: its pid (program_pid NAME; or a child's pid, such as a worker's)
# STATE as ss names it (LISTEN, ESTAB, CLOSE-WAIT, …); PORT is the socket's local port. In the
# order of the process's descriptors in /proc.
tcp_sockets_of() {
    local inodes
    inodes=$(h_fds_of_pid "$1" | sed -n 's/^\([0-9]*\) -> socket:\[\([0-9]*\)\]$/\2 \1/p')
    [[ -n "$inodes" ]] || return 0
    h_tcp_table | awk 'NR == FNR { sock[$1] = $2 " " $3; next } $1 in sock { print $2, sock[$1] }' \
        - <(echo "$inodes")
}

# listening_ports_of() - print the TCP ports NAME's program holds in LISTEN, one a line
# $1: NAME
listening_ports_of() {
    local pid
    pid=$(program_pid "$1") || return 0
    tcp_sockets_of "$pid" | awk '$2 == "LISTEN" { print $3 }' | sort -un
}

# tcp_state_on() - true if some TCP socket in the test's namespace is in a state, on a port
# $1: the state, as the kernel's tables number it (0A LISTEN, 02 SYN-SENT, 06 TIME-WAIT, …)
# $2: local or remote: the end whose port it is
# $3: the port
# Read from the kernel's tables (net/tcp, net/tcp6: addresses "ADDR:PORT" in hex) by the shell
# itself: a wait polls this, and ss through nsenter costs two processes, some 20 ms, a step
# (under load, a quarter of a second: longer than some states last). Each table is read whole
# with mapfile (h_net_table): the kernel walks its whole connection hash for every read(), and
# `while read` reads once a line.
tcp_state_on() {
    local state=$1 end=$2 hex line port file
    printf -v hex '%04X' "$3"
    for file in "$H_NET_DIR/tcp" "$H_NET_DIR/tcp6"; do
        h_net_table "$file" || continue
        for line in "${H_NET_LINES[@]:1}"; do
            # "  SL: LOCAL:PORT REMOTE:PORT ST ...", in hex
            [[ "$line" =~ ^\ *[0-9]+:\ [0-9A-F]+:([0-9A-F]+)\ [0-9A-F]+:([0-9A-F]+)\ ([0-9A-F]+) ]] || continue
            port=${BASH_REMATCH[1]}
            [[ "$end" == local ]] || port=${BASH_REMATCH[2]}
            [[ "${BASH_REMATCH[3]}" == "$state" && "$port" == "$hex" ]] && return 0
        done
    done
    return 1
}

# h_net_table() - read one of the kernel's socket tables (/proc/PID/net/...) into H_NET_LINES
# $1: the table's file
# One read() or two, whatever its length. Returns 1 if it cannot be read.
h_net_table() {
    H_NET_LINES=()
    [[ -r "$1" ]] || return 1
    mapfile -t H_NET_LINES <"$1" 2>/dev/null
}

# h_listening_on() - true if some socket in the test's namespace listens on a TCP port
# $1: the port
h_listening_on() { tcp_state_on 0A local "$1"; }

# h_udp_bound() - true if some UDP socket in the test's namespace is bound to a port
# $1: the port
# From net/udp and net/udp6 (local address "ADDR:PORT" in hex), read without starting a process,
# as h_listening_on.
h_udp_bound() {
    local hex line file
    printf -v hex '%04X' "$1"
    for file in "$H_NET_DIR/udp" "$H_NET_DIR/udp6"; do
        h_net_table "$file" || continue
        for line in "${H_NET_LINES[@]:1}"; do
            # "  SL: LOCAL:PORT REMOTE:PORT ...", in hex
            [[ "$line" =~ ^\ *[0-9]+:\ [0-9A-F]+:([0-9A-F]+)\  && "${BASH_REMATCH[1]}" == "$hex" ]] && return 0
        done
    done
    return 1
}

# h_unix_listening() - true if a Unix domain socket in the test's namespace listens at a path
# $1: the path
# From net/unix (Flags 00010000 is __SO_ACCEPTCON, a listener; the path is the last field), read
# without starting a process, as h_listening_on.
h_unix_listening() {
    local line
    h_net_table "$H_NET_DIR/unix" || return 1
    for line in "${H_NET_LINES[@]:1}"; do
        # "ADDR: REFCOUNT PROTOCOL FLAGS TYPE ST INODE PATH" (INODE padded, PATH absent if unbound)
        [[ "$line" =~ ^[0-9a-f]+:\ [0-9A-F]+\ [0-9A-F]+\ ([0-9A-F]+)\ [0-9A-F]+\ [0-9A-F]+\ +[0-9]+\ (.*)$ ]] || continue
        [[ "${BASH_REMATCH[1]}" == 00010000 && "${BASH_REMATCH[2]}" == "$1" ]] && return 0
    done
    return 1
}
