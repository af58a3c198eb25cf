package dev.ferry.sftp.internal;

import java.util.List;
import java.util.Set;

import org.apache.sshd.common.NamedResource;

/**
 * The SHA-1 (and older) signature and MAC algorithms that Ferry's SSH client never offers. OpenSSH's client
 * dropped {@code ssh-rsa} in 8.8 (SHA-1 signatures can be forged with chosen prefixes); it still offers
 * {@code hmac-sha1} last, but every SSH server of the last decade has {@code hmac-sha2-*} or an AEAD cipher, so
 * Ferry keeps to SHA-2. RSA keys still work, with {@code rsa-sha2-256}/{@code rsa-sha2-512} signatures.
 */
final class Sha1Algorithms {
    private Sha1Algorithms() {
    }

    /** Host key and user key signatures made with SHA-1. */
    static final Set<String> SIGNATURES = Set.of("ssh-rsa", "ssh-rsa-cert-v01@openssh.com", "ssh-dss",
            "ssh-dss-cert-v01@openssh.com");

    /** MACs on SHA-1 or MD5. */
    static final Set<String> MACS = Set.of("hmac-sha1", "hmac-sha1-etm@openssh.com", "hmac-sha1-96",
            "hmac-sha1-96-etm@openssh.com", "hmac-md5", "hmac-md5-etm@openssh.com", "hmac-md5-96",
            "hmac-md5-96-etm@openssh.com");

    /** The list without the named algorithms, in its order. */
    static <T extends NamedResource> List<T> without(List<T> factories, Set<String> refused) {
        return factories.stream().filter(f -> !refused.contains(f.getName())).toList();
    }
}
