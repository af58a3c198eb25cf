package dev.ferry.webhook;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which kinds of IP address a {@link WebhookSender} may connect to. The default, {@link #publicOnly()}, refuses
 * loopback, private, shared (CGNAT), link-local (cloud metadata at {@code 169.254.169.254} included), unspecified,
 * multicast and reserved addresses, so that a webhook URL given by a customer cannot reach the sender's own
 * network. The sender checks the addresses it is about to connect to, after DNS, so a name that resolves to a
 * public address when checked and to a private one when connecting (DNS rebinding) is refused too.
 *
 * <pre>{@code
 * WebhookSender.builder().addressPolicy(AddressPolicy.publicOnly().allowLoopback()).build(); // a receiver on this machine
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class AddressPolicy {
    /** The kinds of address a policy tells apart. */
    public enum AddressClass {
        /** Anything not listed below: routable on the internet. */
        PUBLIC("a public address", ""),
        /** {@code 127.0.0.0/8} and {@code ::1}: this machine. */
        LOOPBACK("a loopback address", "WebhookSender.Builder.allowLoopback()"),
        /** RFC 1918 ({@code 10/8}, {@code 172.16/12}, {@code 192.168/16}), unique local {@code fc00::/7}, site-local {@code fec0::/10}. */
        PRIVATE("a private address", "WebhookSender.Builder.allowPrivateAddresses()"),
        /** Carrier-grade NAT, {@code 100.64.0.0/10} (RFC 6598): private to a provider's network. */
        SHARED("a shared (carrier-grade NAT) address", "WebhookSender.Builder.allowPrivateAddresses()"),
        /** {@code 169.254.0.0/16} and {@code fe80::/10}; clouds serve instance metadata and credentials at {@code 169.254.169.254}. */
        LINK_LOCAL("a link-local address (cloud instance metadata lives at 169.254.169.254)",
                "WebhookSender.Builder.addressPolicy(AddressPolicy.publicOnly().allow(AddressClass.LINK_LOCAL))"),
        /** {@code 0.0.0.0/8} and {@code ::}; connecting to {@code 0.0.0.0} reaches this machine on Linux. */
        UNSPECIFIED("an unspecified address (it reaches this machine)",
                "WebhookSender.Builder.addressPolicy(AddressPolicy.publicOnly().allow(AddressClass.UNSPECIFIED))"),
        /** {@code 224.0.0.0/4} and {@code ff00::/8}. */
        MULTICAST("a multicast address", "WebhookSender.Builder.addressPolicy(AddressPolicy.publicOnly().allow(AddressClass.MULTICAST))"),
        /** Reserved, documentation and benchmarking ranges, broadcast ({@code 240.0.0.0/4}, {@code 192.0.2.0/24}, {@code 2001:db8::/32}...). */
        RESERVED("a reserved address", "WebhookSender.Builder.addressPolicy(AddressPolicy.publicOnly().allow(AddressClass.RESERVED))");

        private final String description;
        private final String howToAllow;

        AddressClass(String description, String howToAllow) {
            this.description = description;
            this.howToAllow = howToAllow;
        }

        /** Words for messages, e.g. "a loopback address". */
        String description() {
            return description;
        }

        /** The builder call that allows this class, for messages. */
        String howToAllow() {
            return howToAllow;
        }

        /** The class of an address; IPv4 addresses embedded in IPv6 (mapped, compatible, NAT64, 6to4) count as themselves. */
        public static AddressClass of(InetAddress address) {
            Objects.requireNonNull(address, "address");
            byte[] b = address.getAddress();
            return b.length == 4 ? ofV4(b) : ofV6(b);
        }

        private static AddressClass ofV4(byte[] b) {
            int a0 = b[0] & 0xff;
            int a1 = b[1] & 0xff;
            int a2 = b[2] & 0xff;
            if (a0 == 0) {
                return UNSPECIFIED;
            }
            if (a0 == 127) {
                return LOOPBACK;
            }
            if (a0 == 10 || a0 == 172 && (a1 & 0xf0) == 16 || a0 == 192 && a1 == 168) {
                return PRIVATE;
            }
            if (a0 == 100 && (a1 & 0xc0) == 64) {
                return SHARED;
            }
            if (a0 == 169 && a1 == 254) {
                return LINK_LOCAL;
            }
            if ((a0 & 0xf0) == 224) {
                return MULTICAST;
            }
            if ((a0 & 0xf0) == 240 // 240/4, 255.255.255.255 included
                    || a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2) // IETF assignments, TEST-NET-1
                    || a0 == 198 && (a1 & 0xfe) == 18 // benchmarking
                    || a0 == 198 && a1 == 51 && a2 == 100 || a0 == 203 && a1 == 0 && a2 == 113) { // TEST-NET-2, -3
                return RESERVED;
            }
            return PUBLIC;
        }

        private static AddressClass ofV6(byte[] b) {
            boolean zero10 = allZero(b, 0, 10);
            if (zero10 && allZero(b, 10, 16)) {
                return UNSPECIFIED;
            }
            if (zero10 && allZero(b, 10, 15) && b[15] == 1) {
                return LOOPBACK;
            }
            // The JDK turns ::ffff:a.b.c.d into an Inet4Address, but a resolver or a caller's Dns may not.
            if (zero10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff || zero10 && b[10] == 0 && b[11] == 0) {
                return ofV4(Arrays.copyOfRange(b, 12, 16));
            }
            int w0 = (b[0] & 0xff) << 8 | b[1] & 0xff;
            int w1 = (b[2] & 0xff) << 8 | b[3] & 0xff;
            if (w0 == 0x64 && w1 == 0xff9b) { // NAT64: 64:ff9b::/96 embeds the IPv4 address; 64:ff9b:1::/48 is local use
                return allZero(b, 4, 12) ? ofV4(Arrays.copyOfRange(b, 12, 16)) : PRIVATE;
            }
            if (w0 == 0x2002) { // 6to4 embeds the IPv4 address of the relay's far end
                return ofV4(Arrays.copyOfRange(b, 2, 6));
            }
            if ((w0 & 0xfe00) == 0xfc00 || (w0 & 0xffc0) == 0xfec0) {
                return PRIVATE;
            }
            if ((w0 & 0xffc0) == 0xfe80) {
                return LINK_LOCAL;
            }
            if ((w0 & 0xff00) == 0xff00) {
                return MULTICAST;
            }
            if (w0 == 0x2001 && w1 == 0x0db8 || w0 == 0x0100 && allZero(b, 2, 8)) { // documentation, discard-only
                return RESERVED;
            }
            return PUBLIC;
        }

        private static boolean allZero(byte[] b, int from, int to) {
            for (int i = from; i < to; i++) {
                if (b[i] != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final AddressPolicy PUBLIC_ONLY = new AddressPolicy(EnumSet.of(AddressClass.PUBLIC));

    private final Set<AddressClass> allowed;

    private AddressPolicy(Set<AddressClass> allowed) {
        this.allowed = Collections.unmodifiableSet(EnumSet.copyOf(allowed));
    }

    /** Public addresses only: the default, and the right choice for URLs that customers give. */
    public static AddressPolicy publicOnly() {
        return PUBLIC_ONLY;
    }

    /**
     * Every address, the sender's own network and cloud metadata included. Insecure for URLs that anyone but you
     * chooses: such a URL can then reach internal services.
     */
    public static AddressPolicy anyAddressInsecure() {
        return new AddressPolicy(EnumSet.allOf(AddressClass.class));
    }

    /** This policy, also allowing the given classes. */
    public AddressPolicy allow(AddressClass... classes) {
        EnumSet<AddressClass> s = EnumSet.copyOf(allowed);
        for (AddressClass c : classes) {
            s.add(Objects.requireNonNull(c, "address class"));
        }
        return new AddressPolicy(s);
    }

    /** This policy, also allowing loopback: a receiver on the same machine (tests, demos, a local relay). */
    public AddressPolicy allowLoopback() {
        return allow(AddressClass.LOOPBACK);
    }

    /** This policy, also allowing private and shared (CGNAT) addresses: a receiver inside your own network. */
    public AddressPolicy allowPrivateAddresses() {
        return allow(AddressClass.PRIVATE, AddressClass.SHARED);
    }

    /** The classes allowed ({@link AddressClass#PUBLIC} always among them). */
    public Set<AddressClass> allowed() {
        return allowed;
    }

    /** Whether the sender may connect to this address. */
    public boolean allows(InetAddress address) {
        return allowed.contains(AddressClass.of(address));
    }

    /**
     * The address of a URL host that is an IP literal, without any DNS lookup; {@code null} for a host name. Only
     * the plain forms count as literals: OkHttp also connects to short and numeric forms such as {@code 127.1} or
     * {@code 2130706433} without asking DNS, so those are refused rather than guessed at.
     *
     * @param host a host as {@link okhttp3.HttpUrl#host()} gives it (IPv6 without brackets)
     * @throws UnknownHostException for an IPv4 address in a form other than four decimal numbers
     */
    static InetAddress literal(String host) throws UnknownHostException {
        if (host.indexOf(':') >= 0) {
            return InetAddress.getByName(host); // an IPv6 literal: parsed, never looked up
        }
        if (!host.matches("[0-9.]+")) {
            return null;
        }
        String[] parts = host.split("\\.", -1);
        byte[] b = new byte[4];
        if (parts.length != 4) {
            throw new UnknownHostException(host + " is an IP address in a short form; write it as four numbers, a.b.c.d");
        }
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || Integer.parseInt(parts[i]) > 255
                    || parts[i].length() > 1 && parts[i].charAt(0) == '0') { // a leading 0 is octal to some parsers
                throw new UnknownHostException(host + " is not an IPv4 address of four decimal numbers from 0 to 255");
            }
            b[i] = (byte) Integer.parseInt(parts[i]);
        }
        return Inet4Address.getByAddress(host, b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressPolicy p && p.allowed.equals(allowed);
    }

    @Override
    public int hashCode() {
        return allowed.hashCode();
    }

    @Override
    public String toString() {
        return "AddressPolicy" + allowed;
    }
}
