package dev.ferry.core;

/**
 * Facts about a connection that a user may need to prove or pin: the security protocol and cipher,
 * the peer's fingerprint, and the server's greeting.
 *
 * @param securityProtocol {@code TLSv1.3}, {@code TLSv1.2}, {@code SSH-2.0}, or {@code none} for plain FTP
 * @param cipher the negotiated cipher suite or SSH cipher, or {@code null}
 * @param peerFingerprint {@code sha256:<hex>} of the server certificate, or the SSH host key's
 *        {@code SHA256:<base64>}, or {@code null}
 * @param serverBanner the server's greeting or SSH version string, or {@code null}
 */
public record ConnectionInfo(String securityProtocol, String cipher, String peerFingerprint, String serverBanner) {
    /** A plain, unencrypted connection. */
    public static ConnectionInfo plain(String banner) {
        return new ConnectionInfo("none", null, null, banner);
    }
}
