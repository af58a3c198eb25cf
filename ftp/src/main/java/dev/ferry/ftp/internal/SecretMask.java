package dev.ferry.ftp.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.spi.Transcript;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Masks a target's secrets (password, key passphrase) in text that came from the server: a server may echo the
 * password ({@code 530 Login incorrect for PASS ...}), and its replies go into exceptions, transcripts and logs.
 * Immutable and thread-safe.
 */
final class SecretMask {
    /** How deep a chain of causes is searched and copied. */
    private static final int MAX_CAUSES = 16;

    private final List<String> secrets;

    private SecretMask(List<String> secrets) {
        this.secrets = secrets;
    }

    static SecretMask of(Credentials credentials) {
        List<String> s = new ArrayList<>(2);
        credentials.password().filter(p -> p.length > 0).ifPresent(p -> s.add(new String(p)));
        credentials.passphrase().filter(p -> p.length > 0).ifPresent(p -> s.add(new String(p)));
        // Longest first: a password inside the passphrase must not split the passphrase's mask.
        s.sort(Comparator.comparingInt(String::length).reversed());
        return new SecretMask(List.copyOf(s));
    }

    /** The text with every secret replaced by {@link Transcript#MASK}; {@code null} stays {@code null}. */
    String mask(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : secrets) {
            if (out.contains(s)) {
                out = out.replace(s, Transcript.MASK);
            }
        }
        return out;
    }

    private boolean holdsSecret(String text) {
        return text != null && !text.equals(mask(text));
    }

    /**
     * The cause itself if no message in its chain holds a secret; else a copy of the chain (class names, masked messages,
     * stack traces) without it. Commons Net puts a reply it cannot parse into its exception's message.
     */
    Throwable mask(Throwable cause) {
        boolean found = false;
        int depth = 0;
        for (Throwable t = cause; t != null && depth < MAX_CAUSES && !found; t = t.getCause(), depth++) {
            found = holdsSecret(t.getMessage());
        }
        return found ? copy(cause, 0) : cause;
    }

    private Throwable copy(Throwable t, int depth) {
        if (t == null || depth >= MAX_CAUSES) {
            return null;
        }
        String message = t.getMessage() == null ? t.getClass().getName() : t.getClass().getName() + ": " + mask(t.getMessage());
        IOException c = new IOException(message, copy(t.getCause(), depth + 1));
        c.setStackTrace(t.getStackTrace());
        return c;
    }
}
