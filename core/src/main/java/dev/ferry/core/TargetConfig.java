package dev.ferry.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything needed to reach one target: scheme, host, port, base directory, credentials, trust
 * (TLS or SSH host keys), timeouts, retries and the session pool size.
 *
 * <p>Built from a URI of the form {@code ftps://user@host:21/base/dir?passive-nat=control-host}; a
 * URI with a password in it is refused ({@code BAD_INPUT}): pass the password in {@link Credentials}.
 * Query parameters become {@link #properties()} for the provider. Immutable; {@link #toString()}
 * shows no secret.
 *
 * <pre>{@code
 * TargetConfig cfg = TargetConfig.builder(URI.create("ftps://alice@ftp.example.com/in"))
 *         .credentials(Credentials.password("alice", pw))
 *         .tls(TlsOptions.builder().pinSha256("ab12...").build())
 *         .connectTimeout(Duration.ofSeconds(5))
 *         .build();
 * }</pre>
 */
public final class TargetConfig {
    /** Default connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(15);
    /** Default wait for a control reply. */
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(60);
    /** Default data idle timeout: no byte moving for this long fails the transfer. */
    public static final Duration DEFAULT_DATA_TIMEOUT = Duration.ofSeconds(60);
    /** Default session pool size. */
    public static final int DEFAULT_MAX_SESSIONS = 4;

    private final String scheme;
    private final String host;
    private final int port;
    private final RemotePath baseDirectory;
    private final Credentials credentials;
    private final TlsOptions tls;
    private final HostKeys hostKeys;
    private final Duration connectTimeout;
    private final Duration replyTimeout;
    private final Duration dataTimeout;
    private final RetryPolicy retryPolicy;
    private final int maxSessions;
    private final Map<String, String> properties;

    /** A configuration from a builder's options; {@code uriUser} is the user a URI named, if any. */
    TargetConfig(TargetBuilder<?> b, String scheme, String host, String uriUser, Map<String, String> properties)
            throws TransferException {
        this.scheme = scheme;
        this.host = host;
        this.port = b.port;
        this.baseDirectory = RemotePath.absolute(b.baseDirectory);
        if (b.credentials == null) {
            if (uriUser == null) {
                throw bad("no user name: put it in the URI (scheme://user@host/dir) or pass Credentials", null);
            }
            this.credentials = Credentials.username(uriUser);
        } else {
            if (uriUser != null && !uriUser.equals(b.credentials.username())) {
                throw bad("the URI names user '" + uriUser + "' but the credentials are for '"
                        + b.credentials.username() + "'", "use one user name");
            }
            this.credentials = b.credentials;
        }
        this.tls = b.tls;
        this.hostKeys = b.hostKeys;
        this.connectTimeout = b.connectTimeout;
        this.replyTimeout = b.replyTimeout;
        this.dataTimeout = b.dataTimeout;
        this.retryPolicy = b.retryPolicy;
        this.maxSessions = b.maxSessions;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /**
     * Starts a configuration from a target URI.
     *
     * @throws TransferException {@code BAD_INPUT} if the URI has a password, no scheme, no host, a bad port,
     *         or CR/LF/NUL in it
     */
    public static Builder builder(URI uri) throws TransferException {
        return new Builder(uri);
    }

    /** Starts a configuration from a target URI string (see {@link #builder(URI)}). */
    public static Builder builder(String uri) throws TransferException {
        Objects.requireNonNull(uri, "uri");
        try {
            return new Builder(new URI(uri));
        } catch (URISyntaxException e) {
            throw bad("invalid target URI: " + Redaction.url(e.getInput()) + " (" + e.getReason() + ")",
                    "use the form ftps://user@host[:port]/base/dir");
        }
    }

    /** A builder holding this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.scheme = scheme;
        b.host = host;
        b.port = port;
        b.baseDirectory = baseDirectory.toString();
        b.credentials = credentials;
        b.tls = tls;
        b.hostKeys = hostKeys;
        b.connectTimeout = connectTimeout;
        b.replyTimeout = replyTimeout;
        b.dataTimeout = dataTimeout;
        b.retryPolicy = retryPolicy;
        b.maxSessions = maxSessions;
        b.properties.putAll(properties);
        return b;
    }

    /** Lower-case scheme: {@code ftps}, {@code ftp}, {@code sftp}. */
    public String scheme() { return scheme; }

    /** The host name or address (IPv6 without brackets). */
    public String host() { return host; }

    /** The port, or -1 if the URI gave none (the provider's default applies). */
    public int port() { return port; }

    /** The port, or {@code defaultPort} if none was given. */
    public int portOr(int defaultPort) { return port < 0 ? defaultPort : port; }

    /** The absolute base directory. */
    public RemotePath baseDirectory() { return baseDirectory; }

    public Credentials credentials() { return credentials; }

    public TlsOptions tls() { return tls; }

    /** The SSH host key verification, if configured (SFTP requires it). */
    public Optional<HostKeys> hostKeys() { return Optional.ofNullable(hostKeys); }

    public Duration connectTimeout() { return connectTimeout; }

    /** How long to wait for a control reply. */
    public Duration replyTimeout() { return replyTimeout; }

    /** How long a data transfer may make no progress. */
    public Duration dataTimeout() { return dataTimeout; }

    public RetryPolicy retryPolicy() { return retryPolicy; }

    /** The most sessions (connections) a target opens at once. */
    public int maxSessions() { return maxSessions; }

    /** Provider settings from the URI query and {@link Builder#property(String, String)}. */
    public Map<String, String> properties() { return properties; }

    /** A provider setting. */
    public Optional<String> property(String name) { return Optional.ofNullable(properties.get(name)); }

    /** The URI without secrets: {@code scheme://user@host:port/base}. */
    public String redactedUri() {
        return redactedUri(portOr(-1));
    }

    /** The URI without secrets, with a port filled in. */
    public String redactedUri(int effectivePort) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return scheme + "://" + encodeUser(credentials.username()) + "@" + h + (effectivePort > 0 ? ":" + effectivePort : "")
                + baseDirectory;
    }

    private static String encodeUser(String user) {
        return user.replace("%", "%25").replace("@", "%40").replace(":", "%3A").replace("/", "%2F");
    }

    @Override
    public String toString() {
        return "TargetConfig[" + redactedUri() + ", " + credentials + ", " + tls + (hostKeys != null ? ", " + hostKeys : "")
                + ", connectTimeout=" + connectTimeout + ", replyTimeout=" + replyTimeout + ", dataTimeout=" + dataTimeout
                + ", " + retryPolicy + ", maxSessions=" + maxSessions + ", properties=" + properties + "]";
    }

    private static TransferException bad(String message, String hint) {
        return TransferException.builder(TransferException.Reason.BAD_INPUT, message).hint(hint).build();
    }

    /** The index of a ':' between "//" and the last '@' of a URI's text (a user:password), or -1. */
    private static int passwordColon(String s) {
        int start = s.indexOf("//");
        int at = s.lastIndexOf('@');
        if (start < 0 || at < start) {
            return -1;
        }
        int colon = s.indexOf(':', start + 2);
        return colon >= 0 && colon < at ? colon : -1;
    }

    /**
     * Builds a {@link TargetConfig} from a URI, with the options every target has ({@link TargetBuilder}) and provider
     * settings ({@link #property}). {@link #credentials} must be for the user the URI names, if it names one. Reusable.
     */
    public static final class Builder extends TargetBuilder<Builder> {
        private String scheme;
        private String uriUser;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {
        }

        private Builder(URI uri) throws TransferException {
            Objects.requireNonNull(uri, "uri");
            String raw = uri.toString();
            for (char c : raw.toCharArray()) {
                if (c == '\r' || c == '\n' || c == '\0') {
                    throw bad("the target URI contains a control character", "remove CR, LF and NUL from the URI");
                }
            }
            if (uri.getScheme() == null) {
                throw bad("the target URI " + Redaction.url(raw) + " has no scheme",
                        "use ftps://, ftp:// or sftp://, e.g. ftps://user@host/dir");
            }
            this.scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            String userInfo = uri.getRawUserInfo();
            if (userInfo == null && uri.getRawAuthority() != null && uri.getHost() == null) {
                // Server-based parsing failed (e.g. a bad port); see whether a password is the culprit first.
                String auth = uri.getRawAuthority();
                int at = auth.lastIndexOf('@');
                if (at >= 0) {
                    userInfo = auth.substring(0, at);
                }
            }
            // A host-less parse with "user:...@" in the text: a password with '/', '?' or '#' in it ends the authority early.
            boolean passwordInText = uri.getHost() == null && passwordColon(raw) >= 0;
            if (userInfo != null && userInfo.contains(":") || passwordInText) {
                throw bad("the target URI contains a password; Ferry never takes a password from a URI, "
                                + "because URIs end up in logs: " + Redaction.url(raw),
                        "remove ':password' from the URI and pass the password separately (Credentials.password, "
                                + "or the CLI's --password-env NAME)");
            }
            String h = uri.getHost();
            if (h == null && userInfo == null && (uri.getRawAuthority() == null || uri.getRawAuthority().isEmpty())
                    && uri.getRawPath() != null && uri.getRawPath().startsWith("/")) {
                // scheme:/dir or scheme:///dir: the host is the provider's fixed endpoint, if its service has one.
                h = StorageTargets.defaultHost(scheme).orElse(null);
            }
            if (h == null) {
                throw bad("the target URI " + Redaction.url(raw) + " has no valid host",
                        "use the form " + scheme + "://user@host[:port]/base/dir");
            }
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            this.host = h;
            this.port = uri.getPort();
            if (port == 0 || port > 65535) {
                throw bad("the target URI has an invalid port " + port, "use a port from 1 to 65535");
            }
            if (userInfo != null) {
                this.uriUser = decode(userInfo.replace("+", "%2B"), "user name");
            }
            String p = uri.getPath();
            this.baseDirectory = p == null || p.isEmpty() ? "/" : p;
            String q = uri.getRawQuery();
            if (q != null && !q.isEmpty()) {
                for (String kv : q.split("&")) {
                    if (kv.isEmpty()) {
                        continue;
                    }
                    int eq = kv.indexOf('=');
                    String k = decode(eq < 0 ? kv : kv.substring(0, eq), "query");
                    String v = eq < 0 ? "" : decode(kv.substring(eq + 1), "query");
                    properties.put(k, v);
                }
            }
        }

        /**
         * A percent-decoded part of the URI. The raw text was checked for CR, LF and NUL, but {@code %0d%0a} or {@code %00}
         * decode to them: in a user name they would end the USER command early.
         */
        private static String decode(String raw, String what) throws TransferException {
            String out;
            try {
                out = URLDecoder.decode(raw, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw bad("the target URI's " + what + " has a malformed %-escape", "write % as %25");
            }
            if (out.indexOf('\r') >= 0 || out.indexOf('\n') >= 0 || out.indexOf('\0') >= 0) {
                throw bad("the target URI's " + what + " contains CR, LF or NUL (%0d, %0a or %00)",
                        "remove the control characters from the URI");
            }
            return out;
        }

        /** How the server's certificate is trusted (FTPS). */
        @Override
        public Builder tls(TlsOptions options) {
            return super.tls(options);
        }

        /** How the server's SSH host key is verified (SFTP requires it). */
        @Override
        public Builder hostKeys(HostKeys keys) {
            return super.hostKeys(keys);
        }

        /** A provider setting, e.g. {@code passive-nat}. */
        public Builder property(String name, String value) {
            properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws TransferException {@code BAD_INPUT} for an invalid base directory, a missing user, or a user
         *         name that differs between URI and credentials
         */
        public TargetConfig build() throws TransferException {
            return new TargetConfig(this, scheme, host, uriUser, properties);
        }
    }
}
