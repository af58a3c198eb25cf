package dev.ferry.core;

import dev.ferry.core.spi.Transcript;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The one checked exception of Ferry: a transfer, probe or connection failed for a known {@link Reason}.
 *
 * <p>It carries what a human needs to act: the {@linkplain #serverReply() server's last reply}
 * (for example {@code 522 SSL connection failed: session reuse required}), a {@linkplain #hint() hint}
 * saying what to do, whether a {@linkplain #retryable() retry} may help, and the
 * {@linkplain #transcript() transcript} of the conversation so far. Messages never contain a
 * password, passphrase or key: a server may echo one back ({@code 530 Login incorrect for PASS ...}), so an
 * exception built with the {@link Transcript} of the conversation ({@link Builder#transcript(Transcript)}) or
 * with {@link Builder#mask(Credentials)} has every secret those know replaced by {@link Transcript#MASK} in its
 * message, server reply, hint, transcript and {@link #toString()}; {@link #masked(Transcript)} does the same
 * for one built without them.
 */
public class TransferException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a transfer failed. Each reason has a default retry classification. */
    public enum Reason {
        /** The host name could not be resolved. */
        DNS(true),
        /** The control (or SSH) connection could not be opened. */
        CONNECT(true),
        /** The TLS handshake failed, or the server does not offer TLS. */
        TLS_HANDSHAKE(false),
        /** The server's certificate is not trusted, does not match the host, or does not match a pin. */
        CERTIFICATE(false),
        /** The SSH host key is unknown or changed. */
        HOST_KEY(false),
        /** The server refused the credentials. */
        AUTH(false),
        /** The data connection (FTP passive channel) failed: refused, timed out, or TLS session reuse refused. */
        DATA_CHANNEL(true),
        /** The server refused the operation for lack of rights. */
        PERMISSION(false),
        /** The server has no space left. */
        NO_SPACE(false),
        /** The remote file exists and the {@link ExistingFile} policy says to fail. */
        EXISTS(false),
        /** A remote file or directory was not found. */
        NOT_FOUND(false),
        /** The file on the server does not match the source after the transfer. */
        VERIFY_FAILED(true),
        /** The server answered something the protocol does not allow here, or refused a required step. */
        PROTOCOL(false),
        /** A connect, reply or idle timeout, or the upload's deadline, expired. */
        TIMEOUT(true),
        /** The caller cancelled the transfer (interrupt). */
        CANCELLED(false),
        /** The input is invalid (path, URI, source); nothing was sent. */
        BAD_INPUT(false);

        private final boolean retryableByDefault;

        Reason(boolean retryableByDefault) {
            this.retryableByDefault = retryableByDefault;
        }

        /** Whether a failure for this reason is retried unless the exception says otherwise. */
        public boolean retryableByDefault() {
            return retryableByDefault;
        }
    }

    private final Reason reason;
    private final boolean retryable;
    private final String serverReply;
    private final String hint;
    private final List<String> transcript;

    /** A failure with the reason's default retry classification. */
    public TransferException(Reason reason, String message) {
        this(builder(reason, message));
    }

    /** A failure with the reason's default retry classification and a cause. */
    public TransferException(Reason reason, String message, Throwable cause) {
        this(builder(reason, message).cause(cause));
    }

    private TransferException(Builder b) {
        super(Transcript.mask(b.message, b.secrets), b.cause);
        this.reason = b.reason;
        this.retryable = b.retryable != null ? b.retryable : b.reason.retryableByDefault();
        this.serverReply = Transcript.mask(b.serverReply, b.secrets);
        this.hint = Transcript.mask(b.hint, b.secrets);
        List<String> lines = new ArrayList<>(b.transcript == null ? List.of() : b.transcript);
        lines.replaceAll(l -> Transcript.mask(l, b.secrets));
        this.transcript = List.copyOf(lines);
    }

    /** Starts an exception with all its details. */
    public static Builder builder(Reason reason, String message) {
        return new Builder(reason, message);
    }

    /**
     * A copy of this exception with a transcript attached (the reason, details and stack trace are kept), masked
     * with the transcript's secrets.
     */
    public TransferException withTranscript(Transcript t) {
        return sameTrace(t == null ? toBuilder().transcript(List.of()).build() : toBuilder().transcript(t).build());
    }

    /**
     * This exception with every secret registered with {@code t} replaced by {@link Transcript#MASK} in its message,
     * server reply, hint and transcript, for one that was built without them; this exception itself if none of them
     * appears (or {@code t} is {@code null}). The copy keeps the reason, retry classification, cause and stack trace.
     */
    public TransferException masked(Transcript t) {
        if (t == null) {
            return this;
        }
        TransferException m = toBuilder().mask(t).build();
        if (Objects.equals(getMessage(), m.getMessage()) && Objects.equals(serverReply, m.serverReply)
                && Objects.equals(hint, m.hint) && transcript.equals(m.transcript)) {
            return this;
        }
        return sameTrace(m);
    }

    private TransferException sameTrace(TransferException copy) {
        copy.setStackTrace(getStackTrace());
        for (Throwable s : getSuppressed()) {
            copy.addSuppressed(s);
        }
        return copy;
    }

    /** A builder holding this exception's details, to add to or change. */
    public Builder toBuilder() {
        Builder b = new Builder(reason, getMessage()).cause(getCause()).retryable(retryable)
                .serverReply(serverReply).hint(hint).transcript(transcript);
        return b;
    }

    /** Why it failed. */
    public Reason reason() {
        return reason;
    }

    /** Whether retrying from a clean state may succeed. */
    public boolean retryable() {
        return retryable;
    }

    /** The server's last reply that explains the failure, or {@code null}. */
    public String serverReply() {
        return serverReply;
    }

    /** What a human can do about it, or {@code null}. */
    public String hint() {
        return hint;
    }

    /** The (masked) transcript up to the failure, one rendered line each; empty if none was kept. */
    public List<String> transcript() {
        return transcript;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TransferException[").append(reason).append("]: ").append(getMessage());
        if (serverReply != null) {
            sb.append(" (server: ").append(serverReply).append(')');
        }
        if (hint != null) {
            sb.append(" Hint: ").append(hint);
        }
        return sb.toString();
    }

    /** Builds a {@link TransferException}. */
    public static final class Builder {
        private final Reason reason;
        private final String message;
        private Throwable cause;
        private Boolean retryable;
        private String serverReply;
        private String hint;
        private List<String> transcript;
        // Only while building: an exception keeps the masked text, never the secrets.
        private final Set<String> secrets = new LinkedHashSet<>();

        private Builder(Reason reason, String message) {
            this.reason = Objects.requireNonNull(reason, "reason");
            this.message = Objects.requireNonNull(message, "message");
        }

        public Builder cause(Throwable cause) { this.cause = cause; return this; }
        public Builder retryable(boolean retryable) { this.retryable = retryable; return this; }
        public Builder serverReply(String serverReply) { this.serverReply = serverReply; return this; }
        public Builder hint(String hint) { this.hint = hint; return this; }
        public Builder transcript(List<String> lines) { this.transcript = lines; return this; }

        /** The transcript so far; its secrets are masked in everything the exception says (see {@link #mask(Transcript)}). */
        public Builder transcript(Transcript t) {
            this.transcript = t == null ? null : t.render();
            return mask(t);
        }

        /** Masks every secret registered with {@code t} in the message, server reply, hint and transcript. */
        public Builder mask(Transcript t) {
            if (t != null) {
                secrets.addAll(t.secrets());
            }
            return this;
        }

        /** Masks the password and passphrase of {@code c} in the message, server reply, hint and transcript. */
        public Builder mask(Credentials c) {
            if (c != null) {
                secrets.addAll(c.secrets());
            }
            return this;
        }

        public TransferException build() {
            return new TransferException(this);
        }
    }
}
