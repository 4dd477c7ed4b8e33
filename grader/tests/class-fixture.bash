# class-fixture.bash - the students of the grader's class tests (class.bats, hosts.bats): lab 01,
# the fastest to grade. Needs COURSE_ROOT.

# make_class CLASS SCRATCH - in CLASS: reference/ and skeleton/ (directories laid out like labs/),
# mutant.tar.gz (the reference without htons() on the port, as an archive; made in SCRATCH) and
# gitrepo/ (make_repo).
make_class() {
    local class=$1 scratch=$2 lab=01-byte-order
    mkdir -p "$class/reference" "$class/skeleton" "$scratch/mutant/$lab"
    cp -r "$COURSE_ROOT/solutions/$lab" "$class/reference/"
    rm -rf "$class/reference/$lab/mutants"
    cp -r "$COURSE_ROOT/labs/$lab" "$class/skeleton/"
    "$COURSE_ROOT/harness/bin/apply-mutant" "$COURSE_ROOT/solutions/$lab/byteorder.c" \
        "$COURSE_ROOT/solutions/$lab/mutants/byteorder.port-no-htons.patch" "$scratch/mutant/$lab/byteorder.c"
    tar -czf "$class/mutant.tar.gz" -C "$scratch" mutant
    make_repo "$class/gitrepo"
}

# make_repo DIR - a git repository laid out like the course (labs/01-byte-order/byteorder.c):
# the reference committed on 30 November, the skeleton on 2 December, and the skeleton again,
# uncommitted, in the working tree. Its configuration runs a command if git ever reads it in a
# command that touches the working tree (core.fsmonitor; it would write PARENT.fsmonitor-ran,
# beside DIR's parent directory): the
# grader must not.
make_repo() {
    local repo=$1 lab=01-byte-order
    git init -q "$repo"
    mkdir -p "$repo/labs/$lab"
    cp "$COURSE_ROOT/solutions/$lab/byteorder.c" "$repo/labs/$lab/"
    git -C "$repo" add -A
    commit_at "$repo" 2026-11-30T12:00:00Z reference
    cp "$COURSE_ROOT/labs/$lab/byteorder.c" "$repo/labs/$lab/"
    commit_at "$repo" 2026-12-02T12:00:00Z skeleton
    echo 'int uncommitted;' >>"$repo/labs/$lab/byteorder.c"
    git -C "$repo" config core.fsmonitor "touch '${repo%/*}.fsmonitor-ran'"
}

# commit_at REPO DATE MESSAGE - commit everything tracked, dated DATE.
commit_at() {
    GIT_COMMITTER_DATE=$2 GIT_AUTHOR_DATE=$2 git -C "$1" -c user.name=s -c user.email=s@example.org \
        commit -q -a -m "$3"
}
