package dev.ferry.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How an SSH server's host key is verified: a known_hosts file (hashed entries and
 * {@code [host]:port} included), pinned {@code SHA256:} fingerprints, or both (either may match).
 *
 * <p>There is no default that accepts any key; that exists only as {@link #insecureAcceptAny()}.
 */
public final class HostKeys {
    private static final Path DEV_NULL = Path.of("/dev/null");

    private final Path knownHosts;
    private final Set<String> pinned;
    private final boolean acceptAny;

    private HostKeys(Path knownHosts, Set<String> pinned, boolean acceptAny) {
        this.knownHosts = knownHosts;
        this.pinned = Set.copyOf(pinned);
        this.acceptAny = acceptAny;
    }

    /**
     * Verify against this known_hosts file. {@code /dev/null} is an empty one, as in OpenSSH's
     * {@code UserKnownHostsFile=/dev/null}: then only pinned fingerprints ({@link #withPin}) are trusted.
     */
    public static HostKeys knownHosts(Path file) {
        return new HostKeys(Objects.requireNonNull(file, "knownHosts"), Set.of(), false);
    }

    /** Verify against {@code ~/.ssh/known_hosts}. */
    public static HostKeys userKnownHosts() {
        return knownHosts(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
    }

    /** Accept only keys with one of these fingerprints ({@code SHA256:base64}, as OpenSSH prints them). */
    public static HostKeys pinned(String... fingerprints) {
        Set<String> s = new LinkedHashSet<>();
        for (String f : fingerprints) {
            s.add(normalizeFingerprint(f));
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("at least one host key fingerprint is required");
        }
        return new HostKeys(null, s, false);
    }

    /** INSECURE: accepts any host key. For throwaway test servers only; a transcript note says so. */
    public static HostKeys insecureAcceptAny() {
        return new HostKeys(null, Set.of(), true);
    }

    /** The same verification with a pinned fingerprint added. */
    public HostKeys withPin(String fingerprint) {
        Set<String> s = new LinkedHashSet<>(pinned);
        s.add(normalizeFingerprint(fingerprint));
        return new HostKeys(knownHosts, s, acceptAny);
    }

    /** The known_hosts file, if one is used. */
    public Optional<Path> knownHostsFile() {
        return Optional.ofNullable(knownHosts);
    }

    /** The pinned fingerprints, each {@code SHA256:} followed by unpadded base64. */
    public Set<String> pinnedFingerprints() {
        return pinned;
    }

    /** Whether every key is accepted. */
    public boolean isInsecureAcceptAny() {
        return acceptAny;
    }

    /**
     * Whether the known_hosts file is configured but missing (a clear error is better than "unknown key").
     * {@code /dev/null} is never missing: it is not a regular file, but it reads as an empty one.
     */
    public boolean knownHostsMissing() {
        return knownHosts != null && !knownHosts.equals(DEV_NULL) && !Files.isRegularFile(knownHosts);
    }

    /**
     * Normalises a fingerprint to {@code SHA256:<base64 without padding>}.
     *
     * @throws IllegalArgumentException if it is not an SHA256 fingerprint
     */
    public static String normalizeFingerprint(String fingerprint) {
        Objects.requireNonNull(fingerprint, "fingerprint");
        String f = fingerprint.strip();
        if (!f.regionMatches(true, 0, "SHA256:", 0, 7)) {
            throw new IllegalArgumentException("a host key pin must look like SHA256:<base64>, as ssh-keygen -lf prints it");
        }
        String b64 = f.substring(7);
        while (b64.endsWith("=")) {
            b64 = b64.substring(0, b64.length() - 1);
        }
        if (!b64.matches("[A-Za-z0-9+/]{43}")) {
            throw new IllegalArgumentException("a host key pin must be SHA256: followed by 43 base64 characters");
        }
        return "SHA256:" + b64;
    }

    @Override
    public String toString() {
        return "HostKeys[" + (acceptAny ? "INSECURE accept-any" : (knownHosts != null ? "knownHosts=" + knownHosts : "")
                + (pinned.isEmpty() ? "" : (knownHosts != null ? ", " : "") + "pinned=" + pinned)) + "]";
    }
}
