package dev.ferry.ftp;

import dev.ferry.core.Credentials;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.ftp.internal.FtpSettings;
import dev.ferry.ftp.internal.FtpStorageTarget;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

/**
 * Builds an FTPS (default) or plain FTP {@link StorageTarget} without a URI.
 *
 * <pre>{@code
 * try (StorageTarget target = FtpTarget.builder()
 *         .host("ftp.example.com")
 *         .credentials(Credentials.password("alice", password))
 *         .baseDirectory("/incoming")
 *         .tls(TlsOptions.builder().pinSha256("sha256:9f86d0...").build())
 *         .build()) {
 *     target.upload(Upload.of(Path.of("rec-42.mp4")));
 * }
 * }</pre>
 *
 * <p>Explicit FTPS sends {@code AUTH TLS} (then {@code AUTH SSL} if refused), checks the certificate,
 * sends {@code PBSZ 0} and {@code PROT P}, and only then logs in; every data connection is passive,
 * binary, encrypted, and resumes the control connection's TLS session, so servers that require reuse
 * (vsftpd, ProFTPD) accept it. Plain FTP is only used with {@link FtpSecurity#NONE}.
 * The built target is thread-safe; see {@link StorageTarget}.
 */
public final class FtpTarget {
    private FtpTarget() {
    }

    /** A builder with the secure defaults (explicit FTPS, port 21, JDK trust store). */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an FTP target; reusable. */
    public static final class Builder {
        private String host;
        private int port = 21;
        private FtpSecurity security = FtpSecurity.EXPLICIT_TLS;
        private Credentials credentials;
        private String baseDirectory = "/";
        private TlsOptions tls = TlsOptions.defaults();
        private PassiveAddressPolicy passive = PassiveAddressPolicy.REPLACE_PRIVATE;
        private Duration keepAlive = FtpSettings.DEFAULT_KEEPALIVE;
        private Duration connectTimeout = TargetConfig.DEFAULT_CONNECT_TIMEOUT;
        private Duration replyTimeout = TargetConfig.DEFAULT_REPLY_TIMEOUT;
        private Duration dataTimeout = TargetConfig.DEFAULT_DATA_TIMEOUT;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private int maxSessions = TargetConfig.DEFAULT_MAX_SESSIONS;
        private int bufferSize = FtpSettings.DEFAULT_BUFFER;

        private Builder() {
        }

        /** The server's host name or IP address (required). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The control port (21 by default). */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be from 1 to 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** {@link FtpSecurity#EXPLICIT_TLS} (default) or, explicitly, {@link FtpSecurity#NONE}. */
        public Builder security(FtpSecurity security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /** The user and password (required). */
        public Builder credentials(Credentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** The directory uploads are relative to (created if missing); "/" by default. */
        public Builder baseDirectory(String dir) {
            this.baseDirectory = Objects.requireNonNull(dir, "baseDirectory");
            return this;
        }

        /** How the server's certificate is trusted and which TLS versions are allowed. */
        public Builder tls(TlsOptions options) {
            this.tls = Objects.requireNonNull(options, "tls");
            return this;
        }

        /**
         * Which address passive data connections go to ({@link PassiveAddressPolicy#REPLACE_PRIVATE} by default). The only
         * way to choose {@link PassiveAddressPolicy#SERVER}: a URI's {@code passive-nat=server} is refused.
         */
        public Builder passiveAddresses(PassiveAddressPolicy policy) {
            this.passive = Objects.requireNonNull(policy, "passiveAddresses");
            return this;
        }

        /** How often {@code NOOP} is sent on the control connection during a long transfer; zero turns it off. */
        public Builder keepAlive(Duration interval) {
            this.keepAlive = Objects.requireNonNull(interval, "keepAlive");
            return this;
        }

        /** Timeout to open a connection (control or data). */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d, "connectTimeout");
            return this;
        }

        /** Timeout for each reply on the control connection. */
        public Builder replyTimeout(Duration d) {
            this.replyTimeout = Objects.requireNonNull(d, "replyTimeout");
            return this;
        }

        /** Longest time without progress on a data connection. */
        public Builder dataTimeout(Duration d) {
            this.dataTimeout = Objects.requireNonNull(d, "dataTimeout");
            return this;
        }

        /** Sets the connect, reply and data timeouts at once. */
        public Builder timeouts(Duration d) {
            return connectTimeout(d).replyTimeout(d).dataTimeout(d);
        }

        /** Retries of failed uploads. */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
            return this;
        }

        /** The most connections open at once (default 4). */
        public Builder maxSessions(int n) {
            this.maxSessions = n;
            return this;
        }

        /** The streaming buffer size in bytes (default 1 MiB). */
        public Builder bufferSize(int bytes) {
            this.bufferSize = bytes;
            return this;
        }

        /**
         * Validates everything and builds the target (no connection is opened yet).
         *
         * @throws TransferException {@code BAD_INPUT} for an invalid host or base directory
         * @throws IllegalStateException if the host or credentials are missing
         */
        public StorageTarget build() throws TransferException {
            if (host == null) {
                throw new IllegalStateException("host is required");
            }
            if (credentials == null) {
                throw new IllegalStateException("credentials are required");
            }
            String scheme = security == FtpSecurity.NONE ? "ftp" : "ftps";
            URI uri;
            try {
                uri = new URI(scheme, credentials.username(), host, port, "/", null, null);
            } catch (URISyntaxException e) {
                throw new TransferException(TransferException.Reason.BAD_INPUT, "invalid host " + host + ": " + e.getReason(), e);
            }
            TargetConfig config = TargetConfig.builder(uri).credentials(credentials).baseDirectory(baseDirectory).tls(tls)
                    .connectTimeout(connectTimeout).replyTimeout(replyTimeout).dataTimeout(dataTimeout).retryPolicy(retryPolicy)
                    .maxSessions(maxSessions).build();
            return new FtpStorageTarget(config, new FtpSettings(security, passive, keepAlive, bufferSize));
        }
    }
}
