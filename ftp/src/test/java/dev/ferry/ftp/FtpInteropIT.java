package dev.ferry.ftp;

import dev.ferry.core.BatchResult;
import dev.ferry.core.Credentials;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.testing.Interop;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real servers from Debian's packages, started by {@code interop/servers.sh}: vsftpd (FTPS with
 * {@code require_ssl_reuse=YES}), ProFTPD with mod_tls (reuse required), Pure-FTPd (TLS required), on TLS 1.3
 * and 1.2, and vsftpd in plain mode. Every file's SHA-256 on the server's disk equals the source's.
 */
@ExtendWith(MatrixRecorder.class)
class FtpInteropIT {
    @TempDir
    static Path dir;
    static Path big;
    static final long BIG = 256L << 20;

    @BeforeAll
    static void bigFile() throws Exception {
        Files.deleteIfExists(MatrixRecorder.FILE);
        big = TestFiles.random(dir.resolve("big.bin"), BIG, 256);
    }

    static Stream<Arguments> servers() {
        List<Arguments> out = new ArrayList<>();
        for (String server : List.of("vsftpd", "proftpd", "pureftpd")) {
            for (String tls : List.of("1.3", "1.2")) {
                out.add(Arguments.of(server, "TLSv" + tls));
            }
        }
        out.add(Arguments.of("vsftpd-plain", "none"));
        return out.stream();
    }

    static TargetConfig config(String server, String tls) throws Exception {
        int port = Interop.requireServer(server);
        String user = Interop.get("user");
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(Path.of(Interop.get("cert.pem")))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        TlsOptions.Builder t = TlsOptions.builder().trustCertificate(cert);
        if (tls.equals("TLSv1.2")) {
            t.maxProtocol("1.2");
        } else if (tls.equals("TLSv1.3")) {
            t.minProtocol("1.3");
        }
        String scheme = tls.equals("none") ? "ftp" : "ftps";
        return TargetConfig.builder(URI.create(scheme + "://" + user + "@127.0.0.1:" + port + "/it-" + server + "-"
                        + UUID.randomUUID().toString().substring(0, 8)))
                .credentials(Credentials.password(user, Interop.get("password").toCharArray())).tls(t.build()).build();
    }

    static Path onDisk(UploadResult r) {
        return Path.of(Interop.get("home"), r.remotePath());
    }

    /** No temporary file of this upload ({@code <name>.<token>.ferry-part}) is left beside it. */
    static void assertNoTemporaryFile(UploadResult r) throws java.io.IOException {
        Path file = onDisk(r);
        try (java.util.stream.Stream<Path> s = Files.list(file.getParent())) {
            List<String> left = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(file.getFileName() + ".") && n.endsWith(dev.ferry.core.Upload.TEMP_SUFFIX)).toList();
            assertTrue(left.isEmpty(), "temporary files left: " + left);
        }
    }

    static void check(String tls, UploadResult r) {
        if (!tls.equals("none")) {
            assertEquals(tls, r.connection().securityProtocol(), "negotiated protocol");
        }
    }

    @ParameterizedTest(name = "{0}|{1}|one file")
    @MethodSource("servers")
    void oneFile(String server, String tls) throws Exception {
        Path f = TestFiles.random(dir, server + tls + "-one.bin", 5_000_000);
        try (StorageTarget t = StorageTargets.open(config(server, tls))) {
            UploadResult r = t.upload(Upload.of(f, "rec.mp4"));
            check(tls, r);
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(onDisk(r)));
            assertNoTemporaryFile(r);
            String transcript = String.join("\n", r.transcript());
            assertFalse(transcript.contains(Interop.get("password")), "password in the transcript");
            if (!tls.equals("none") && !server.equals("pureftpd")) {
                // vsftpd and ProFTPD refuse a data connection that does not resume the control session.
                assertTrue(transcript.contains("resumed session: yes"), transcript);
            }
        }
    }

    @ParameterizedTest(name = "{0}|{1}|batch of 20")
    @MethodSource("servers")
    void batchOfTwenty(String server, String tls) throws Exception {
        List<Upload> uploads = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Path f = TestFiles.random(dir, server + tls + "-batch-" + i + ".bin", 10_000 + 7919L * i);
            files.add(f);
            uploads.add(Upload.of(f, "batch/" + i + ".bin"));
        }
        try (StorageTarget t = StorageTargets.open(config(server, tls))) {
            BatchResult r = t.uploadAll(uploads);
            assertEquals(20, r.files().size());
            for (int i = 0; i < 20; i++) {
                check(tls, r.files().get(i));
                assertEquals(TestFiles.sha256(files.get(i)), TestFiles.sha256(onDisk(r.files().get(i))), "file " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}|{1}|256 MiB")
    @MethodSource("servers")
    void bigFile(String server, String tls) throws Exception {
        try (StorageTarget t = StorageTargets.open(config(server, tls))) {
            UploadResult r = t.upload(Upload.of(big, "big.bin"));
            check(tls, r);
            assertEquals(BIG, r.bytes());
            assertEquals(TestFiles.sha256(big), TestFiles.sha256(onDisk(r)));
            Files.delete(onDisk(r));
        }
    }

    @ParameterizedTest(name = "{0}|{1}|connection test")
    @MethodSource("servers")
    void probe(String server, String tls) throws Exception {
        try (StorageTarget t = StorageTargets.open(config(server, tls))) {
            ProbeReport r = t.probe();
            assertTrue(r.ok(), r.steps().toString());
        }
    }

    @ParameterizedTest(name = "vsftpd|{0}|50 files in a row, audit log")
    @MethodSource("tlsVersions")
    void fiftyInARowOnVsftpdAndItsLogShowsTheSecureSequence(String tls) throws Exception {
        Path log = Path.of(Interop.get("vsftpd.log"));
        long before = Files.exists(log) ? Files.size(log) : 0;
        List<Upload> uploads = new ArrayList<>();
        String marker = "seq-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 50; i++) {
            uploads.add(Upload.builder().source(dev.ferry.core.ContentSource.ofBytes(("file " + i + "\n").repeat(100 + i)
                    .getBytes(StandardCharsets.UTF_8))).remotePath(marker + "/" + i + ".txt").build());
        }
        try (StorageTarget t = StorageTargets.open(config("vsftpd", tls))) {
            BatchResult r = t.uploadAll(uploads);
            assertEquals(50, r.files().size());
            assertEquals(1, r.attempts(), "one control connection for 50 files");
        }
        String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).substring((int) Math.min(before, Files.size(log)));
        int auth = text.indexOf("\"AUTH TLS\"");
        int pbsz = text.indexOf("\"PBSZ 0\"", auth);
        int prot = text.indexOf("\"PROT P\"", pbsz);
        int user = text.indexOf("\"USER ", prot);
        assertTrue(auth >= 0 && pbsz > auth && prot > pbsz && user > prot, "vsftpd log order AUTH TLS < PBSZ 0 < PROT P < USER:\n"
                + text.substring(0, Math.min(3000, text.length())));
        assertTrue(text.contains("OK UPLOAD") && text.contains(marker), "vsftpd logged the uploads as complete");
        assertFalse(text.contains("FAIL UPLOAD"), "no failed upload in the vsftpd log");
    }

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.DisplayName("proftpd|default|a batch goes on over TLS 1.2 once TLS 1.3 stops resuming")
    void aBatchToProftpdMovesToTls12InsteadOfReconnectingForEveryFile() throws Exception {
        // ProFTPD sends no new session ticket on data connections, so a JDK TLS 1.3 control connection resumes only
        // its first data connection(s): one on Java 17, two on a JDK that keeps both tickets ProFTPD sends after the
        // handshake (Java 25). With TLS 1.2 allowed (the default), the target then switches once and keeps one
        // connection; without the switch every file or two needs a new connection and login.
        Path log = Path.of(Interop.get("proftpd.log"));
        long before = Files.exists(log) ? Files.size(log) : 0;
        TargetConfig c = config("proftpd", "TLSv1.3");
        TargetConfig defaults = TargetConfig.builder(URI.create(c.redactedUri(c.port()))).credentials(c.credentials())
                .tls(TlsOptions.builder().trustCertificate(c.tls().trustedCertificates().get(0)).build()).build();
        List<Upload> uploads = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Path f = TestFiles.random(dir, "proftpd-switch-" + i + ".bin", 20_000 + 4099L * i);
            files.add(f);
            uploads.add(Upload.of(f, i + ".bin"));
        }
        try (StorageTarget t = StorageTargets.open(defaults)) {
            BatchResult r = t.uploadAll(uploads);
            assertEquals(12, r.files().size());
            List<String> protocols = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                UploadResult u = r.files().get(i);
                assertEquals(TestFiles.sha256(files.get(i)), TestFiles.sha256(onDisk(u)), "file " + i);
                assertNoTemporaryFile(u);
                protocols.add(u.connection().securityProtocol());
            }
            int firstOn12 = protocols.indexOf("TLSv1.2");
            assertTrue(firstOn12 == 1 || firstOn12 == 2, "the first one or two files on TLS 1.3, then TLS 1.2: " + protocols);
            assertEquals(List.of("TLSv1.3"), protocols.subList(0, firstOn12).stream().distinct().toList(), protocols.toString());
            assertEquals(List.of("TLSv1.2"), protocols.subList(firstOn12, 12).stream().distinct().toList(), protocols.toString());
            String switched = String.join("\n", r.files().get(firstOn12).transcript());
            assertTrue(switched.contains("uses TLS 1.2 from now on"), switched);
        }
        String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).substring((int) Math.min(before, Files.size(log)));
        assertEquals(2, text.split("\"AUTH TLS\"", -1).length - 1, "two control connections in ProFTPD's log:\n" + text);
        assertEquals(12, text.split("\"STOR [^\"]*\" 226", -1).length - 1, "twelve stored files in ProFTPD's log:\n" + text);
    }

    static Stream<String> tlsVersions() {
        return Stream.of("TLSv1.3", "TLSv1.2");
    }

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.DisplayName("vsftpd|none|plain FTP refused by an FTPS-only server")
    void plainFtpAgainstFtpsOnlyVsftpdIsRefusedBeforeThePassword() throws Exception {
        TargetConfig c = config("vsftpd", "TLSv1.3");
        TargetConfig plain = TargetConfig.builder(URI.create(c.redactedUri(c.port()).replace("ftps://", "ftp://")))
                .credentials(c.credentials()).retryPolicy(dev.ferry.core.RetryPolicy.none()).build();
        try (StorageTarget t = StorageTargets.open(plain)) {
            TransferException e = org.junit.jupiter.api.Assertions.assertThrows(TransferException.class,
                    () -> t.upload(Upload.builder().source(dev.ferry.core.ContentSource.ofBytes(new byte[10])).remotePath("x").build()));
            assertEquals(TransferException.Reason.AUTH, e.reason());
            assertTrue(e.hint().contains("ftps://"), e.hint());
        }
    }
}
