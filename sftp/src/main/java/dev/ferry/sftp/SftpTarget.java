package dev.ferry.sftp;

import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.sftp.internal.SftpStorageTarget;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

/**
 * Builds an SFTP {@link StorageTarget} without a URI.
 *
 * <pre>{@code
 * try (StorageTarget target = SftpTarget.builder()
 *         .host("sftp.example.com")
 *         .credentials(Credentials.privateKey("alice", Path.of("id_ed25519"), passphrase))
 *         .hostKeys(HostKeys.knownHosts(Path.of("known_hosts")))
 *         .baseDirectory("/srv/incoming")
 *         .build()) {
 *     target.upload(Upload.of(Path.of("rec-42.mp4")));
 * }
 * }</pre>
 *
 * <p>The server's host key is always verified (known_hosts or pinned {@code SHA256:} fingerprints); an
 * unknown or changed key fails with {@code HOST_KEY}, showing the key's fingerprint. Files are written with
 * several SFTP write requests in flight, to a temporary name, checked by size, then renamed into place
 * ({@code posix-rename@openssh.com} where offered). The built target is thread-safe; see {@link StorageTarget}.
 */
public final class SftpTarget {
    private SftpTarget() {
    }

    /** A new builder (port 22, base directory "/"). */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an SFTP target; reusable. */
    public static final class Builder {
        private String host;
        private int port = 22;
        private Credentials credentials;
        private HostKeys hostKeys;
        private String baseDirectory = "/";
        private Duration connectTimeout = TargetConfig.DEFAULT_CONNECT_TIMEOUT;
        private Duration replyTimeout = TargetConfig.DEFAULT_REPLY_TIMEOUT;
        private Duration dataTimeout = TargetConfig.DEFAULT_DATA_TIMEOUT;
        private Duration keepAlive = SftpStorageTarget.DEFAULT_KEEPALIVE;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private int maxSessions = TargetConfig.DEFAULT_MAX_SESSIONS;
        private int writeSize = SftpStorageTarget.DEFAULT_WRITE_SIZE;

        private Builder() {
        }

        /** The server's host name or address (required). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The SSH port (22 by default). */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be from 1 to 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** The user and a password and/or private key (required). */
        public Builder credentials(Credentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** How the server's host key is verified (required). */
        public Builder hostKeys(HostKeys keys) {
            this.hostKeys = Objects.requireNonNull(keys, "hostKeys");
            return this;
        }

        /** The absolute base directory ({@code /~/dir} for one under the login directory); "/" by default. */
        public Builder baseDirectory(String dir) {
            this.baseDirectory = Objects.requireNonNull(dir, "baseDirectory");
            return this;
        }

        /** Sets the connect, reply (authentication, SFTP requests) and data timeouts at once. */
        public Builder timeouts(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d, "timeouts");
            this.replyTimeout = d;
            this.dataTimeout = d;
            return this;
        }

        /** The SSH keepalive (heartbeat) interval during long transfers. */
        public Builder keepAlive(Duration interval) {
            this.keepAlive = Objects.requireNonNull(interval, "keepAlive");
            return this;
        }

        /** Retries of failed uploads. */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
            return this;
        }

        /** The most SSH sessions open at once (default 4). */
        public Builder maxSessions(int n) {
            this.maxSessions = n;
            return this;
        }

        /** Bytes per SFTP write request (default 252 KiB). */
        public Builder writeSize(int bytes) {
            if (bytes < 1024 || bytes > 1 << 20) {
                throw new IllegalArgumentException("writeSize must be from 1024 to 1048576, got " + bytes);
            }
            this.writeSize = bytes;
            return this;
        }

        /**
         * Validates and builds the target (no connection yet).
         *
         * @throws TransferException {@code BAD_INPUT} for an invalid host or directory, or no host keys or secret
         * @throws IllegalStateException if the host or credentials are missing
         */
        public StorageTarget build() throws TransferException {
            if (host == null) {
                throw new IllegalStateException("host is required");
            }
            if (credentials == null) {
                throw new IllegalStateException("credentials are required");
            }
            URI uri;
            try {
                uri = new URI("sftp", credentials.username(), host, port, "/", null, null);
            } catch (URISyntaxException e) {
                throw new TransferException(TransferException.Reason.BAD_INPUT, "invalid host " + host + ": " + e.getReason(), e);
            }
            TargetConfig.Builder b = TargetConfig.builder(uri).credentials(credentials).baseDirectory(baseDirectory)
                    .connectTimeout(connectTimeout).replyTimeout(replyTimeout).dataTimeout(dataTimeout).retryPolicy(retryPolicy)
                    .maxSessions(maxSessions);
            if (hostKeys != null) {
                b.hostKeys(hostKeys);
            }
            return new SftpStorageTarget(b.build(), keepAlive, writeSize);
        }
    }
}
