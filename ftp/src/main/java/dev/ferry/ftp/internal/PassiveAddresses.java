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
            // Any other address than the control connection's would be refused by the same-host check on the data
            // connection (on for this policy), after a connection to wherever the server pointed: the FTP bounce
            // shape. So every announced address that differs is replaced, as curl does by default.
            case CONTROL_HOST -> control;
        };
    }
}
