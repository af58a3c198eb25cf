#!/usr/bin/env bash
# Installs, configures and runs the real servers of Ferry's interop suite, on 127.0.0.1 only:
#   vsftpd (explicit FTPS, session reuse required) :2121, vsftpd (plain FTP) :2122,
#   ProFTPD + mod_tls (TLS required, reuse required) :2123, Pure-FTPd (TLS required) :2124,
#   OpenSSH sshd (SFTP) :2222.
# Usage (as root, on Debian 12): bash interop/servers.sh start|stop|status
# Idempotent: 'start' installs what is missing, (re)starts what is not answering, and writes
# $FERRY_INTEROP_DIR/servers.properties (default /var/tmp/ferry-interop), which the *IT tests read.
# vsftpd, proftpd-core and pure-ftpd conflict as packages: vsftpd is installed with apt, the other two
# are fetched with 'apt-get download' and unpacked with 'dpkg -x' into the state directory.
set -euo pipefail

STATE="${FERRY_INTEROP_DIR:-/var/tmp/ferry-interop}"
PKG="$STATE/pkg"
USER_NAME=ferry
HOME_DIR="$STATE/home"
export DEBIAN_FRONTEND=noninteractive

log() { echo "[interop] $*"; }
die() { echo "[interop] ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (sudo bash interop/servers.sh ${1:-start})"

APT_PACKAGES=(vsftpd openssh-server openssh-client openssh-sftp-server openssl curl lftp ca-certificates
  libhiredis0.14 libmemcached11 libmemcachedutil2 libpcre2-posix3 libsodium23 libcap2 libidn2-0 libwrap0)

install_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    # No init system here: keep maintainer scripts from starting services.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
      local created_policy=1
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ "${created_policy:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
  fi
  mkdir -p "$PKG/debs"
  if [ ! -x "$PKG/proftpd/usr/sbin/proftpd" ] || [ ! -f "$PKG/proftpd/usr/lib/proftpd/mod_tls.so" ] \
      || [ ! -x "$PKG/pureftpd/usr/sbin/pure-ftpd" ]; then
    log "fetching proftpd-core, proftpd-mod-crypto and pure-ftpd (unpacked, not installed: they conflict with vsftpd)"
    ( cd "$PKG/debs" && rm -f ./*.deb && chmod 777 . \
        && { apt-get download proftpd-core proftpd-mod-crypto pure-ftpd >/dev/null 2>&1 \
             || { apt-get update -qq && apt-get download proftpd-core proftpd-mod-crypto pure-ftpd >/dev/null; }; } )
    rm -rf "$PKG/proftpd" "$PKG/pureftpd"
    for d in "$PKG"/debs/proftpd-*.deb; do dpkg -x "$d" "$PKG/proftpd"; done
    dpkg -x "$PKG"/debs/pure-ftpd_*.deb "$PKG/pureftpd"
  fi
}

setup_user() {
  mkdir -p "$STATE" "$HOME_DIR"
  chmod 755 "$STATE"
  if [ ! -s "$STATE/password" ]; then
    ( umask 077; echo "Ferry-Interop-$(openssl rand -hex 8)" > "$STATE/password" )
  fi
  if ! id "$USER_NAME" >/dev/null 2>&1; then
    useradd -M -d "$HOME_DIR" -s /bin/bash "$USER_NAME"
  fi
  usermod -d "$HOME_DIR" "$USER_NAME" >/dev/null 2>&1 || true
  echo "$USER_NAME:$(cat "$STATE/password")" | chpasswd
  chown "$USER_NAME:" "$HOME_DIR"
  chmod 755 "$HOME_DIR"
}

setup_keys() {
  if [ ! -s "$STATE/cert.pem" ] || [ ! -s "$STATE/key.pem" ]; then
    log "creating the server certificate (127.0.0.1, localhost)"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$STATE/key.pem" -out "$STATE/cert.pem" 2>/dev/null
    chmod 600 "$STATE/key.pem"
  fi
  cat "$STATE/key.pem" "$STATE/cert.pem" > "$STATE/key-and-cert.pem"
  chmod 600 "$STATE/key-and-cert.pem"
  openssl x509 -in "$STATE/cert.pem" -outform DER | sha256sum | cut -d' ' -f1 > "$STATE/cert.sha256"

  mkdir -p "$STATE/ssh"
  [ -s "$STATE/ssh/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C ferry-interop-host -f "$STATE/ssh/host_ed25519"
  if [ ! -s "$STATE/ssh/passphrase" ]; then
    ( umask 077; echo "Ferry-Passphrase-$(openssl rand -hex 8)" > "$STATE/ssh/passphrase" )
  fi
  [ -s "$STATE/ssh/id_ed25519" ] || ssh-keygen -q -t ed25519 -N "$(cat "$STATE/ssh/passphrase")" -C ferry-interop-user \
    -f "$STATE/ssh/id_ed25519"
  [ -s "$STATE/ssh/id_rsa_pem" ] || ssh-keygen -q -t rsa -b 3072 -m PEM -N '' -C ferry-interop-rsa -f "$STATE/ssh/id_rsa_pem"
  cat "$STATE/ssh/id_ed25519.pub" "$STATE/ssh/id_rsa_pem.pub" > "$STATE/ssh/authorized_keys"
  chmod 644 "$STATE/ssh/authorized_keys"
  chmod 755 "$STATE/ssh"
}

write_configs() {
  mkdir -p "$STATE/vsftpd-empty" /run/sshd
  chmod 755 "$STATE/vsftpd-empty"
  local common="listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
background=NO
seccomp_sandbox=NO
pam_service_name=vsftpd
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=YES
allow_writeable_chroot=YES
secure_chroot_dir=$STATE/vsftpd-empty
pasv_enable=YES
pasv_address=127.0.0.1
max_clients=200
max_per_ip=200
idle_session_timeout=600
data_connection_timeout=120
log_ftp_protocol=YES
xferlog_enable=YES
dual_log_enable=YES"
  cat > "$STATE/vsftpd.conf" <<EOF
$common
listen_port=2121
pasv_min_port=30000
pasv_max_port=30049
vsftpd_log_file=$STATE/vsftpd.log
xferlog_file=$STATE/vsftpd-xfer.log
ssl_enable=YES
ssl_tlsv1=YES
ssl_sslv2=NO
ssl_sslv3=NO
rsa_cert_file=$STATE/cert.pem
rsa_private_key_file=$STATE/key.pem
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
strict_ssl_read_eof=YES
ssl_ciphers=HIGH
debug_ssl=YES
EOF
  cat > "$STATE/vsftpd-plain.conf" <<EOF
$common
listen_port=2122
pasv_min_port=30050
pasv_max_port=30099
vsftpd_log_file=$STATE/vsftpd-plain.log
xferlog_file=$STATE/vsftpd-plain-xfer.log
ssl_enable=NO
EOF
  cat > "$STATE/proftpd.conf" <<EOF
ServerName "Ferry interop ProFTPD"
ServerType standalone
DefaultServer on
Port 2123
DefaultAddress 127.0.0.1
SocketBindTight on
UseIPv6 off
User nobody
Group nogroup
PidFile $STATE/proftpd.pid
ScoreboardFile $STATE/proftpd.scoreboard
DelayTable none
WtmpLog off
UseReverseDNS off
RequireValidShell off
AuthOrder mod_auth_unix.c
DefaultRoot ~
PassivePorts 30100 30149
MasqueradeAddress 127.0.0.1
MaxInstances 200
MaxClientsPerHost 200
AllowOverwrite on
AllowStoreRestart on
AllowRetrieveRestart on
Umask 022
TimeoutIdle 600
SystemLog $STATE/proftpd-system.log
TransferLog $STATE/proftpd-xfer.log
ExtendedLog $STATE/proftpd.log ALL
ModulePath $PKG/proftpd/usr/lib/proftpd
LoadModule mod_tls.c
<IfModule mod_tls.c>
  TLSEngine on
  TLSRequired on
  TLSProtocol TLSv1.2 TLSv1.3
  TLSRSACertificateFile $STATE/cert.pem
  TLSRSACertificateKeyFile $STATE/key.pem
  TLSVerifyClient off
  TLSLog $STATE/proftpd-tls.log
</IfModule>
EOF
  cat > "$STATE/sshd_config" <<EOF
Port 2222
ListenAddress 127.0.0.1
HostKey $STATE/ssh/host_ed25519
PidFile $STATE/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $STATE/ssh/authorized_keys
StrictModes no
PermitRootLogin no
AllowUsers $USER_NAME
MaxSessions 100
MaxStartups 100:30:200
MaxAuthTries 10
LogLevel VERBOSE
Subsystem sftp internal-sftp
EOF
}

answers() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

wait_port() { # name port log
  for _ in $(seq 1 100); do
    answers "$2" && return 0
    sleep 0.2
  done
  echo "[interop] $1 does not answer on 127.0.0.1:$2; last lines of $3:" >&2
  tail -n 20 "$3" >&2 2>/dev/null || true
  exit 1
}

start_one() { # name port log command...
  local name=$1 port=$2 out=$3
  shift 3
  if answers "$port"; then
    log "$name already answers on 127.0.0.1:$port"
    return 0
  fi
  log "starting $name on 127.0.0.1:$port"
  setsid nohup "$@" >>"$out" 2>&1 < /dev/null &
  echo $! > "$STATE/$name.launcher.pid"
  wait_port "$name" "$port" "$out"
}

start_servers() {
  start_one vsftpd 2121 "$STATE/vsftpd.out" /usr/sbin/vsftpd "$STATE/vsftpd.conf"
  start_one vsftpd-plain 2122 "$STATE/vsftpd-plain.out" /usr/sbin/vsftpd "$STATE/vsftpd-plain.conf"
  start_one proftpd 2123 "$STATE/proftpd.out" "$PKG/proftpd/usr/sbin/proftpd" -n -q -c "$STATE/proftpd.conf"
  start_one pureftpd 2124 "$STATE/pureftpd.out" "$PKG/pureftpd/usr/sbin/pure-ftpd" -S 127.0.0.1,2124 -p 30150:30199 \
    -P 127.0.0.1 -l unix -Y 2 -2 "$STATE/key-and-cert.pem" -E -A -H -c 200 -C 200 -O "clf:$STATE/pureftpd.log"
  start_one sshd 2222 "$STATE/sshd.log" /usr/sbin/sshd -D -f "$STATE/sshd_config" -E "$STATE/sshd.log"
}

write_properties() {
  local kh="$STATE/ssh/known_hosts"
  ssh-keyscan -p 2222 -t ed25519 127.0.0.1 2>/dev/null > "$kh.tmp"
  [ -s "$kh.tmp" ] || die "ssh-keyscan got no host key from 127.0.0.1:2222"
  mv "$kh.tmp" "$kh"
  local fp
  fp=$(ssh-keygen -l -E sha256 -f "$STATE/ssh/host_ed25519.pub" | awk '{print $2}')
  cat > "$STATE/servers.properties.tmp" <<EOF
# Written by interop/servers.sh; read by Ferry's *IT tests.
user=$USER_NAME
password=$(cat "$STATE/password")
home=$HOME_DIR
cert.pem=$STATE/cert.pem
cert.key=$STATE/key.pem
cert.sha256=$(cat "$STATE/cert.sha256")
vsftpd.port=2121
vsftpd.pasv=30000-30049
vsftpd.log=$STATE/vsftpd.log
vsftpd.xferlog=$STATE/vsftpd-xfer.log
vsftpd-plain.port=2122
vsftpd-plain.pasv=30050-30099
vsftpd-plain.log=$STATE/vsftpd-plain.log
proftpd.port=2123
proftpd.pasv=30100-30149
proftpd.log=$STATE/proftpd.log
proftpd.tlslog=$STATE/proftpd-tls.log
pureftpd.port=2124
pureftpd.pasv=30150-30199
pureftpd.log=$STATE/pureftpd.log
sshd.port=2222
sshd.log=$STATE/sshd.log
sshd.known_hosts=$kh
sshd.fingerprint=$fp
ssh.key=$STATE/ssh/id_ed25519
ssh.key.passphrase=$(cat "$STATE/ssh/passphrase")
ssh.key.rsa=$STATE/ssh/id_rsa_pem
EOF
  mv "$STATE/servers.properties.tmp" "$STATE/servers.properties"
}

self_check() {
  local pw f ok=0
  pw="$USER_NAME:$(cat "$STATE/password")"
  f="$STATE/self-check.txt"
  echo "ferry interop self-check $(date -u +%FT%TZ)" > "$f"
  check() { # name curl-args...
    local name=$1
    shift
    if curl -sS --max-time 20 -T "$f" --user "$pw" "$@" >/dev/null 2>"$STATE/self-check.err"; then
      log "self-check $name: upload ok"
    else
      echo "[interop] self-check $name FAILED: $(cat "$STATE/self-check.err")" >&2
      ok=1
    fi
  }
  check vsftpd --ssl-reqd --tls-max 1.2 --cacert "$STATE/cert.pem" "ftp://127.0.0.1:2121/self-check-vsftpd.txt" \
    -Q "-DELE self-check-vsftpd.txt"
  check vsftpd-plain "ftp://127.0.0.1:2122/self-check-plain.txt" -Q "-DELE self-check-plain.txt"
  check proftpd --ssl-reqd --tls-max 1.2 --cacert "$STATE/cert.pem" "ftp://127.0.0.1:2123/self-check-proftpd.txt" \
    -Q "-DELE self-check-proftpd.txt"
  check pureftpd --ssl-reqd --tls-max 1.2 --cacert "$STATE/cert.pem" "ftp://127.0.0.1:2124/self-check-pureftpd.txt" \
    -Q "-DELE self-check-pureftpd.txt"
  if echo "put $f $HOME_DIR/self-check-sftp.txt
rm $HOME_DIR/self-check-sftp.txt" | timeout 20 sftp -q -b - -P 2222 -i "$STATE/ssh/id_rsa_pem" \
      -o UserKnownHostsFile="$STATE/ssh/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes \
      "$USER_NAME@127.0.0.1" >/dev/null 2>"$STATE/self-check.err"; then
    log "self-check sshd: sftp upload ok"
  else
    echo "[interop] self-check sshd FAILED: $(cat "$STATE/self-check.err")" >&2
    ok=1
  fi
  [ $ok = 0 ] || die "a server failed its self-check (logs in $STATE)"
}

stop_servers() {
  for name in vsftpd vsftpd-plain proftpd pureftpd sshd; do
    local pidfile="$STATE/$name.launcher.pid"
    if [ -f "$pidfile" ]; then
      local pid
      pid=$(cat "$pidfile")
      # Each server was started with setsid: stop its whole process group.
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    fi
  done
  for port in 2121 2122 2123 2124 2222; do
    for _ in $(seq 1 50); do answers $port || break; sleep 0.1; done
  done
  log "stopped"
}

status() {
  local rc=0
  for s in vsftpd:2121 vsftpd-plain:2122 proftpd:2123 pureftpd:2124 sshd:2222; do
    if answers "${s#*:}"; then echo "${s%%:*} 127.0.0.1:${s#*:} up"; else echo "${s%%:*} 127.0.0.1:${s#*:} DOWN"; rc=1; fi
  done
  return $rc
}

case "${1:-start}" in
  start)
    install_packages
    setup_user
    setup_keys
    write_configs
    start_servers
    write_properties
    self_check
    log "all servers up; $STATE/servers.properties written"
    ;;
  stop) stop_servers ;;
  restart) stop_servers; "$0" start ;;
  status) status ;;
  *) die "usage: $0 start|stop|restart|status" ;;
esac
