package dev.ferry.sftp.internal;

import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.core.spi.ProviderParameters;

import java.time.Duration;
import java.util.Objects;

/**
 * The SFTP-specific settings of a target, from {@code SftpTarget.Builder} or, by {@link #from}, from the URI query. The
 * ranges are checked here, once for both.
 *
 * @param keepAlive the SSH keepalive (heartbeat) interval during long transfers
 * @param writeSize the bytes of one SFTP write request (several are in flight at once)
 */
public record SftpSettings(Duration keepAlive, int writeSize) {
    /** The default keepalive (SSH heartbeat) interval. */
    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(30);
    /** The default size of one SFTP write request (OpenSSH accepts up to 255 KiB of data per request). */
    public static final int DEFAULT_WRITE_SIZE = 252 * 1024;
    private static final int MIN_WRITE_SIZE = 1024;
    private static final int MAX_WRITE_SIZE = 1 << 20;

    /** @throws IllegalArgumentException naming the setting that is out of range */
    public SftpSettings {
        Objects.requireNonNull(keepAlive, "keepAlive");
        if (keepAlive.isNegative()) {
            throw new IllegalArgumentException("keepalive must not be negative, got " + keepAlive);
        }
        if (writeSize < MIN_WRITE_SIZE || writeSize > MAX_WRITE_SIZE) {
            throw new IllegalArgumentException("write-size must be from " + MIN_WRITE_SIZE + " to " + MAX_WRITE_SIZE + " bytes, got "
                    + writeSize);
        }
    }

    /**
     * Settings from the target's URI query: {@code keepalive=SECONDS}, {@code write-size=BYTES}.
     *
     * @throws TransferException {@code BAD_INPUT} naming the parameter for a value that does not parse or fit
     */
    public static SftpSettings from(TargetConfig config) throws TransferException {
        ProviderParameters p = ProviderParameters.of(config, "SFTP", "keepalive=SECONDS, write-size=BYTES");
        Duration keepAlive = p.seconds("keepalive", DEFAULT_KEEPALIVE);
        int writeSize = p.integer("write-size", DEFAULT_WRITE_SIZE);
        try {
            return new SftpSettings(keepAlive, writeSize);
        } catch (IllegalArgumentException e) {
            throw p.invalid(e.getMessage());
        }
    }
}
