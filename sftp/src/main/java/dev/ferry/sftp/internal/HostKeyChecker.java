package dev.ferry.sftp.internal;

import dev.ferry.core.HostKeys;
import dev.ferry.core.spi.Transcript;
import org.apache.sshd.client.config.hosts.HostPatternValue;
import org.apache.sshd.client.config.hosts.HostPatternsHolder;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.digest.BuiltinDigests;

import java.io.IOException;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Verifies the server's host key against {@link HostKeys}: pinned {@code SHA256:} fingerprints and/or a
 * known_hosts file (plain, hashed and {@code [host]:port} entries, {@code @revoked} honoured before anything else,
 * {@code @cert-authority} lines ignored: Ferry does not check host certificates). Never accepts
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
    /** This host's known_hosts entries; guarded by {@code this}. */
    private List<KnownHostEntry> entries;
    private volatile String readProblem;

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
        List<KnownHostEntry> entries = entries();
        // As OpenSSH does: a key marked @revoked is refused whatever else accepts it, a pin or another line.
        for (KnownHostEntry e : entries) {
            if (isRevoked(e) && KeyUtils.compareKeys(serverKey, resolve(session, e))) {
                how = "marked @revoked in " + keys.knownHostsFile().get();
                return Verdict.REVOKED;
            }
        }
        if (keys.pinnedFingerprints().contains(fingerprint)) {
            how = "pinned fingerprint";
            return Verdict.ACCEPTED;
        }
        Verdict fromFile = Verdict.UNKNOWN;
        for (KnownHostEntry e : entries) {
            if (isRevoked(e)) {
                continue;
            }
            PublicKey known = resolve(session, e);
            if (known == null) {
                continue;
            }
            if (KeyUtils.compareKeys(known, serverKey)) {
                how = "known_hosts " + keys.knownHostsFile().get();
                return Verdict.ACCEPTED;
            }
            if (KeyUtils.getKeyType(known).equals(keyType)) {
                fromFile = Verdict.CHANGED;
                how = keys.knownHostsFile().get() + " has another " + keyType + " key for this host ("
                        + fingerprint(known) + ")";
            }
        }
        if (fromFile == Verdict.UNKNOWN && readProblem != null) {
            how = readProblem;
        }
        if (fromFile == Verdict.UNKNOWN && keys.isInsecureAcceptAny()) {
            how = "INSECURE: HostKeys.insecureAcceptAny() accepts every key";
            return Verdict.ACCEPTED;
        }
        return fromFile;
    }

    /**
     * The host key types the known_hosts file lists for this host and port, in the file's order: the key
     * types to ask the server for first. Revoked keys and certificate authorities do not count.
     */
    List<String> knownKeyTypes() {
        List<String> types = new ArrayList<>();
        for (KnownHostEntry e : entries()) {
            String type = e.getKeyEntry() == null ? null : e.getKeyEntry().getKeyType();
            if (!isRevoked(e) && type != null && !types.contains(type)) {
                types.add(type);
            }
        }
        return types;
    }

    /**
     * The session's host key algorithms, in the order to offer them. A server presents the key of the first
     * algorithm in the client's list that it has; MINA's default list starts with ECDSA, so a server with an
     * ed25519 and an ECDSA key (a stock OpenSSH install) shows its ECDSA key, and a user who listed or pinned
     * only the ed25519 key would be refused. OpenSSH's order, kept here: the algorithms of the key types
     * known_hosts has for this host first, then ed25519, ECDSA, RSA with SHA-2 (a pin names no key type, and
     * ed25519 is what OpenSSH asks for first), then the rest in MINA's order, certificates last (Ferry does
     * not check host certificates, so a server that has one should present its plain key).
     */
    static List<NamedFactory<Signature>> hostKeyAlgorithms(List<NamedFactory<Signature>> available, List<String> knownTypes) {
        List<NamedFactory<Signature>> ordered = new ArrayList<>(available);
        // A stable sort: within a rank, MINA's order (rsa-sha2-512 before rsa-sha2-256, nistp256 before nistp384).
        ordered.sort(Comparator.comparingInt((NamedFactory<Signature> f) -> knownTypes.contains(
                KeyUtils.getCanonicalKeyType(f.getName())) ? 0 : 1).thenComparingInt(f -> rank(f.getName())));
        return ordered;
    }

    private static int rank(String algorithm) {
        if (algorithm.endsWith("-cert-v01@openssh.com")) {
            return 4;
        }
        String type = KeyUtils.getCanonicalKeyType(algorithm);
        if (KeyPairProvider.SSH_ED25519.equals(type)) {
            return 0;
        }
        if (type.startsWith("ecdsa-sha2-")) {
            return 1;
        }
        if (algorithm.startsWith("rsa-sha2-")) {
            return 2;
        }
        return 3;
    }

    /**
     * The known_hosts entries for this host and port, read once per connection attempt. Lines marked
     * {@code @cert-authority} are left out: they name a key that signs host certificates, not a host key,
     * and Ferry does not check host certificates, so such a line neither accepts a key nor makes one "changed".
     */
    private synchronized List<KnownHostEntry> entries() {
        if (entries == null) {
            List<KnownHostEntry> all;
            if (keys.knownHostsFile().isEmpty()) {
                all = Collections.emptyList();
            } else {
                try {
                    all = KnownHostEntry.readKnownHostEntries(keys.knownHostsFile().get());
                } catch (IOException | RuntimeException e) {
                    readProblem = "cannot read " + keys.knownHostsFile().get() + ": " + e.getMessage();
                    all = Collections.emptyList();
                }
            }
            List<KnownHostEntry> mine = new ArrayList<>();
            for (KnownHostEntry e : all) {
                if (!"cert-authority".equalsIgnoreCase(e.getMarker()) && isHostMatch(e, host, port)) {
                    mine.add(e);
                }
            }
            entries = List.copyOf(mine);
        }
        return entries;
    }

    private static boolean isRevoked(KnownHostEntry e) {
        return "revoked".equalsIgnoreCase(e.getMarker());
    }

    private static PublicKey resolve(ClientSession session, KnownHostEntry e) {
        try {
            return e.getKeyEntry().resolvePublicKey(session, Collections.emptyMap(), PublicKeyEntryResolver.IGNORING);
        } catch (IOException | GeneralSecurityException | RuntimeException ex) {
            return null; // a key Ferry cannot read is no key
        }
    }

    /**
     * Whether the entry is for this host and port, as OpenSSH decides it. OpenSSH matches every pattern of a
     * line against the host name, or for a port other than 22 against the literal {@code [host]:port}; so
     * {@code *} also applies to {@code [host]:2222}. MINA's {@link KnownHostEntry#isHostMatch(String, int)}
     * takes a pattern without a port for port 22 only, and would never apply {@code *} (nor {@code @revoked *}) to
     * another port. Hashed entries hash {@code [host]:port} already.
     */
    static boolean isHostMatch(KnownHostEntry e, String host, int port) {
        if (e.getHashedEntry() != null) {
            return e.getHashedEntry().isHostMatch(host, port);
        }
        String bracketed = port == SshConstants.DEFAULT_PORT || port <= 0 ? null : "[" + host + "]:" + port;
        boolean found = false;
        for (HostPatternValue pv : e.getPatterns()) {
            // As HostPatternsHolder.isHostMatch: once a pattern matched, only a negated one can change the verdict.
            if (found && !pv.isNegated()) {
                continue;
            }
            boolean match = HostPatternsHolder.isHostMatch(host, pv.getPattern()) && HostPatternsHolder.isPortMatch(port, pv.getPort())
                    || bracketed != null && pv.getPort() <= 0 && HostPatternsHolder.isHostMatch(bracketed, pv.getPattern());
            if (!match) {
                continue;
            }
            if (pv.isNegated()) {
                return false;
            }
            found = true;
        }
        return found;
    }
}
