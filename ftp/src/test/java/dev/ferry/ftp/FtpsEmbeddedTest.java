package dev.ferry.ftp;

import dev.ferry.core.BatchResult;
import dev.ferry.core.Credentials;
import dev.ferry.core.ExistingFile;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.ftp.testing.EmbeddedFtpServer;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Explicit FTPS against an embedded Apache FtpServer with a throwaway certificate. */
class FtpsEmbeddedTest {
    @TempDir
    static Path dir;
    static EmbeddedFtpServer server;

    @BeforeAll
    static void start() throws Exception {
        server = EmbeddedFtpServer.startTls(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static TargetConfig.Builder config(TlsOptions tls) throws TransferException {
        return TargetConfig.builder(URI.create("ftps://" + EmbeddedFtpServer.USER + "@127.0.0.1:" + server.port() + "/in"))
                .credentials(Credentials.password(EmbeddedFtpServer.USER, EmbeddedFtpServer.PASSWORD.toCharArray()))
                .tls(tls).timeouts(Duration.ofSeconds(10))
                .retryPolicy(RetryPolicy.builder().maxAttempts(1).build());
    }

    static TlsOptions pinned() throws Exception {
        return TlsOptions.builder().pinSha256(server.certificates().sha256()).build();
    }

    @Test
    void uploadsOverFtpsWithAPinnedCertificateAndTheBytesOnDiskMatch() throws Exception {
        Path src = TestFiles.random(dir, "one.bin", 3 * 1024 * 1024 + 17);
        try (StorageTarget t = StorageTargets.open(config(pinned()).build())) {
            UploadResult r = t.upload(Upload.of(src, "2026/11/one.bin"));
            Path onDisk = server.home().resolve("in/2026/11/one.bin");
            assertEquals(TestFiles.sha256(src), TestFiles.sha256(onDisk));
            assertEquals(Files.size(src), r.bytes());
            assertEquals("ftps", r.protocol());
            assertEquals(Verification.SIZE, r.verification());
            assertEquals("/in/2026/11/one.bin", r.remotePath());
            assertTrue(r.connection().securityProtocol().startsWith("TLSv1."), r.connection().toString());
            assertEquals("sha256:" + server.certificates().sha256(), r.connection().peerFingerprint());
            String transcript = String.join("\n", r.transcript());
            assertOrder(transcript, "> AUTH TLS", "> PBSZ 0", "> PROT P", "> USER alice", "> PASS ****", "> STOR one.bin.",
                    "> RNFR one.bin.", "> RNTO one.bin");
            assertTrue(transcript.matches("(?s).*> STOR one\\.bin\\.[a-z2-7]{26}\\.ferry-part\n.*"), transcript);
            assertFalse(transcript.contains(EmbeddedFtpServer.PASSWORD), "password in transcript");
            assertEquals(List.of("one.bin"), names(server.home().resolve("in/2026/11")));
        }
    }

    static void assertOrder(String text, String... parts) {
        int at = -1;
        for (String p : parts) {
            int i = text.indexOf(p, at + 1);
            assertTrue(i > at, "expected '" + p + "' after position " + at + " in:\n" + text);
            at = i;
        }
    }

    @Test
    void aBatchGoesOverOneConnectionInOrder() throws Exception {
        List<Upload> uploads = new ArrayList<>();
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Path f = TestFiles.random(dir, "batch-" + i + ".bin", 1000 + i * 5000L);
            sources.add(f);
            uploads.add(Upload.of(f, "batch/" + f.getFileName()));
        }
        try (StorageTarget t = StorageTargets.open(config(pinned()).build())) {
            BatchResult r = t.uploadAll(uploads);
            assertEquals(20, r.files().size());
            assertEquals(1, r.attempts());
            for (Path f : sources) {
                assertEquals(TestFiles.sha256(f), TestFiles.sha256(server.home().resolve("in/batch/" + f.getFileName())));
            }
            assertEquals(1, r.transcript().stream().filter(l -> l.contains("> AUTH TLS")).count());
            // Each file carries its own lines: the first the connection's set-up, the others only their transfer.
            assertTrue(r.files().get(0).transcript().contains("> AUTH TLS"), r.files().get(0).transcript().toString());
            List<String> last = r.files().get(19).transcript();
            assertFalse(last.contains("> AUTH TLS"), last.toString());
            assertTrue(last.stream().anyMatch(l -> l.startsWith("> STOR " + sources.get(19).getFileName() + ".")
                    && l.endsWith(Upload.TEMP_SUFFIX)), last.toString());
            assertFalse(last.stream().anyMatch(l -> l.contains(sources.get(18).getFileName().toString())), last.toString());
        }
    }

    @Test
    void aDirectoryRemovedWhileTheSessionWasPooledIsMadeAgain() throws Exception {
        Path a = TestFiles.random(dir, "gone-a.bin", 3000);
        try (StorageTarget t = StorageTargets.open(config(pinned()).build())) {
            t.upload(Upload.of(a, "gone/d/a.bin"));
            try (var files = Files.walk(server.home().resolve("in/gone"))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            UploadResult r = t.upload(Upload.of(a, "gone/d/b.bin"));
            assertTrue(r.transcript().stream().anyMatch(l -> l.startsWith("* reusing a logged-in session")), r.transcript().toString());
        }
        assertEquals(TestFiles.sha256(a), TestFiles.sha256(server.home().resolve("in/gone/d/b.bin")));
    }

    @Test
    void trustsTheServerCertificateGivenAsCa() throws Exception {
        Path src = TestFiles.random(dir, "ca.bin", 1234);
        TlsOptions tls = TlsOptions.builder().trustCertificate(server.certificates().certificate()).build();
        try (StorageTarget t = StorageTargets.open(config(tls).build())) {
            t.upload(Upload.of(src, "ca.bin"));
        }
        assertEquals(TestFiles.sha256(src), TestFiles.sha256(server.home().resolve("in/ca.bin")));
    }

    @Test
    void anUntrustedCertificateFailsWithItsFingerprintAndSendsNoPassword() throws Exception {
        Path src = TestFiles.random(dir, "untrusted.bin", 100);
        try (StorageTarget t = StorageTargets.open(config(TlsOptions.defaults()).build())) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(src, "untrusted.bin")));
            assertEquals(Reason.CERTIFICATE, e.reason(), e.toString());
            assertTrue(e.getMessage().contains(server.certificates().sha256()), e.getMessage());
            assertTrue(e.hint().contains("--cert-pin sha256:" + server.certificates().sha256()), e.hint());
            assertFalse(String.join("\n", e.transcript()).contains("> USER"), "must not log in before TLS is trusted");
        }
        assertFalse(Files.exists(server.home().resolve("in/untrusted.bin")));
    }

    @Test
    void aWrongPinIsACertificateError() throws Exception {
        Path src = TestFiles.random(dir, "wrongpin.bin", 100);
        TlsOptions tls = TlsOptions.builder().pinSha256("ab".repeat(32)).build();
        try (StorageTarget t = StorageTargets.open(config(tls).build())) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(src, "wrongpin.bin")));
            assertEquals(Reason.CERTIFICATE, e.reason());
            assertTrue(e.getMessage().contains("does not match the pinned"), e.getMessage());
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedEvenIfTrusted() throws Exception {
        // Trusted as a CA, but connected by a name the certificate does not carry.
        TlsOptions tls = TlsOptions.builder().trustCertificate(server.certificates().certificate()).build();
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://alice@127.0.0.1:" + server.port() + "/in"))
                .credentials(Credentials.password("alice", EmbeddedFtpServer.PASSWORD.toCharArray())).tls(tls)
                .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build();
        // 127.0.0.1 is in the SANs; connecting by "localhost" is too. Use an IPv4 alias the certificate lacks.
        TargetConfig other = cfg.toBuilder().build();
        try (StorageTarget t = StorageTargets.open(TargetConfig.builder(URI.create("ftps://alice@127.0.0.2:" + server.port() + "/in"))
                .credentials(other.credentials()).tls(tls).retryPolicy(other.retryPolicy()).build())) {
            ProbeReport r = t.probe();
            // The server listens on 127.0.0.1 only, so 127.0.0.2 may be refused before TLS: either way nothing is sent.
            ProbeStep failed = r.firstFailure().orElseThrow();
            assertTrue(failed.reason() == Reason.CONNECT || failed.reason() == Reason.CERTIFICATE, failed.toString());
        }
    }

    @Test
    void existingFilePoliciesAreHonoured() throws Exception {
        Path a = TestFiles.random(dir, "exists-a.bin", 500);
        Path b = TestFiles.random(dir, "exists-b.bin", 700);
        try (StorageTarget t = StorageTargets.open(config(pinned()).build())) {
            t.upload(Upload.of(a, "exists.bin"));
            TransferException e = assertThrows(TransferException.class,
                    () -> t.upload(Upload.builder().source(b).remotePath("exists.bin").existing(ExistingFile.FAIL).build()));
            assertEquals(Reason.EXISTS, e.reason());
            assertEquals(TestFiles.sha256(a), TestFiles.sha256(server.home().resolve("in/exists.bin")));
            UploadResult renamed = t.upload(Upload.builder().source(b).remotePath("exists.bin").existing(ExistingFile.RENAME_UNIQUE).build());
            assertEquals("/in/exists-1.bin", renamed.remotePath());
            assertEquals(TestFiles.sha256(b), TestFiles.sha256(server.home().resolve("in/exists-1.bin")));
            UploadResult overwritten = t.upload(Upload.of(b, "exists.bin"));
            assertEquals(TestFiles.sha256(b), TestFiles.sha256(server.home().resolve("in/exists.bin")));
            // OVERWRITE (the default) looks at the final name only if the rename needs it (this server does not
            // rename over a file), never before the transfer: one round trip less per file.
            List<String> lines = overwritten.transcript();
            int stor = lines.indexOf(lines.stream().filter(l -> l.startsWith("> STOR exists.bin.")).findFirst().orElseThrow());
            assertFalse(lines.subList(0, stor).contains("> SIZE exists.bin"), lines.toString());
            try (Stream<Path> s = Files.list(server.home().resolve("in"))) {
                assertTrue(s.noneMatch(p -> p.toString().endsWith(".ferry-part")));
            }
        }
    }

    @Test
    void aTemporaryFileLeftByAnotherUploadIsNeitherResumedNorPublished() throws Exception {
        // Another upload's leftover of the same length (a killed process, or one still writing) under the
        // temporary names Ferry used to reuse: resuming it would publish its bytes, not the source's.
        Path src = TestFiles.random(dir, "resume.bin", 2_000_000);
        byte[] other = Files.readAllBytes(TestFiles.random(dir, "other.bin", 2_000_000));
        Path in = Files.createDirectories(server.home().resolve("in/leftover"));
        Files.write(in.resolve("resume.bin.ferry-part"), other);
        try (StorageTarget t = StorageTargets.open(config(pinned()).build())) {
            UploadResult first = t.upload(Upload.of(src, "leftover/resume.bin"));
            assertEquals(0, first.resumedFrom());
            assertEquals(TestFiles.sha256(src), TestFiles.sha256(in.resolve("resume.bin")));
            // Nor does a second upload of the same name take up what the first wrote.
            UploadResult second = t.upload(Upload.of(src, "leftover/resume.bin"));
            assertEquals(0, second.resumedFrom());
            String tempOfFirst = first.transcript().stream().filter(l -> l.startsWith("> STOR ")).findFirst().orElseThrow();
            String tempOfSecond = second.transcript().stream().filter(l -> l.startsWith("> STOR ")).findFirst().orElseThrow();
            assertNotEquals(tempOfFirst, tempOfSecond);
        }
        assertEquals(TestFiles.sha256(src), TestFiles.sha256(in.resolve("resume.bin")));
        assertArrayEquals(other, Files.readAllBytes(in.resolve("resume.bin.ferry-part")), "another upload's file is not touched");
        assertEquals(List.of("resume.bin", "resume.bin.ferry-part"), names(in));
    }

    static List<String> names(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aWrongPasswordIsAnAuthErrorWithoutRetry() throws Exception {
        Path src = TestFiles.random(dir, "auth.bin", 100);
        TargetConfig cfg = config(pinned()).credentials(Credentials.password("alice", "not-the-password-1".toCharArray()))
                .retryPolicy(RetryPolicy.defaults()).build();
        try (StorageTarget t = StorageTargets.open(cfg)) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(src, "auth.bin")));
            assertEquals(Reason.AUTH, e.reason());
            assertFalse(e.retryable());
            assertTrue(e.serverReply().startsWith("530"), e.serverReply());
            assertFalse(e.toString().contains("not-the-password-1"));
            assertFalse(String.join("\n", e.transcript()).contains("not-the-password-1"));
            assertTrue(String.join("\n", e.transcript()).contains("> PASS ****"));
        }
    }

    @Test
    void theConnectionTestPassesEveryStep() throws Exception {
        try (StorageTarget t = StorageTargets.open(config(pinned()).build())) {
            ProbeReport r = t.probe();
            assertTrue(r.ok(), r.toString());
            for (ProbeStep s : r.steps()) {
                assertEquals(ProbeStep.Status.PASSED, s.status(), s.toString());
            }
            assertTrue(r.connection().securityProtocol().startsWith("TLSv1."));
        }
        try (Stream<Path> s = Files.list(server.home().resolve("in"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".ferry-probe")));
        }
    }

    @Test
    void aDeadlineThatPassesDuringATransferEndsIt() throws Exception {
        Path in = Files.createDirectories(server.home().resolve("in/deadline"));
        try (StorageTarget t = StorageTargets.open(config(pinned()).build())) {
            long start = System.nanoTime();
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.builder().source(dev.ferry.testing.SlowSource.create())
                    .remotePath("deadline/big.bin").deadline(Duration.ofMillis(800)).build()));
            long took = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Reason.TIMEOUT, e.reason(), e.toString());
            assertTrue(e.getMessage().contains("deadline"), e.getMessage());
            assertTrue(took < 3000, "ended at the deadline, not with the file: " + took + " ms");
        }
        assertEquals(List.of(), names(in), "no file at the final name and no temporary file");
    }

    @Test
    void anInterruptDuringATransferEndsItAndPublishesNothing() throws Exception {
        Path in = Files.createDirectories(server.home().resolve("in/interrupted"));
        try (StorageTarget t = StorageTargets.open(config(pinned()).build())) {
            TransferException e = dev.ferry.testing.SlowSource.interruptedAfter(Duration.ofMillis(600),
                    () -> t.upload(Upload.builder().source(dev.ferry.testing.SlowSource.create()).remotePath("interrupted/big.bin").build()));
            assertEquals(Reason.CANCELLED, e.reason(), e.toString());
        }
        assertEquals(List.of(), names(in), "no file at the final name and no temporary file");
    }
}
