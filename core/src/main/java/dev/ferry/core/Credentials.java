package dev.ferry.core;

import dev.ferry.core.spi.Transcript;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Who logs in: a user name with a password, a private key (with an optional passphrase), or both.
 *
 * <p>Immutable; the secrets are copied in and copied out. {@link #toString()} never reveals a
 * secret, only which kinds are present.
 *
 * <pre>{@code
 * Credentials.password("alice", System.getenv("FTP_PASSWORD").toCharArray());
 * Credentials.privateKey("alice", Path.of("id_ed25519"), passphrase);
 * }</pre>
 */
public final class Credentials {
    private final String username;
    private final char[] password;
    private final Path privateKey;
    private final char[] passphrase;

    private Credentials(String username, char[] password, Path privateKey, char[] passphrase) {
        this.username = Objects.requireNonNull(username, "username");
        if (username.isEmpty()) {
            throw new IllegalArgumentException("username must not be empty");
        }
        for (char c : username.toCharArray()) {
            if (c == '\r' || c == '\n' || c == '\0') {
                throw new IllegalArgumentException("username must not contain CR, LF or NUL");
            }
        }
        this.password = password == null ? null : password.clone();
        this.privateKey = privateKey;
        this.passphrase = passphrase == null ? null : passphrase.clone();
    }

    /** A user name and password. */
    public static Credentials password(String username, char[] password) {
        return new Credentials(username, Objects.requireNonNull(password, "password"), null, null);
    }

    /** A user name and private key file (OpenSSH or PEM) with an optional passphrase ({@code null} for none). */
    public static Credentials privateKey(String username, Path keyFile, char[] passphrase) {
        return new Credentials(username, null, Objects.requireNonNull(keyFile, "keyFile"), passphrase);
    }

    /** A user name with no secret (anonymous FTP, or a key supplied elsewhere). */
    public static Credentials username(String username) {
        return new Credentials(username, null, null, null);
    }

    /** The same user with a password added (both are offered where the protocol allows). */
    public Credentials withPassword(char[] newPassword) {
        return new Credentials(username, Objects.requireNonNull(newPassword, "password"), privateKey, passphrase);
    }

    /** The same user with a private key added. */
    public Credentials withPrivateKey(Path keyFile, char[] keyPassphrase) {
        return new Credentials(username, password, Objects.requireNonNull(keyFile, "keyFile"), keyPassphrase);
    }

    /** The user name. */
    public String username() {
        return username;
    }

    /** A copy of the password, if there is one. The caller may wipe it after use. */
    public Optional<char[]> password() {
        return Optional.ofNullable(password).map(char[]::clone);
    }

    /** The private key file, if there is one. */
    public Optional<Path> privateKey() {
        return Optional.ofNullable(privateKey);
    }

    /** A copy of the key passphrase, if there is one. */
    public Optional<char[]> passphrase() {
        return Optional.ofNullable(passphrase).map(char[]::clone);
    }

    /** The text with every secret of these credentials replaced by {@link Transcript#MASK}; {@code null} stays {@code null}. */
    public String mask(String text) {
        return Transcript.mask(text, secrets());
    }

    /** The password and passphrase that are present and not empty. */
    java.util.List<String> secrets() {
        java.util.List<String> out = new java.util.ArrayList<>(2);
        if (password != null && password.length > 0) {
            out.add(new String(password));
        }
        if (passphrase != null && passphrase.length > 0) {
            out.add(new String(passphrase));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Credentials c && username.equals(c.username) && Arrays.equals(password, c.password)
                && Objects.equals(privateKey, c.privateKey) && Arrays.equals(passphrase, c.passphrase);
    }

    @Override
    public int hashCode() {
        return Objects.hash(username, privateKey);
    }

    @Override
    public String toString() {
        return "Credentials[user=" + username + (password != null ? ", password=****" : "")
                + (privateKey != null ? ", key=" + privateKey.getFileName() : "")
                + (passphrase != null ? ", passphrase=****" : "") + "]";
    }
}
