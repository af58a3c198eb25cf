package dev.ferry.faults;

import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.faults.Faults.Outcome;
import dev.ferry.faults.Faults.Resources;
import dev.ferry.ftp.FtpTarget;
import dev.ferry.ftp.testing.ScriptedFtpServer;
import dev.ferry.ftp.testing.TestCertificates;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.Interop;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input, each with its {@link Reason}: names and paths refused before any connection (a {@link FaultProxy} in front
 * of the server counts the connections: none), sources that are missing or change while they are read, certificates
 * and host keys that must not be trusted, a server that refuses {@code PROT P}, invalid URIs.
 */
@ExtendWith(FaultTable.class)
class BadInputIT {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void warmUp() throws Exception {
        Faults.warmUp();
    }

    /** An upload's outcome, and how many connections reached the proxy in front of the server. */
    private record Proxied(Outcome outcome, int connections) {
    }

    /** Uploads through a proxy to {@code server}. */
    private static Proxied viaProxy(String server, Upload upload) throws Exception {
        Resources before = Resources.now();
        Outcome o;
        int connections;
        if (server.equals("sshd")) {
            try (FaultProxy p = Faults.sshProxy(); StorageTarget t = Faults.sftp(p, Faults.retries(2))) {
                o = Faults.outcome("bad-input-" + server, () -> t.upload(upload));
                connections = p.accepted();
            }
        } else {
            FaultProxy[] p = Faults.ftpProxies(server);
            try (FaultProxy control = p[0]; FaultProxy data = p[1]; StorageTarget t = Faults.ftps(server, control, Faults.retries(2))) {
                o = Faults.outcome("bad-input-" + server, () -> t.upload(upload));
                connections = control.accepted();
            }
        }
        Resources.assertNoLeak(before);
        return new Proxied(o, connections);
    }

    private static void refusedBeforeConnecting(String server, String remote, String what) throws Exception {
        Path src = Faults.source("bad-name.bin", 1024);
        Proxied r = viaProxy(server, Upload.builder().source(src).remotePath(remote).build());
        Outcome o = r.outcome();
        assertNotNull(o.failure(), "expected a refusal");
        assertEquals(Reason.BAD_INPUT, o.failure().reason(), o.failure().getMessage());
        assertFalse(o.failure().retryable());
        assertEquals(0, r.connections(), "a connection was made although the input was refused");
        FaultTable.detail(what + " -> BAD_INPUT, 0 connections (" + o.failure().getMessage() + ")");
    }

    @ParameterizedTest(name = "{0}|CR, LF or NUL in the name")
    @ValueSource(strings = {"vsftpd", "sshd"})
    void controlCharacters(String server) throws Exception {
        for (String bad : new String[] {"a\r\nDELE x.bin", "b\nc.bin", "d\0.bin"}) {
            refusedBeforeConnecting(server, bad, "CR/LF/NUL");
        }
    }

    @ParameterizedTest(name = "{0}|.. escaping the base directory")
    @ValueSource(strings = {"vsftpd", "sshd"})
    void dotDot(String server) throws Exception {
        refusedBeforeConnecting(server, "../../etc/passwd-x", "'../../etc/passwd-x'");
    }

    @ParameterizedTest(name = "{0}|~ or \\ leaving the base directory")
    @ValueSource(strings = {"vsftpd", "sshd"})
    void tildeAndBackslash(String server) throws Exception {
        // A server expands "~" to the user's home (vsftpd answers CWD ~ with 250); Windows servers read a backslash as a separator.
        refusedBeforeConnecting(server, "~/x.bin", "'~/x.bin'");
        refusedBeforeConnecting(server, "in/~other/x.bin", "'in/~other/x.bin'");
        refusedBeforeConnecting(server, "..\\..\\x.bin", "'..\\..\\x.bin'");
    }

    @ParameterizedTest(name = "{0}|a 10 000-character name")
    @ValueSource(strings = {"vsftpd", "sshd"})
    void longName(String server) throws Exception {
        refusedBeforeConnecting(server, "n".repeat(10_000) + ".bin", "10 000 characters");
    }

    @ParameterizedTest(name = "{0}|a source that does not exist")
    @ValueSource(strings = {"vsftpd", "sshd"})
    void missingSource(String server) throws Exception {
        Proxied r = viaProxy(server, Upload.builder().source(tmp.resolve("no-such-file.mp4")).remotePath("missing.bin").build());
        Outcome o = r.outcome();
        assertNotNull(o.failure());
        assertEquals(Reason.BAD_INPUT, o.failure().reason());
        assertEquals(0, r.connections());
        FaultTable.detail("BAD_INPUT, 0 connections (" + o.failure().getMessage() + ")");
    }

    @ParameterizedTest(name = "{0}|an empty file")
    @ValueSource(strings = {"vsftpd", "sshd"})
    void emptyFile(String server) throws Exception {
        Path src = tmp.resolve("empty.bin");
        Files.write(src, new byte[0]);
        Path disk = Faults.diskDir().resolve("empty-" + server + ".bin");
        Files.deleteIfExists(disk);
        Outcome o = viaProxy(server, Upload.builder().source(src).remotePath("empty-" + server + ".bin").build()).outcome();
        // An empty file is a file: it is published as one (0 bytes), not refused and not left half-done.
        assertNotNull(o.result(), () -> "failed: " + o.failure());
        assertEquals(0, o.result().bytes());
        assertTrue(Files.isRegularFile(disk) && Files.size(disk) == 0, "an empty file at the final name");
        FaultTable.detail("published, 0 bytes on the server's disk");
    }

    @ParameterizedTest(name = "{0}|a file that grows while it is read")
    @ValueSource(strings = {"vsftpd", "sshd"})
    void grows(String server) throws Exception {
        changing(server, true);
    }

    @ParameterizedTest(name = "{0}|a file that shrinks while it is read")
    @ValueSource(strings = {"vsftpd", "sshd"})
    void shrinks(String server) throws Exception {
        changing(server, false);
    }

    private void changing(String server, boolean grow) throws Exception {
        String name = (grow ? "grows-" : "shrinks-") + server + ".bin";
        Path src = tmp.resolve(name);
        Files.copy(Faults.source("changing.bin", 8L << 20), src, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path disk = Faults.diskDir().resolve(name);
        Files.deleteIfExists(disk);
        AtomicBoolean changed = new AtomicBoolean();
        Outcome o = viaProxy(server, Upload.builder().source(src).remotePath(name)
                .progress((p, sent, total) -> {
                    if (sent > 0 && changed.compareAndSet(false, true)) {
                        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
                            f.setLength(grow ? f.length() + 4096 : f.length() / 2);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }).build()).outcome();
        assertTrue(changed.get());
        assertNotNull(o.failure(), "the upload of a changing file must fail");
        assertEquals(Reason.BAD_INPUT, o.failure().reason(), o.failure().getMessage());
        assertFalse(Files.exists(disk), "nothing may be published at the final name");
        FaultTable.detail("BAD_INPUT, nothing at the final name (" + o.failure().getMessage() + ")");
    }

    private static TransferException ftpsFails(FtpTarget.Builder b) throws Exception {
        Resources before = Resources.now();
        Path src = Faults.source("cert.bin", 1024);
        Outcome o;
        try (StorageTarget t = b.credentials(Credentials.password(Interop.get("user"), Faults.password())).baseDirectory(Faults.FTP_BASE)
                .timeouts(Duration.ofSeconds(10)).retryPolicy(Faults.retries(3)).build()) {
            o = Faults.outcome("bad-tls", () -> t.upload(Upload.builder().source(src).remotePath("cert.bin").build()));
        }
        Resources.assertNoLeak(before);
        assertNotNull(o.failure(), "expected a failure");
        return o.failure();
    }

    @Test
    @DisplayName("vsftpd|a wrong certificate (another CA)")
    void wrongCertificate() throws Exception {
        TestCertificates other = TestCertificates.create(Files.createDirectories(tmp.resolve("other")));
        TransferException e = ftpsFails(FtpTarget.builder().host("127.0.0.1").port(Interop.requireServer("vsftpd"))
                .tls(TlsOptions.builder().trustCertificate(other.certificate()).build()));
        assertEquals(Reason.CERTIFICATE, e.reason(), e.getMessage());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains(Interop.get("cert.sha256")), "the message names the fingerprint seen: " + e.getMessage());
        FaultTable.detail("CERTIFICATE, not retried, before USER (" + e.getMessage() + ")");
    }

    @Test
    @DisplayName("vsftpd|a wrong host name (127.0.0.2 for a certificate of 127.0.0.1)")
    void wrongHostname() throws Exception {
        FaultProxy[] p = Faults.ftpProxies("vsftpd");
        try (FaultProxy control = p[0]; FaultProxy data = p[1]) {
            java.security.cert.X509Certificate cert;
            try (var in = Files.newInputStream(Faults.serverCertificateFile())) {
                cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            TransferException e = ftpsFails(FtpTarget.builder().host(control.host()).port(control.port())
                    .tls(TlsOptions.builder().trustCertificate(cert).build()));
            assertEquals(Reason.CERTIFICATE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("127.0.0.2"), e.getMessage());
            FaultTable.detail("CERTIFICATE (" + e.getMessage() + ")");
        }
    }

    @Test
    @DisplayName("scripted FTPS|an expired certificate")
    void expiredCertificate() throws Exception {
        TestCertificates expired = TestCertificates.create(Files.createDirectories(tmp.resolve("expired")), "localhost", new String[] {"localhost"},
                new String[] {"127.0.0.1"}, Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)));
        try (ScriptedFtpServer server = new ScriptedFtpServer(expired)) {
            TransferException e = ftpsFails(FtpTarget.builder().host("127.0.0.1").port(server.port())
                    .tls(TlsOptions.builder().trustCertificate(expired.certificate()).build()));
            assertEquals(Reason.CERTIFICATE, e.reason(), e.getMessage());
            assertTrue(server.commands().stream().noneMatch(c -> c.startsWith("USER") || c.startsWith("PASS")), server.commands().toString());
            FaultTable.detail("CERTIFICATE, no USER/PASS sent (" + e.getMessage() + ")");
        }
    }

    @Test
    @DisplayName("scripted FTPS|a server that refuses PROT P")
    void protPRefused() throws Exception {
        TestCertificates certs = TestCertificates.create(Files.createDirectories(tmp.resolve("prot")));
        try (ScriptedFtpServer server = new ScriptedFtpServer(certs).reply("PROT", "536 PROT P not supported.")) {
            TransferException e = ftpsFails(FtpTarget.builder().host("127.0.0.1").port(server.port())
                    .tls(TlsOptions.builder().trustCertificate(certs.certificate()).build()));
            assertEquals(Reason.PROTOCOL, e.reason(), e.getMessage());
            assertTrue(server.commands().stream().noneMatch(c -> c.startsWith("STOR") || c.startsWith("PASV") || c.startsWith("USER")),
                    server.commands().toString());
            FaultTable.detail("PROTOCOL, no USER, PASV or STOR sent (" + e.getMessage() + ")");
        }
    }

    private static TransferException sftpFails(HostKeys keys) throws Exception {
        Resources before = Resources.now();
        Path src = Faults.source("hostkey.bin", 1024);
        Outcome o;
        try (StorageTarget t = Faults.sftp("127.0.0.1", Interop.requireServer("sshd"), keys, Faults.retries(3))) {
            o = Faults.outcome("bad-host-key", () -> t.upload(Upload.builder().source(src).remotePath("hostkey.bin").build()));
        }
        Resources.assertNoLeak(before);
        assertNotNull(o.failure());
        assertEquals(Reason.HOST_KEY, o.failure().reason(), o.failure().getMessage());
        assertFalse(o.failure().retryable());
        assertTrue(o.failure().getMessage().contains(Interop.get("sshd.fingerprint")), o.failure().getMessage());
        return o.failure();
    }

    @Test
    @DisplayName("sshd|an unknown SSH host key")
    void unknownHostKey() throws Exception {
        Path kh = tmp.resolve("known_hosts_empty");
        Files.writeString(kh, "");
        TransferException e = sftpFails(HostKeys.knownHosts(kh));
        FaultTable.detail("HOST_KEY with the key's fingerprint (" + e.getMessage() + ")");
    }

    @Test
    @DisplayName("sshd|a changed SSH host key")
    void changedHostKey() throws Exception {
        Path kh = tmp.resolve("known_hosts_changed");
        // Another ed25519 key for the same [host]:port.
        Files.writeString(kh, "[127.0.0.1]:" + Interop.requireServer("sshd")
                + " ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n");
        TransferException e = sftpFails(HostKeys.knownHosts(kh));
        assertTrue(e.getMessage().contains("CHANGED"), e.getMessage());
        FaultTable.detail("HOST_KEY, CHANGED (" + e.getMessage() + ")");
    }

    @Test
    @DisplayName("core|invalid URIs")
    void invalidUris() {
        StringBuilder seen = new StringBuilder();
        for (String uri : new String[] {"ftps://", "ftps:///incoming", "gopher://host/x", "ftps://host:99999/x", "ftps://ho st/x",
                "sftp://user@host:-1/x",
                "ftps://us%0d%0aer@host/x", "ftps://host/x?passive-nat=server"}) {
            TransferException e = assertThrows(TransferException.class,
                    () -> StorageTargets.open(TargetConfig.builder(uri).credentials(Credentials.password("u", "pw".toCharArray())).build()),
                    uri);
            assertEquals(Reason.BAD_INPUT, e.reason(), uri + ": " + e.getMessage());
            Faults.evidence("invalid-uris", Faults.describe(e));
            seen.append(uri).append("; ");
        }
        FaultTable.detail("BAD_INPUT for " + seen);
    }

    @Test
    @DisplayName("core|a password in the URI")
    void passwordInUri() {
        String secret = Interop.get("password");
        TransferException e = assertThrows(TransferException.class, () -> StorageTargets.open(
                URI.create("ftps://" + Interop.get("user") + ":" + secret + "@127.0.0.1:" + Interop.requireServer("vsftpd") + "/x"),
                Credentials.username(Interop.get("user"))));
        assertEquals(Reason.BAD_INPUT, e.reason());
        String all = Faults.describe(e);
        Faults.evidence("password-in-uri", all);
        assertFalse(all.contains(secret), "the refusal repeats the password");
        FaultTable.detail("BAD_INPUT, the password is not repeated (" + e.getMessage() + ")");
    }

}
