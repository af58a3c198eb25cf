package dev.ferry.examples.usage;

import dev.ferry.core.Credentials;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.ftp.FtpTarget;

import java.nio.file.Path;

/** Upload one file over explicit FTPS to a server whose certificate is pinned by its SHA-256 fingerprint. */
public final class UploadOverFtps {
    private UploadOverFtps() {
    }

    /** Uploads {@code file} to {@code /incoming} on {@code host:port}; returns the result. */
    public static UploadResult upload(String host, int port, String user, char[] password, String certSha256, Path file)
            throws TransferException {
        try (StorageTarget target = FtpTarget.builder()
                .host(host).port(port)
                .credentials(Credentials.password(user, password))
                .baseDirectory("/incoming")
                .tls(TlsOptions.builder().pinSha256(certSha256).build())
                .build()) {
            UploadResult r = target.upload(Upload.of(file));
            r.transcript().stream().filter(l -> l.startsWith("> ")).forEach(System.out::println); // AUTH TLS, PBSZ 0, PROT P, USER, PASS ****
            return r;
        }
    }
}
