# test-points.awk - list a Bats file's tests with their points: "POINTS<TAB>NAME" per test.
# A test's points come from a "# points: N" line above its @test line (default 1). With
# WITH_FILE=1, each line also has the file's name: "POINTS<TAB>FILE<TAB>NAME".
/^# points: [0-9]+ *$/ { points = $3; next }
/^@test / {
    name = $0
    sub(/^@test +"/, "", name)
    sub(/" *\{ *$/, "", name)
    file = FILENAME; sub(/.*\//, "", file)
    if (WITH_FILE) print (points == "" ? 1 : points) "\t" file "\t" name
    else print (points == "" ? 1 : points) "\t" name
    points = ""
}
