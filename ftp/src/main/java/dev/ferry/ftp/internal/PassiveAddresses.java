package dev.ferry.ftp.internal;

import dev.ferry.ftp.PassiveAddressPolicy;

import java.net.InetAddress;

/** Chooses the address of a passive data connection; a pure function, so it is tested without sockets. */
public final class PassiveAddresses {
    private PassiveAddresses() {
    }

    /**
     * The address to connect to.
     *
     * @param announced the address in the server's {@code 227} reply
     * @param control the remote address of the control connection
     */
    public static InetAddress choose(InetAddress announced, InetAddress control, PassiveAddressPolicy policy) {
        return switch (policy) {
            case SERVER -> announced;
            case CONTROL_HOST -> control;
            // Any other address than the control connection's would be refused by the same-host check on the data
            // connection (on for these policies), after a connection to wherever the server pointed: the FTP bounce
            // shape. So every announced address that differs is replaced, as curl does by default.
            case REPLACE_PRIVATE -> control;
        };
    }

    /** The kinds of addresses that matter for NAT. */
    enum Kind { UNSPECIFIED, LOOPBACK, LINK_LOCAL, PRIVATE, PUBLIC }

    static Kind kind(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            return Kind.UNSPECIFIED;
        }
        if (a.isLoopbackAddress()) {
            return Kind.LOOPBACK;
        }
        if (a.isLinkLocalAddress()) {
            return Kind.LINK_LOCAL;
        }
        if (a.isSiteLocalAddress() || isShared(a) || isUniqueLocal(a)) {
            return Kind.PRIVATE;
        }
        return Kind.PUBLIC;
    }

    // 100.64.0.0/10, carrier-grade NAT (RFC 6598).
    private static boolean isShared(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }

    // fc00::/7 (RFC 4193).
    private static boolean isUniqueLocal(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 16 && (b[0] & 0xfe) == 0xfc;
    }
}
