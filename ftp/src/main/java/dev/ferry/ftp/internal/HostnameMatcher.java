package dev.ferry.ftp.internal;

import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Checks that a certificate names the host that was connected to (RFC 6125): IP literals against
 * IP address SANs, names against DNS SANs with a wildcard only as the whole left-most label. Never
 * a fallback to the subject's CN (deprecated since RFC 2818): a certificate without SANs matches no
 * host, so such a server needs a pin and host name verification turned off.
 */
final class HostnameMatcher {
    private HostnameMatcher() {
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    static boolean matches(String host, X509Certificate cert) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (isIpLiteral(h)) {
            InetAddress want;
            try {
                want = InetAddress.getByName(h);
            } catch (UnknownHostException e) {
                return false;
            }
            for (String ip : names(cert, 7)) {
                try {
                    if (InetAddress.getByName(ip).equals(want)) {
                        return true;
                    }
                } catch (UnknownHostException e) {
                    // not an address: ignore
                }
            }
            return false;
        }
        String name = normalize(h);
        for (String dns : names(cert, 2)) {
            if (matchesPattern(name, normalize(dns))) {
                return true;
            }
        }
        return false;
    }

    /** The SANs of a type, as text (2 = DNS, 7 = IP). */
    static List<String> names(X509Certificate cert, int type) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && san.get(0) instanceof Integer t && t == type && san.get(1) instanceof String s) {
                        out.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no usable SANs
        }
        return out;
    }

    private static String normalize(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        try {
            return IDN.toASCII(n).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return n.toLowerCase(Locale.ROOT);
        }
    }

    static boolean matchesPattern(String host, String pattern) {
        if (!pattern.startsWith("*.")) {
            return host.equals(pattern);
        }
        String suffix = pattern.substring(1); // ".example.com"
        // The wildcard stands for exactly one label and never for a public suffix-like two-label name.
        if (suffix.indexOf('.', 1) < 0) {
            return false;
        }
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot).equals(suffix);
    }
}
