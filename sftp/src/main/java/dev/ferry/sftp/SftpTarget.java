package dev.ferry.sftp;

import dev.ferry.core.HostKeys;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TargetBuilder;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.sftp.internal.SftpSettings;
import dev.ferry.sftp.internal.SftpStorageTarget;

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

    /**
     * Builds an SFTP target; reusable. The options every target has (port, credentials, base directory, timeouts,
     * retries, sessions) are those of {@link TargetBuilder}; this adds the host, host keys and SFTP's own. A base
     * directory {@code /~/dir} is under the login directory.
     */
    public static final class Builder extends TargetBuilder<Builder> {
        private Duration keepAlive = SftpSettings.DEFAULT_KEEPALIVE;
        private int writeSize = SftpSettings.DEFAULT_WRITE_SIZE;

        private Builder() {
            port(22);
        }

        /** The server's host name or address (required). */
        @Override
        public Builder host(String host) {
            return super.host(host);
        }

        /** How the server's host key is verified (required). */
        @Override
        public Builder hostKeys(HostKeys keys) {
            return super.hostKeys(keys);
        }

        /** The SSH keepalive (heartbeat) interval during long transfers (default 30 s). */
        public Builder keepAlive(Duration interval) {
            this.keepAlive = Objects.requireNonNull(interval, "keepAlive");
            return this;
        }

        /** Bytes per SFTP write request, from 1024 to 1048576 (default 252 KiB); checked by {@link #build()}. */
        public Builder writeSize(int bytes) {
            this.writeSize = bytes;
            return this;
        }

        /**
         * Validates and builds the target (no connection yet).
         *
         * @throws TransferException {@code BAD_INPUT} for an invalid host or directory, or no host keys or secret
         * @throws IllegalStateException if the host or credentials are missing
         * @throws IllegalArgumentException naming the SFTP setting that is out of range
         */
        public StorageTarget build() throws TransferException {
            TargetConfig config = toConfig("sftp");
            return new SftpStorageTarget(config, new SftpSettings(keepAlive, writeSize));
        }
    }
}
