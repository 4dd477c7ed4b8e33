#!/usr/bin/env bash
# setup.sh - Gradescope's image setup: install what grading the course needs, and nothing more.
#
# usage: bash setup.sh     (Gradescope runs it once, as root, from /autograder/source)
#
# grader/gradescope-bundle puts this file at the top of the autograder's zip, beside course/.
# Installs the packages harness/packages.tsv lists for grading, through the course's own
# harness/install-deps (the one list of them), then checks them with the grader's check-tools,
# and that Bats is 1.7 or later (the harness's bats_load_library). Builds nothing:
# run_autograder builds each submission. Exit status 0 when the image can grade; non-zero, with
# the reason, when it cannot.
set -euo pipefail

here=$(cd "${BASH_SOURCE[0]%/*}" && pwd)
course="$here/course"

if [[ ! -x "$course/harness/install-deps" ]]; then
    echo "setup.sh: no course in $course; build the zip with grader/gradescope-bundle and upload it whole" >&2
    exit 2
fi
"$course/harness/install-deps" grade
"$course/grader/lib/check-tools" grade
version=$(bats --version | sed -n 's/^Bats \([0-9]*\.[0-9]*\).*/\1/p')
if [[ -z "$version" ]] || (( ${version%%.*} < 1 || (${version%%.*} == 1 && ${version#*.} < 7) )); then
    echo "setup.sh: this image's Bats is '${version:-unknown}'; the harness needs 1.7 or later: pick a newer base image (Ubuntu 24.04)" >&2
    exit 2
fi
echo "setup.sh: ready to grade the labs $(paste -sd ' ' "$here/labs.txt")"
