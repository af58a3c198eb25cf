package dev.ferry.ftp.internal;

import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import org.apache.commons.net.ftp.FTPConnectionClosedException;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;

/**
 * Turns an FTP reply or an I/O failure on a connection into a {@link TransferException} with the server's reply (its
 * secrets masked) and a hint. Failures after which the connection cannot be used mark it broken.
 */
final class FtpErrors {
    private final FtpConnection conn;
    private final TargetConfig config;
    private final SecretMask secrets;

    FtpErrors(FtpConnection conn, TargetConfig config, SecretMask secrets) {
        this.conn = conn;
        this.config = config;
        this.secrets = secrets;
    }

    FtpReplies.Verdict classify(String command, int code) {
        return FtpReplies.classify(command, code, conn.rawReply());
    }

    /** A refusal by the last reply, which goes into the message (first line) and the exception. */
    TransferException failReply(Reason reason, String message, String command, String hint) {
        String r = conn.reply();
        int code = conn.replyCode();
        FtpReplies.Verdict v = FtpReplies.classify(command, code, conn.rawReply());
        boolean retry = v.retryable() && reason == v.reason() || reason.retryableByDefault() && code >= 400 && code < 500;
        return TransferException.builder(reason, message + (r.isEmpty() ? "" : " (" + firstLine(r) + ")")).serverReply(r)
                .hint(hint != null ? hint : v.hint()).retryable(retry || reason.retryableByDefault() && code < 500)
                .transcript(conn.transcript()).build();
    }

    /** The refusal of {@code command} by the last reply, classified. */
    TransferException refused(String command, String message) {
        FtpReplies.Verdict v = classify(command, conn.replyCode());
        return failReply(v.reason(), message, command, v.hint());
    }

    static String firstLine(String r) {
        int i = r.indexOf('\n');
        return (i < 0 ? r : r.substring(0, i)).strip();
    }

    /** A failure with a cause: its message may hold server text (an unparsable reply), so both are masked. */
    TransferException fail(Reason reason, String message, Throwable cause, String hint) {
        return TransferException.builder(reason, secrets.mask(message)).cause(secrets.mask(cause)).hint(hint)
                .serverReply(emptyToNull(conn.reply())).transcript(conn.transcript()).build();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Opening the control connection to {@code port} failed. */
    TransferException connectFailure(IOException e, int port) {
        String where = config.host() + ":" + port;
        if (e instanceof UnknownHostException) {
            return fail(Reason.DNS, "cannot resolve " + config.host(), e, "check the host name");
        }
        if (beyondBounds(e) != null) {
            return replyBeyondBounds("the server's greeting", beyondBounds(e));
        }
        if (e instanceof SocketTimeoutException) {
            return fail(Reason.CONNECT, "connecting to " + where + " timed out after " + config.connectTimeout().toSeconds()
                    + " s", e, "check the host and port, and that a firewall lets you reach the FTP port");
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return fail(Reason.CONNECT, "cannot connect to " + where + ": " + e.getMessage(), e,
                    "check the host and port; nothing accepts connections there, or a firewall rejects them");
        }
        return fail(Reason.CONNECT, "connecting to " + where + " failed: " + e, e, "check that the server is an FTP server and is up");
    }

    /** The control connection failed during {@code command}; it is given up. */
    TransferException ioFailure(String command, IOException e) {
        conn.markBroken();
        if (beyondBounds(e) != null) {
            return replyBeyondBounds("the reply to " + command, beyondBounds(e));
        }
        if (e instanceof SocketTimeoutException) {
            return fail(Reason.TIMEOUT, "no reply to " + command + " within " + config.replyTimeout().toSeconds() + " s", e,
                    "the server or the network is slow or stuck; raise the reply timeout if the server is just slow");
        }
        if (e instanceof FTPConnectionClosedException) {
            return fail(Reason.CONNECT, "the server closed the connection during " + command, e,
                    "the server may limit connections or idle time; it is retried");
        }
        return fail(Reason.CONNECT, "the connection broke during " + command + ": " + e.getMessage(), e, "a network problem; it is retried");
    }

    /** A reply beyond {@link ReplyReader}'s bounds in {@code e} or its causes, or {@code null}. */
    static IOException beyondBounds(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ReplyReader.ReplyTooLargeException || t instanceof ReplyReader.ReplyTooSlowException) {
                return (IOException) t;
            }
        }
        return null;
    }

    /**
     * The failure for a reply too large ({@code PROTOCOL}) or too slow ({@code TIMEOUT}); the connection is given up.
     *
     * @param what which reply, e.g. "the reply to FEAT"
     */
    TransferException replyBeyondBounds(String what, IOException e) {
        conn.markBroken();
        // What was read of the reply, briefly: it may be a flood.
        String partial = conn.reply();
        String excerpt = partial.length() <= 200 ? partial : partial.substring(0, 200) + "…";
        TransferException.Builder b;
        if (e instanceof ReplyReader.ReplyTooSlowException slow) {
            b = TransferException.builder(Reason.TIMEOUT, what + " did not end within "
                    + seconds(slow.budgetMillis()) + ": the server sent it too slowly (" + e.getMessage() + ")")
                    .hint("the server answers a line at a time and never finishes; a reply must end within the reply timeout "
                            + "(" + seconds(slow.budgetMillis()) + ")");
        } else {
            b = TransferException.builder(Reason.PROTOCOL, what + " is beyond what Ferry reads: "
                    + e.getMessage()).hint("a broken or hostile server, or no FTP server on this port; Ferry reads at most "
                    + ReplyReader.MAX_LINES + " lines of " + ReplyReader.MAX_LINE_BYTES + " bytes in one reply");
        }
        return b.cause(e).serverReply(emptyToNull(excerpt)).transcript(conn.transcript()).build();
    }

    private static String seconds(int millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    /** The control connection's TLS handshake failed; {@code trust} saw the certificate (or refused it), if any. */
    TransferException handshakeFailure(IOException e, FerryTrustManager trust) {
        conn.markBroken();
        FerryTrustManager.UntrustedCertificateException refused = trust == null ? null : trust.refusal();
        for (Throwable t = e; t != null && refused == null; t = t.getCause()) {
            if (t instanceof FerryTrustManager.UntrustedCertificateException u) {
                refused = u;
            }
        }
        if (refused != null) {
            // A pin accepts a certificate whatever its dates: never offer one as the way past an expired certificate.
            boolean dates = refused.getCause() instanceof java.security.cert.CertificateExpiredException
                    || refused.getCause() instanceof java.security.cert.CertificateNotYetValidException;
            String hint = dates ? "the certificate is outside its validity dates: ask the server's owner to renew it, and check "
                    + "the clocks of this machine and the server"
                    // The host name is checked under a pin too: pinning cannot help here.
                    : refused.anotherHost() ? "connect with a host name the certificate holds, or ask the server's owner for a "
                    + "certificate that names " + config.host()
                    : "if this is the right server, pin its certificate (TlsOptions.pinSha256(\"sha256:" + refused.sha256()
                    + "\") or --cert-pin sha256:" + refused.sha256() + "), or trust its CA (--ca-cert)";
            return TransferException.builder(Reason.CERTIFICATE, refused.getMessage()).cause(e).hint(hint)
                    .transcript(conn.transcript()).build();
        }
        if (!(e instanceof SSLException)) {
            return fail(Reason.TLS_HANDSHAKE, "the TLS handshake with " + config.host() + " failed: " + e, e,
                    "the server closed the connection during the handshake; check the TLS versions it allows");
        }
        X509Certificate seen = trust == null ? null : trust.seen();
        return TransferException.builder(Reason.TLS_HANDSHAKE, "the TLS handshake with " + config.host() + " failed: " + e.getMessage()
                        + (seen != null ? " (server certificate sha256:" + FerryTrustManager.sha256(seen) + ")" : "")).cause(e)
                .hint("check the TLS versions both sides allow (Ferry: " + config.tls().enabledProtocols() + ")")
                .transcript(conn.transcript()).build();
    }
}
