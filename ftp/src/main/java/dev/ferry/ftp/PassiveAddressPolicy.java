package dev.ferry.ftp;

import java.util.Locale;

/**
 * Which address a passive data connection goes to. A server behind NAT often announces its private
 * address in the {@code 227} reply to {@code PASV}; connecting there fails or, worse, reaches another
 * host. {@code EPSV} replies carry only a port and always use the control connection's address.
 * Set with the URI query {@code ?passive-nat=private|control-host|server}.
 */
public enum PassiveAddressPolicy {
    /**
     * The default: use the announced address unless it is private, loopback, link-local, shared
     * (100.64/10) or unspecified while the control connection's is not of the same kind; then use
     * the control connection's address.
     */
    REPLACE_PRIVATE("private"),
    /** Always connect to the control connection's address (what curl does by default). */
    CONTROL_HOST("control-host"),
    /** Always trust the announced address (servers whose data host differs from the control host). */
    SERVER("server");

    private final String key;

    PassiveAddressPolicy(String key) {
        this.key = key;
    }

    /** The value of the {@code passive-nat} URI parameter. */
    public String key() {
        return key;
    }

    /**
     * The policy named by a {@code passive-nat} value.
     *
     * @throws IllegalArgumentException for an unknown value, naming the valid ones
     */
    public static PassiveAddressPolicy fromKey(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (PassiveAddressPolicy p : values()) {
            if (p.key.equals(v)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown passive-nat value '" + value + "' (use private, control-host or server)");
    }
}
