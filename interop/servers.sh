#!/usr/bin/env bash
# Installs, configures and runs the real servers of Ferry's interop suite, on 127.0.0.1 only:
#   vsftpd (explicit FTPS, session reuse required) :2121, vsftpd (plain FTP) :2122,
#   ProFTPD + mod_tls (TLS required, reuse required) :2123, Pure-FTPd (TLS required) :2124,
#   OpenSSH sshd (SFTP) :2222.
# Usage (as root, on Debian 12): bash interop/servers.sh start|stop|restart|status
# 'start' is idempotent: it installs what is missing, keeps a server that is up with the same
# configuration, restarts one whose configuration changed, starts one that is down, writes
# $FERRY_INTEROP_DIR/servers.properties (default /var/tmp/ferry-interop), which the *IT tests read,
# and ends with a self-check (a real upload + rename to every server; exit status 1 on failure).
# vsftpd, proftpd-core and pure-ftpd conflict as packages: vsftpd is installed with apt, the other two
# are fetched with 'apt-get download' and unpacked with 'dpkg -x' into the state directory.
# Never prints the password or the passphrase.
set -euo pipefail

STATE="${FERRY_INTEROP_DIR:-/var/tmp/ferry-interop}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PKG="$STATE/pkg"
SSH_DIR="$STATE/ssh"
USER_NAME="${FERRY_INTEROP_USER:-ferry}"
HOME_DIR="$STATE/home"
export DEBIAN_FRONTEND=noninteractive

SERVERS=(vsftpd vsftpd-plain proftpd pureftpd sshd)
declare -A PORT=([vsftpd]=2121 [vsftpd-plain]=2122 [proftpd]=2123 [pureftpd]=2124 [sshd]=2222)
# Pure-FTPd caps its clients at half its passive range: 100 ports give the 32+ sessions the tests need.
declare -A PASV=([vsftpd]=30000-30049 [vsftpd-plain]=30050-30099 [proftpd]=30100-30149 [pureftpd]=30150-30249)
WAIT_SECONDS=20

log() { echo "[interop] $*"; }
die() { echo "[interop] ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (sudo bash interop/servers.sh ${1:-start})"

APT_PACKAGES=(vsftpd openssh-server openssh-client openssh-sftp-server openssl curl lftp ca-certificates
  libhiredis0.14 libmemcached11 libmemcachedutil2 libpcre2-posix3 libpcre2-8-0 libsodium23 libcap2
  libidn2-0 libacl1 libcrypt1 libncursesw6 libtinfo6 libwrap0 iproute2)

# ---------------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------------

POLICY_CREATED=0
remove_policy() { [ "$POLICY_CREATED" = 1 ] && rm -f /usr/sbin/policy-rc.d; POLICY_CREATED=0; }

install_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    # No init system here: keep the maintainer scripts from starting services (exit 101 = "not allowed").
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
      POLICY_CREATED=1
      trap remove_policy EXIT
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    remove_policy
  fi
  mkdir -p "$PKG/debs"
  if [ ! -x "$PKG/proftpd/usr/sbin/proftpd" ] || [ ! -f "$PKG/proftpd/usr/lib/proftpd/mod_tls.so" ] \
      || [ ! -x "$PKG/pureftpd/usr/sbin/pure-ftpd" ]; then
    log "fetching proftpd-core, proftpd-mod-crypto and pure-ftpd (unpacked, not installed: they conflict with vsftpd)"
    # apt-get download runs as the _apt user: it needs a directory it may write to.
    ( cd "$PKG/debs" && rm -f ./*.deb && chmod 777 . \
        && { apt-get download proftpd-core proftpd-mod-crypto pure-ftpd >/dev/null 2>&1 \
             || { apt-get update -qq && apt-get download proftpd-core proftpd-mod-crypto pure-ftpd >/dev/null; }; } )
    rm -rf "$PKG/proftpd" "$PKG/pureftpd"
    local d
    for d in "$PKG"/debs/proftpd-*.deb; do dpkg -x "$d" "$PKG/proftpd"; done
    dpkg -x "$PKG"/debs/pure-ftpd_*.deb "$PKG/pureftpd"
  fi
  local bin unresolved
  for bin in "$PKG/proftpd/usr/sbin/proftpd" "$PKG/proftpd/usr/lib/proftpd/mod_tls.so" "$PKG/pureftpd/usr/sbin/pure-ftpd"; do
    unresolved=$(ldd "$bin" 2>&1 | grep 'not found' || true)
    [ -z "$unresolved" ] || die "$bin misses libraries (add them to APT_PACKAGES): $unresolved"
  done
}

# ---------------------------------------------------------------------------------------------
# User, certificate, SSH keys (all generated once and kept across runs)
# ---------------------------------------------------------------------------------------------

setup_user() {
  mkdir -p "$HOME_DIR"
  chmod 755 "$STATE"
  if [ ! -s "$STATE/password" ]; then
    ( umask 077; echo "Ferry-S3cr3t-$(openssl rand -hex 8)" > "$STATE/password" )
  fi
  if ! id "$USER_NAME" >/dev/null 2>&1; then
    useradd -M -d "$HOME_DIR" -s /bin/bash "$USER_NAME"
  fi
  [ "$(getent passwd "$USER_NAME" | cut -d: -f6)" = "$HOME_DIR" ] || usermod -d "$HOME_DIR" "$USER_NAME"
  # chpasswd reads stdin; echo is a shell builtin, so the password never shows in a process list.
  echo "$USER_NAME:$(cat "$STATE/password")" | chpasswd
  chown "$USER_NAME:" "$HOME_DIR"
  chmod 755 "$HOME_DIR"
  # curl reads the credentials from here, not from its command line.
  ( umask 077; printf 'machine 127.0.0.1 login %s password %s\n' "$USER_NAME" "$(cat "$STATE/password")" > "$STATE/netrc" )
}

setup_keys() {
  if [ ! -s "$STATE/cert.pem" ] || [ ! -s "$STATE/key.pem" ]; then
    log "creating the server certificate (SAN IP:127.0.0.1, DNS:localhost; 10 years)"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$STATE/key.pem.tmp" -out "$STATE/cert.pem.tmp" 2>/dev/null
    chmod 600 "$STATE/key.pem.tmp"
    mv "$STATE/key.pem.tmp" "$STATE/key.pem"
    mv "$STATE/cert.pem.tmp" "$STATE/cert.pem"
  fi
  ( umask 077; cat "$STATE/key.pem" "$STATE/cert.pem" > "$STATE/key-and-cert.pem" )
  openssl x509 -in "$STATE/cert.pem" -outform DER | sha256sum | cut -d' ' -f1 > "$STATE/cert.sha256"

  mkdir -p "$SSH_DIR"
  chmod 755 "$SSH_DIR"
  [ -s "$SSH_DIR/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C ferry-interop-host -f "$SSH_DIR/host_ed25519"
  if [ ! -s "$SSH_DIR/passphrase" ]; then
    ( umask 077; echo "Ferry-Passphrase-$(openssl rand -hex 8)" > "$SSH_DIR/passphrase" )
  fi
  [ -s "$SSH_DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N "$(cat "$SSH_DIR/passphrase")" -C ferry-interop-user \
    -f "$SSH_DIR/id_ed25519"
  [ -s "$SSH_DIR/id_rsa_pem" ] || ssh-keygen -q -t rsa -b 3072 -m PEM -N '' -C ferry-interop-rsa -f "$SSH_DIR/id_rsa_pem"
  cat "$SSH_DIR/id_ed25519.pub" "$SSH_DIR/id_rsa_pem.pub" > "$SSH_DIR/authorized_keys.tmp"
  chmod 644 "$SSH_DIR/authorized_keys.tmp"
  mv "$SSH_DIR/authorized_keys.tmp" "$SSH_DIR/authorized_keys"
  # For the self-check: OpenSSH's sftp reads the passphrase from this helper, never from a terminal.
  printf '#!/bin/sh\nexec cat %q\n' "$SSH_DIR/passphrase" > "$SSH_DIR/askpass"
  chmod 700 "$SSH_DIR/askpass"
}

# ---------------------------------------------------------------------------------------------
# Configuration files
# ---------------------------------------------------------------------------------------------

write_file() { # path; content on stdin. Rewrites only when the content changed (keeps mtimes stable).
  local tmp="$1.tmp"
  cat > "$tmp"
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

write_configs() {
  mkdir -p "$STATE/vsftpd-empty" /run/sshd
  chmod 755 "$STATE/vsftpd-empty"
  chmod 755 /run/sshd
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
port_enable=YES
max_clients=200
max_per_ip=200
idle_session_timeout=600
data_connection_timeout=120
log_ftp_protocol=YES
xferlog_enable=YES
xferlog_std_format=NO
dual_log_enable=YES"
  write_file "$STATE/vsftpd.conf" <<EOF
$common
listen_port=${PORT[vsftpd]}
pasv_min_port=${PASV[vsftpd]%-*}
pasv_max_port=${PASV[vsftpd]#*-}
vsftpd_log_file=$STATE/vsftpd.log
xferlog_file=$STATE/vsftpd-xfer.log
ssl_enable=YES
# vsftpd 3.0.3 has no per-version switch above TLSv1: it negotiates TLS 1.2 and 1.3 (1.0/1.1 are
# refused by Debian's OpenSSL security level).
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
  write_file "$STATE/vsftpd-plain.conf" <<EOF
$common
listen_port=${PORT[vsftpd-plain]}
pasv_min_port=${PASV[vsftpd-plain]%-*}
pasv_max_port=${PASV[vsftpd-plain]#*-}
vsftpd_log_file=$STATE/vsftpd-plain.log
xferlog_file=$STATE/vsftpd-plain-xfer.log
ssl_enable=NO
EOF
  write_file "$STATE/proftpd.conf" <<EOF
ServerName "Ferry interop ProFTPD"
ServerType standalone
DefaultServer on
Port ${PORT[proftpd]}
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
PassivePorts ${PASV[proftpd]%-*} ${PASV[proftpd]#*-}
MasqueradeAddress 127.0.0.1
MaxInstances 200
MaxClients 200
MaxClientsPerHost 200
MaxLoginAttempts 10
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
  # StrictModes no: the authorized_keys file lives under /var/tmp (world-writable, sticky), which
  # StrictModes refuses; the home directory is the FTP upload area, so .ssh is kept out of it.
  # PubkeyAcceptedAlgorithms +ssh-rsa: curl's libssh2 1.10 signs RSA keys with SHA-1 only; the
  # reference benchmark uses it. Modern clients (Ferry, OpenSSH) still negotiate rsa-sha2-*.
  write_file "$STATE/sshd_config" <<EOF
Port ${PORT[sshd]}
ListenAddress 127.0.0.1
HostKey $SSH_DIR/host_ed25519
PidFile $STATE/sshd.pid
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PubkeyAcceptedAlgorithms +ssh-rsa
AuthorizedKeysFile $SSH_DIR/authorized_keys
StrictModes no
PermitRootLogin no
AllowUsers $USER_NAME
MaxSessions 100
MaxStartups 100:30:200
MaxAuthTries 10
LoginGraceTime 60
ClientAliveInterval 60
UseDNS no
PrintMotd no
LogLevel VERBOSE
Subsystem sftp internal-sftp -l INFO
EOF
  /usr/sbin/sshd -t -f "$STATE/sshd_config" || die "sshd rejects $STATE/sshd_config"
}

# ---------------------------------------------------------------------------------------------
# Processes: each server runs in the foreground of its own session (setsid), pid = process group.
# ---------------------------------------------------------------------------------------------

server_cmd() { # name -> sets CMD (argv), OUT (stdout/stderr file), LOGS (files to show on failure)
  case $1 in
    vsftpd|vsftpd-plain)
      CMD=(/usr/sbin/vsftpd "$STATE/$1.conf")
      OUT="$STATE/$1.out"; LOGS=("$OUT" "$STATE/$1.log") ;;
    proftpd)
      CMD=("$PKG/proftpd/usr/sbin/proftpd" -n -q -c "$STATE/proftpd.conf")
      OUT="$STATE/proftpd.out"; LOGS=("$OUT" "$STATE/proftpd-system.log" "$STATE/proftpd-tls.log") ;;
    pureftpd)
      # -Y 2: TLS required on control and data; -2: key+cert PEM; -E: no anonymous; -A: chroot everyone;
      # -H: no DNS; -c/-C: clients in all/per IP; -I: idle minutes; -1: pid in each line; -d: every command (PASS
      # masked); -O clf:...: the transfer log, a file of its own.
      CMD=("$PKG/pureftpd/usr/sbin/pure-ftpd" -S "127.0.0.1,${PORT[pureftpd]}" -p "${PASV[pureftpd]/-/:}"
        -P 127.0.0.1 -l unix -Y 2 -2 "$STATE/key-and-cert.pem" -E -A -H -c 200 -C 200 -I 10 -d -1
        -O "clf:$STATE/pureftpd-xfer.log")
      OUT="$STATE/pureftpd.out"; LOGS=("$OUT" "$STATE/pureftpd.log" "$STATE/pureftpd-xfer.log") ;;
    sshd)
      CMD=(/usr/sbin/sshd -D -f "$STATE/sshd_config" -E "$STATE/sshd.log")
      OUT="$STATE/sshd.out"; LOGS=("$OUT" "$STATE/sshd.log") ;;
    *) die "unknown server $1" ;;
  esac
}

# What a running server was started from: its command line, its config and the keys it loaded.
server_spec() { # name
  server_cmd "$1"
  {
    printf '%s\n' "${CMD[@]}"
    case $1 in
      vsftpd|vsftpd-plain) cat "$STATE/$1.conf" "$STATE/cert.sha256" ;;
      proftpd) cat "$STATE/proftpd.conf" "$STATE/cert.sha256" ;;
      # Pure-FTPd keeps the syslog socket it opened before chrooting: a new receiver needs a new Pure-FTPd.
      pureftpd) cat "$STATE/cert.sha256"; cat "$STATE/syslog.launcher.pid" 2>/dev/null || true ;;
      sshd) cat "$STATE/sshd_config" "$SSH_DIR/host_ed25519.pub" ;;
    esac
  } | sha256sum | cut -d' ' -f1
}

answers() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# What the process title of each server contains (pid files in /var/tmp outlive a reboot: never
# signal a process that merely inherited an old pid).
declare -A PROC_MATCH=([vsftpd]=vsftpd [vsftpd-plain]=vsftpd [proftpd]=proftpd [pureftpd]=pure-ftpd
  [sshd]=sshd [syslog]=syslog-catcher)

launcher_pid() { # name -> pid of the process group we started, if its leader is alive
  local f="$STATE/$1.launcher.pid" pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 -- "-$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "${PROC_MATCH[$1]}" || return 1
  echo "$pid"
}

show_logs() { # name
  local f
  server_cmd "$1"
  for f in "${LOGS[@]}"; do
    [ -s "$f" ] || continue
    echo "[interop] --- last lines of $f:" >&2
    tail -n 15 "$f" >&2
  done
}

stop_one() { # name
  local name=$1 port=${PORT[$1]} pid
  if pid=$(launcher_pid "$name"); then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 -- "-$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 -- "-$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
    log "$name stopped"
  elif answers "$port"; then
    log "WARNING: 127.0.0.1:$port answers but was not started by this script (no live $STATE/$name.launcher.pid)"
  else
    log "$name was not running"
  fi
  rm -f "$STATE/$name.launcher.pid" "$STATE/$name.spec"
}

start_one() { # name
  local name=$1 port=${PORT[$1]} spec pid
  spec=$(server_spec "$name")
  if answers "$port"; then
    if launcher_pid "$name" >/dev/null && [ "$(cat "$STATE/$name.spec" 2>/dev/null)" = "$spec" ]; then
      log "$name already up on 127.0.0.1:$port"
      return 0
    fi
    if launcher_pid "$name" >/dev/null; then
      log "$name: configuration changed, restarting"
      stop_one "$name"
    fi
    answers "$port" && die "127.0.0.1:$port is taken by a process this script did not start: $(ss -ltnpH "sport = :$port")"
  fi
  server_cmd "$name"
  log "starting $name on 127.0.0.1:$port"
  # 9>&-: the server must not inherit (and so hold) the lock of this script.
  setsid nohup "${CMD[@]}" >>"$OUT" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" > "$STATE/$name.launcher.pid"
  local deadline=$((SECONDS + WAIT_SECONDS))
  until answers "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "[interop] ERROR: $name exited before answering on 127.0.0.1:$port" >&2
      show_logs "$name"; exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "[interop] ERROR: $name does not answer on 127.0.0.1:$port after ${WAIT_SECONDS}s" >&2
      show_logs "$name"; exit 1
    fi
    sleep 0.2
  done
  echo "$spec" > "$STATE/$name.spec"
}

# Pure-FTPd and internal-sftp log through syslog only. With no syslog daemon (no /dev/log), a small
# receiver of ours binds /dev/log and writes Pure-FTPd's messages to pureftpd.log and internal-sftp's
# (one line per open/rename/close) to sshd.log; otherwise pureftpd.log is the transfer log and those
# lines go to the machine's syslog.
SYSLOG_SOCKET=/dev/log

syslog_running() { launcher_pid syslog >/dev/null && [ -S "$SYSLOG_SOCKET" ]; }

server_log() { # name -> the file servers.properties names as <name>.log
  case $1 in
    pureftpd) pureftpd_log ;;
    *) echo "$STATE/$1.log" ;;
  esac
}

pureftpd_log() { if syslog_running; then echo "$STATE/pureftpd.log"; else echo "$STATE/pureftpd-xfer.log"; fi; }

start_syslog() {
  local spec pid
  spec=$( { echo "$SYSLOG_SOCKET"; cat "$SCRIPT_DIR/syslog-catcher.py"; } | sha256sum | cut -d' ' -f1)
  if syslog_running; then
    [ "$(cat "$STATE/syslog.spec" 2>/dev/null)" = "$spec" ] && { log "syslog receiver already up ($SYSLOG_SOCKET)"; return 0; }
    stop_syslog
  fi
  if [ -S "$SYSLOG_SOCKET" ] && [ -f "$STATE/syslog.launcher.pid" ]; then
    rm -f "$SYSLOG_SOCKET"   # ours, left behind by a receiver that died
  fi
  if [ -e "$SYSLOG_SOCKET" ]; then
    log "$SYSLOG_SOCKET exists (a syslog daemon): Pure-FTPd's protocol lines go there; pureftpd.log = transfer log"
    return 0
  fi
  if ! command -v python3 >/dev/null; then
    log "no python3: Pure-FTPd's protocol lines are not recorded; pureftpd.log = transfer log"
    return 0
  fi
  setsid nohup python3 "$SCRIPT_DIR/syslog-catcher.py" "$SYSLOG_SOCKET" \
    "pure-ftpd=$STATE/pureftpd.log" "internal-sftp=$STATE/sshd.log" \
    >>"$STATE/syslog.out" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" > "$STATE/syslog.launcher.pid"
  for _ in $(seq 1 50); do [ -S "$SYSLOG_SOCKET" ] && break; sleep 0.1; done
  if ! syslog_running; then
    echo "[interop] WARNING: the syslog receiver did not start:" >&2
    tail -n 5 "$STATE/syslog.out" >&2 || true
    return 0
  fi
  echo "$spec" > "$STATE/syslog.spec"
  log "syslog receiver on $SYSLOG_SOCKET -> pureftpd.log (Pure-FTPd), sshd.log (internal-sftp)"
}

stop_syslog() {
  local pid
  if pid=$(launcher_pid syslog); then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    [ -S "$SYSLOG_SOCKET" ] && rm -f "$SYSLOG_SOCKET"
    log "syslog receiver stopped"
  fi
  rm -f "$STATE/syslog.launcher.pid" "$STATE/syslog.spec"
}

# ---------------------------------------------------------------------------------------------
# servers.properties (written atomically, once every server answers)
# ---------------------------------------------------------------------------------------------

write_properties() {
  local kh="$SSH_DIR/known_hosts" fp line
  line=$(ssh-keyscan -T 5 -p "${PORT[sshd]}" -t ed25519 127.0.0.1 2>/dev/null | grep -v '^#' || true)
  [ -n "$line" ] || die "ssh-keyscan got no host key from 127.0.0.1:${PORT[sshd]}"
  # The key sshd serves must be the one in the state directory.
  [ "$(echo "$line" | awk '{print $3}')" = "$(awk '{print $2}' "$SSH_DIR/host_ed25519.pub")" ] \
    || die "127.0.0.1:${PORT[sshd]} serves another host key than $SSH_DIR/host_ed25519"
  echo "$line" > "$kh.tmp"
  mv "$kh.tmp" "$kh"
  fp=$(ssh-keygen -l -E sha256 -f "$SSH_DIR/host_ed25519.pub" | awk '{print $2}')
  echo "$fp" > "$SSH_DIR/host_ed25519.fingerprint"
  ( umask 022; cat > "$STATE/servers.properties.tmp" <<EOF
# Written by interop/servers.sh; read by Ferry's *IT tests (dev.ferry.testing.Interop).
user=$USER_NAME
password=$(cat "$STATE/password")
home=$HOME_DIR
cert.pem=$STATE/cert.pem
cert.key=$STATE/key.pem
cert.sha256=$(cat "$STATE/cert.sha256")
vsftpd.port=${PORT[vsftpd]}
vsftpd.pasv=${PASV[vsftpd]}
vsftpd.log=$STATE/vsftpd.log
vsftpd.xferlog=$STATE/vsftpd-xfer.log
vsftpd-plain.port=${PORT[vsftpd-plain]}
vsftpd-plain.pasv=${PASV[vsftpd-plain]}
vsftpd-plain.log=$STATE/vsftpd-plain.log
proftpd.port=${PORT[proftpd]}
proftpd.pasv=${PASV[proftpd]}
proftpd.log=$STATE/proftpd.log
proftpd.tlslog=$STATE/proftpd-tls.log
proftpd.xferlog=$STATE/proftpd-xfer.log
pureftpd.port=${PORT[pureftpd]}
pureftpd.pasv=${PASV[pureftpd]}
pureftpd.log=$(pureftpd_log)
pureftpd.xferlog=$STATE/pureftpd-xfer.log
sshd.port=${PORT[sshd]}
sshd.log=$STATE/sshd.log
sshd.known_hosts=$kh
sshd.fingerprint=$fp
ssh.key=$SSH_DIR/id_ed25519
ssh.key.passphrase=$(cat "$SSH_DIR/passphrase")
ssh.key.rsa=$SSH_DIR/id_rsa_pem
EOF
  )
  mv "$STATE/servers.properties.tmp" "$STATE/servers.properties"
}

# ---------------------------------------------------------------------------------------------
# Self-check: every server takes a real upload (to a temporary name, then renamed, as Ferry does),
# the bytes land in the home directory, and the TLS servers refuse a plain-text login.
# ---------------------------------------------------------------------------------------------

SELF_CHECK_FAILED=0

check_failed() { # name what errfile
  echo "[interop] self-check $1 FAILED: $2" >&2
  [ -s "$3" ] && sed 's/^/[interop]   /' "$3" >&2
  show_logs "$1"
  SELF_CHECK_FAILED=1
}

log_shows() { # file text: the server logged the check (the log named in servers.properties is live)
  local _
  for _ in $(seq 1 20); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

landed() { # final-name: the uploaded bytes are at the final name in the home, nothing at the temp name
  cmp -s "$STATE/self-check.txt" "$HOME_DIR/$1" && [ ! -e "$HOME_DIR/$1.part" ]
}

check_ftp() { # name port label [curl TLS args...]
  local name=$1 port=$2 label=$3 final err="$STATE/self-check.err"
  shift 3
  final=".interop-check-$name-$(openssl rand -hex 4).txt"
  if ! curl -sS --max-time 20 --netrc-file "$STATE/netrc" "$@" -T "$STATE/self-check.txt" \
        "ftp://127.0.0.1:$port/$final.part" -Q "-RNFR $final.part" -Q "-RNTO $final" >/dev/null 2>"$err"; then
    check_failed "$name" "upload to 127.0.0.1:$port" "$err"
  elif ! landed "$final"; then
    check_failed "$name" "the upload is not at $HOME_DIR/$final" "$err"
  elif ! log_shows "$(server_log "$name")" "$final"; then
    check_failed "$name" "$(server_log "$name") does not show the upload" /dev/null
  else
    log "self-check $name: upload + rename ok ($label)"
  fi
  rm -f "$HOME_DIR/$final" "$HOME_DIR/$final.part"
}

check_plain_refused() { # name port: USER without TLS must be refused (the password is never sent)
  local name=$1 port=$2 reply
  reply=$(timeout 10 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    last() { local l; while IFS= read -r l <&3; do [[ $l =~ ^[0-9]{3}\  ]] && { echo "${l%$'"'"'\r'"'"'}"; return 0; }; done; return 1; }
    last >/dev/null || exit 1
    printf "USER %s\r\n" "$2" >&3
    last
    printf "QUIT\r\n" >&3' _ "$port" "$USER_NAME" 2>/dev/null || true)
  case $reply in
    5[0-9][0-9]\ *|421\ *) log "self-check $name: login without TLS refused (${reply%% *})" ;;
    *) echo "USER without TLS got: ${reply:-no reply}" > "$STATE/self-check.err"
       check_failed "$name" "a login without TLS is not refused" "$STATE/self-check.err" ;;
  esac
}

check_sftp() { # label final-name [ssh options...]; uses OpenSSH sftp with the state's known_hosts
  # The options go before -b: sftp -b appends "-oBatchMode yes", and ssh keeps the first value it sees.
  local label=$1 final=$2 err="$STATE/self-check.err"
  shift 2
  printf 'put %s %s\nrename %s %s\n' "$STATE/self-check.txt" "$HOME_DIR/$final.part" \
    "$HOME_DIR/$final.part" "$HOME_DIR/$final" > "$STATE/self-check.sftp"
  if ! SSH_ASKPASS="$SSH_DIR/askpass" SSH_ASKPASS_REQUIRE=force timeout 25 setsid -w \
        sftp -q "$@" -P "${PORT[sshd]}" -F /dev/null \
        -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o StrictHostKeyChecking=yes -o ConnectTimeout=10 \
        -o IdentitiesOnly=yes -o PreferredAuthentications=publickey -b "$STATE/self-check.sftp" \
        "$USER_NAME@127.0.0.1" </dev/null >/dev/null 2>"$err"; then
    check_failed sshd "$label" "$err"
  elif ! landed "$final"; then
    check_failed sshd "$label: the upload is not at $HOME_DIR/$final" "$err"
  elif syslog_running && ! log_shows "$STATE/sshd.log" "$final"; then
    check_failed sshd "$STATE/sshd.log does not show the upload (internal-sftp's lines)" /dev/null
  else
    log "self-check sshd: $label ok"
  fi
  rm -f "$HOME_DIR/$final" "$HOME_DIR/$final.part"
}

self_check() {
  local tls=(--ssl-reqd --cacert "$STATE/cert.pem") r fp
  echo "ferry interop self-check $(date -u +%FT%TZ)" > "$STATE/self-check.txt"
  # curl 7.88 + vsftpd + TLS 1.3 fail now and then ('426 Failure reading network stream', a curl race).
  check_ftp vsftpd "${PORT[vsftpd]}" "TLS 1.2" "${tls[@]}" --tls-max 1.2
  check_plain_refused vsftpd "${PORT[vsftpd]}"
  check_ftp vsftpd-plain "${PORT[vsftpd-plain]}" "plain FTP"
  check_ftp proftpd "${PORT[proftpd]}" "TLS 1.2" "${tls[@]}" --tls-max 1.2
  check_ftp proftpd "${PORT[proftpd]}" "TLS 1.3" "${tls[@]}" --tlsv1.3
  check_plain_refused proftpd "${PORT[proftpd]}"
  check_ftp pureftpd "${PORT[pureftpd]}" "TLS 1.2" "${tls[@]}" --tls-max 1.2
  check_plain_refused pureftpd "${PORT[pureftpd]}"

  r=$(openssl rand -hex 4)
  check_sftp "ed25519 key with passphrase" ".interop-check-sftp-ed25519-$r.txt" \
    -o BatchMode=no -i "$SSH_DIR/id_ed25519"
  check_sftp "RSA PEM key" ".interop-check-sftp-rsa-$r.txt" -o BatchMode=yes -i "$SSH_DIR/id_rsa_pem"
  # Password (PAM) through curl/libssh2, pinned to the host key's SHA-256.
  fp=$(cat "$SSH_DIR/host_ed25519.fingerprint")
  local final=".interop-check-sftp-password-$r.txt"
  if ! curl -sS --max-time 20 --netrc-file "$STATE/netrc" --hostpubsha256 "${fp#SHA256:}" \
        -T "$STATE/self-check.txt" "sftp://127.0.0.1:${PORT[sshd]}$HOME_DIR/$final.part" \
        -Q "-rename $HOME_DIR/$final.part $HOME_DIR/$final" >/dev/null 2>"$STATE/self-check.err"; then
    check_failed sshd "password upload with curl" "$STATE/self-check.err"
  elif ! landed "$final"; then
    check_failed sshd "password upload: not at $HOME_DIR/$final" "$STATE/self-check.err"
  else
    log "self-check sshd: password ok"
  fi
  rm -f "$HOME_DIR/$final" "$HOME_DIR/$final.part" "$STATE/self-check.sftp"
  [ "$SELF_CHECK_FAILED" = 0 ] || die "a server failed its self-check (state and logs in $STATE)"
}

# ---------------------------------------------------------------------------------------------

status() {
  local rc=0 s pid
  for s in "${SERVERS[@]}"; do
    pid=$(launcher_pid "$s" || echo -)
    if answers "${PORT[$s]}"; then
      printf '%-13s 127.0.0.1:%-5s up    (pid %s)\n' "$s" "${PORT[$s]}" "$pid"
    else
      printf '%-13s 127.0.0.1:%-5s DOWN\n' "$s" "${PORT[$s]}"; rc=1
    fi
  done
  if syslog_running; then echo "syslog receiver on $SYSLOG_SOCKET (pid $(launcher_pid syslog)) -> pureftpd.log, sshd.log"; fi
  [ -s "$STATE/servers.properties" ] && echo "properties: $STATE/servers.properties"
  return $rc
}

start() {
  install_packages
  setup_user
  setup_keys
  write_configs
  local s
  start_syslog
  for s in "${SERVERS[@]}"; do start_one "$s"; done
  write_properties
  self_check
  log "all servers up; $STATE/servers.properties written"
}

stop() { # all at once: a server may take a couple of seconds to exit
  local s
  for s in "${SERVERS[@]}"; do stop_one "$s" & done
  wait
  stop_syslog
}

mkdir -p "$STATE"
# One run at a time: two CI jobs starting the servers together wait for each other.
exec 9>"$STATE/.lock"
flock -w 300 9 || die "another servers.sh holds $STATE/.lock"

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) die "usage: $0 start|stop|restart|status" ;;
esac
