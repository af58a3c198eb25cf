package dev.ferry.ftp.internal;

import dev.ferry.core.TlsOptions;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;

/**
 * The TLS implementation of one control connection. Each connection gets its own {@link SSLContext},
 * hence its own client session cache: concurrent connections to the same server never resume each
 * other's sessions, and nothing JVM-wide is touched.
 *
 * <ul>
 *   <li>{@link #JDK} for TLS 1.3 (and as the first try): the data socket resumes the control
 *       session through the JDK's session cache, keyed by host string and port.</li>
 *   <li>{@link #BOUNCY_CASTLE} for TLS 1.2: the JDK cannot resume vsftpd's 1.2 sessions (it drops
 *       tickets with vsftpd's lifetime and the session ID is empty) unless tickets are turned off
 *       JVM-wide. Bouncy Castle's JSSE, used as this connection's provider only (never registered),
 *       resumes explicitly via {@code BCSSLSocket.setBCSessionToResume}.</li>
 * </ul>
 */
enum TlsEngine {
    JDK, BOUNCY_CASTLE;

    // Not registered with java.security.Security: only the contexts built here use it.
    private static final class Bc {
        static final BouncyCastleJsseProvider PROVIDER = new BouncyCastleJsseProvider();
    }

    SSLContext newContext(FerryTrustManager trust) throws GeneralSecurityException {
        SSLContext ctx = this == JDK ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", Bc.PROVIDER);
        // Bouncy Castle needs an explicit SecureRandom ("DEFAULT SecureRandom not available" otherwise).
        ctx.init(null, new TrustManager[] {trust}, new SecureRandom());
        return ctx;
    }

    /** The protocols to enable on this engine for the options. */
    String[] protocols(TlsOptions options) {
        List<String> p = options.enabledProtocols();
        if (this == BOUNCY_CASTLE) {
            return p.contains(TlsOptions.TLS_1_2) ? new String[] {TlsOptions.TLS_1_2} : new String[0];
        }
        return p.toArray(String[]::new);
    }
}
