#!/usr/bin/env bash
# Tests of check-advisories.sh on small fixture tables and dependency trees (no Maven, no network,
# a second or two): version ranges at their edges, the exit codes, accepted advisories with and
# without a reason or past their date, and a malformed table. It also checks that the project's own
# tables are well formed. Prints one line per case (--quiet: failures only); exits 1 if any fails.
set -uo pipefail
quiet=0
[ "${1:-}" = --quiet ] && quiet=1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
check="$here/check-advisories.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
cases=0

pass() { cases=$((cases + 1)); [ $quiet -eq 1 ] || echo "ok    $1"; }
flunk() { cases=$((cases + 1)); echo "FAIL  $1"; shift; printf '      %s\n' "$@"; failures=$((failures + 1)); }

table() {
    {
        echo "# last-reviewed: 2026-12-04"
        printf '%s\n' "$@"
    } > "$work/table.tsv"
}
ignored() {
    { echo "# none"; printf '%s\n' "$@"; } > "$work/ignored.tsv"
}
# A dependency tree as `mvn dependency:tree` writes it, one module with the given group:artifact:version.
tree() {
    {
        echo "dev.ferry:ferry-ftp:jar:0.1.0-SNAPSHOT"
        echo "+- dev.ferry:ferry-core:jar:0.1.0-SNAPSHOT:compile"
        local gav g a v
        for gav in "$@"; do
            IFS=: read -r g a v <<< "$gav"
            echo "+- $g:$a:jar:$v:compile"
        done
    } > "$work/tree.txt"
}
run() { # run the check on the fixtures; sets out and rc
    out="$(FERRY_ADVISORIES_TODAY="${TODAY:-2026-12-04}" bash "$check" --deps "$work/tree.txt" \
        --table "$work/table.tsv" --ignored "$work/ignored.tsv" "$@" 2>&1)"
    rc=$?
}
T=$'\t'

# expect_match NAME VERSION RANGE yes|no: does a dependency at VERSION match an advisory on RANGE?
expect_match() {
    local name=$1 version=$2 range=$3 want=$4
    table "org.example:lib${T}${range}${T}CVE-2020-0001${T}9.9${T}something"
    ignored
    tree "org.example:lib:$version"
    run --tsv
    if [ "$want" = yes ] && [ $rc -eq 1 ] && grep -q "^OPEN${T}org.example:lib:$version${T}CVE-2020-0001$" <<< "$out"; then
        pass "$name: $version is in $range"
    elif [ "$want" = no ] && [ $rc -eq 0 ] && ! grep -q CVE-2020-0001 <<< "$out"; then
        pass "$name: $version is not in $range"
    else
        flunk "$name: $version against $range, expected match=$want, exit $rc" "$out"
    fi
}

expect_match "below an open upper bound" 3.8.0 "(,3.9.0)" yes
expect_match "an open upper bound excludes the fix" 3.9.0 "(,3.9.0)" no
expect_match "a fix with a patch part" 1.78.1 "(,1.78)" no
expect_match "a closed lower bound includes it" 1.73 "[1.73,1.78)" yes
expect_match "below a lower bound" 1.72 "[1.73,1.78)" no
expect_match "an open lower bound excludes it" 2.0.0 "(2.0.0,2.7.0)" no
expect_match "a closed upper bound includes it" 1.83 "[1.82,1.83]" yes
expect_match "branch ranges: in the first" 1.80.1 "[1.74,1.80.1],[1.81,1.81],[1.82,1.83]" yes
expect_match "branch ranges: fixed on the branch" 1.80.2 "[1.74,1.80.1],[1.81,1.81],[1.82,1.83]" no
expect_match "branch ranges: a single version" 1.81 "[1.74,1.80.1],[1.81,1.81],[1.82,1.83]" yes
expect_match "branch ranges: after the last" 1.84 "[1.74,1.80.1],[1.81,1.81],[1.82,1.83]" no
expect_match "four-part versions" 2.13.4.1 "[2.13.0,2.13.4.2)" yes
expect_match "four-part fix" 2.13.4.2 "[2.13.0,2.13.4.2)" no
expect_match "numbers, not text (10 > 9)" 2.10.0 "(,2.9.3)" no
expect_match "a release candidate is below its release" 2.0.0-RC1 "[2.0.0-RC1,3.4.0)" yes
expect_match "a release candidate of the fix is still affected" 3.4.0-RC1 "[2.0.0,3.4.0)" yes
expect_match "a missing part is zero" 2.23 "[2.23.0,2.23.0]" yes
expect_match "a service pack is above its release" 1.0-sp1 "(,1.0]" no
expect_match "an unknown qualifier is above its release" 33.0-jre "(,33.0]" no

# A released fix fails the check and the report names the dependency, the advisory and the fix.
table "org.example:lib${T}(,2.0)${T}CVE-2021-0002${T}2.0${T}the summary"
ignored
tree org.example:lib:1.5 org.example:other:1.0
run
if [ $rc -eq 1 ] && grep -q "org.example:lib:1.5" <<< "$out" && grep -q "OPEN *CVE-2021-0002 (fixed in 2.0): the summary" <<< "$out" \
    && grep -q "maintained BY HAND, last reviewed 2026-12-04" <<< "$out" && grep -q "org.example:other:1.0" <<< "$out"; then
    pass "an open advisory fails with exit 1 and is named in the report"
else
    flunk "an open advisory fails with exit 1 and is named in the report (exit $rc)" "$out"
fi

# Accepted with a reason and in date: reported, not failed.
ignored "org.example:lib${T}CVE-2021-0002${T}2027-01-01${T}not reachable: Ferry never calls it"
run
if [ $rc -eq 0 ] && grep -q "accepted  CVE-2021-0002" <<< "$out" && grep -q "until 2027-01-01: not reachable: Ferry never calls it" <<< "$out"; then
    pass "an accepted advisory is shown with its reason and passes"
else
    flunk "an accepted advisory is shown with its reason and passes (exit $rc)" "$out"
fi

# The same line on the day after its date accepts nothing.
TODAY=2027-01-02 run
if [ $rc -eq 1 ] && grep -q "expired on 2027-01-01" <<< "$out" && grep -q "OPEN *CVE-2021-0002" <<< "$out"; then
    pass "an acceptance past its date fails again"
else
    flunk "an acceptance past its date fails again (exit $rc)" "$out"
fi
TODAY=2027-01-01 run
[ $rc -eq 0 ] && pass "an acceptance holds on its last day" || flunk "an acceptance holds on its last day (exit $rc)" "$out"

# Without a written reason an acceptance does not count.
ignored "org.example:lib${T}CVE-2021-0002${T}2027-01-01${T}   "
run
if [ $rc -eq 1 ] && grep -q "has no written reason" <<< "$out"; then
    pass "an acceptance without a reason does not count"
else
    flunk "an acceptance without a reason does not count (exit $rc)" "$out"
fi

# An advisory with no fix released yet is shown but does not fail.
table "org.example:lib${T}(,3.0)${T}CVE-2022-0003${T}-${T}nothing to upgrade to"
ignored
run
if [ $rc -eq 0 ] && grep -q "no fix    CVE-2022-0003" <<< "$out"; then
    pass "an advisory without a released fix is shown and passes"
else
    flunk "an advisory without a released fix is shown and passes (exit $rc)" "$out"
fi

# A malformed table is refused rather than half read.
for bad in "org.example:lib${T}1.0,2.0${T}CVE-2022-0004${T}2.0${T}a range without brackets" \
           "org.example:lib${T}(,2.0)${T}CVE-2022-0004${T}2.0" \
           "org.example:lib${T}(,2.0)${T}bug 4${T}2.0${T}not an advisory id"; do
    table "$bad"
    run
    if [ $rc -eq 2 ] && grep -q "advisories\|table.tsv" <<< "$out"; then
        pass "a malformed line is refused with exit 2: ${bad//$T/ | }"
    else
        flunk "a malformed line is refused with exit 2: ${bad//$T/ | } (exit $rc)" "$out"
    fi
done

# Only runtime dependencies count, and the module's own artifacts are not dependencies.
table "org.example:lib${T}(,2.0)${T}CVE-2021-0002${T}2.0${T}the summary"
ignored
{
    echo "dev.ferry:ferry-ftp:jar:0.1.0-SNAPSHOT"
    echo "+- org.example:lib:jar:tests:1.5:test"
    echo "|  \\- org.example:lib:jar:1.5:provided"
    echo "\\- dev.ferry:ferry-core:jar:0.1.0-SNAPSHOT:compile"
} > "$work/tree.txt"
run
if [ $rc -eq 0 ] && ! grep -q "org.example:lib" <<< "$out" && ! grep -q "dev.ferry" <<< "$out"; then
    pass "test and provided scopes and the project's own modules are left out"
else
    flunk "test and provided scopes and the project's own modules are left out (exit $rc)" "$out"
fi

# The project's tables are well formed (a tree without dependencies matches nothing).
tree
out="$(bash "$check" --deps "$work/tree.txt" 2>&1)"; rc=$?
if [ $rc -eq 0 ] && grep -q "0 dependencies" <<< "$out"; then
    pass "security/advisories.tsv and advisories-ignored.tsv are well formed"
else
    flunk "security/advisories.tsv and advisories-ignored.tsv are well formed (exit $rc)" "$out"
fi

if [ $failures -gt 0 ]; then
    echo "check-advisories-test: $failures of $cases cases failed"
    exit 1
fi
echo "check-advisories-test: all $cases cases passed"
