package dev.ferry.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The options every target has, declared once: {@link TargetConfig.Builder} and each provider's typed builder
 * ({@code FtpTarget.Builder}, {@code SftpTarget.Builder}) extend it and add only their protocol's own options.
 * The host and the trust options that only some protocols use ({@link #tls}, {@link #hostKeys}) are protected here;
 * a builder whose protocol uses one makes it public.
 *
 * <p>Each setter checks its value ({@link IllegalArgumentException} naming the option); the subclass's
 * {@code build()} checks them together. Reusable; not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter so that calls chain
 */
public abstract class TargetBuilder<B extends TargetBuilder<B>> {
    String host;
    int port = -1;
    String baseDirectory = "/";
    Credentials credentials;
    TlsOptions tls = TlsOptions.defaults();
    HostKeys hostKeys;
    Duration connectTimeout = TargetConfig.DEFAULT_CONNECT_TIMEOUT;
    Duration replyTimeout = TargetConfig.DEFAULT_REPLY_TIMEOUT;
    Duration dataTimeout = TargetConfig.DEFAULT_DATA_TIMEOUT;
    RetryPolicy retryPolicy = RetryPolicy.defaults();
    int maxSessions = TargetConfig.DEFAULT_MAX_SESSIONS;

    /** For subclasses. */
    protected TargetBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The port (1 to 65535); without one, the protocol's default. */
    public final B port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be from 1 to 65535, got " + port);
        }
        this.port = port;
        return self();
    }

    /** Who logs in: a user name with a password and/or private key. */
    public final B credentials(Credentials credentials) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        return self();
    }

    /** The absolute directory uploads are relative to (created if missing); "/" by default. */
    public final B baseDirectory(String dir) {
        this.baseDirectory = Objects.requireNonNull(dir, "baseDirectory");
        return self();
    }

    /** How long opening a connection may take (default 15 s). */
    public final B connectTimeout(Duration d) {
        this.connectTimeout = positive(d, "connectTimeout");
        return self();
    }

    /** How long to wait for each whole reply of the server (however slowly it trickles in): a control reply, an authentication step, a request (default 60 s). */
    public final B replyTimeout(Duration d) {
        this.replyTimeout = positive(d, "replyTimeout");
        return self();
    }

    /** How long a data transfer may make no progress (default 60 s). */
    public final B dataTimeout(Duration d) {
        this.dataTimeout = positive(d, "dataTimeout");
        return self();
    }

    /** Sets the connect, reply and data timeouts to the same value. */
    public final B timeouts(Duration d) {
        return connectTimeout(d).replyTimeout(d).dataTimeout(d);
    }

    /** Which failed uploads are tried again, and how often ({@link RetryPolicy#defaults()} by default). */
    public final B retryPolicy(RetryPolicy policy) {
        this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
        return self();
    }

    /** The most sessions (connections) a target opens at once (at least 1; default 4). */
    public final B maxSessions(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1, got " + n);
        }
        this.maxSessions = n;
        return self();
    }

    /** The server's host name or IP address (an IPv6 address with or without brackets). */
    protected B host(String host) {
        this.host = Objects.requireNonNull(host, "host");
        return self();
    }

    /** How the server's certificate is trusted and which TLS versions are allowed. */
    protected B tls(TlsOptions options) {
        this.tls = Objects.requireNonNull(options, "tls");
        return self();
    }

    /** How the server's SSH host key is verified. */
    protected B hostKeys(HostKeys keys) {
        this.hostKeys = Objects.requireNonNull(keys, "hostKeys");
        return self();
    }

    /**
     * The configuration these options make, for a provider builder's {@code build()}.
     *
     * @param scheme the URI scheme of the target ({@code ftps}, {@code ftp}, {@code sftp})
     * @throws IllegalStateException if the host or credentials are missing
     * @throws TransferException {@code BAD_INPUT} for an invalid host or base directory
     */
    protected final TargetConfig toConfig(String scheme) throws TransferException {
        if (host == null) {
            throw new IllegalStateException("host is required");
        }
        if (credentials == null) {
            throw new IllegalStateException("credentials are required");
        }
        return new TargetConfig(this, scheme, checkedHost(host), null, Map.of());
    }

    /** The host as a URI would hold it (IPv6 without brackets), or {@code BAD_INPUT}. */
    private static String checkedHost(String host) throws TransferException {
        String why;
        try {
            // This constructor adds brackets to an IPv6 address and parses the result as a server authority; what
            // does not come back whole (a path, a user, a port) was not a host.
            String h = unbracketed(new URI("x", null, host, -1, "/", null, null).getHost());
            if (h != null && h.equals(unbracketed(host))) {
                return h;
            }
            why = "not a host name or address";
        } catch (URISyntaxException e) {
            why = e.getReason();
        }
        throw TransferException.builder(TransferException.Reason.BAD_INPUT, "invalid host " + Redaction.url(host) + ": " + why)
                .hint("give a host name or an IP address, without scheme, user or port").build();
    }

    private static String unbracketed(String h) {
        return h != null && h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        return d;
    }
}
