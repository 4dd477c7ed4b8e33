# test-points.awk - list a Bats file's tests with their points: "POINTS<TAB>NAME" per test.
# A test's points come from a "# points: N" line above its @test line (default 1).
/^# points: [0-9]+ *$/ { points = $3; next }
/^@test / {
    name = $0
    sub(/^@test +"/, "", name)
    sub(/" *\{ *$/, "", name)
    print (points == "" ? 1 : points) "\t" name
    points = ""
}
