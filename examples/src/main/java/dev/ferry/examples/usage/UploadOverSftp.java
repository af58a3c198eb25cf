package dev.ferry.examples.usage;

import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.sftp.SftpTarget;

import java.nio.file.Path;

/** Upload one file over SFTP with an ed25519 key (with passphrase), the server checked against known_hosts. */
public final class UploadOverSftp {
    private UploadOverSftp() {
    }

    /** Uploads {@code file} into {@code baseDir} on {@code host:port}; returns the result. */
    public static UploadResult upload(String host, int port, String user, Path key, char[] passphrase, Path knownHosts, String baseDir,
                                      Path file) throws TransferException {
        try (StorageTarget target = SftpTarget.builder()
                .host(host).port(port)
                .credentials(Credentials.privateKey(user, key, passphrase))
                .hostKeys(HostKeys.knownHosts(knownHosts))
                .baseDirectory(baseDir)
                .build()) {
            return target.upload(Upload.of(file));
        }
    }
}
