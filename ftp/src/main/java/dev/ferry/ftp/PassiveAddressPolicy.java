package dev.ferry.ftp;

import java.util.Locale;

/**
 * Which address a passive data connection goes to. A server behind NAT often announces its private
 * address in the {@code 227} reply to {@code PASV}; connecting there fails or, worse, reaches another
 * host. {@code EPSV} replies carry only a port and always use the control connection's address.
 * Set with {@link FtpTarget.Builder#passiveAddresses(PassiveAddressPolicy)}, or with the URI query
 * {@code ?passive-nat=control-host} ({@code private} is accepted as another name for it); {@link #SERVER}
 * weakens a check, so a URI cannot choose it ({@code BAD_INPUT}): only code can.
 */
public enum PassiveAddressPolicy {
    /**
     * The default: always connect to the control connection's address, whatever the server announces (a
     * server behind NAT announcing its private address, or a reply naming another host), as curl does by
     * default. The data connection must come from the control connection's host either way (Ferry checks
     * it, as Commons Net's remote verification does), so connecting to another address could only fail,
     * after reaching wherever the server pointed.
     */
    CONTROL_HOST("control-host"),
    /**
     * Trust the announced address and turn the same-host check of the data connection off: only for
     * servers whose data host really differs from the control host. Refused in a URI query; set it with
     * {@link FtpTarget.Builder#passiveAddresses(PassiveAddressPolicy)}.
     */
    SERVER("server");

    private final String key;

    PassiveAddressPolicy(String key) {
        this.key = key;
    }

    /** The value of the {@code passive-nat} parameter ({@code server} is not accepted in a URI). */
    public String key() {
        return key;
    }

    /**
     * The policy named by a {@code passive-nat} value; {@code private} names {@link #CONTROL_HOST} (every
     * announced address is replaced, private or not).
     *
     * @throws IllegalArgumentException for an unknown value, naming the valid ones
     */
    public static PassiveAddressPolicy fromKey(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("private")) {
            return CONTROL_HOST;
        }
        for (PassiveAddressPolicy p : values()) {
            if (p.key.equals(v)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown passive-nat value '" + value + "' (use control-host or private)");
    }
}
