package dev.ferry.sftp.internal;

import dev.ferry.core.HostKeys;
import dev.ferry.core.Transcript;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.digest.BuiltinDigests;

import java.io.IOException;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Collections;
import java.util.List;

/**
 * Verifies the server's host key against {@link HostKeys}: pinned {@code SHA256:} fingerprints and/or a
 * known_hosts file (plain, hashed and {@code [host]:port} entries, {@code @revoked} honoured). Never accepts
 * an unknown key unless {@link HostKeys#insecureAcceptAny()} was chosen. Remembers what it saw, so an error
 * can show the key type and fingerprint a user may pin. One instance per connection attempt.
 */
final class HostKeyChecker implements ServerKeyVerifier {
    enum Verdict { NOT_CHECKED, ACCEPTED, UNKNOWN, CHANGED, REVOKED }

    private final HostKeys keys;
    private final String host;
    private final int port;
    private final Transcript transcript;
    private volatile Verdict verdict = Verdict.NOT_CHECKED;
    private volatile String keyType;
    private volatile String fingerprint;
    private volatile String how;

    HostKeyChecker(HostKeys keys, String host, int port, Transcript transcript) {
        this.keys = keys;
        this.host = host;
        this.port = port;
        this.transcript = transcript;
    }

    Verdict verdict() {
        return verdict;
    }

    String keyType() {
        return keyType;
    }

    String fingerprint() {
        return fingerprint;
    }

    String how() {
        return how;
    }

    static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        keyType = KeyUtils.getKeyType(serverKey);
        fingerprint = fingerprint(serverKey);
        verdict = check(session, serverKey);
        transcript.note("server host key " + keyType + " " + fingerprint + ": " + verdict.name().toLowerCase(java.util.Locale.ROOT)
                + (how != null ? " (" + how + ")" : ""));
        return verdict == Verdict.ACCEPTED;
    }

    private Verdict check(ClientSession session, PublicKey serverKey) {
        if (keys.pinnedFingerprints().contains(fingerprint)) {
            how = "pinned fingerprint";
            return Verdict.ACCEPTED;
        }
        Verdict fromFile = Verdict.UNKNOWN;
        if (keys.knownHostsFile().isPresent()) {
            List<KnownHostEntry> entries;
            try {
                entries = KnownHostEntry.readKnownHostEntries(keys.knownHostsFile().get());
            } catch (IOException e) {
                how = "cannot read " + keys.knownHostsFile().get() + ": " + e.getMessage();
                entries = Collections.emptyList();
            }
            for (KnownHostEntry e : entries) {
                if (!e.isHostMatch(host, port)) {
                    continue;
                }
                PublicKey known;
                try {
                    known = e.getKeyEntry().resolvePublicKey(session, Collections.emptyMap(), PublicKeyEntryResolver.IGNORING);
                } catch (IOException | GeneralSecurityException ex) {
                    continue;
                }
                if (known == null) {
                    continue;
                }
                boolean same = KeyUtils.compareKeys(known, serverKey);
                if ("revoked".equalsIgnoreCase(e.getMarker())) {
                    if (same) {
                        how = "marked @revoked in " + keys.knownHostsFile().get();
                        return Verdict.REVOKED;
                    }
                    continue;
                }
                if (same) {
                    how = "known_hosts " + keys.knownHostsFile().get();
                    return Verdict.ACCEPTED;
                }
                if (KeyUtils.getKeyType(known).equals(keyType)) {
                    fromFile = Verdict.CHANGED;
                    how = keys.knownHostsFile().get() + " has another " + keyType + " key for this host ("
                            + fingerprint(known) + ")";
                }
            }
        }
        if (fromFile == Verdict.UNKNOWN && keys.isInsecureAcceptAny()) {
            how = "INSECURE: HostKeys.insecureAcceptAny() accepts every key";
            return Verdict.ACCEPTED;
        }
        return fromFile;
    }
}
