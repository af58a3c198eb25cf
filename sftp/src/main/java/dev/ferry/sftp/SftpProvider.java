package dev.ferry.sftp;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargetProvider;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.sftp.internal.SftpSettings;
import dev.ferry.sftp.internal.SftpStorageTarget;

import java.util.Set;

/**
 * The provider of the {@code sftp} URI scheme, found by {@link java.util.ServiceLoader}. The URI's path is
 * the absolute base directory on the server; a first segment {@code ~} means the login directory
 * ({@code sftp://alice@host/~/in}). Host keys are required ({@link TargetConfig.Builder#hostKeys}).
 * URI parameters: {@code keepalive=SECONDS} (SSH heartbeat, default 30), {@code write-size=BYTES} (bytes per
 * SFTP write request, 1024 to 1048576, default 252 KiB; several are in flight at once). A value that does not parse
 * or fit is {@code BAD_INPUT} naming the parameter.
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
        return new SftpStorageTarget(config, SftpSettings.from(config));
    }
}
