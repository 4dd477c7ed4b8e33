# shellcheck shell=bash
# wire.bash - what lab 01's test files share: the header the tests carry in both directions,
# the steps that run `wire` against a test peer, and the diagnoses of a field that came out
# wrong. Loaded by header.bats, addresses.bats and big-endian.bats after harness_setup.
# shellcheck disable=SC2153,SC2154  # PORT is set by the test file; status, output by Bats' run

# The header every wire test uses. The bytes of each multi-byte field all differ, so a field
# that went out reversed, or with its two halves swapped, is recognisable.
HDR_VERSION=1
HDR_TYPE=7
HDR_FLAGS=0x1234
HDR_LENGTH=0xa1b2c3d4
HDR_SEQ=0x0102030405060708
# The same header on the wire: version, type, flags, length, seq; big-endian, 16 bytes.
HDR_WIRE=0107${HDR_FLAGS#0x}${HDR_LENGTH#0x}${HDR_SEQ#0x}

# The byte order of the machine the student's program runs on: big-endian.bats sets "big".
HOST_ORDER=little

# ---------------------------------------------------------------- the header's layout

# field_offset, field_size - where header field NAME sits on the wire, in bytes.
field_offset() {
    case $1 in version) echo 0 ;; type) echo 1 ;; flags) echo 2 ;; length) echo 4 ;; seq) echo 8 ;; esac
}
field_size() {
    case $1 in version | type) echo 1 ;; flags) echo 2 ;; length) echo 4 ;; seq) echo 8 ;; esac
}

# field_value - the test header's value of field NAME, as given on the command line.
field_value() {
    case $1 in
        version) echo "$HDR_VERSION" ;; type) echo "$HDR_TYPE" ;; flags) echo "$HDR_FLAGS" ;;
        length) echo "$HDR_LENGTH" ;; seq) echo "$HDR_SEQ" ;;
    esac
}

# field_wire - the bytes (hex) field NAME of the test header must have on the wire.
field_wire() {
    echo "${HDR_WIRE:$(($(field_offset "$1") * 2)):$(($(field_size "$1") * 2))}"
}

# conversion_for - the call that puts field NAME into (and out of, with ntoh) network order.
conversion_for() {
    case $1 in
        flags) echo "${2:-hton}s" ;;
        length) echo "${2:-hton}l" ;;
        seq) echo "${2:-hton}l on each 32-bit half (high half first)" ;;
    esac
}

# hex_reverse - HEX with its bytes in the opposite order.
hex_reverse() {
    local hex=$1 out="" i
    for ((i = ${#hex} - 2; i >= 0; i -= 2)); do
        out+=${hex:i:2}
    done
    echo "$out"
}

# hex_halves_swapped - HEX with its first and second halves exchanged.
hex_halves_swapped() {
    local half=$((${#1} / 2))
    echo "${1:half}${1:0:half}"
}

# spaced - HEX as bytes separated by spaces, the way xxd and tcpdump show them.
spaced() { sed 's/../& /g; s/ $//' <<<"$1"; }

# ---------------------------------------------------------------- diagnoses

# unfinished_or - the likely mistake for a failure whose output is TEXT: the functions TEXT
# says are not implemented yet, if any; MISTAKE otherwise.
unfinished_or() {
    local text=$1 mistake=$2 names
    names=$(sed -n 's/^\([a-z_]*\): not implemented yet$/\1/p' <<<"$text" | sort -u | paste -sd, - | sed 's/,/, /g')
    if [[ -n "$names" ]]; then
        echo "$names: not implemented yet — write it in byteorder.c first (wire calls it here)"
    else
        echo "$mistake"
    fi
}

# swap_mistake - the likely mistake when field NAME came out with its bytes reversed.
# On a little-endian host the conversion is missing; on a big-endian host, where hton* and
# ntoh* do nothing, the code swaps bytes no matter what the host is.
swap_mistake() {
    local name=$1 where=$2 dir=${3:-hton}
    if [[ "$HOST_ORDER" == big ]]; then
        echo "on this big-endian machine the $name field was byte-reversed anyway: ${where} swaps bytes unconditionally (a hand-written swap such as (x >> 8) | (x << 8), or bswap). Here host order already is network order and ${dir}s/${dir}l do nothing, as they must: use $(conversion_for "$name" "$dir")"
    elif [[ "$dir" == hton ]]; then
        echo "the $name field went out in host (little-endian) order: use $(conversion_for "$name") before copying it into the header"
    else
        echo "decode_header read the $name field without $(conversion_for "$name" ntoh): the bytes arrive big-endian"
    fi
}

# half_mistake - the likely mistake when each 32-bit half of seq is in its place but
# byte-reversed.
half_mistake() {
    local where=$1 dir=$2
    if [[ "$HOST_ORDER" == big ]]; then
        echo "on this big-endian machine each 32-bit half of seq was byte-reversed anyway: ${where} swaps bytes unconditionally (a hand-written swap, or bswap32): use ${dir}l on each half"
    elif [[ "$dir" == hton ]]; then
        echo "each 32-bit half of seq went out in host (little-endian) order: put each half through htonl"
    else
        echo "decode_header read each 32-bit half of seq without ntohl: the bytes arrive big-endian"
    fi
}

# field_mistake - the likely mistake when field NAME has the bytes GOT instead of WANT (hex,
# in wire order). WHERE names the function at fault; DIR is hton (encoding) or ntoh.
field_mistake() {
    local name=$1 got=$2 want=$3 where=$4 dir=$5
    if [[ "$got" == "$(hex_reverse "$want")" ]]; then
        swap_mistake "$name" "$where" "$dir"
    elif [[ "$name" == seq && "$got" == "$(hex_halves_swapped "$want")" ]]; then
        echo "the seq field's two 32-bit halves are in the wrong order: high half first — the first 4 bytes on the wire are seq >> 32, the last 4 are the low 32 bits"
    elif [[ "$name" == seq && "$got" == "$(hex_halves_swapped "$(hex_reverse "$want")")" ]]; then
        half_mistake "$where" "$dir"
    elif [[ "$got" =~ ^0+$ ]]; then
        echo "$where never set the $name field (all zero bytes): is it implemented, and does it cover every field?"
    elif [[ $(field_size "$name") -eq 1 ]]; then
        echo "$where put another byte in the $name field: it is the single byte at offset $(field_offset "$name")"
    else
        echo "$where put other bytes in the $name field: it is $(field_size "$name") bytes at offset $(field_offset "$name"), copied with memcpy after $(conversion_for "$name" "$dir")"
    fi
}

# ---------------------------------------------------------------- encoding: wire send

# send_header - run `wire send` with the test header to a recorder listening on PORT.
# Sets SENT (the bytes the recorder received, hex) and SEND_OUT (what wire printed).
# Fails with a diagnosis if wire never delivered a connection to the recorder.
send_header() {
    local dir="${BATS_TEST_TMPDIR}/received" log="${BATS_TEST_TMPDIR}/recorder.log"
    mkdir -p "$dir"
    spawn_peer recorder recorder -n 1 -d "$dir" -x -o "$log" "$PORT"
    wait_for_port "$PORT" recorder
    local args=(127.0.0.1 "$PORT" "$HDR_VERSION" "$HDR_TYPE" "$HDR_FLAGS" "$HDR_LENGTH" "$HDR_SEQ")
    run student wire send "${args[@]}"
    SEND_OUT=$output
    # The recorder exits once the one connection it waits for has ended.
    local limit=5
    [[ $status -ne 0 ]] && limit=1
    if ! wait_for_file_content "$log" '^close 1' "$limit"; then
        diagnose "'wire send ${args[*]}' exited with status $status, and the recorder listening on 127.0.0.1:$PORT saw no connection; wire printed: ${SEND_OUT:-nothing}" \
            "$(send_failure_mistake)"
        return 1
    fi
    wait_for_exit recorder 5
    SENT=""
    if [[ -f "$dir/conn-1.bin" ]]; then
        SENT=$(hexdump_of "$dir/conn-1.bin")
    fi
}

# send_failure_mistake - the likely mistake behind a `wire send` that reached no one,
# read from what wire printed (SEND_OUT).
send_failure_mistake() {
    local swapped
    swapped=$(swap16 "$PORT")
    if [[ "$SEND_OUT" == *"not implemented yet"* ]]; then
        unfinished_or "$SEND_OUT" ""
    elif [[ "$SEND_OUT" == *":${swapped}"* ]]; then
        if [[ "$HOST_ORDER" == big ]]; then
            echo "wire tried port $swapped, which is $PORT with its two bytes swapped, on a big-endian machine: a hand-written swap such as (port >> 8) | (port << 8) swaps on every host. Use sin_port = htons(port), which does nothing where the host already is big-endian"
        else
            echo "wire tried port $swapped, which is $PORT with its two bytes swapped: sin_port must hold the port in network byte order, sin_port = htons(port)"
        fi
    elif [[ "$SEND_OUT" == *"refusing to connect"* ]]; then
        echo "sin_addr does not hold 127.0.0.1 in network byte order: inet_pton already writes network order into sin_addr; do not convert it again"
    elif [[ "$SEND_OUT" == *"invalid port"* ]]; then
        echo "parse_port rejected $PORT, a valid port: it must accept every number from 1 to 65535"
    elif [[ "$SEND_OUT" == *"invalid IPv4 address"* ]]; then
        echo "make_ipv4_addr rejected 127.0.0.1: inet_pton returns 1 on success (0 and -1 are the failures)"
    elif [[ "$SEND_OUT" == *"not supported"* ]]; then
        echo "sin_family is not AF_INET: make_ipv4_addr must set sa->sin_family = AF_INET"
    else
        echo "read wire's message above: it names the address it used and the call that failed"
    fi
}

# check_sent_field - fail with a diagnosis unless field NAME went out as it must.
check_sent_field() {
    local name=$1 off size want got
    off=$(field_offset "$name")
    size=$(field_size "$name")
    want=$(field_wire "$name")
    got=${SENT:$((off * 2)):$((size * 2))}
    [[ "$got" == "$want" ]] && return 0
    local where="bytes $off-$((off + size - 1))"
    [[ $size -eq 1 ]] && where="byte $off"
    diagnose "$where on the wire, the $name field ($(field_value "$name")), held '$(spaced "$got")', expected '$(spaced "$want")' (the recorder received $(spaced "$SENT"))" \
        "$(unfinished_or "$SEND_OUT" "$(field_mistake "$name" "$got" "$want" encode_header hton)")"
}

# check_sent_size - fail with a diagnosis unless exactly one header went out.
check_sent_size() {
    [[ ${#SENT} -eq $((2 * 16)) ]] && return 0
    diagnose "the recorder received $((${#SENT} / 2)) bytes ($(spaced "$SENT")), expected one 16-byte header; wire printed: $SEND_OUT" \
        "wire sends the HEADER_SIZE bytes encode_header fills in: read wire's message above"
}

# ---------------------------------------------------------------- decoding: wire serve

# start_serve - start `wire serve PORT` as 'serve' and wait until it listens.
# Recognises an address or a port stored in host byte order from where the bind went.
start_serve() {
    local generic="${BATS_TEST_TMPDIR}/wait_for_port.txt"
    spawn_student serve wire serve "$PORT"
    # wait_for_port's own diagnosis goes to a file, to be shown when no better one applies.
    # wire binds at once, so 3 s (times the Valgrind or qemu factor) is plenty; it is also how
    # long a wrong port keeps a test waiting.
    wait_for_port "$PORT" serve 3 2>"$generic" && return 0
    local err
    err=$(serve_stderr)
    if [[ "$err" == *"1.0.0.127"* ]]; then
        diagnose "'wire serve $PORT' could not bind; it printed: $err" \
            "the address went into sin_addr in host order: 127.0.0.1 became 1.0.0.127, which no interface has — sin_addr.s_addr = htonl(INADDR_LOOPBACK)"
    elif [[ "$HOST_ORDER" == big && "$(cat "$generic")" == *"two bytes swapped"* ]]; then
        diagnose "on a big-endian machine 'wire serve $PORT' listens on port $(swap16 "$PORT"): that is $PORT with its two bytes swapped" \
            "make_loopback_addr swaps the port's bytes unconditionally (a hand-written swap such as (port >> 8) | (port << 8)); a big-endian host already holds it in network order: use sin_port = htons(port)"
    elif [[ "$err" == *"not implemented yet"* ]]; then
        diagnose "'wire serve $PORT' exited before listening on port $PORT; it printed: $err" \
            "$(unfinished_or "$err" "")"
    else
        cat "$generic" >&2
    fi
    return 1
}

# serve_stderr - the last lines `wire serve` wrote to stderr.
serve_stderr() { tail -n 3 "$(err_of serve)"; }

# serve_header - start `wire serve`, send it the test header's bytes from a scripted
# client, and wait for it to print what it decoded. Sets DECODED to that line.
serve_header() {
    start_serve || return 1
    run peer scripted "127.0.0.1:$PORT" "send:$HDR_WIRE" close
    wait_for_exit serve 5
    local sent
    sent="'wire serve $PORT' was sent one 16-byte header ($(spaced "$HDR_WIRE"))"
    if [[ $status -eq 124 ]]; then
        diagnose "$sent and had not exited 5 s later; it printed: $(serve_stderr)" \
            "after reading HEADER_SIZE bytes wire calls decode_header, prints the fields and exits: does decode_header return?"
        return 1
    elif [[ $status -ne 0 ]]; then
        diagnose "$sent and exited with status $status; it printed: $(serve_stderr)" \
            "$(unfinished_or "$(serve_stderr)" "after reading HEADER_SIZE bytes wire calls decode_header and prints the fields: read its message above")"
        return 1
    fi
    DECODED=$(grep -m 1 '^version=' "$(out_of serve)" || true)
}

# check_decoded_field - fail with a diagnosis unless wire serve decoded field NAME right.
check_decoded_field() {
    local name=$1 size want got got_hex
    size=$(field_size "$name")
    want=$(($(field_value "$name")))
    got=$(sed -n "s/.*\\b${name}=\\([0-9]*\\).*/\\1/p" <<<"$DECODED")
    [[ "$got" == "$want" ]] && return 0
    if [[ "$(serve_stderr)" == *"not implemented yet"* ]]; then
        diagnose "'wire serve' printed '${DECODED}' and on stderr: $(serve_stderr)" "$(unfinished_or "$(serve_stderr)" "")"
        return 1
    fi
    if [[ -z "$got" ]]; then
        diagnose "'wire serve' printed '${DECODED}' with no $name field" "wire prints every field decode_header fills in: read its stderr"
        return 1
    fi
    got_hex=$(printf '%0*x' $((size * 2)) "$got" 2>/dev/null || true)
    diagnose "decode_header read the $name field ($(spaced "$(field_wire "$name")") on the wire) as $got (0x$got_hex), expected $want ($(field_value "$name"))" \
        "$(field_mistake "$name" "$got_hex" "$(field_wire "$name")" decode_header ntoh)"
}

# ---------------------------------------------------------------- addresses: wire addr

# show_addr - run `wire addr IP PORT` and set ADDR_LINE to what it printed.
# Fails with a diagnosis if wire rejected the valid address.
show_addr() {
    run student wire addr "$1" "$2"
    if [[ $status -ne 0 ]]; then
        diagnose "'wire addr $1 $2' exited with status $status: $output" \
            "$(unfinished_or "$output" "$1:$2 is a valid address: parse_port must accept 1-65535, and make_ipv4_addr must return 0 when inet_pton returns 1")"
        return 1
    fi
    ADDR_LINE=$(grep -m 1 'sin_port=' <<<"$output" || true)
}

# addr_field - the value of FIELD (sin_family, sin_port, sin_addr) in ADDR_LINE.
addr_field() { sed -n "s/.*\\b$1=\\([0-9A-Za-z_]*\\).*/\\1/p" <<<"$ADDR_LINE"; }

# check_sin_port - fail with a diagnosis unless sin_port holds PORT's two bytes big-endian.
check_sin_port() {
    local port=$1 want got
    want=$(printf '%04x' "$port")
    got=$(addr_field sin_port)
    [[ "$got" == "$want" ]] && return 0
    local mistake="sin_port must hold the port in network byte order: sin_port = htons(port)"
    if [[ "$got" == "$(hex_reverse "$want")" && "$HOST_ORDER" == big ]]; then
        mistake="on a big-endian machine the port was swapped anyway: a hand-written swap such as (port >> 8) | (port << 8) swaps on every host, while htons swaps only where the host is little-endian: use sin_port = htons(port)"
    elif [[ "$got" == "$(hex_reverse "$want")" ]]; then
        mistake="the port went into sin_port in host (little-endian) order: sin_port = htons(port)"
    fi
    diagnose "sin_port holds the bytes '$(spaced "$got")' for port $port, expected '$(spaced "$want")' (0x$want, high byte first); wire printed: $ADDR_LINE" \
        "$mistake"
}

# check_sin_addr - fail with a diagnosis unless sin_addr holds the four bytes WANT (hex).
check_sin_addr() {
    local ip=$1 want=$2 got
    got=$(addr_field sin_addr)
    [[ "$got" == "$want" ]] && return 0
    local mistake="inet_pton(AF_INET, ip, &sa->sin_addr) writes the four bytes in network order; store nothing else there"
    if [[ "$got" == "$(hex_reverse "$want")" ]]; then
        mistake="sin_addr was byte-reversed after inet_pton, which already writes network byte order: do not htonl its result"
    fi
    diagnose "sin_addr holds the bytes '$(spaced "$got")' for $ip, expected '$(spaced "$want")'; wire printed: $ADDR_LINE" \
        "$mistake"
}
