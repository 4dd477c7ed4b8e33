# shellcheck shell=bash
# bats-suite.bash - Bats 1.8.2's bats-exec-suite with two of its lines changed, so that listing
# a run's tests starts no process per test (read by bats-env.bash, which runs it instead of
# Bats' own in bats-exec-suite).
#
# Before its first test starts, bats-exec-suite lists every test of the run, and for each one
# runs `test_line=$(printf "%s\t%s" "$filename" "$line")`: a fork, 7 to 10 ms here, 0.3 to
# 0.45 s for a lab of 43 tests before its first test can start. `printf -v` sets the same
# variable to the same text without the fork. Then it drops repeated file names through five
# programs (nl | sort | uniq | sort | cut); a loop keeps the first of each name, in the order
# given, as they do. Nothing else changes: the script is Bats' own, read from where Bats runs it, and if
# either line is not there exactly once (another Bats), Bats runs as shipped.
# harness/tests/common.bats checks that both list and run the same tests.

# h_bats_suite_patched - set H_BATS_SUITE to bats-exec-suite ($1) with the two lines replaced;
# status 1, H_BATS_SUITE empty, unless each is there exactly once
# shellcheck disable=SC2016,SC2034 # the lines are Bats' code, not expanded here; bats-env.bash runs it
h_bats_suite_patched() {
    local -a lines
    local i found_printf=0 found_unique=0 IFS=$'\n'
    H_BATS_SUITE=""
    local old_printf='      test_line=$(printf "%s\t%s" "$filename" "$line")'
    local new_printf='      printf -v test_line "%s\t%s" "$filename" "$line"'
    local old_unique='IFS=$'"'"'\n'"'"' read -d '"''"' -r -a BATS_UNIQUE_TEST_FILENAMES < <(printf "%s\n" "$@" | nl | sort -k 2 | uniq -f 1 | sort -n | cut -f 2-) || true'
    local new_unique='BATS_UNIQUE_TEST_FILENAMES=(); declare -A h_named=(); for h_name in "$@"; do [[ -z "$h_name" || -n "${h_named[$h_name]:-}" ]] || { h_named[$h_name]=1; BATS_UNIQUE_TEST_FILENAMES+=("$h_name"); }; done; unset h_named h_name'
    mapfile -t lines <"$1" || return 1
    for i in "${!lines[@]}"; do
        if [[ "${lines[i]}" == "$old_printf" ]]; then
            lines[i]=$new_printf
            found_printf=$((found_printf + 1))
        elif [[ "${lines[i]}" == "$old_unique" ]]; then
            lines[i]=$new_unique
            found_unique=$((found_unique + 1))
        fi
    done
    [[ "$found_printf" == 1 && "$found_unique" == 1 ]] || return 1
    H_BATS_SUITE="${lines[*]}"
}
