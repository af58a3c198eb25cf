package dev.ferry.ftp.internal;

import dev.ferry.core.TlsOptions;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * Checks the server's certificate per {@link TlsOptions}: a pinned SHA-256 fingerprint, or a chain
 * that the JDK's PKIX validator accepts against the chosen trust anchors; then the host name. It
 * records what it saw, so a failure can name the fingerprint a user may pin. Works the same under
 * the JDK's and Bouncy Castle's TLS engines, which is why the host name is checked here rather than
 * by an engine's endpoint identification.
 */
final class FerryTrustManager extends X509ExtendedTrustManager {
    private final TlsOptions options;
    private final String host;
    private final X509TrustManager pkix;
    private volatile X509Certificate seen;
    private volatile UntrustedCertificateException refusal;

    FerryTrustManager(TlsOptions options, String host) throws GeneralSecurityException {
        this.options = options;
        this.host = host;
        this.pkix = options.isInsecureTrustAll() ? null : pkixTrustManager(options);
    }

    private static X509TrustManager pkixTrustManager(TlsOptions options) throws GeneralSecurityException {
        KeyStore store = options.trustStore().orElse(null);
        if (store == null && !options.trustedCertificates().isEmpty()) {
            store = KeyStore.getInstance("PKCS12");
            try {
                store.load(null, null);
            } catch (java.io.IOException e) {
                throw new GeneralSecurityException(e);
            }
            int i = 0;
            for (X509Certificate c : options.trustedCertificates()) {
                store.setCertificateEntry("trusted-" + i++, c);
            }
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager in " + f.getAlgorithm());
    }

    /** The server certificate seen in the last handshake, or {@code null}. */
    X509Certificate seen() {
        return seen;
    }

    /**
     * The refusal of the last handshake's certificate, or {@code null}. Bouncy Castle's engine reports a trust manager's
     * refusal only as the alert it sends ({@code certificate_unknown}), without the exception: the error mapping asks here.
     */
    UntrustedCertificateException refusal() {
        return refusal;
    }

    static String sha256(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void check(X509Certificate[] chain, String authType) throws CertificateException {
        refusal = null;
        try {
            checkChainAndHost(chain, authType);
        } catch (UntrustedCertificateException e) {
            refusal = e;
            throw e;
        }
    }

    private void checkChainAndHost(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server sent no certificate");
        }
        X509Certificate leaf = chain[0];
        seen = leaf;
        if (options.isInsecureTrustAll()) {
            return;
        }
        String fp = sha256(leaf);
        if (!options.pinnedSha256().isEmpty()) {
            if (!options.pinnedSha256().contains(fp)) {
                throw new UntrustedCertificateException("the server certificate (sha256:" + fp + ", " + leaf.getSubjectX500Principal()
                        + ") does not match the pinned fingerprint(s)", leaf, fp, null);
            }
        } else {
            try {
                pkix.checkServerTrusted(chain, authType == null || authType.isEmpty() ? "UNKNOWN" : authType);
                // PKIX does not check the dates of a trust anchor: a server certificate trusted directly (trustCertificate,
                // --ca-cert with the server's own certificate) would be accepted after it expired. A pin is exempt: it
                // names one certificate, whatever its dates.
                leaf.checkValidity();
            } catch (CertificateException e) {
                String what = e instanceof java.security.cert.CertificateExpiredException ? "has expired ("
                        + leaf.getNotAfter().toInstant() + ")"
                        : e instanceof java.security.cert.CertificateNotYetValidException ? "is not valid yet"
                        : "is not trusted: " + rootMessage(e);
                throw new UntrustedCertificateException("the server certificate (sha256:" + fp + ", " + leaf.getSubjectX500Principal()
                        + ") " + what, leaf, fp, e);
            }
        }
        if (options.hostnameVerification() && !HostnameMatcher.matches(host, leaf)) {
            throw new UntrustedCertificateException("the server certificate (sha256:" + fp + ") does not name the host " + host
                    + " (it names DNS " + HostnameMatcher.names(leaf, 2) + ", IP " + HostnameMatcher.names(leaf, 7) + ")", leaf, fp, null)
                    .forAnotherHost();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a client does not check client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a client does not check client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a client does not check client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix == null ? new X509Certificate[0] : pkix.getAcceptedIssuers();
    }

    /** A certificate that was refused, with the fingerprint a user could pin. */
    static final class UntrustedCertificateException extends CertificateException {
        private static final long serialVersionUID = 1L;
        private final transient X509Certificate certificate;
        private final String sha256;
        private boolean anotherHost;

        UntrustedCertificateException(String message, X509Certificate certificate, String sha256, Throwable cause) {
            super(message, cause);
            this.certificate = certificate;
            this.sha256 = sha256;
        }

        private UntrustedCertificateException forAnotherHost() {
            anotherHost = true;
            return this;
        }

        /** Whether the certificate was refused only because it does not name the host (a pin does not lift that check). */
        boolean anotherHost() {
            return anotherHost;
        }

        X509Certificate certificate() {
            return certificate;
        }

        String sha256() {
            return sha256;
        }
    }
}
