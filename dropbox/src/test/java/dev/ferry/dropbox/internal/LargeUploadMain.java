package dev.ferry.dropbox.internal;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.dropbox.DropboxTarget;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * Uploads one file to a fake Dropbox in a JVM of its own, so that its heap limit ({@code -Xmx}) measures Ferry alone:
 * {@code LargeUploadMain API_URL CONTENT_URL CERT_FILE FILE CHUNK_BYTES}. Exits 0 when the upload succeeded.
 */
public final class LargeUploadMain {
    private LargeUploadMain() {
    }

    public static void main(String[] args) throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(Path.of(args[2]))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        try (StorageTarget target = DropboxTarget.builder()
                .refreshToken(FakeDropbox.APP_KEY, FakeDropbox.REFRESH_TOKEN.toCharArray())
                .apiEndpoints(URI.create(args[0]), URI.create(args[1]))
                .tls(TlsOptions.builder().trustCertificate(cert).build())
                .chunkSize(Long.parseLong(args[4]))
                .timeouts(Duration.ofSeconds(60)).build()) {
            UploadResult r = target.upload(Upload.of(Path.of(args[3]), "large.mp4"));
            Runtime rt = Runtime.getRuntime();
            System.out.println("uploaded " + r.bytes() + " bytes in " + r.elapsed().toMillis() + " ms, " + r.verification()
                    + "; heap max " + (rt.maxMemory() >> 20) + " MiB");
        }
    }
}
