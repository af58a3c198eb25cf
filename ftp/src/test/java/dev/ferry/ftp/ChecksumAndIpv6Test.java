package dev.ferry.ftp;

import dev.ferry.core.Credentials;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.ftp.testing.EmbeddedFtpServer;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checksum verification where FEAT offers one, UTF-8 names, and EPSV over an IPv6 control connection. */
class ChecksumAndIpv6Test {
    @TempDir
    Path dir;

    @Test
    void checksumVerificationUsesTheServersDigestAndUtf8NamesWork() throws Exception {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.startTls(dir)) {
            Path f = TestFiles.random(dir, "sum.bin", 1_234_567);
            TargetConfig cfg = TargetConfig.builder(URI.create("ftps://alice@127.0.0.1:" + server.port() + "/"))
                    .credentials(Credentials.password("alice", EmbeddedFtpServer.PASSWORD.toCharArray()))
                    .tls(TlsOptions.builder().pinSha256(server.certificates().sha256()).build()).retryPolicy(RetryPolicy.none()).build();
            try (StorageTarget t = StorageTargets.open(cfg)) {
                UploadResult r = t.upload(Upload.builder().source(f).remotePath("Aufnahme-größe-é.bin").verification(Verification.CHECKSUM).build());
                assertEquals(Verification.CHECKSUM, r.verification(), String.join("\n", r.transcript()));
                String text = String.join("\n", r.transcript());
                assertTrue(text.contains("> OPTS UTF8 ON"), text);
                assertTrue(text.contains("verified MD5 "), text);
            }
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(server.home().resolve("Aufnahme-größe-é.bin")));
        }
    }

    @Test
    void anIpv6ControlConnectionUsesEpsv() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            probe.getLocalPort();
        } catch (java.io.IOException e) {
            Assumptions.abort("no IPv6 loopback on this machine: " + e.getMessage());
        }
        try (EmbeddedFtpServer server = EmbeddedFtpServer.startTls(dir, "TLSv1.3", "::1")) {
            Path f = TestFiles.random(dir, "v6.bin", 300_000);
            TargetConfig cfg = TargetConfig.builder(URI.create("ftps://alice@[::1]:" + server.port() + "/"))
                    .credentials(Credentials.password("alice", EmbeddedFtpServer.PASSWORD.toCharArray()))
                    .tls(TlsOptions.builder().pinSha256(server.certificates().sha256()).build()).retryPolicy(RetryPolicy.none()).build();
            try (StorageTarget t = StorageTargets.open(cfg)) {
                String text = String.join("\n", t.upload(Upload.of(f, "v6.bin")).transcript());
                assertTrue(text.contains("> EPSV"), text);
                assertTrue(!text.contains("> PASV"), text);
            }
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(server.home().resolve("v6.bin")));
        }
    }
}
