#!/usr/bin/env python3
"""A minimal syslog receiver for the interop servers (used by interop/servers.sh).

Pure-FTPd logs only through syslog, and these machines run no syslog daemon. This binds the
datagram socket SOCKET (normally /dev/log), keeps the messages whose tag starts with one of
the given TAGS, and appends them, one per line and without the <priority> prefix, to OUT.
Other programs' messages are dropped. SIGTERM removes the socket and exits.

Usage: syslog-catcher.py SOCKET OUT TAG...
"""
import os
import re
import signal
import socket
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    path, out, tags = sys.argv[1], sys.argv[2], [t.encode() for t in sys.argv[3:]]
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
    header = re.compile(rb"^<\d{1,3}>(\w{3} [ \d]\d \d\d:\d\d:\d\d )(.*)$", re.S)
    with open(out, "ab", buffering=0) as f:
        while True:
            data = sock.recv(65536).rstrip(b"\n\0")
            m = header.match(data)
            if not m:
                continue
            stamp, rest = m.groups()
            if any(rest.startswith(t) for t in tags):
                f.write(stamp + rest.replace(b"\n", b" ") + b"\n")


if __name__ == "__main__":
    main()
