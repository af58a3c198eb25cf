#!/usr/bin/env bash
# Prints the fault-injection table from the last run of the faults module's tests (`mvn -B verify -Dinterop=required`
# runs them against the servers of interop/servers.sh), then searches everything the suite produced and every server
# log for the interop password and the SSH key passphrase: every transcript, exception (message, hint, stack),
# Ferry's DEBUG log, the test reports and this table. Ends with "N passed, N failed"; exits 1 if a case failed or was
# skipped, or if a secret was found. Never prints a secret.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
STATE="${FERRY_INTEROP_DIR:-/var/tmp/ferry-interop}"
OUT=faults/target/faults
results=$OUT/cases.txt
if [ ! -s "$results" ]; then
  echo "no fault results in $results: run 'mvn -B verify -Dinterop=required' (with the interop servers up) first" >&2
  exit 1
fi
prop() { grep "^$1=" "$STATE/servers.properties" | cut -d= -f2-; }

report=$OUT/report.txt
{
  printf '%-14s %-62s %-6s %s\n' TARGET CASE RESULT 'WHAT HAPPENED'
  sort -t'|' -k1,1 -k2,2 "$results" | awk -F'|' '{ printf "%-14s %-62s %-6s %s\n", $1, $2, $3, $4 }'
} > "$report"

# The secrets scan: the files the suite wrote (including the table above) and the servers' logs.
mapfile -t files < <(find "$OUT" faults/target/failsafe-reports -type f 2>/dev/null; ls "$STATE"/*.log 2>/dev/null)
hits=0
for secret in "$(prop password)" "$(prop ssh.key.passphrase)"; do
  [ -n "$secret" ] || { echo "servers.properties has no password or passphrase" >&2; exit 1; }
  n=$(grep -lF -- "$secret" "${files[@]}" 2>/dev/null | wc -l || true)
  if [ "$n" -gt 0 ]; then
    echo "SECRET FOUND in: $(grep -lF -- "$secret" "${files[@]}" | tr '\n' ' ')" >&2
  fi
  hits=$((hits + n))
done
secrets=PASS
[ "$hits" -eq 0 ] || secrets=FAIL
if [ "$secrets" = PASS ]; then
  what="0 hits in ${#files[@]} files (transcripts, exceptions, DEBUG log, test reports, server logs)"
else
  what="$hits file(s) contain a secret"
fi
printf '%-14s %-62s %-6s %s\n' all "secrets: password and passphrase in logs and reports" "$secrets" "$what" >> "$report"
cat "$report"
# Counted from the recorded fields, not from the table's columns (a long case name shifts them).
{ cut -d'|' -f3 "$results"; echo "$secrets"; } | awk '$1 == "PASS" { p++ } $1 == "FAIL" { f++ } $1 == "SKIP" { s++ }
  END { printf "\n%d passed, %d failed", p, f; if (s) printf ", %d skipped", s; printf "\n"; exit (f > 0 || s > 0) ? 1 : 0 }'
