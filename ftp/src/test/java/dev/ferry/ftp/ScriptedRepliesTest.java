package dev.ferry.ftp;

import dev.ferry.core.ContentSource;
import dev.ferry.core.Credentials;
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
import dev.ferry.ftp.testing.ScriptedFtpServer;
import dev.ferry.ftp.testing.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scripted server replies: each failure has its Reason and hint, and nothing is left at the final name. */
class ScriptedRepliesTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;
    ScriptedFtpServer server;
    static final byte[] CONTENT = "recording bytes\n".repeat(1000).getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.create(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    StorageTarget target(String scheme) throws Exception {
        TargetConfig cfg = TargetConfig.builder(URI.create(scheme + "://bob@127.0.0.1:" + server.port() + "/in"))
                .credentials(Credentials.password("bob", "Scripted-Secret-42".toCharArray()))
                .tls(TlsOptions.builder().pinSha256(certs.sha256()).build()).timeouts(Duration.ofSeconds(10))
                .retryPolicy(RetryPolicy.none()).build();
        return StorageTargets.open(cfg);
    }

    Upload upload() {
        return Upload.builder().source(dev.ferry.core.ContentSource.ofBytes(CONTENT)).remotePath("rec.mp4").build();
    }

    TransferException fails(String scheme) throws Exception {
        try (StorageTarget t = target(scheme)) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(upload()));
            assertFalse(server.files().containsKey("rec.mp4"), "a file at the final name after " + e);
            assertFalse(e.toString().contains("Scripted-Secret-42"));
            assertFalse(String.join("\n", e.transcript()).contains("Scripted-Secret-42"));
            return e;
        }
    }

    @Test
    void aPassiveReplyNamingAnotherHostIsNotFollowed() throws Exception {
        try (java.net.ServerSocket elsewhere = new java.net.ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.2"))) {
            elsewhere.setSoTimeout(1);
            int p = elsewhere.getLocalPort();
            server = new ScriptedFtpServer(certs).reply("PASV", "227 Entering Passive Mode (127,0,0,2," + (p >> 8) + "," + (p & 0xff) + ").");
            TransferException e = fails("ftps");
            assertEquals(Reason.DATA_CHANNEL, e.reason(), e.toString());
            assertTrue(String.join("\n", e.transcript()).contains("connecting to the control host 127.0.0.1 instead"),
                    String.join("\n", e.transcript()));
            assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("STOR")), server.commands().toString());
            assertThrows(java.net.SocketTimeoutException.class, elsewhere::accept, "nothing connected to the other host");
        }
    }

    @Test
    void anExpiredCertificateIsRefusedWithoutAdviceToPinIt() throws Exception {
        java.time.Instant now = java.time.Instant.now();
        TestCertificates expired = TestCertificates.create(java.nio.file.Files.createDirectories(dir.resolve("expired")), "localhost", new String[] {"localhost"},
                new String[] {"127.0.0.1"}, now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)));
        server = new ScriptedFtpServer(expired);
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://bob@127.0.0.1:" + server.port() + "/in"))
                .credentials(Credentials.password("bob", "Scripted-Secret-42".toCharArray()))
                .tls(TlsOptions.builder().trustCertificate(expired.certificate()).build()).timeouts(Duration.ofSeconds(10))
                .retryPolicy(RetryPolicy.none()).build();
        try (StorageTarget t = StorageTargets.open(cfg)) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(upload()));
            assertEquals(Reason.CERTIFICATE, e.reason(), e.toString());
            assertTrue(e.getMessage().contains("expired"), e.getMessage());
            assertFalse(e.hint().contains("pin"), e.hint());
            assertTrue(e.hint().contains("renew"), e.hint());
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedWithoutAdviceToPinIt() throws Exception {
        java.time.Instant now = java.time.Instant.now();
        TestCertificates other = TestCertificates.create(java.nio.file.Files.createDirectories(dir.resolve("other-host")), "elsewhere",
                new String[] {"elsewhere.test"}, new String[0], now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
        server = new ScriptedFtpServer(other);
        // Pinned and still refused: the host name is checked under a pin too.
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://bob@127.0.0.1:" + server.port() + "/in"))
                .credentials(Credentials.password("bob", "Scripted-Secret-42".toCharArray()))
                .tls(TlsOptions.builder().pinSha256(other.sha256()).build()).timeouts(Duration.ofSeconds(10))
                .retryPolicy(RetryPolicy.none()).build();
        try (StorageTarget t = StorageTargets.open(cfg)) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(upload()));
            assertEquals(Reason.CERTIFICATE, e.reason(), e.toString());
            assertTrue(e.getMessage().contains("does not name the host 127.0.0.1"), e.getMessage());
            assertTrue(e.getMessage().contains("sha256:" + other.sha256()), e.getMessage());
            assertFalse(e.hint().contains("pin"), e.hint());
            assertTrue(e.hint().contains("names 127.0.0.1"), e.hint());
        }
    }

    @Test
    void happyPathOnTheScriptedServer() throws Exception {
        server = new ScriptedFtpServer(certs);
        try (StorageTarget t = target("ftps")) {
            UploadResult r = t.upload(upload());
            assertEquals(CONTENT.length, r.bytes());
        }
        assertArrayEquals(CONTENT, server.files().get("rec.mp4"));
    }

    @Test
    void protPRefusedFailsWithProtocolBeforeLoginAndAnyFileByte() throws Exception {
        server = new ScriptedFtpServer(certs).reply("PROT", "536 PROT P not supported.");
        TransferException e = fails("ftps");
        assertEquals(Reason.PROTOCOL, e.reason());
        assertTrue(e.getMessage().contains("PROT P"), e.getMessage());
        assertTrue(e.hint().contains("never falls back"), e.hint());
        assertTrue(server.commands().stream().noneMatch(c -> c.startsWith("STOR") || c.startsWith("PASV") || c.startsWith("USER")),
                server.commands().toString());
    }

    @Test
    void pbszAndProtRefusedBeforeLoginAreSentAgainAfterLogin() throws Exception {
        server = new ScriptedFtpServer(certs);
        boolean[] loggedIn = {false};
        server.on("PASS", a -> {
            loggedIn[0] = true;
            return null;
        });
        server.on("PBSZ", a -> loggedIn[0] ? null : "503 Login with USER first.");
        server.on("PROT", a -> loggedIn[0] ? null : "503 Login with USER first.");
        try (StorageTarget t = target("ftps")) {
            UploadResult r = t.upload(upload());
            String text = String.join("\n", r.transcript());
            assertTrue(text.indexOf("> PBSZ 0", text.indexOf("< 230")) > 0, text);
            assertTrue(text.indexOf("> PROT P", text.indexOf("< 230")) > 0, text);
        }
        assertArrayEquals(CONTENT, server.files().get("rec.mp4"));
    }

    @Test
    void authTlsRefusedFallsBackToAuthSsl() throws Exception {
        server = new ScriptedFtpServer(certs).on("AUTH", a -> a.equals("TLS") ? "504 AUTH TLS not supported." : null);
        try (StorageTarget t = target("ftps")) {
            String text = String.join("\n", t.upload(upload()).transcript());
            assertTrue(text.contains("> AUTH SSL"), text);
        }
    }

    @Test
    void aServerWithoutFtpsIsATlsErrorThatSaysSo() throws Exception {
        server = new ScriptedFtpServer(null);
        TransferException e = fails("ftps");
        assertEquals(Reason.TLS_HANDSHAKE, e.reason());
        assertTrue(e.getMessage().contains("does not offer explicit FTPS"), e.getMessage());
        assertTrue(server.commands().stream().noneMatch(c -> c.startsWith("USER") || c.startsWith("PASS")));
    }

    @Test
    void sessionReuseRefusalIsADataChannelErrorWithTheReuseHint() throws Exception {
        server = new ScriptedFtpServer(certs).reply("STOR", "after-handshake:522 SSL connection failed: session reuse required");
        TransferException e = fails("ftps");
        assertEquals(Reason.DATA_CHANNEL, e.reason(), e.toString());
        assertTrue(e.serverReply().startsWith("522"), e.serverReply());
        assertTrue(e.hint().contains("reuse"), e.hint());
        assertTrue(e.retryable());
    }

    @Test
    void a425NamingTlsIsADataChannelError() throws Exception {
        server = new ScriptedFtpServer(certs).reply("STOR", "after-handshake:425 Unable to build data connection: TLS session reuse required");
        TransferException e = fails("ftps");
        assertEquals(Reason.DATA_CHANNEL, e.reason());
        assertTrue(e.hint().contains("reuse"), e.hint());
    }

    @Test
    void noSpaceIsNoSpace() throws Exception {
        server = new ScriptedFtpServer(certs).reply("STOR", "after-data:452 Insufficient storage space.");
        TransferException e = fails("ftps");
        assertEquals(Reason.NO_SPACE, e.reason());
        assertTrue(e.serverReply().startsWith("452"));
        assertTrue(server.files().keySet().stream().noneMatch(n -> n.endsWith(".ferry-part")), "the temporary file is removed: "
                + server.files().keySet());
    }

    @Test
    void permissionDeniedIsPermission() throws Exception {
        server = new ScriptedFtpServer(certs).reply("STOR", "553 Could not create file: permission denied.");
        TransferException e = fails("ftps");
        assertEquals(Reason.PERMISSION, e.reason());
        server.close();
        server = new ScriptedFtpServer(certs).reply("STOR", "550 Permission denied.");
        assertEquals(Reason.PERMISSION, fails("ftps").reason());
    }

    @Test
    void wrongPasswordIsAuth() throws Exception {
        server = new ScriptedFtpServer(certs).reply("PASS", "530 Login incorrect.");
        TransferException e = fails("ftps");
        assertEquals(Reason.AUTH, e.reason());
        assertFalse(e.retryable());
    }

    @Test
    void aBlockedPassivePortIsDiagnosedAsAFirewallWithTheHostAndPort() throws Exception {
        server = new ScriptedFtpServer(certs).refuseDataConnections();
        TransferException e = fails("ftps");
        assertEquals(Reason.DATA_CHANNEL, e.reason());
        assertTrue(e.hint().contains("127.0.0.1:"), e.hint());
        assertTrue(e.hint().contains("firewall"), e.hint());
        assertTrue(e.hint().contains("FTPS encrypts the PASV reply"), e.hint());
        try (StorageTarget t = target("ftps")) {
            ProbeReport r = t.probe();
            assertFalse(r.ok());
            ProbeStep s = r.firstFailure().orElseThrow();
            assertEquals(ProbeStep.Step.UPLOAD, s.step());
            assertEquals(Reason.DATA_CHANNEL, s.reason());
            assertTrue(s.hint().contains("passive port range"), s.hint());
            assertEquals(ProbeStep.Status.PASSED, r.step(ProbeStep.Step.LOGIN).status());
            assertEquals(ProbeStep.Status.PASSED, r.step(ProbeStep.Step.QUIT).status());
        }
    }

    @Test
    void noReplyAfterTheDataConnectionOpenedIsATimeoutAndClosesTheDataSocket() throws Exception {
        server = new ScriptedFtpServer(certs).reply("STOR", "silent");
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://bob@127.0.0.1:" + server.port() + "/in"))
                .credentials(Credentials.password("bob", "Scripted-Secret-42".toCharArray()))
                .tls(TlsOptions.builder().pinSha256(certs.sha256()).build()).timeouts(Duration.ofSeconds(1))
                .retryPolicy(RetryPolicy.none()).build();
        try (StorageTarget t = StorageTargets.open(cfg)) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(upload()));
            assertEquals(Reason.TIMEOUT, e.reason(), e.getMessage());
            assertTrue(e.retryable());
            assertTrue(e.getMessage().startsWith("no reply to STOR"), e.getMessage());
            assertFalse(e.hint().contains("firewall"), e.hint());
            // Commons Net leaves the connected data socket open when the reply fails; Ferry must close it.
            assertTrue(server.silentDataClosed(Duration.ofSeconds(5)), "the data socket was left open");
        }
    }

    @Test
    void plainFtpIsOnlyUsedWhenAskedAndSaysSo() throws Exception {
        server = new ScriptedFtpServer(null);
        try (StorageTarget t = target("ftp")) {
            UploadResult r = t.upload(upload());
            assertEquals("ftp", r.protocol());
            assertEquals("none", r.connection().securityProtocol());
            assertTrue(String.join("\n", r.transcript()).contains("clear text"));
        }
        assertTrue(server.commands().stream().noneMatch(c -> c.startsWith("AUTH")));
    }
    static final byte[] OLD = "the previous version".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRefusedRenameLeavesTheExistingFileAlone() throws Exception {
        server = new ScriptedFtpServer(certs).reply("RNFR", "550 Permission denied.");
        server.files().put("rec.mp4", OLD);
        try (StorageTarget t = target("ftps")) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(upload()));
            assertEquals(Reason.PERMISSION, e.reason(), e.toString());
        }
        assertArrayEquals(OLD, server.files().get("rec.mp4"), "the old file is kept when the new one cannot replace it");
        assertFalse(server.commands().contains("DELE rec.mp4"), server.commands().toString());
    }

    @Test
    void aServerThatDoesNotRenameOverAFileGetsTheOldOneMovedAsideThenRemoved() throws Exception {
        server = new ScriptedFtpServer(certs);
        server.on("RNTO", a -> server.files().containsKey(a) ? "550 Cannot create a file when that file already exists." : null);
        server.files().put("rec.mp4", OLD);
        try (StorageTarget t = target("ftps")) {
            UploadResult r = t.upload(upload());
            assertTrue(String.join("\n", r.transcript()).contains("moved the old rec.mp4 aside"), r.transcript().toString());
        }
        assertArrayEquals(CONTENT, server.files().get("rec.mp4"));
        assertEquals(java.util.Set.of("rec.mp4"), server.files().keySet(), "neither the old file nor the temporary one is left");
    }

    @Test
    void whenTheNewFileCannotBePutInPlaceTheOldOneIsMovedBack() throws Exception {
        server = new ScriptedFtpServer(certs);
        String[] renaming = {null};
        server.on("RNFR", a -> {
            renaming[0] = a;
            return null;
        });
        // The final name takes no renamed temporary file, whether it exists or not; the old file may go back.
        server.on("RNTO", a -> !a.equals("rec.mp4") || !renaming[0].endsWith(".ferry-part") ? null
                : server.files().containsKey(a) ? "550 Cannot create a file when that file already exists." : "553 Rename failed.");
        server.files().put("rec.mp4", OLD);
        try (StorageTarget t = target("ftps")) {
            assertThrows(TransferException.class, () -> t.upload(upload()));
        }
        assertArrayEquals(OLD, server.files().get("rec.mp4"));
        assertEquals(java.util.Set.of("rec.mp4"), server.files().keySet());
    }
    @Test
    void aNonAtomicUploadThatStoredNothingLeavesThePreviousFile() throws Exception {
        ContentSource unreadable = new ContentSource() {
            @Override
            public java.io.InputStream open() throws java.io.IOException {
                throw new java.io.IOException("permission denied (simulated)");
            }

            @Override
            public long length() {
                return 100;
            }

            @Override
            public String describe() {
                return "an unreadable file";
            }
        };
        for (boolean refuseData : new boolean[] {true, false}) {
            server = new ScriptedFtpServer(certs);
            if (refuseData) {
                server.refuseDataConnections();
            }
            server.files().put("rec.mp4", OLD);
            ContentSource source = refuseData ? ContentSource.ofBytes(CONTENT) : unreadable;
            try (StorageTarget t = target("ftps")) {
                TransferException e = assertThrows(TransferException.class,
                        () -> t.upload(Upload.builder().source(source).remotePath("rec.mp4").atomic(false).build()));
                assertEquals(refuseData ? Reason.DATA_CHANNEL : Reason.BAD_INPUT, e.reason(), e.toString());
            }
            assertArrayEquals(OLD, server.files().get("rec.mp4"), "refused data connection: " + refuseData);
            assertFalse(server.commands().contains("DELE rec.mp4"), server.commands().toString());
            server.close();
        }
        // Once the server took the STOR, the final name may hold part of a file: it is removed.
        server = new ScriptedFtpServer(certs).reply("STOR", "after-data:451 Local error in processing.");
        server.files().put("rec.mp4", OLD);
        try (StorageTarget t = target("ftps")) {
            assertThrows(TransferException.class,
                    () -> t.upload(Upload.builder().source(ContentSource.ofBytes(CONTENT)).remotePath("rec.mp4").atomic(false).build()));
        }
        assertTrue(server.commands().contains("DELE rec.mp4"), server.commands().toString());
    }
    StorageTarget target(int attempts) throws Exception {
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://bob@127.0.0.1:" + server.port() + "/in"))
                .credentials(Credentials.password("bob", "Scripted-Secret-42".toCharArray()))
                .tls(TlsOptions.builder().pinSha256(certs.sha256()).build()).timeouts(Duration.ofSeconds(10))
                .retryPolicy(RetryPolicy.builder().maxAttempts(attempts).initialBackoff(Duration.ofMillis(10))
                        .maxBackoff(Duration.ofMillis(20)).build()).build();
        return StorageTargets.open(cfg);
    }

    long count(String prefix) {
        return server.commands().stream().filter(c -> c.startsWith(prefix)).count();
    }

    boolean temporaryLeft() {
        return server.files().keySet().stream().anyMatch(n -> n.endsWith(".ferry-part"));
    }

    @Test
    void aFileThatFailsVerificationIsSentAgainFromTheStartAndNotLeftOnTheServer() throws Exception {
        for (boolean deleteRefused : new boolean[] {false, true}) {
            server = new ScriptedFtpServer(certs).reply("FEAT", "211-Features:\r\n SIZE\r\n XSHA256\r\n211 End")
                    .reply("XSHA256", "250 " + "0".repeat(64));
            if (deleteRefused) {
                server.reply("DELE", "550 Permission denied.");
            }
            try (StorageTarget t = target(3)) {
                TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.builder()
                        .source(ContentSource.ofBytes(CONTENT)).remotePath("rec.mp4").verification(Verification.CHECKSUM).build()));
                assertEquals(Reason.VERIFY_FAILED, e.reason(), e.toString());
            }
            // Each attempt sends the whole file: the temporary one with wrong bytes is never resumed...
            assertEquals(3, count("STOR "), server.commands().toString());
            assertEquals(0, count("APPE "), server.commands().toString());
            assertEquals(3, count("XSHA256 "), server.commands().toString());
            assertFalse(server.files().containsKey("rec.mp4"));
            // ...and is removed (if the server lets it).
            assertEquals(deleteRefused, temporaryLeft(), server.files().keySet().toString());
            server.close();
        }
        server = null;
    }

    @Test
    void aTemporaryFileIsKeptForTheNextAttemptOnlyIfOneFollows() throws Exception {
        server = new ScriptedFtpServer(certs).reply("STOR", "after-data:451 Local error in processing.");
        try (StorageTarget t = target("ftps")) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(upload()));
            assertTrue(e.retryable(), e.toString());
        }
        assertFalse(temporaryLeft(), "no attempt follows, yet the temporary file stays: " + server.files().keySet());
        server.close();

        int[] stors = {0};
        server = new ScriptedFtpServer(certs).on("STOR", a -> ++stors[0] == 1 ? "after-data:451 Local error in processing." : null);
        try (StorageTarget t = target(2)) {
            UploadResult r = t.upload(upload());
            assertEquals(2, r.attempts());
            assertEquals(CONTENT.length, r.resumedFrom(), "the second attempt finds the whole temporary file");
        }
        assertEquals(1, count("STOR "));
        assertArrayEquals(CONTENT, server.files().get("rec.mp4"));
        assertFalse(temporaryLeft());
    }
    @Test
    void aRefusalAfterTheDataOnAResumedDataConnectionIsNotTakenForAReuseRefusal() throws Exception {
        int[] stors = {0};
        server = new ScriptedFtpServer(certs)
                .on("STOR", a -> ++stors[0] == 2 ? "after-data:450 Requested file action not taken: file busy" : null);
        try (StorageTarget t = target("ftps")) {
            assertEquals("TLSv1.3", t.upload(upload()).connection().securityProtocol());
            TransferException e = assertThrows(TransferException.class, () -> t.upload(upload()));
            assertTrue(e.serverReply().startsWith("450"), e.toString());
            assertFalse(e.hint().contains("reuse"), e.hint());
            assertFalse(String.join("\n", e.transcript()).contains("TLS 1.2 from now on"), e.transcript().toString());
            // The target keeps TLS 1.3: the data connection had resumed the session.
            assertEquals("TLSv1.3", t.upload(upload()).connection().securityProtocol());
        }
    }
    @Test
    void aPasswordWithALineBreakOrNulIsBadInputBeforeAnyConnection() throws Exception {
        server = new ScriptedFtpServer(certs);
        for (String password : new String[] {"Scripted-Secret-42\n", "Scripted-Secret-42\r", "Scripted\r\nDELE rec.mp4", "Scripted\0-42"}) {
            TargetConfig cfg = TargetConfig.builder(URI.create("ftps://bob@127.0.0.1:" + server.port() + "/in"))
                    .credentials(Credentials.password("bob", password.toCharArray())).build();
            TransferException e = assertThrows(TransferException.class, () -> StorageTargets.open(cfg).close());
            assertEquals(Reason.BAD_INPUT, e.reason(), e.toString());
            assertFalse(e.toString().contains("Scripted"), e.toString());
            TransferException b = assertThrows(TransferException.class, () -> FtpTarget.builder().host("127.0.0.1")
                    .port(server.port()).credentials(Credentials.password("bob", password.toCharArray())).build().close());
            assertEquals(Reason.BAD_INPUT, b.reason(), b.toString());
            assertFalse(b.toString().contains("Scripted"), b.toString());
        }
        assertTrue(server.commands().isEmpty(), server.commands().toString());
    }
}
