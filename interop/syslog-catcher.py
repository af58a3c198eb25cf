#!/usr/bin/env python3
"""A minimal syslog receiver for the interop servers (used by interop/servers.sh).

Pure-FTPd (and OpenSSH's internal-sftp) log only through syslog, and these machines run no
syslog daemon. This binds the datagram socket SOCKET (normally /dev/log) and appends each message
whose tag is one of the given TAGs, one per line and without the <priority> prefix, to that tag's
FILE. Other programs' messages are dropped. SIGTERM removes the socket and exits.

Usage: syslog-catcher.py SOCKET TAG=FILE...
"""
import os
import re
import signal
import socket
import sys


def main():
    if len(sys.argv) < 3 or not all("=" in a for a in sys.argv[2:]):
        sys.exit(__doc__)
    path = sys.argv[1]
    routes = {}
    for arg in sys.argv[2:]:
        tag, out = arg.split("=", 1)
        routes[tag.encode()] = open(out, "ab", buffering=0)
    if os.path.exists(path):
        sys.exit(f"{path} exists: another syslog receiver owns it")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)

    def stop(*_):
        try:
            os.unlink(path)
        finally:
            os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # "<30>Nov 25 04:10:00 pure-ftpd[123]: message" (the header glibc's syslog() writes)
    header = re.compile(rb"^<\d{1,3}>(\w{3} [ \d]\d \d\d:\d\d:\d\d )([^:\[ ]+)(.*)$", re.S)
    while True:
        data = sock.recv(65536).rstrip(b"\n\0")
        m = header.match(data)
        if not m:
            continue
        stamp, tag, rest = m.groups()
        f = routes.get(tag)
        if f is not None:
            f.write(stamp + tag + rest.replace(b"\n", b" ") + b"\n")


if __name__ == "__main__":
    main()
