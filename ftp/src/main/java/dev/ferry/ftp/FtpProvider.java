package dev.ferry.ftp;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargetProvider;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.ftp.internal.FtpSettings;
import dev.ferry.ftp.internal.FtpStorageTarget;

import java.util.Set;

/**
 * The provider of the {@code ftps} (explicit FTPS) and {@code ftp} (plain FTP) URI schemes, found by
 * {@link java.util.ServiceLoader}. URI parameters: {@code passive-nat=control-host} (the default; {@code private}
 * is another name for it; see {@link PassiveAddressPolicy}; {@code server} is refused with {@code BAD_INPUT}, as it weakens a
 * check: set it in code with {@link FtpTarget.Builder#passiveAddresses}), {@code keepalive=SECONDS} (control-channel {@code NOOP} interval
 * during transfers, 0 to turn off; default 30), {@code buffer=BYTES} (streaming buffer, default 1 MiB).
 */
public final class FtpProvider implements StorageTargetProvider {
    /** For {@link java.util.ServiceLoader}. */
    public FtpProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("ftps", "ftp");
    }

    @Override
    public StorageTarget open(TargetConfig config) throws TransferException {
        return new FtpStorageTarget(config, FtpSettings.from(config));
    }
}
