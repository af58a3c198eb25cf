package dev.ferry.core.spi;

import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

/**
 * The trust of an HTTPS provider whose client checks certificates with the JDK's trust managers only (S3, Dropbox):
 * the JDK's trust store, or the caller's store or certificates. Pins, trust-all and skipped host-name checks are
 * refused, so no {@link TlsOptions} is quietly weakened.
 */
public final class HttpsTrust {
    private HttpsTrust() {
    }

    /**
     * The trust managers for {@code tls}, or {@code null} for the JDK's defaults.
     *
     * @param provider the provider's name, for the error ("S3", "Dropbox")
     * @throws TransferException {@code BAD_INPUT} for an option the provider cannot honour or an unusable trust store
     */
    public static TrustManager[] trustManagers(TlsOptions tls, String provider) throws TransferException {
        if (tls.isInsecureTrustAll() || !tls.hostnameVerification() || !tls.pinnedSha256().isEmpty()) {
            throw TransferException.builder(Reason.BAD_INPUT, "the " + provider + " provider verifies certificates against a "
                    + "trust store only: certificate pins, trust-all and skipped host name checks are not supported")
                    .hint("give the server's CA with TlsOptions.builder().trustCertificate(...) or trustStore(...)").build();
        }
        if (tls.trustStore().isEmpty() && tls.trustedCertificates().isEmpty()) {
            return null;
        }
        try {
            KeyStore store = tls.trustStore().orElse(null);
            if (store == null) {
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (X509Certificate cert : tls.trustedCertificates()) {
                    store.setCertificateEntry("ferry-" + i++, cert);
                }
            }
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            return f.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new TransferException(Reason.BAD_INPUT, "cannot use the given trust store: " + e.getMessage(), e);
        }
    }
}
