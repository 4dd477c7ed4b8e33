# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # status, output and stderr are set by run
# names_helpers.bash - what lab 10's test files share: running nametool, a hosts file of the
# test's own, listeners on chosen loopback addresses, and SYNs dropped to an address.
# Loaded after the sockets-harness library.

# nametool ARG... - run the student's nametool in the foreground through `run
# --separate-stderr` (sets status, output, stderr).
nametool() {
    run --separate-stderr student nametool "$@"
}

# said - what nametool printed, on one line, and what it said on stderr: for a diagnosis.
said() {
    local out=${output//$'\n'/ | } err=${stderr//$'\n'/ | } tail=""
    [[ -z "$err" ]] || tail=", stderr '${err:0:300}'"
    echo "printed '${out:0:200}', exit status $status$tail"
}

# stub_hint - the likely mistake when nametool's stderr shows a stub still in place; empty if
# not.
stub_hint() {
    local stub
    stub=$(grep -m 1 -o '[A-Za-z_][A-Za-z0-9_]*: not implemented yet' <<<"$stderr" || true)
    [[ -z "$stub" ]] || echo "${stub%%:*}() is still the stub of the skeleton: write it (see the TODO in names.c)"
}

# stubbed - fail the test with the stub's hint if nametool's stderr shows a stub; 1 then.
# $1: what was run, for the diagnosis
stubbed() {
    local hint
    hint=$(stub_hint)
    [[ -z "$hint" ]] && return 0
    diagnose "$1: $(said)" "$hint"
    return 1
}

# use_hosts LINE... - from here on, every program the test starts sees a hosts file of these
# lines as /etc/hosts, and an nsswitch.conf that looks names up in it alone ("hosts: files"),
# so no name ever reaches DNS. Each program runs in a mount namespace of its own (harness/contain
# makes it, inside the test's user and network namespaces) with the two files bind-mounted over
# the system's; nothing changes outside it. Needs the test's private namespace
# (needs_private_netns first).
use_hosts() {
    local hosts="$BATS_TEST_TMPDIR/hosts" nss="$BATS_TEST_TMPDIR/nsswitch.conf"
    printf '%s\n' "$@" >"$hosts"
    printf 'hosts: files\n' >"$nss"
    H_CONTAIN_OPTS+=(--bind "$hosts:/etc/hosts")
    [[ ! -e /etc/nsswitch.conf ]] || H_CONTAIN_OPTS+=(--bind "$nss:/etc/nsswitch.conf")
}

# listen_on NAME ADDR [hold] - start socat as NAME listening on ADDR (127.0.0.3 or ::1) port
# $PORT: it accepts any number of connections, logs each (-d -d: "accepting connection from"),
# and closes each at once (it sends the end of /dev/null), or with "hold" keeps each open
# (echoing what comes, which is nothing); then wait for its listener.
listen_on() {
    local name=$1 addr=$2 listen=TCP4-LISTEN then=OPEN:/dev/null
    [[ "${3:-}" != hold ]] || then=PIPE
    if [[ "$addr" == *:* ]]; then
        listen=TCP6-LISTEN
        addr="[$addr]"
    fi
    spawn "$name" socat -d -d "${listen}:${PORT},bind=${addr},reuseaddr,fork" "$then"
    wait_for_port "$PORT" "$name"
}

# accepted_by NAME - how many connections socat NAME has accepted so far.
accepted_by() {
    grep -c 'accepting connection from' "$(err_of "$1")" || true
}

# syn_rules RULE... - a table "lab10" in the test's namespace whose input chain holds these
# rules (for example "ip daddr 127.0.0.2 tcp flags syn counter"); fails the test if nft cannot
# add it.
syn_rules() {
    local rules="$BATS_TEST_TMPDIR/lab10.nft" nft=nft
    {
        printf 'table ip lab10 {\n  chain input {\n    type filter hook input priority 0;\n'
        printf '    %s\n' "$@"
        printf '  }\n}\n'
    } >"$rules"
    command -v nft >/dev/null || nft=/usr/sbin/nft # in sbin, which a user's PATH may lack
    run in_netns "$nft" -f "$rules"
    [[ $status -eq 0 ]] && return 0
    fail "the test could not add its nftables rules (nft -f: status $status: $output); is nftables installed ('make deps')?"
}

# drop_syns_to ADDR - every TCP SYN to ADDR (IPv4) is dropped: ADDR never answers.
drop_syns_to() {
    syn_rules "ip daddr $1 tcp flags syn counter drop"
}

# count_syns_to ADDR... - every TCP SYN to each ADDR (IPv4) is counted (syns_to reads it).
count_syns_to() {
    local addr rules=()
    for addr in "$@"; do
        rules+=("ip daddr $addr tcp flags syn counter")
    done
    syn_rules "${rules[@]}"
}

# syns_to ADDR - how many TCP SYNs to ADDR the table's counter has seen (count_syns_to).
syns_to() {
    local nft=nft
    command -v nft >/dev/null || nft=/usr/sbin/nft
    run in_netns "$nft" list table ip lab10
    awk -v a="$1" '$0 ~ "daddr " a " " { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }' <<<"$output"
}

# first_addresses NAME - the addresses getaddrinfo() gives for NAME in the test's namespace
# (getent ahosts), in its order, on one line: the order the test's hosts file was written for.
first_addresses() {
    run in_netns getent ahosts "$1"
    awk '!seen[$1]++ { printf "%s%s", sep, $1; sep = " " }' <<<"$output"
}

# expect_order NAME ADDR... - fail (a bug of the test, not of the program) unless getaddrinfo()
# gives NAME's addresses in the order ADDR... Called on a test's failing path only, before it
# blames the program: a pass needs no check (and costs no getent). Sets status and output.
expect_order() {
    local name=$1 got
    shift
    got=$(first_addresses "$name")
    [[ "$got" == "$*" ]] && return 0
    fail "test bug: this system's getaddrinfo() orders $name's addresses as '$got', the test expects '$*' (/etc/gai.conf?)"
}
