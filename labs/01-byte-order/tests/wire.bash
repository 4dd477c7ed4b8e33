# shellcheck shell=bash
# wire.bash - what lab 01's test files share: the header the tests carry in both directions,
# the steps that run `wire` against a test peer, and the diagnoses of a field that came out
# wrong. Loaded by addresses.bats, header.bats and s390x.bats.
# shellcheck disable=SC2153,SC2154  # PORT is set by the test file; status, output by Bats' run

# use_header - make header NAME the one the checks below carry and expect.
#   test: the header every wire test uses. The bytes of each multi-byte field all differ, so a
#         field that went out reversed, or with its two halves swapped, is recognisable.
#   high: every byte has its top bit set, so a byte read through a signed char, or a 32-bit
#         half widened from a negative int, comes out sign-extended (ff bytes).
# Sets HDR_VERSION … HDR_SEQ as given on the command line, and HDR_WIRE: the same header on
# the wire (version, type, flags, length, seq; big-endian, 16 bytes, in hex).
use_header() {
    case $1 in
        test) HDR_VERSION=1 HDR_TYPE=7 HDR_FLAGS=0x1234 HDR_LENGTH=0xa1b2c3d4 HDR_SEQ=0x0102030405060708 ;;
        high) HDR_VERSION=0xf0 HDR_TYPE=0xe1 HDR_FLAGS=0xd2c3 HDR_LENGTH=0xb4a59687 HDR_SEQ=0xf8e9dacbbcad9e8f ;;
    esac
    printf -v HDR_WIRE '%02x%02x%s%s%s' "$HDR_VERSION" "$HDR_TYPE" "${HDR_FLAGS#0x}" "${HDR_LENGTH#0x}" "${HDR_SEQ#0x}"
}
use_header test

# ---------------------------------------------------------------- one mistake, one failure

# The test that observes the same clause on x86 (or with the plain test header), by key:
# set by a test whose failure could be that one's too (s390x.bats, the top-bit header test).
# Before a check of such a test diagnoses a failure, blame KEY stops it as "not run" if that
# test already failed: the mistake is reported once, there.
declare -gA COUNTERPART=()

# blame - stop this test as not run if the test COUNTERPART[KEY] has failed in this run.
blame() {
    local key
    for key in "$@"; do
        if [[ -n "${COUNTERPART[$key]:-}" ]]; then
            needs "${COUNTERPART[$key]}"
        fi
    done
}

# The tests the others rely on, by the names their @test lines spell.
T_ADDR_PORT="wire addr stores port 8080 in sin_port as the bytes 1f 90"
T_ADDR_ADDR="wire addr stores 127.0.0.1 in sin_addr as the bytes 7f 00 00 01, family AF_INET"
T_LOOP_PORT="wire loopback stores port 8080 in sin_port as the bytes 1f 90"
T_LOOP_ADDR="wire loopback stores 127.0.0.1 in sin_addr as the bytes 7f 00 00 01, family AF_INET"
T_LISTEN="wire serve listens on 127.0.0.1 at the port it is given"
T_SEND="wire send connects to the address it is given and delivers one 16-byte header"
T_SERVE="wire serve reads one 16-byte header from a client and prints its fields"
T_SEND_VT="wire send puts version and type in the first two bytes"
T_SEND_FLAGS="wire send puts the 16-bit flags field on the wire big-endian"
T_SEND_LENGTH="wire send puts the 32-bit length field on the wire big-endian"
T_SEND_SEQ="wire send puts the 64-bit seq field on the wire big-endian, high half first"
T_DEC_VT="wire serve decodes version and type from the first two bytes"
T_DEC_FLAGS="wire serve decodes the flags field from network byte order"
T_DEC_LENGTH="wire serve decodes the length field from network byte order"
T_DEC_SEQ="wire serve decodes the seq field from network byte order, high half first"

# blame_x86 - COUNTERPART for a test that repeats the x86 checks (s390x.bats): a field or an
# address wrong there the same way it is on x86 was already reported by the x86 test.
blame_x86() {
    COUNTERPART=(
        [addr_port]=$T_ADDR_PORT [addr_addr]=$T_ADDR_ADDR [addr_rejected]=$T_ADDR_PORT
        [loop_port]=$T_LOOP_PORT [loop_addr]=$T_LOOP_ADDR [loop_rejected]=$T_LOOP_PORT
        [listen]=$T_LISTEN [send]=$T_SEND [serve]=$T_SERVE
        [send_version]=$T_SEND_VT [send_type]=$T_SEND_VT [send_flags]=$T_SEND_FLAGS
        [send_length]=$T_SEND_LENGTH [send_seq]=$T_SEND_SEQ
        [decode_version]=$T_DEC_VT [decode_type]=$T_DEC_VT [decode_flags]=$T_DEC_FLAGS
        [decode_length]=$T_DEC_LENGTH [decode_seq]=$T_DEC_SEQ
    )
}

# The byte order of the machine the student's program runs on: s390x.bats sets "big".
HOST_ORDER=little

# ---------------------------------------------------------------- the header's layout

# Where each header field sits on the wire, in bytes: FIELD_OFFSET[NAME], FIELD_SIZE[NAME]. The
# checks read these (and field_value_of) directly, without a command substitution each: every
# test checks several fields. The functions below print the same, for the diagnoses.
declare -gA FIELD_OFFSET=([version]=0 [type]=1 [flags]=2 [length]=4 [seq]=8)
declare -gA FIELD_SIZE=([version]=1 [type]=1 [flags]=2 [length]=4 [seq]=8)

# field_offset, field_size - where header field NAME sits on the wire, in bytes.
field_offset() { echo "${FIELD_OFFSET[$1]}"; }
field_size() { echo "${FIELD_SIZE[$1]}"; }

# field_value_of - set FIELD_VALUE to the test header's value of field NAME, as given on the
# command line (field_value prints it).
field_value_of() {
    local var="HDR_${1^^}"
    FIELD_VALUE=${!var}
}

# field_value - the test header's value of field NAME, as given on the command line.
field_value() {
    local FIELD_VALUE
    field_value_of "$1"
    echo "$FIELD_VALUE"
}

# field_wire - the bytes (hex) field NAME of the test header must have on the wire.
field_wire() {
    echo "${HDR_WIRE:${FIELD_OFFSET[$1]} * 2:${FIELD_SIZE[$1]} * 2}"
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

# sign_extended - true if GOT is WANT (hex) with some bytes turned into ff: a byte with its
# top bit set was widened as a negative number.
sign_extended() {
    local got=$1 want=$2 i extended=0
    # A one-byte field has nothing to extend into: an ff there is just another byte.
    [[ ${#got} -eq ${#want} && ${#want} -gt 2 ]] || return 1
    for ((i = 0; i < ${#want}; i += 2)); do
        if [[ "${got:i:2}" != "${want:i:2}" ]]; then
            [[ "${got:i:2}" == ff ]] || return 1
            extended=1
        fi
    done
    [[ $extended == 1 ]]
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
    elif sign_extended "$got" "$want"; then
        echo "$where sign-extended the $name field: bytes with the top bit set came out as ff. A byte read through a (signed) char, or a 32-bit half built in an int, is negative and fills the wider type with ones: read the bytes as unsigned char and cast to uint32_t/uint64_t before shifting — or memcpy into a uint16_t/uint32_t and use ${dir}s/${dir}l"
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
    # The recorder exits once the one connection it waits for has ended. wire has exited by
    # now: what is left to wait for is the recorder, a native program even where wire runs under
    # qemu or Valgrind, so the limit is not stretched.
    local limit=5
    [[ $status -ne 0 ]] && limit=1
    if ! poll_until "$limit" h_has_line "$log" '^close 1'; then
        blame send
        diagnose "no connection reached the test's server on 127.0.0.1:$PORT: the driver that sends a header with your encode_header() and make_ipv4_addr() (wire send ${args[*]}) exited with status $status and printed: ${SEND_OUT:-nothing}" \
            "$(send_failure_mistake)"
        return 1
    fi
    wait_for_exit recorder 5
    SENT=""
    if [[ -f "$dir/conn-1.bin" ]]; then
        SENT=$(hexdump_of "$dir/conn-1.bin")
    fi
}

# sent_header - SENT and SEND_OUT as the delivery test of this file saw them, if it ran and
# saved them (save_sent); otherwise send_header and check_sent_size here. The bytes one run
# of `wire send` delivers are the same whichever field a test then looks at.
sent_header() {
    local cache="${BATS_FILE_TMPDIR}/sent"
    if [[ -f "$cache.hex" ]]; then
        SENT=$(cat "$cache.hex")
        SEND_OUT=$(cat "$cache.out")
        return 0
    fi
    send_header || return 1
    check_sent_size
}

# save_sent - keep SENT and SEND_OUT for the field tests of this file (sent_header).
save_sent() {
    echo "$SENT" >"${BATS_FILE_TMPDIR}/sent.hex"
    echo "$SEND_OUT" >"${BATS_FILE_TMPDIR}/sent.out"
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
    off=${FIELD_OFFSET[$name]}
    size=${FIELD_SIZE[$name]}
    want=${HDR_WIRE:off * 2:size * 2}
    got=${SENT:off * 2:size * 2}
    [[ "$got" == "$want" ]] && return 0
    blame "send_$name"
    local where="bytes $off-$((off + size - 1))"
    [[ $size -eq 1 ]] && where="byte $off"
    diagnose "$where on the wire, the $name field ($(field_value "$name")), held '$(spaced "$got")', expected '$(spaced "$want")' (the recorder received $(spaced "$SENT"))" \
        "$(unfinished_or "$SEND_OUT" "$(field_mistake "$name" "$got" "$want" encode_header hton)")"
}

# check_sent_size - fail with a diagnosis unless exactly one header went out.
check_sent_size() {
    [[ ${#SENT} -eq $((2 * 16)) ]] && return 0
    blame send
    diagnose "the test's server received $((${#SENT} / 2)) bytes ($(spaced "$SENT")), expected the one 16-byte header your encode_header() makes; the driver (wire send) printed: $SEND_OUT" \
        "$(unfinished_or "$SEND_OUT" "wire sends the HEADER_SIZE bytes encode_header fills in, unless it crashed first: read wire's message above")"
}

# ---------------------------------------------------------------- decoding: wire serve

# start_serve - start `wire serve PORT` as NAME (default 'serve') and wait until it listens.
# Recognises an address or a port stored in host byte order from where the bind went.
start_serve() {
    local name=${1:-serve} generic="${BATS_TEST_TMPDIR}/wait_for_port.txt"
    spawn_student "$name" wire serve "$PORT"
    # wait_for_port's own diagnosis goes to a file, to be shown when no better one applies.
    # wire binds at once, so 3 s (times the Valgrind or qemu factor) is plenty; it is also how
    # long a wrong port keeps a test waiting.
    wait_for_port "$PORT" "$name" 3 2>"$generic" && return 0
    blame listen loop_port loop_addr
    local err
    err=$(tail -n 3 "$(err_of "$name")")
    if [[ "$err" == *"1.0.0.127"* ]]; then
        diagnose "bind() refused the address your make_loopback_addr($PORT) made; the driver (wire serve $PORT) printed: $err" \
            "the address went into sin_addr in host order: 127.0.0.1 became 1.0.0.127, which no interface has — sin_addr.s_addr = htonl(INADDR_LOOPBACK)"
    elif [[ "$HOST_ORDER" == big && "$(cat "$generic")" == *"two bytes swapped"* ]]; then
        diagnose "on a big-endian machine, a server bound to the address your make_loopback_addr($PORT) made listens on port $(swap16 "$PORT"): that is $PORT with its two bytes swapped (driver: wire serve $PORT)" \
            "make_loopback_addr swaps the port's bytes unconditionally (a hand-written swap such as (port >> 8) | (port << 8)); a big-endian host already holds it in network order: use sin_port = htons(port)"
    elif [[ "$(cat "$generic")" == *"two bytes swapped"* ]]; then
        diagnose "a server bound to the address your make_loopback_addr($PORT) made listens on port $(swap16 "$PORT"), not $PORT: that is $PORT with its two bytes swapped (driver: wire serve $PORT)" \
            "make_loopback_addr must put the port into sin_port in network byte order: sin_port = htons(port)"
    elif [[ "$err" == *"not supported"* ]]; then
        diagnose "bind() refused the address your make_loopback_addr($PORT) made; the driver (wire serve $PORT) printed: $err" \
            "make_loopback_addr must set sa->sin_family = AF_INET: bind() refuses any other family for an IPv4 socket"
    elif [[ "$err" == *"not implemented yet"* ]]; then
        diagnose "the server that binds with your make_loopback_addr($PORT) exited before listening on port $PORT; the driver (wire serve $PORT) printed: $err" \
            "$(unfinished_or "$err" "")"
    else
        cat "$generic" >&2
    fi
    return 1
}

# serve_header - start `wire serve`, send it the header's bytes from a scripted client, and
# wait for it to print what it decoded. Sets DECODED to that line, SERVE_ERR to its stderr.
serve_header() {
    start_serve serve || return 1
    run peer scripted "127.0.0.1:$PORT" "send:$HDR_WIRE" close
    wait_for_exit serve 5
    SERVE_ERR=$(tail -n 3 "$(err_of serve)")
    DECODED=$(grep -m 1 '^version=' "$(out_of serve)" || true)
    local sent
    sent="a test client sent one 16-byte header ($(spaced "$HDR_WIRE")) to a server that decodes it with your decode_header() (driver: wire serve $PORT)"
    if [[ $status -eq 124 ]]; then
        blame serve
        diagnose "$sent; the server had not exited 5 s later; it printed: $SERVE_ERR" \
            "after reading HEADER_SIZE bytes wire calls decode_header, prints the fields and exits: does decode_header return?"
        return 1
    elif [[ $status -ne 0 ]]; then
        blame serve
        local mistake="after reading HEADER_SIZE bytes wire calls decode_header and prints the fields: read its message above"
        [[ $status -gt 128 ]] && mistake="wire was killed by signal $((status - 128)) after reading the header: decode_header must read only the HEADER_SIZE bytes of in and write only the fields of *h"
        diagnose "$sent; the server exited with status $status; it printed: $SERVE_ERR" \
            "$(unfinished_or "$SERVE_ERR" "$mistake")"
        return 1
    fi
}

# served_header - DECODED and SERVE_ERR as the decoding test of this file saw them, if it
# ran and saved them (save_served); otherwise serve_header here.
served_header() {
    local cache="${BATS_FILE_TMPDIR}/served"
    if [[ -f "$cache.line" ]]; then
        DECODED=$(cat "$cache.line")
        SERVE_ERR=$(cat "$cache.err")
        return 0
    fi
    serve_header
}

# save_served - keep DECODED and SERVE_ERR for the field tests of this file (served_header).
save_served() {
    echo "$DECODED" >"${BATS_FILE_TMPDIR}/served.line"
    echo "$SERVE_ERR" >"${BATS_FILE_TMPDIR}/served.err"
}

# check_decoded_line - fail with a diagnosis unless DECODED names all five fields.
check_decoded_line() {
    [[ "$DECODED" =~ ^version=[0-9]+\ type=[0-9]+\ flags=[0-9]+\ length=[0-9]+\ seq=[0-9]+$ ]] && return 0
    blame serve
    diagnose "after your decode_header() the driver (wire serve) printed '${DECODED}' instead of version=… type=… flags=… length=… seq=…; on stderr: ${SERVE_ERR:-nothing}" \
        "$(unfinished_or "$SERVE_ERR" "wire prints the five fields decode_header fills in: read its stderr")"
}

# check_decoded_field - fail with a diagnosis unless wire serve decoded field NAME right.
check_decoded_field() {
    local name=$1 size want got got_hex FIELD_VALUE
    size=${FIELD_SIZE[$name]}
    field_value_of "$name"
    want=$((FIELD_VALUE))
    got=""
    [[ "$DECODED" =~ (^|[^A-Za-z0-9_])${name}=([0-9]*) ]] && got=${BASH_REMATCH[2]}
    # A uint64_t beyond 2^63 does not fit in bash's arithmetic: compare as unsigned text.
    [[ "$want" == -* ]] && want=$(printf '%u' "$want")
    [[ "$got" == "$want" ]] && return 0
    blame "decode_$name"
    if [[ "$SERVE_ERR" == *"not implemented yet"* ]]; then
        diagnose "after your decode_header() the driver (wire serve) printed '${DECODED}' and on stderr: $SERVE_ERR" "$(unfinished_or "$SERVE_ERR" "")"
        return 1
    fi
    if [[ -z "$got" ]]; then
        diagnose "after your decode_header() the driver (wire serve) printed '${DECODED}', with no $name field" "wire prints every field decode_header fills in: read its stderr"
        return 1
    fi
    got_hex=$(printf '%0*x' $((size * 2)) "$got" 2>/dev/null || true)
    diagnose "decode_header read the $name field ($(spaced "$(field_wire "$name")") on the wire) as $got (0x$got_hex), expected $want ($(field_value "$name"))" \
        "$(field_mistake "$name" "$got_hex" "$(field_wire "$name")" decode_header ntoh)"
}

# ---------------------------------------------------------------- addresses: wire addr, wire loopback

# ADDR_FUNC is the function whose sockaddr_in ADDR_LINE shows: show_addr and show_loopback set it.

# rejected_mistake - the likely mistake when `wire addr IP PORT` (or `wire loopback PORT`)
# refused a valid address; OUT is what it printed, STATUS its exit status.
rejected_mistake() {
    local ip=$1 port=$2 out=$3 status=$4
    if [[ $status -eq 124 ]]; then
        echo "wire was still running after ${STUDENT_TIMEOUT} s, for what takes a millisecond: ${ADDR_FUNC} or parse_port loops, or waits for something (input?)"
    elif [[ $status -gt 128 ]]; then
        echo "wire was killed by signal $((status - 128)) (a crash in ${ADDR_FUNC} or parse_port?): read the stderr above"
    elif [[ "$out" == *"invalid port"* ]]; then
        echo "parse_port rejected $port, a valid port: it must return 0 for every decimal number from 1 to 65535. If it tests errno after strtol, set errno = 0 first: strtol sets errno only on failure, and wire calls parse_port with errno still ERANGE from an earlier failure"
    elif [[ "$out" == *"invalid IPv4 address"* ]]; then
        echo "make_ipv4_addr rejected $ip, a valid dotted quad: it must return 0 when inet_pton(AF_INET, ...) returns 1"
    else
        echo "$ip:$port is a valid address: parse_port must accept 1-65535, and make_ipv4_addr must return 0 when inet_pton returns 1"
    fi
}

# note_hang - after a wire command ran: if it hung (status 124), say so for the tests that follow.
# hung_before KEY - before a wire command runs: if one hung earlier in this run, blame KEY's
# counterpart (which reported the hang) at once, instead of waiting for the same hang again.
# A program that hangs then costs the lab a few seconds, not one time limit per test.
note_hang() {
    [[ $status -eq 124 ]] && : >"${BATS_RUN_TMPDIR}/wire-hung"
    return 0
}
hung_before() {
    [[ -e "${BATS_RUN_TMPDIR}/wire-hung" ]] && blame "$1"
    return 0
}

# show_addr - run `wire addr IP PORT` and set ADDR_LINE to what it printed.
# Fails with a diagnosis (MISTAKE, if given, as the likely one) if wire rejected the address.
show_addr() {
    ADDR_FUNC=make_ipv4_addr
    hung_before addr_rejected
    run student wire addr "$1" "$2"
    if [[ $status -ne 0 ]]; then
        note_hang
        blame addr_rejected
        diagnose "your parse_port(\"$2\") and make_ipv4_addr(\"$1\", …) gave no address: the driver (wire addr $1 $2) exited with status $status and printed: $output" \
            "$(unfinished_or "$output" "${3:-$(rejected_mistake "$1" "$2" "$output" "$status")}")"
        return 1
    fi
    ADDR_OUT=$output
    addr_line
}

# show_loopback - run `wire loopback PORT` and set ADDR_LINE to what it printed.
show_loopback() {
    ADDR_FUNC=make_loopback_addr
    hung_before loop_rejected
    run student wire loopback "$1"
    if [[ $status -ne 0 ]]; then
        note_hang
        blame loop_rejected
        diagnose "your parse_port(\"$1\") and make_loopback_addr() gave no address: the driver (wire loopback $1) exited with status $status and printed: $output" \
            "$(unfinished_or "$output" "$(rejected_mistake 127.0.0.1 "$1" "$output" "$status")")"
        return 1
    fi
    ADDR_OUT=$output
    addr_line
}

# addr_line - set ADDR_LINE to the first line of wire's output (run's lines) that holds sin_port=.
addr_line() {
    local line
    ADDR_LINE=""
    for line in "${lines[@]}"; do
        [[ "$line" == *sin_port=* ]] && { ADDR_LINE=$line; return 0; }
    done
    return 0
}

# addr_value - set ADDR_VALUE to the value of FIELD (sin_family, sin_port, sin_addr, sin_zero) in
# ADDR_LINE, "" if it has none. Read with the shell's own regex, without a command substitution:
# the tests ask for every field of every address (addr_field prints it, for the diagnoses).
addr_value() {
    ADDR_VALUE=""
    [[ "$ADDR_LINE" =~ (^|[^A-Za-z0-9_])$1=([0-9A-Za-z_]*) ]] && ADDR_VALUE=${BASH_REMATCH[2]}
    return 0
}

# addr_field - print the value of FIELD in ADDR_LINE (addr_value).
addr_field() {
    local ADDR_VALUE
    addr_value "$1"
    echo "$ADDR_VALUE"
}

# addr_key - the COUNTERPART key prefix of ADDR_FUNC: addr or loop.
addr_key() { [[ "$ADDR_FUNC" == make_loopback_addr ]] && echo loop || echo addr; }

# check_sin_port - fail with a diagnosis unless sin_port holds PORT's two bytes big-endian.
check_sin_port() {
    local port=$1 want got ADDR_VALUE
    printf -v want '%04x' "$port"
    addr_value sin_port
    got=$ADDR_VALUE
    [[ "$got" == "$want" ]] && return 0
    blame "$(addr_key)_port"
    local mistake="$ADDR_FUNC must put the port into sin_port in network byte order: sin_port = htons(port)"
    if [[ "$got" == "$(hex_reverse "$want")" && "$HOST_ORDER" == big ]]; then
        mistake="on a big-endian machine $ADDR_FUNC swapped the port anyway: a hand-written swap such as (port >> 8) | (port << 8) swaps on every host, while htons swaps only where the host is little-endian: use sin_port = htons(port)"
    elif [[ "$got" == "$(hex_reverse "$want")" ]]; then
        mistake="$ADDR_FUNC put the port into sin_port in host (little-endian) order: sin_port = htons(port)"
    elif [[ "$got" == 0000 ]]; then
        mistake="$ADDR_FUNC stored 0 in sin_port: htonl(port) is a 32-bit conversion, and on a little-endian host the 16 bits that fit in sin_port are zero — use htons for a port"
    elif [[ "$got" == a5a5 ]]; then
        mistake="$ADDR_FUNC never set sin_port: it still holds the a5 bytes wire filled the struct with. sin_port = htons(port)"
    fi
    diagnose "$ADDR_FUNC stored the bytes '$(spaced "$got")' in sin_port for port $port, expected '$(spaced "$want")' (0x$want, high byte first); wire printed: $ADDR_LINE" \
        "$(unfinished_or "$ADDR_OUT" "$mistake")"
}

# check_sin_addr - fail with a diagnosis unless sin_addr holds the four bytes WANT (hex).
check_sin_addr() {
    local ip=$1 want=$2 got ADDR_VALUE
    addr_value sin_addr
    got=$ADDR_VALUE
    [[ "$got" == "$want" ]] && return 0
    blame "$(addr_key)_addr"
    local mistake="inet_pton(AF_INET, ip, &sa->sin_addr) writes the four bytes in network order; store nothing else there"
    if [[ "$ADDR_FUNC" == make_loopback_addr ]]; then
        mistake="sin_addr.s_addr = htonl(INADDR_LOOPBACK): 127.0.0.1 in network byte order"
        if [[ "$got" == "$(hex_reverse "$want")" && "$HOST_ORDER" == big ]]; then
            mistake="on a big-endian machine 127.0.0.1 came out reversed: a hand-written swap or a constant written for x86 (0x0100007f) is wrong here, where htonl does nothing — sin_addr.s_addr = htonl(INADDR_LOOPBACK)"
        elif [[ "$got" == "$(hex_reverse "$want")" ]]; then
            mistake="INADDR_LOOPBACK is the number 0x7f000001 in host order; stored as it is on x86 it reads 1.0.0.127 — sin_addr.s_addr = htonl(INADDR_LOOPBACK)"
        elif [[ "$got" == 00000000 ]]; then
            mistake="0.0.0.0 is INADDR_ANY, every interface: a server bound to it accepts connections from other machines too — sin_addr.s_addr = htonl(INADDR_LOOPBACK)"
        fi
    elif [[ "$got" == "$(hex_reverse "$want")" ]]; then
        mistake="sin_addr was byte-reversed after inet_pton, which already writes network byte order: do not htonl its result"
    fi
    diagnose "$ADDR_FUNC stored the bytes '$(spaced "$got")' in sin_addr for $ip, expected '$(spaced "$want")'; wire printed: $ADDR_LINE" \
        "$(unfinished_or "$ADDR_OUT" "$mistake")"
}

# check_sin_family - fail with a diagnosis unless sin_family is AF_INET.
check_sin_family() {
    local ADDR_VALUE
    addr_value sin_family
    [[ "$ADDR_VALUE" == AF_INET ]] && return 0
    blame "$(addr_key)_addr"
    diagnose "$ADDR_FUNC left sin_family $(addr_field sin_family) (0x$(printf '%04x' "$(addr_field sin_family)" 2>/dev/null)), expected AF_INET; wire printed: $ADDR_LINE" \
        "$(unfinished_or "$ADDR_OUT" "$ADDR_FUNC must set sa->sin_family = AF_INET, or connect() and bind() fail with EAFNOSUPPORT")"
}

# check_sin_zero - fail with a diagnosis unless sin_zero is eight zero bytes.
check_sin_zero() {
    local got ADDR_VALUE
    addr_value sin_zero
    got=$ADDR_VALUE
    [[ "$got" == 0000000000000000 ]] && return 0
    local mistake="every byte of the sockaddr_in that is not family, port or address must be zero: memset(sa, 0, sizeof(*sa)) before filling it in"
    if [[ "$got" =~ a5 ]]; then
        mistake="$ADDR_FUNC never zeroed the struct: sin_zero still holds the a5 bytes wire filled it with, the garbage an uninitialised struct on the stack holds. memset(sa, 0, sizeof(*sa)) first — the BSDs and macOS refuse bind() with EADDRNOTAVAIL when sin_zero is not zero"
    fi
    diagnose "$ADDR_FUNC left sin_zero holding '$(spaced "$got")', expected eight zero bytes; wire printed: $ADDR_LINE" \
        "$(unfinished_or "$ADDR_OUT" "$mistake")"
}
