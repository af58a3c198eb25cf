package dev.ferry.ftp;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.TargetBuilder;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.ftp.internal.FtpSettings;
import dev.ferry.ftp.internal.FtpStorageTarget;

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

    /**
     * Builds an FTP target; reusable. The options every target has (port, credentials, base directory, timeouts,
     * retries, sessions) are those of {@link TargetBuilder}; this adds the host, TLS and FTP's own.
     */
    public static final class Builder extends TargetBuilder<Builder> {
        private FtpSecurity security = FtpSecurity.EXPLICIT_TLS;
        private PassiveAddressPolicy passive = PassiveAddressPolicy.CONTROL_HOST;
        private Duration keepAlive = FtpSettings.DEFAULT_KEEPALIVE;
        private int bufferSize = FtpSettings.DEFAULT_BUFFER;

        private Builder() {
            port(21);
        }

        /** The server's host name or IP address (required). */
        @Override
        public Builder host(String host) {
            return super.host(host);
        }

        /** How the server's certificate is trusted and which TLS versions are allowed (the JDK trust store by default). */
        @Override
        public Builder tls(TlsOptions options) {
            return super.tls(options);
        }

        /** {@link FtpSecurity#EXPLICIT_TLS} (default) or, explicitly, {@link FtpSecurity#NONE}. */
        public Builder security(FtpSecurity security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /**
         * Which address passive data connections go to ({@link PassiveAddressPolicy#CONTROL_HOST} by default). The only
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

        /** The streaming buffer size in bytes, from 8 KiB to 64 MiB (default 1 MiB); checked by {@link #build()}. */
        public Builder bufferSize(int bytes) {
            this.bufferSize = bytes;
            return this;
        }

        /**
         * Validates everything and builds the target (no connection is opened yet).
         *
         * @throws TransferException {@code BAD_INPUT} for an invalid host or base directory
         * @throws IllegalStateException if the host or credentials are missing
         * @throws IllegalArgumentException naming the FTP setting that is out of range
         */
        public StorageTarget build() throws TransferException {
            TargetConfig config = toConfig(security == FtpSecurity.NONE ? "ftp" : "ftps");
            return new FtpStorageTarget(config, new FtpSettings(security, passive, keepAlive, bufferSize));
        }
    }
}
