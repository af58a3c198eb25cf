package dev.ferry.ftp;

import dev.ferry.core.Credentials;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.testing.Interop;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 32 uploads at once from one JVM through one shared target: all land intact, connections stay within the pool. */
@ExtendWith(MatrixRecorder.class)
class ConcurrentUploadsIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}|TLSv1.3|32 concurrent uploads, pool of 4")
    @ValueSource(strings = {"vsftpd", "proftpd"})
    void thirtyTwoConcurrentUploadsShareAPoolOfFour(String server) throws Exception {
        int port = Interop.requireServer(server);
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(Path.of(Interop.get("cert.pem")))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String base = "/concurrent-" + server + "-" + UUID.randomUUID().toString().substring(0, 8);
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://" + Interop.get("user") + "@127.0.0.1:" + port + base))
                .credentials(Credentials.password(Interop.get("user"), Interop.get("password").toCharArray()))
                .tls(TlsOptions.builder().trustCertificate(cert).build()).maxSessions(4).build();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            files.add(TestFiles.random(dir, "c" + i + ".bin", 200_000 + 1000L * i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try (AbstractStorageTarget t = (AbstractStorageTarget) StorageTargets.open(cfg)) {
            List<Future<UploadResult>> results = new ArrayList<>();
            for (Path f : files) {
                results.add(pool.submit(() -> t.upload(Upload.of(f, f.getFileName().toString()))));
            }
            for (int i = 0; i < 32; i++) {
                UploadResult r = results.get(i).get();
                assertEquals(TestFiles.sha256(files.get(i)), TestFiles.sha256(Path.of(Interop.get("home"), r.remotePath())));
            }
            assertTrue(t.peakSessions() <= 4, "peak sessions " + t.peakSessions());
            assertTrue(t.peakSessions() >= 2, "the pool was used concurrently: peak " + t.peakSessions());
        } finally {
            pool.shutdownNow();
        }
    }
}
