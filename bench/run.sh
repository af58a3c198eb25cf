#!/usr/bin/env bash
# Benchmarks Ferry's command line side by side with the reference clients, against the real servers of
# interop/servers.sh, interleaved round by round (the machine is shared by client and server, so only
# numbers from the same run are compared). Not part of CI's pass/fail.
#
#   bash bench/run.sh                 # 3 rounds, 512 MiB
#   ROUNDS=5 SIZE_MIB=256 bash bench/run.sh
#   QUICK=1 bash bench/run.sh         # throughput table only (no memory, small-file, startup runs)
#
# Prints a table (MB/s per round, median, Ferry/reference ratio of medians) and writes it to
# bench/results/<UTC time>.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ROUNDS="${ROUNDS:-3}"
SIZE_MIB="${SIZE_MIB:-512}"
STATE="${FERRY_INTEROP_DIR:-/var/tmp/ferry-interop}"
WORK="${BENCH_DIR:-/var/tmp/ferry-bench}"
JAR=examples/target/ferry.jar
mkdir -p "$WORK" bench/results
OUT="bench/results/$(date -u +%Y%m%dT%H%M%SZ).txt"

bash interop/servers.sh start >/dev/null
[ -f "$JAR" ] || mvn -B -q install -DskipTests
prop() { grep "^$1=" "$STATE/servers.properties" | cut -d= -f2-; }
USER_NAME=$(prop user)
HOME_DIR=$(prop home)
CERT=$(prop cert.pem)
RSA_KEY=$(prop ssh.key.rsa)
KNOWN_HOSTS=$(prop sshd.known_hosts)
FP=$(prop sshd.fingerprint)
export FERRY_BENCH_PASSWORD
FERRY_BENCH_PASSWORD=$(prop password)
NETRC="$WORK/netrc"
( umask 077; echo "machine 127.0.0.1 login $USER_NAME password $FERRY_BENCH_PASSWORD" > "$NETRC" )

BIG="$WORK/big-$SIZE_MIB.bin"
[ -s "$BIG" ] || head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$BIG"
BYTES=$(stat -c %s "$BIG")
JAVA="${JAVA:-java}"

now() { date +%s.%N; }
mbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.1f", b / 1e6 / s }'; }
declare -A RESULTS
# uploaded NAME REMOTE OUT command...: runs one upload (output in OUT) and checks that the whole file is on the
# server; otherwise says why and records "fail" for NAME
uploaded() {
  local name=$1 remote=$2 out=$3
  shift 3
  rm -f "$HOME_DIR/$remote"
  if ! "$@" >"$out" 2>&1; then
    echo "  $name FAILED: $(tail -3 "$out")"
    RESULTS[$name]="${RESULTS[$name]:-} fail"
    return 1
  fi
  local size
  size=$(stat -c %s "$HOME_DIR/$remote" 2>/dev/null || echo 0)
  if [ "$size" != "$BYTES" ]; then
    echo "  $name: wrong size on the server ($size)"
    RESULTS[$name]="${RESULTS[$name]:-} fail"
    return 1
  fi
}
# timed command...: runs the command and sets END to the time it ended
timed() {
  local rc=0
  "$@" || rc=$?
  END=$(now)
  return $rc
}
# run NAME REMOTE command...: times one upload, checks the file on the server, records MB/s
run() {
  local name=$1 remote=$2
  shift 2
  local t0 r
  t0=$(now)
  uploaded "$name" "$remote" "$WORK/last.out" timed "$@" || return 0
  r=$(mbps "$(awk -v a="$t0" -v b="$END" 'BEGIN { print b - a }')")
  echo "  $name: $r MB/s"
  RESULTS[$name]="${RESULTS[$name]:-} $r"
  rm -f "$HOME_DIR/$remote"
}

# Ferry's command line as a user runs it: the launcher, whose class-data archive the first upload makes
ferry() { JAVA="$JAVA" examples/ferry "$@"; }
# The machine's speed drifts between runs (and within one): a fixed CPU-bound loop, timed at the start and
# at the end, says how fast it was, so runs can be compared. Lower is faster.
cpu_probe() { local t0; t0=$(now); awk 'BEGIN { for (i = 0; i < 3e7; i++) s += i }'; awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f s", b - a }'; }
PROBE_START=$(cpu_probe)
head -c 1024 /dev/urandom > "$WORK/one-k.bin"
ferry upload --password-env FERRY_BENCH_PASSWORD --ca-cert "$CERT" --remote-name k.bin "$WORK/one-k.bin" \
  "ftps://$USER_NAME@127.0.0.1:2121/" >/dev/null
ferry upload --key "$RSA_KEY" --known-hosts "$KNOWN_HOSTS" --remote-name k.bin "$WORK/one-k.bin" \
  "sftp://$USER_NAME@127.0.0.1:2222$HOME_DIR" >/dev/null
CURL=(curl -sS --fail --max-time 600 --netrc-file "$NETRC")
SFTP_OPTS=(-q -P 2222 -i "$RSA_KEY" -o UserKnownHostsFile="$KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o BatchMode=yes)

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  run "ftps-vsftpd-tls12/ferry" b1 ferry upload --password-env FERRY_BENCH_PASSWORD --ca-cert "$CERT" --tls-max 1.2 \
    --remote-name b1 "$BIG" "ftps://$USER_NAME@127.0.0.1:2121/"
  run "ftps-vsftpd-tls12/curl" b2 "${CURL[@]}" --ssl-reqd --tls-max 1.2 --cacert "$CERT" -T "$BIG" "ftp://127.0.0.1:2121/b2"
  run "ftps-vsftpd-tls13/ferry" b3 ferry upload --password-env FERRY_BENCH_PASSWORD --ca-cert "$CERT" \
    --remote-name b3 "$BIG" "ftps://$USER_NAME@127.0.0.1:2121/"
  run "ftps-proftpd/ferry" b4 ferry upload --password-env FERRY_BENCH_PASSWORD --ca-cert "$CERT" \
    --remote-name b4 "$BIG" "ftps://$USER_NAME@127.0.0.1:2123/"
  run "ftps-proftpd/curl" b5 "${CURL[@]}" --ssl-reqd --cacert "$CERT" -T "$BIG" "ftp://127.0.0.1:2123/b5"
  run "ftp-plain/ferry" b6 ferry upload --password-env FERRY_BENCH_PASSWORD --remote-name b6 "$BIG" \
    "ftp://$USER_NAME@127.0.0.1:2122/"
  run "ftp-plain/curl" b7 "${CURL[@]}" -T "$BIG" "ftp://127.0.0.1:2122/b7"
  run "sftp/ferry" b8 ferry upload --key "$RSA_KEY" --known-hosts "$KNOWN_HOSTS" --remote-name b8 "$BIG" \
    "sftp://$USER_NAME@127.0.0.1:2222$HOME_DIR"
  run "sftp/openssh" b9 bash -c "echo 'put $BIG $HOME_DIR/b9' | sftp ${SFTP_OPTS[*]} -b - $USER_NAME@127.0.0.1"
  run "sftp/curl" b10 "${CURL[@]}" --key "$RSA_KEY" --pubkey "$RSA_KEY.pub" --hostpubsha256 "${FP#SHA256:}" -u "$USER_NAME:" -T "$BIG" \
    "sftp://127.0.0.1:2222$HOME_DIR/b10"
done

# The library warm, as a service that embeds it sees it: one JVM, one target, the same file uploaded
# ROUNDS times (each to a new name, as the references upload) after a first (cold) upload that is not
# counted. Compared with the same references.
warm() { # NAME REMOTE target-options... FILE URI
  local name=$1 remote=$2
  shift 2
  rm -f "$HOME_DIR/$remote".round*
  uploaded "$name" "$remote" "$WORK/warm.out" \
    "$JAVA" -cp "$JAR" dev.ferry.examples.cli.WarmBench --rounds "$ROUNDS" --remote-name "$remote" \
    --server-dir "$HOME_DIR" "$@" || return 0
  RESULTS[$name]=" $(awk '$1 == "round" { printf "%s ", $4 }' "$WORK/warm.out")"
  echo "  $name: ${RESULTS[$name]} MB/s (cold first upload: $(awk '$1 == "cold" { print $4 }' "$WORK/warm.out") MB/s;" \
    "JVM CPU s per round: $(awk '$1 == "round" { printf "%s ", $5 }' "$WORK/warm.out"))"
  rm -f "$HOME_DIR/$remote" "$HOME_DIR/$remote".round*
}
echo "warm library (one JVM, $ROUNDS rounds after a cold one)"
warm "ftps-vsftpd-tls12/ferry-warm" w1 --password-env FERRY_BENCH_PASSWORD --ca-cert "$CERT" --tls-max 1.2 "$BIG" \
  "ftps://$USER_NAME@127.0.0.1:2121/"
warm "ftps-vsftpd-tls13/ferry-warm" w2 --password-env FERRY_BENCH_PASSWORD --ca-cert "$CERT" "$BIG" "ftps://$USER_NAME@127.0.0.1:2121/"
warm "ftps-proftpd/ferry-warm" w3 --password-env FERRY_BENCH_PASSWORD --ca-cert "$CERT" "$BIG" "ftps://$USER_NAME@127.0.0.1:2123/"
warm "ftp-plain/ferry-warm" w4 --password-env FERRY_BENCH_PASSWORD "$BIG" "ftp://$USER_NAME@127.0.0.1:2122/"
warm "sftp/ferry-warm" w5 --key "$RSA_KEY" --known-hosts "$KNOWN_HOSTS" "$BIG" "sftp://$USER_NAME@127.0.0.1:2222$HOME_DIR"

median() { tr ' ' '\n' | { grep -v -e '^$' -e fail || true; } | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
{
  echo "Ferry benchmark $(date -u +%FT%TZ), $SIZE_MIB MiB, $ROUNDS rounds, interleaved; $(nproc) cores shared by client and server"
  echo "java: $("$JAVA" -version 2>&1 | head -1); curl: $(curl --version | head -1 | cut -d' ' -f1-2); $(ssh -V 2>&1)"
  echo "CPU probe (awk loop, lower is faster): $PROBE_START before the rounds, $(cpu_probe) after"
  printf '%-26s %-28s %8s\n' CASE "MB/s PER ROUND" MEDIAN
  for k in $(printf '%s\n' "${!RESULTS[@]}" | sort); do
    printf '%-26s %-28s %8s\n' "$k" "${RESULTS[$k]}" "$(echo "${RESULTS[$k]}" | median)"
  done
  echo
  echo "Ratios of medians (Ferry / reference):"
  ratio() {
    local a b
    a=$(echo "${RESULTS[$1]:-}" | median)
    b=$(echo "${RESULTS[$2]:-}" | median)
    awk -v a="$a" -v b="$b" -v n="$1 / $2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "  %-50s %.2f\n", n, a / b; else printf "  %-50s n/a\n", n }'
  }
  ratio ftps-vsftpd-tls12/ferry ftps-vsftpd-tls12/curl
  ratio ftps-vsftpd-tls13/ferry ftps-vsftpd-tls12/curl
  ratio ftps-proftpd/ferry ftps-proftpd/curl
  ratio ftp-plain/ferry ftp-plain/curl
  ratio sftp/ferry sftp/openssh
  ratio sftp/ferry sftp/curl
  echo "Warm library (one JVM; no JVM start, class loading or JIT warm-up in the figure) / reference:"
  ratio ftps-vsftpd-tls12/ferry-warm ftps-vsftpd-tls12/curl
  ratio ftps-vsftpd-tls13/ferry-warm ftps-vsftpd-tls12/curl
  ratio ftps-proftpd/ferry-warm ftps-proftpd/curl
  ratio ftp-plain/ferry-warm ftp-plain/curl
  ratio sftp/ferry-warm sftp/openssh
} | tee "$OUT"

if [ -z "${QUICK:-}" ]; then
  {
    echo
    echo "Memory: 2 GiB upload with -Xmx64m, peak RSS of the JVM (VmHWM)"
    HUGE="$WORK/huge-2g.bin"
    [ -s "$HUGE" ] || head -c $((2048 * 1024 * 1024)) /dev/urandom > "$HUGE"
    peak() { # command... ; prints "ok|fail peak-KiB seconds"
      local t0 pid hwm=0 v
      t0=$(now)
      "$@" >"$WORK/mem.out" 2>&1 &
      pid=$!
      while kill -0 "$pid" 2>/dev/null; do
        v=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        [ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
        sleep 0.2
      done
      if wait "$pid"; then echo "ok ${hwm} KiB $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"; else echo "FAILED $(tail -2 "$WORK/mem.out")"; fi
    }
    echo "  ftps vsftpd: $(peak env FERRY_JAVA_OPTS=-Xmx64m JAVA="$JAVA" examples/ferry upload --password-env FERRY_BENCH_PASSWORD --ca-cert "$CERT" \
      --remote-name huge1 "$HUGE" "ftps://$USER_NAME@127.0.0.1:2121/")"
    rm -f "$HOME_DIR/huge1"
    echo "  sftp openssh: $(peak env FERRY_JAVA_OPTS=-Xmx64m JAVA="$JAVA" examples/ferry upload --key "$RSA_KEY" --known-hosts "$KNOWN_HOSTS" \
      --remote-name huge2 "$HUGE" "sftp://$USER_NAME@127.0.0.1:2222$HOME_DIR")"
    rm -f "$HOME_DIR/huge2"

    echo
    echo "Many small files: 200 x 64 KiB over one connection (vsftpd FTPS, TLS 1.2)"
    SMALL="$WORK/small"
    mkdir -p "$SMALL"
    for i in $(seq 1 200); do [ -s "$SMALL/f$i.bin" ] || head -c 65536 /dev/urandom > "$SMALL/f$i.bin"; done
    files=("$SMALL"/f*.bin)
    list=$(printf '%s,' "${files[@]}")
    took() { # N SUFFIX LABEL command...: runs the command and prints its wall time divided by N
      local t0 t1
      t0=$(now)
      "${@:4}" >/dev/null
      t1=$(now)
      echo "  $3 $(awk -v a="$t0" -v b="$t1" -v n="$1" 'BEGIN { printf "%.1f ms", (b - a) * 1000 / n }')$2"
    }
    # small PORT ferry-options...: the 200 files to one server, Ferry (with those options) then curl (TLS 1.2)
    small() {
      local port=$1
      shift
      took 200 " per file" "ferry:" ferry upload --password-env FERRY_BENCH_PASSWORD --ca-cert "$CERT" "$@" "${files[@]}" \
        "ftps://$USER_NAME@127.0.0.1:$port/small-ferry"
      took 200 " per file" "curl: " "${CURL[@]}" --ssl-reqd --tls-max 1.2 --cacert "$CERT" --ftp-create-dirs -T "{${list%,}}" \
        "ftp://127.0.0.1:$port/small-curl/"
      rm -rf "$HOME_DIR/small-ferry" "$HOME_DIR/small-curl"
    }
    small 2121 --tls-max 1.2
    # ProFTPD resumes a TLS 1.3 session on one data connection per control connection: Ferry (default options)
    # moves that target to TLS 1.2; curl is given TLS 1.2 (on 1.3 most of its transfers get 425).
    echo "Many small files: the same 200 files to ProFTPD (Ferry with default options, curl with --tls-max 1.2)"
    small 2123

    echo
    echo "Startup: one 1 KiB file (wall time, vsftpd FTPS TLS 1.2)"
    for round in 1 2 3; do
      took 1 "" "ferry:" ferry upload --password-env FERRY_BENCH_PASSWORD --ca-cert "$CERT" --tls-max 1.2 --remote-name k.bin \
        "$WORK/one-k.bin" "ftps://$USER_NAME@127.0.0.1:2121/"
      took 1 "" "curl: " "${CURL[@]}" --ssl-reqd --tls-max 1.2 --cacert "$CERT" -T "$WORK/one-k.bin" "ftp://127.0.0.1:2121/k.bin"
    done
    echo "Startup: one 1 KiB file over SFTP (wall time, OpenSSH, RSA key)"
    for round in 1 2 3; do
      took 1 "" "ferry:" ferry upload --key "$RSA_KEY" --known-hosts "$KNOWN_HOSTS" --remote-name k.bin "$WORK/one-k.bin" \
        "sftp://$USER_NAME@127.0.0.1:2222$HOME_DIR"
      took 1 "" "sftp: " bash -c "echo 'put $WORK/one-k.bin $HOME_DIR/k.bin' | sftp ${SFTP_OPTS[*]} -b - $USER_NAME@127.0.0.1"
    done
  } | tee -a "$OUT"
fi
echo "CPU probe at the end: $(cpu_probe)" | tee -a "$OUT"
rm -f "$NETRC"
echo "written to $OUT"
