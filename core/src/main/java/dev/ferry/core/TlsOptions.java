package dev.ferry.core;

import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a TLS peer (an FTPS server) is trusted: the JDK's trust store by default, or given CA or
 * server certificates, and/or pinned SHA-256 fingerprints of the server's certificate; host name
 * verification on by default (IP SANs for IP literals); the TLS versions allowed.
 *
 * <p>Trusting every certificate exists only as {@link #insecureTrustAllCertificates()}.
 * Immutable; {@link #toString()} shows fingerprints and counts, nothing secret.
 */
public final class TlsOptions {
    /** TLS 1.2. */
    public static final String TLS_1_2 = "TLSv1.2";
    /** TLS 1.3. */
    public static final String TLS_1_3 = "TLSv1.3";

    private static final TlsOptions DEFAULTS = builder().build();

    private final KeyStore trustStore;
    private final List<X509Certificate> trustedCertificates;
    private final Set<String> pinnedSha256;
    private final boolean hostnameVerification;
    private final boolean trustAll;
    private final String minProtocol;
    private final String maxProtocol;

    private TlsOptions(Builder b) {
        this.trustStore = b.trustStore;
        this.trustedCertificates = List.copyOf(b.trustedCertificates);
        this.pinnedSha256 = Set.copyOf(b.pinnedSha256);
        this.hostnameVerification = b.hostnameVerification;
        this.trustAll = b.trustAll;
        this.minProtocol = b.minProtocol;
        this.maxProtocol = b.maxProtocol;
        if (rank(minProtocol) > rank(maxProtocol)) {
            throw new IllegalArgumentException("minProtocol " + minProtocol + " is above maxProtocol " + maxProtocol);
        }
    }

    /** The secure defaults: JDK trust store, host name verified, TLS 1.2 to 1.3. */
    public static TlsOptions defaults() {
        return DEFAULTS;
    }

    /**
     * INSECURE: accepts any certificate for any host. For tests against throwaway servers only;
     * a transcript note says it was used.
     */
    public static TlsOptions insecureTrustAllCertificates() {
        Builder b = builder();
        b.trustAll = true;
        b.hostnameVerification = false;
        return b.build();
    }

    /** A builder with the secure defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.trustStore = trustStore;
        b.trustedCertificates.addAll(trustedCertificates);
        b.pinnedSha256.addAll(pinnedSha256);
        b.hostnameVerification = hostnameVerification;
        b.trustAll = trustAll;
        b.minProtocol = minProtocol;
        b.maxProtocol = maxProtocol;
        return b;
    }

    /** A trust store to use instead of the JDK's, if one was given. */
    public Optional<KeyStore> trustStore() {
        return Optional.ofNullable(trustStore);
    }

    /** CA or server certificates trusted in addition to nothing else (they replace the JDK trust store). */
    public List<X509Certificate> trustedCertificates() {
        return trustedCertificates;
    }

    /** Pinned SHA-256 fingerprints of the server's DER certificate, lower-case hex without colons. */
    public Set<String> pinnedSha256() {
        return pinnedSha256;
    }

    /** Whether the certificate must match the host name (or IP literal) that was connected to. */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /** Whether every certificate is accepted (see {@link #insecureTrustAllCertificates()}). */
    public boolean isInsecureTrustAll() {
        return trustAll;
    }

    /** The lowest TLS version allowed ({@code TLSv1.2} by default). */
    public String minProtocol() {
        return minProtocol;
    }

    /** The highest TLS version allowed ({@code TLSv1.3} by default). */
    public String maxProtocol() {
        return maxProtocol;
    }

    /** The enabled protocol names from min to max, e.g. {@code [TLSv1.2, TLSv1.3]}. */
    public List<String> enabledProtocols() {
        List<String> out = new ArrayList<>();
        for (String p : List.of(TLS_1_2, TLS_1_3)) {
            if (rank(p) >= rank(minProtocol) && rank(p) <= rank(maxProtocol)) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Normalises a fingerprint to lower-case hex without separators: accepts {@code sha256:AB:CD…},
     * {@code AB:CD…} or {@code abcd…}.
     *
     * @throws IllegalArgumentException if it is not 32 bytes of hex
     */
    public static String normalizeSha256(String fingerprint) {
        Objects.requireNonNull(fingerprint, "fingerprint");
        String f = fingerprint.strip();
        if (f.regionMatches(true, 0, "sha256:", 0, 7)) {
            f = f.substring(7);
        }
        f = f.replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
        if (!f.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a certificate pin must be a SHA-256 fingerprint: 64 hex digits, "
                    + "colons optional, optionally prefixed by sha256: (got " + fingerprint.length() + " characters)");
        }
        return f;
    }

    private static int rank(String protocol) {
        return switch (protocol) {
            case TLS_1_2 -> 2;
            case TLS_1_3 -> 3;
            default -> throw new IllegalArgumentException("unsupported TLS protocol " + protocol + " (use TLSv1.2 or TLSv1.3)");
        };
    }

    /** Accepts {@code 1.2}, {@code 1.3}, {@code TLSv1.2}, {@code TLSv1.3}. */
    public static String protocolName(String version) {
        String v = Objects.requireNonNull(version, "version").strip();
        if (v.equals("1.2") || v.equalsIgnoreCase(TLS_1_2)) {
            return TLS_1_2;
        }
        if (v.equals("1.3") || v.equalsIgnoreCase(TLS_1_3)) {
            return TLS_1_3;
        }
        throw new IllegalArgumentException("unsupported TLS version " + version + " (use 1.2 or 1.3)");
    }

    @Override
    public String toString() {
        return "TlsOptions[" + (trustAll ? "INSECURE trust-all" : trustStore != null ? "custom trust store"
                : trustedCertificates.isEmpty() ? "JDK trust store" : trustedCertificates.size() + " trusted certificate(s)")
                + ", pins=" + pinnedSha256 + ", hostnameVerification=" + hostnameVerification
                + ", protocols=" + enabledProtocols() + "]";
    }

    /** Builds {@link TlsOptions}; reusable. */
    public static final class Builder {
        private KeyStore trustStore;
        private final List<X509Certificate> trustedCertificates = new ArrayList<>();
        private final Set<String> pinnedSha256 = new LinkedHashSet<>();
        private boolean hostnameVerification = true;
        private boolean trustAll;
        private String minProtocol = TLS_1_2;
        private String maxProtocol = TLS_1_3;

        private Builder() {
        }

        /** Trust the certificates of this key store instead of the JDK's. */
        public Builder trustStore(KeyStore store) {
            this.trustStore = Objects.requireNonNull(store, "trustStore");
            return this;
        }

        /** Trust this CA or server certificate (replaces the JDK trust store; may be called several times). */
        public Builder trustCertificate(X509Certificate certificate) {
            trustedCertificates.add(Objects.requireNonNull(certificate, "certificate"));
            return this;
        }

        /**
         * Accept a server certificate whose DER SHA-256 fingerprint is this one, whoever issued it and
         * whatever its validity dates (a pin names one certificate and its key; a self-signed one that
         * expired is still the same key): host name verification still applies unless turned off. May be
         * called several times.
         */
        public Builder pinSha256(String fingerprint) {
            pinnedSha256.add(normalizeSha256(fingerprint));
            return this;
        }

        /**
         * INSECURE when {@code false}: do not check that the certificate names the host. Only useful
         * with a pin, where the pin already identifies the server.
         */
        public Builder insecureSkipHostnameVerification() {
            this.hostnameVerification = false;
            return this;
        }

        /** The lowest TLS version: {@code 1.2}/{@code TLSv1.2} or {@code 1.3}/{@code TLSv1.3}. */
        public Builder minProtocol(String version) {
            this.minProtocol = protocolName(version);
            return this;
        }

        /** The highest TLS version: {@code 1.2}/{@code TLSv1.2} or {@code 1.3}/{@code TLSv1.3}. */
        public Builder maxProtocol(String version) {
            this.maxProtocol = protocolName(version);
            return this;
        }

        /** Validates and builds. */
        public TlsOptions build() {
            return new TlsOptions(this);
        }
    }
}
