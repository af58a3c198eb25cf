package dev.ferry.sftp;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargetProvider;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.sftp.internal.SftpStorageTarget;

import java.time.Duration;
import java.util.Set;

/**
 * The provider of the {@code sftp} URI scheme, found by {@link java.util.ServiceLoader}. The URI's path is
 * the absolute base directory on the server; a first segment {@code ~} means the login directory
 * ({@code sftp://alice@host/~/in}). Host keys are required ({@link TargetConfig.Builder#hostKeys}).
 * URI parameters: {@code keepalive=SECONDS} (SSH heartbeat, default 30), {@code write-size=BYTES} (bytes per
 * SFTP write request, default 252 KiB; several are in flight at once).
 */
public final class SftpProvider implements StorageTargetProvider {
    /** For {@link java.util.ServiceLoader}. */
    public SftpProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("sftp");
    }

    @Override
    public StorageTarget open(TargetConfig config) throws TransferException {
        try {
            Duration keepAlive = config.property("keepalive").map(v -> Duration.ofSeconds(Long.parseLong(v.strip())))
                    .orElse(SftpStorageTarget.DEFAULT_KEEPALIVE);
            int writeSize = config.property("write-size").map(v -> Integer.parseInt(v.strip())).orElse(SftpStorageTarget.DEFAULT_WRITE_SIZE);
            if (writeSize < 1024 || writeSize > 1 << 20) {
                throw new IllegalArgumentException("write-size must be from 1024 to 1048576");
            }
            return new SftpStorageTarget(config, keepAlive, writeSize);
        } catch (IllegalArgumentException e) {
            throw TransferException.builder(TransferException.Reason.BAD_INPUT, "invalid SFTP parameter in " + config.redactedUri()
                    + ": " + e.getMessage()).hint("valid parameters: keepalive=SECONDS, write-size=BYTES").build();
        }
    }
}
