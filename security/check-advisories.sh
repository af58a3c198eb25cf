#!/usr/bin/env bash
# Prints every runtime dependency of the published modules (core, ftp, sftp, webhook, s3, dropbox) with its
# version and any advisory that security/advisories.tsv lists for that version. Exits 1 if one
# has a released fix and no accepted reason in security/advisories-ignored.tsv, 2 if the tables
# or the dependency tree cannot be read, 0 otherwise.
#
# Nothing is looked up on the network: the table is kept by hand. Maven resolves the tree
# offline (-o) when the local repository has everything, and online otherwise.
#
#   bash security/check-advisories.sh [--tsv] [--deps TREE] [--table FILE] [--ignored FILE] [--modules LIST]
#
#   --tsv      one "status<TAB>group:artifact:version<TAB>advisory" line per match, for scripts
#   --deps     read a `mvn dependency:tree` output instead of running Maven (used by the tests)
#   --modules  comma-separated modules to check (default core,ftp,sftp,webhook,s3,dropbox)
# FERRY_ADVISORIES_TODAY=YYYY-MM-DD replaces today's date (for the tests of expired acceptances).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
table="$here/advisories.tsv"
ignored="$here/advisories-ignored.tsv"
modules="core,ftp,sftp,webhook,s3,dropbox"
deps=""
tsv=0
value() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "check-advisories: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
    case "$1" in
        --tsv) tsv=1; shift ;;
        --deps) value "$@"; deps="$2"; shift 2 ;;
        --table) value "$@"; table="$2"; shift 2 ;;
        --ignored) value "$@"; ignored="$2"; shift 2 ;;
        --modules) value "$@"; modules="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "check-advisories: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
today="${FERRY_ADVISORIES_TODAY:-$(date -u +%Y-%m-%d)}"
for f in "$table" "$ignored"; do
    [ -r "$f" ] || { echo "check-advisories: cannot read $f" >&2; exit 2; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
how="given tree $deps"
if [ -z "$deps" ]; then
    deps="$work/tree.txt"
    # dependency:tree only collects POMs (no jars), so the reactor needs no build and no install.
    mvn_tree() {
        rm -f "$deps"
        (cd "$root" && timeout 300 mvn -B -q "$@" dependency:tree -Dscope=runtime -DappendOutput=true \
            -DoutputFile="$deps" -pl "$modules") > "$work/mvn.log" 2>&1
    }
    if mvn_tree -o; then
        how="mvn -o dependency:tree (offline)"
    elif mvn_tree; then
        how="mvn dependency:tree (online: the local repository lacked something)"
    else
        echo "check-advisories: mvn dependency:tree failed:" >&2
        tail -n 30 "$work/mvn.log" >&2
        exit 2
    fi
fi
[ -r "$deps" ] || { echo "check-advisories: cannot read $deps" >&2; exit 2; }

awk -v TABLE="$table" -v IGNORED="$ignored" -v TODAY="$today" -v TSV="$tsv" -v HOW="$how" '
function fail(msg) { print "check-advisories: " msg > "/dev/stderr"; bad = 1; exit 2 }

# Maven-like ordering: numbers compare as numbers, a missing part counts as 0, and qualifiers sort
# alpha < beta < milestone < rc < snapshot < the release itself < sp < any other qualifier.
function rank(q) {
    q = tolower(q)
    if (q == "alpha" || q == "a") return 1
    if (q == "beta" || q == "b") return 2
    if (q == "milestone" || q == "m") return 3
    if (q == "rc" || q == "cr") return 4
    if (q == "snapshot") return 5
    if (q == "" || q == "ga" || q == "final" || q == "release") return 6
    if (q == "sp") return 7
    return 8
}
function split_version(v, t,    n, i, c, cur, kind, k) {
    n = 0; cur = ""; kind = ""
    for (i = 1; i <= length(v); i++) {
        c = substr(v, i, 1)
        if (c == "." || c == "-" || c == "_") { if (cur != "") t[++n] = cur; cur = ""; kind = ""; continue }
        k = (c ~ /[0-9]/) ? "d" : "a"
        if (cur != "" && k != kind) { t[++n] = cur; cur = "" }
        cur = cur c; kind = k
    }
    if (cur != "") t[++n] = cur
    return n
}
function vcmp(a, b,    ta, tb, na, nb, i, m, x, y, xn, yn, rx, ry) {
    na = split_version(a, ta); nb = split_version(b, tb); m = na > nb ? na : nb
    for (i = 1; i <= m; i++) {
        x = i <= na ? ta[i] : ""; y = i <= nb ? tb[i] : ""
        xn = (x == "" || x ~ /^[0-9]+$/); yn = (y == "" || y ~ /^[0-9]+$/)
        if (x == "" && y != "" && !yn) { rx = 6; ry = rank(y) }
        else if (y == "" && x != "" && !xn) { rx = rank(x); ry = 6 }
        else if (xn && yn) { if (x + 0 != y + 0) return x + 0 < y + 0 ? -1 : 1; continue }
        else if (xn) return 1
        else if (yn) return -1
        else { rx = rank(x); ry = rank(y); if (rx == 8 && ry == 8 && tolower(x) != tolower(y)) return tolower(x) < tolower(y) ? -1 : 1 }
        if (rx != ry) return rx < ry ? -1 : 1
    }
    return 0
}
function valid_ranges(spec,    r, body) {
    r = spec
    if (r !~ /^[\[(][^\[\]()]*[\])](,[\[(][^\[\]()]*[\])])*$/) return 0
    while (match(r, /[\[(][^\[\]()]*[\])]/)) {
        body = substr(r, RSTART + 1, RLENGTH - 2); r = substr(r, RSTART + RLENGTH)
        if (body !~ /^[0-9A-Za-z._-]*,[0-9A-Za-z._-]*$/ || body == ",") return 0
    }
    return 1
}
function in_ranges(v, spec,    r, whole, op, cl, body, p, lo, hi, c, ok) {
    r = spec
    while (match(r, /[\[(][^\[\]()]*[\])]/)) {
        whole = substr(r, RSTART, RLENGTH); r = substr(r, RSTART + RLENGTH)
        op = substr(whole, 1, 1); cl = substr(whole, length(whole), 1)
        body = substr(whole, 2, length(whole) - 2); p = index(body, ",")
        lo = substr(body, 1, p - 1); hi = substr(body, p + 1); ok = 1
        if (lo != "") { c = vcmp(v, lo); if (c < 0 || (c == 0 && op == "(")) ok = 0 }
        if (ok && hi != "") { c = vcmp(v, hi); if (c > 0 || (c == 0 && cl == ")")) ok = 0 }
        if (ok) return 1
    }
    return 0
}
function coordinate_ok(s) { return s ~ /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/ }

BEGIN {
    FS = "\t"
    # The advisory table: checked whole before anything is matched, so a typo cannot hide an entry.
    while ((getline line < TABLE) > 0) {
        tl++
        if (line ~ /^# *last-reviewed:/) { reviewed = line; sub(/^# *last-reviewed: */, "", reviewed) }
        if (line ~ /^#/ || line ~ /^[ \t]*$/) continue
        n = split(line, f, "\t")
        if (n != 5) fail(TABLE ":" tl ": " n " columns, expected 5 (tab-separated)")
        if (!coordinate_ok(f[1])) fail(TABLE ":" tl ": not a groupId:artifactId: " f[1])
        if (!valid_ranges(f[2])) fail(TABLE ":" tl ": not a version range: " f[2])
        if (f[3] !~ /^(CVE-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]+|GHSA-[0-9a-z][0-9a-z][0-9a-z][0-9a-z]-[0-9a-z][0-9a-z][0-9a-z][0-9a-z]-[0-9a-z][0-9a-z][0-9a-z][0-9a-z])$/)
            fail(TABLE ":" tl ": not a CVE or GHSA id: " f[3])
        if (f[4] != "-" && f[4] !~ /^[0-9][0-9A-Za-z._-]*(\/[0-9][0-9A-Za-z._-]*)*$/) fail(TABLE ":" tl ": fixed-in is neither - nor versions: " f[4])
        if (f[5] == "") fail(TABLE ":" tl ": no summary")
        if ((f[1] SUBSEP f[3]) in seen) fail(TABLE ":" tl ": " f[3] " is listed twice for " f[1])
        seen[f[1], f[3]] = 1
        na++; ac[na] = f[1]; ar[na] = f[2]; aid[na] = f[3]; afix[na] = f[4]; asum[na] = f[5]
    }
    close(TABLE)
    if (tl == 0) fail("cannot read " TABLE)
    if (reviewed !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/) fail(TABLE ": no \"# last-reviewed: YYYY-MM-DD\" line")

    # Accepted advisories. A line without a reason, or past its date, accepts nothing.
    while ((getline line < IGNORED) > 0) {
        il++
        if (line ~ /^#/ || line ~ /^[ \t]*$/) continue
        n = split(line, f, "\t")
        if (n < 3 || !coordinate_ok(f[1])) fail(IGNORED ":" il ": expected groupId:artifactId, advisory id, until, reason")
        if (!((f[1] SUBSEP f[2]) in seen)) fail(IGNORED ":" il ": " f[2] " for " f[1] " is not in " TABLE)
        if (f[3] !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/) fail(IGNORED ":" il ": until is not YYYY-MM-DD: " f[3])
        reason = n >= 4 ? f[4] : ""
        gsub(/^[ \t]+|[ \t]+$/, "", reason)
        key = f[1] SUBSEP f[2]
        if (reason == "") { notes[++nn] = IGNORED ":" il ": " f[2] " has no written reason, so it is not accepted"; continue }
        if (f[3] < TODAY) { notes[++nn] = IGNORED ":" il ": the acceptance of " f[2] " for " f[1] " expired on " f[3]; expired[key] = f[3]; continue }
        accepted[key] = reason; until[key] = f[3]
    }
    close(IGNORED)
}

# The dependency tree: "group:artifact:type[:classifier]:version:scope" under each module root.
{
    line = $0
    if (line ~ /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[^: ]+:[^: ]+$/) { split(line, p, ":"); module = p[2]; sub(/^ferry-/, "", module); roots++; next }
    if (line !~ /^[| +\\-]+[A-Za-z0-9_.-]+:/) next
    sub(/^[| +\\-]+/, "", line); sub(/ .*$/, "", line)
    n = split(line, p, ":")
    if (n == 5) { g = p[1]; a = p[2]; v = p[4]; s = p[5] }
    else if (n == 6) { g = p[1]; a = p[2]; v = p[5]; s = p[6] }
    else next
    if (g == "dev.ferry" || (s != "compile" && s != "runtime")) next
    d = g ":" a ":" v
    if (!(d in used)) { order[++nd] = d; used[d] = module }
    else if (index(", " used[d] ", ", ", " module ", ") == 0) used[d] = used[d] ", " module
}

END {
    if (bad) exit 2
    if (roots == 0) { print "check-advisories: no module found in the dependency tree" > "/dev/stderr"; exit 2 }
    if (!TSV) {
        print "Known advisories of the runtime dependencies of the published modules."
        print "The advisory table (security/advisories.tsv, " na " entries) is maintained BY HAND, last reviewed " reviewed ":"
        print "nothing is looked up online, so an advisory published since then is not shown. Dependencies: " HOW "."
        print ""
    }
    # Sorted by coordinate so the report reads the same from run to run.
    for (i = 2; i <= nd; i++) { x = order[i]; for (j = i - 1; j >= 1 && order[j] > x; j--) order[j + 1] = order[j]; order[j + 1] = x }
    for (i = 1; i <= nd; i++) {
        d = order[i]; n = split(d, p, ":"); ga = p[1] ":" p[2]; v = p[3]
        if (!TSV) printf "  %-58s (%s)\n", d, used[d]
        for (k = 1; k <= na; k++) {
            if (ac[k] != ga || !in_ranges(v, ar[k])) continue
            key = ga SUBSEP aid[k]; hit[key] = 1
            if (afix[k] == "-") { status = "no-fix"; nofix++ }
            else if (key in accepted) { status = "accepted"; acc++ }
            else { status = "OPEN"; nopen++ }
            if (TSV) { print status "\t" d "\t" aid[k]; continue }
            if (status == "OPEN") printf "      OPEN      %s (fixed in %s): %s%s\n", aid[k], afix[k], asum[k], (key in expired) ? " [acceptance expired " expired[key] "]" : ""
            else if (status == "no-fix") printf "      no fix    %s (no fixed release yet): %s\n", aid[k], asum[k]
            else printf "      accepted  %s (fixed in %s): %s\n                until %s: %s\n", aid[k], afix[k], asum[k], until[key], accepted[key]
        }
    }
    for (key in accepted) if (!(key in hit)) { split(key, p, SUBSEP); notes[++nn] = "the acceptance of " p[2] " for " p[1] " matches no dependency any more: remove it" }
    if (TSV) { for (i = 1; i <= nn; i++) print "note\t-\t" notes[i]; exit nopen ? 1 : 0 }
    print ""
    for (i = 1; i <= nn; i++) print "Note: " notes[i]
    printf "%d dependencies; %d open advisories with a released fix, %d accepted with a reason, %d without a fix.\n", nd, nopen + 0, acc + 0, nofix + 0
    if (nopen) print "FAILED: upgrade the dependencies marked OPEN, or accept an advisory in security/advisories-ignored.tsv with its reason."
    exit nopen ? 1 : 0
}
' "$deps"
