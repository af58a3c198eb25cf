#!/usr/bin/env bash
# Prints the FTP interop matrix (server x TLS version x case -> pass/fail) from the last run of
# FtpInteropIT, which `mvn verify` runs against the servers of interop/servers.sh; runs it first if
# there is no result yet. Ends with "N passed, N failed" and fails if any case failed or was skipped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
results=ftp/target/interop-matrix.txt
if [ ! -s "$results" ]; then
  mvn -B -q -pl ftp -am verify -Dinterop=required -Dit.test=FtpInteropIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
fi
printf '%-14s %-8s %-42s %s\n' SERVER TLS CASE RESULT
sort -t'|' -k1,1 -k2,2 -k3,3 "$results" | awk -F'|' '
  { printf "%-14s %-8s %-42s %s%s\n", $1, $2, $3, $4, ($5 != "" ? "  (" $5 ")" : "")
    if ($4 == "PASS") p++; else if ($4 == "FAIL") f++; else s++ }
  END { printf "\n%d passed, %d failed", p, f; if (s) printf ", %d skipped", s; printf "\n"; exit (f > 0 || s > 0) ? 1 : 0 }'
