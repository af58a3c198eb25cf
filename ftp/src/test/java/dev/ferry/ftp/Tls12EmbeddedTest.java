package dev.ferry.ftp;

import dev.ferry.core.BatchResult;
import dev.ferry.core.Credentials;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.ftp.testing.EmbeddedFtpServer;
import dev.ferry.ftp.testing.ScriptedFtpServer;
import dev.ferry.ftp.testing.TestCertificates;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that speaks only TLS 1.2: the target switches to the engine that resumes 1.2 sessions, once; that engine
 * reports a refused certificate as the JDK's does.
 */
class Tls12EmbeddedTest {
    @TempDir
    Path dir;

    @Test
    void aTls12ServerIsDetectedOnceAndLaterConnectionsStartWithTheRightEngine() throws Exception {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.startTls(dir, "TLSv1.2")) {
            TargetConfig cfg = TargetConfig.builder(URI.create("ftps://alice@127.0.0.1:" + server.port() + "/"))
                    .credentials(Credentials.password("alice", EmbeddedFtpServer.PASSWORD.toCharArray()))
                    .tls(TlsOptions.builder().pinSha256(server.certificates().sha256()).build()).build();
            try (StorageTarget t = StorageTargets.open(cfg)) {
                List<Upload> batch = new ArrayList<>();
                List<Path> files = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    Path f = TestFiles.random(dir, "f" + i, 10_000 + i);
                    files.add(f);
                    batch.add(Upload.of(f));
                }
                BatchResult first = t.uploadAll(batch);
                String text = String.join("\n", first.transcript());
                assertTrue(text.contains("the server chose TLS 1.2: reconnecting"), text);
                assertEquals("TLSv1.2", first.connection().securityProtocol());
                for (Path f : files) {
                    assertEquals(TestFiles.sha256(f), TestFiles.sha256(server.home().resolve(f.getFileName().toString())));
                }
                // A new session of the same target starts with the TLS 1.2 engine directly.
                t.close();
            }
            try (StorageTarget t = StorageTargets.open(cfg.toBuilder().tls(TlsOptions.builder()
                    .pinSha256(server.certificates().sha256()).maxProtocol("1.2").build()).build())) {
                BatchResult r = t.uploadAll(List.of(Upload.of(TestFiles.random(dir, "g", 1000))));
                String text = String.join("\n", r.transcript());
                assertTrue(text.contains("Bouncy Castle TLS 1.2 engine"), text);
                assertTrue(!text.contains("reconnecting"), text);
            }
        }
    }

    /**
     * The Bouncy Castle engine reports a refused certificate as the JDK engine does: CERTIFICATE, with the fingerprint
     * seen and the hint to pin it (not "the server closed the connection").
     */
    @Test
    void aCertificateThatMissesThePinOnTheTls12EngineIsACertificateErrorWithTheFingerprint() throws Exception {
        try (EmbeddedFtpServer server = EmbeddedFtpServer.startTls(dir, "TLSv1.2")) {
            String fp = server.certificates().sha256();
            TransferException e = refused(server.port(), TlsOptions.builder().pinSha256("ab".repeat(32)).maxProtocol("1.2").build());
            assertTrue(e.getMessage().contains("sha256:" + fp), e.getMessage());
            assertTrue(e.getMessage().contains("pinned"), e.getMessage());
            assertTrue(e.hint().contains("pinSha256(\"sha256:" + fp + "\")"), e.hint());
        }
    }

    @Test
    void aCertificateForAnotherHostOnTheTls12EngineIsACertificateErrorWithTheFingerprint() throws Exception {
        TestCertificates other = TestCertificates.create(dir, "elsewhere", new String[] {"elsewhere.test"}, new String[0],
                Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
        try (ScriptedFtpServer server = new ScriptedFtpServer(other)) {
            TransferException e = refused(server.port(), TlsOptions.builder().trustCertificate(other.certificate())
                    .maxProtocol("1.2").build());
            assertTrue(e.getMessage().contains("does not name the host 127.0.0.1"), e.getMessage());
            assertTrue(e.getMessage().contains("sha256:" + other.sha256()), e.getMessage());
            // A pin does not lift the host name check: the hint must not offer one.
            assertFalse(e.hint().contains("pin"), e.hint());
            assertTrue(e.hint().contains("names 127.0.0.1"), e.hint());
            assertTrue(server.commands().stream().noneMatch(c -> c.startsWith("USER") || c.startsWith("PASS")),
                    server.commands().toString());
        }
    }

    private TransferException refused(int port, TlsOptions tls) throws Exception {
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://alice@127.0.0.1:" + port + "/"))
                .credentials(Credentials.password("alice", EmbeddedFtpServer.PASSWORD.toCharArray())).tls(tls)
                .timeouts(Duration.ofSeconds(10)).retryPolicy(RetryPolicy.none()).build();
        try (StorageTarget t = StorageTargets.open(cfg)) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(TestFiles.random(dir, "c", 100))));
            assertEquals(TransferException.Reason.CERTIFICATE, e.reason(), e.toString());
            String text = String.join("\n", e.transcript());
            assertTrue(text.contains("Bouncy Castle TLS 1.2 engine"), text);
            assertFalse(text.contains("> USER"), text);
            return e;
        }
    }
}
