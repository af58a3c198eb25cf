package dev.ferry.core.spi;

import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import org.junit.jupiter.api.Test;

import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.security.KeyStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trust of the HTTPS providers: the JDK's, or a given store; nothing weaker is accepted quietly. */
class HttpsTrustTest {
    @Test
    void theDefaultsAreTheJdksTrust() throws Exception {
        assertNull(HttpsTrust.trustManagers(TlsOptions.defaults(), "S3"));
    }

    @Test
    void aGivenStoreIsUsed() throws Exception {
        KeyStore empty = KeyStore.getInstance(KeyStore.getDefaultType());
        empty.load(null, null);
        TrustManager[] tm = HttpsTrust.trustManagers(TlsOptions.builder().trustStore(empty).build(), "S3");
        assertTrue(tm.length > 0 && tm[0] instanceof X509TrustManager);
        assertEquals(0, ((X509TrustManager) tm[0]).getAcceptedIssuers().length, "the JDK's CAs are not mixed in");
    }

    @Test
    void pinsTrustAllAndSkippedHostNamesAreRefusedNamingTheProvider() {
        for (TlsOptions weak : new TlsOptions[] {TlsOptions.insecureTrustAllCertificates(),
                TlsOptions.builder().insecureSkipHostnameVerification().build(),
                TlsOptions.builder().pinSha256("sha256:" + "ab".repeat(32)).build()}) {
            TransferException e = assertThrows(TransferException.class, () -> HttpsTrust.trustManagers(weak, "Dropbox"));
            assertEquals(Reason.BAD_INPUT, e.reason());
            assertTrue(e.getMessage().contains("Dropbox"), e.getMessage());
        }
    }
}
