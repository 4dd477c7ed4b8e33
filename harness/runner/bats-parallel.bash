# shellcheck shell=bash
# bats-parallel.bash - the one call Bats 1.8.2 makes of GNU parallel, in the shell (read by
# bats-env.bash in bats-exec-suite).
#
# With --jobs, bats-exec-suite runs the test files side by side through GNU parallel:
#     parallel --keep-order --jobs N bats-exec-file "FLAGS " "{}" LIST ::: FILE...
# GNU parallel is a Perl program: it takes some 0.2 s to start, before the first test file,
# and polls its jobs meanwhile, 2 % of a lab's grading. This does the same: at most N commands
# at a time, each the command line with {} replaced by one FILE (quoted) and run by the shell,
# as GNU parallel runs it; each one's stdout, then its stderr, kept apart and printed in the
# order of the FILEs as soon as all before it are printed; exit status 1 if any failed. Any
# other call goes to GNU parallel itself.

# parallel - run "CMD... {}" for each FILE after :::, N at a time, output in FILE order
parallel() {
    local jobs i next=0 printed=0 failed=0 out pid line word
    local -a cmd=() files=() status=()
    local -A index_of=()
    if [[ "${1:-}" != --keep-order || "${2:-}" != --jobs || ! "${3:-}" =~ ^[1-9][0-9]*$ ]]; then
        command parallel "$@"
        return
    fi
    jobs=$3
    shift 3
    while [[ $# -gt 0 && "$1" != ::: ]]; do
        cmd+=("$1")
        shift
    done
    if [[ $# -eq 0 || ${#cmd[@]} -eq 0 ]]; then
        command parallel --keep-order --jobs "$jobs" "${cmd[@]}" "$@"
        return
    fi
    shift
    files=("$@")
    out=$(mktemp -d "${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/parallel.XXXXXX") || return 1

    # h_parallel_print_done - print, in order, the output of each job ended after those printed
    h_parallel_print_done() {
        while [[ $printed -lt $next && -n "${status[$printed]:-}" ]]; do
            cat "$out/$printed"
            cat "$out/$printed.err" >&2
            [[ "${status[$printed]}" == 0 ]] || failed=1
            printed=$((printed + 1))
        done
    }

    while [[ $printed -lt ${#files[@]} ]]; do
        if [[ $next -lt ${#files[@]} && ${#index_of[@]} -lt $jobs ]]; then
            printf -v word '%q' "${files[$next]}"
            printf -v line '%s ' "${cmd[@]}"
            line=${line//\{\}/$word}
            (eval "$line") >"$out/$next" 2>"$out/$next.err" </dev/null &
            index_of[$!]=$next
            next=$((next + 1))
            continue
        fi
        i=0
        wait -n -p pid || i=$?
        if [[ -n "${pid:-}" && -n "${index_of[$pid]:-}" ]]; then
            status[${index_of[$pid]}]=$i
            unset "index_of[$pid]"
        elif [[ "$i" == 127 ]]; then
            # No child left to wait for, yet some never reported: count them failed.
            for pid in "${!index_of[@]}"; do
                status[${index_of[$pid]}]=1
                unset "index_of[$pid]"
            done
        fi
        pid=""
        h_parallel_print_done
    done
    rm -rf "$out"
    return "$failed"
}
