package dev.ferry.sftp.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.sftp.SftpTarget;
import dev.ferry.testing.TestFiles;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What Ferry's SSH client does not take from its surroundings, nor give to them: nothing from the process user's
 * {@code ~/.ssh} (a key the server would accept, a {@code Host} alias that points elsewhere, known_hosts), and no
 * password, nor any digest of one, in any log line at any level.
 * <p>Runs in a JVM of its own (the {@code isolated-jvm} execution in the pom): {@code user.home} is a fake home
 * under {@code target}, and SLF4J logs everything at TRACE to a file. Skipped anywhere else, so it never writes
 * into a real {@code ~/.ssh}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SshClientIsolationTest {
    static final String PW = "Isolation-Pw-3f9a71";
    static final String WRONG_PW = "Isolation-Wrong-Pw-c0d2";
    /** A host name that DNS never resolves (RFC 6761), made an alias of the test server in the fake ~/.ssh/config. */
    static final String ALIAS = "ferry-alias.invalid";
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static Path root;
    static SshServer server;
    static String fingerprint;

    @BeforeAll
    static void fakeHomeAndServer() throws Exception {
        assumeTrue(Boolean.getBoolean("ferry.isolatedJvm"), "runs only in the pom's isolated-jvm execution");
        Path home = Path.of(System.getProperty("user.home"));
        assertTrue(home.endsWith("isolated-home") && home.getParent().endsWith("target"), "a fake home under target: " + home);
        Path ssh = home.resolve(".ssh");
        if (Files.exists(ssh)) {
            try (Stream<Path> old = Files.walk(ssh)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(ssh, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        SshClients.configureProvidersOnce();

        // A key in ~/.ssh that the server accepts for alice.
        KeyPairGenerator eg = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
        eg.initialize(new org.bouncycastle.jcajce.spec.EdDSAParameterSpec("Ed25519"));
        KeyPair homeKey = eg.generateKeyPair();
        Path id = ssh.resolve("id_ed25519");
        try (OutputStream out = Files.newOutputStream(id)) {
            new OpenSSHKeyPairResourceWriter().writePrivateKey(homeKey, "home", null, out);
        }
        Files.setPosixFilePermissions(id, PosixFilePermissions.fromString("rw-------"));

        root = Files.createDirectories(dir.resolve("root"));
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("hostkey.ser")));
        server.setPasswordAuthenticator((u, p, s) -> u.equals("alice") && p.equals(PW));
        server.setPublickeyAuthenticator((u, k, s) -> u.equals("alice") && KeyUtils.compareKeys(k, homeKey.getPublic()));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder().build()));
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.start();
        KeyPair host = server.getKeyPairProvider().loadKeys(null).iterator().next();
        fingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, host.getPublic());

        // ~/.ssh/config makes the alias the test server; ~/.ssh/known_hosts knows its key.
        Path config = Files.writeString(ssh.resolve("config"), "Host " + ALIAS + "\n    HostName 127.0.0.1\n    Port "
                + server.getPort() + "\n    User alice\n    IdentityFile ~/.ssh/id_ed25519\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(ssh.resolve("known_hosts"), "[127.0.0.1]:" + server.getPort() + " "
                + PublicKeyEntry.toString(host.getPublic()) + "\n" + ALIAS + " " + PublicKeyEntry.toString(host.getPublic()) + "\n");
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.stop(true);
        }
    }

    static SftpTarget.Builder builder() {
        return SftpTarget.builder().host("127.0.0.1").port(server.getPort()).baseDirectory("/in")
                .credentials(Credentials.password("alice", PW.toCharArray())).hostKeys(HostKeys.pinned(fingerprint))
                .retryPolicy(RetryPolicy.none()).timeouts(TIMEOUT);
    }

    /** The fake home works: a client with MINA's defaults follows the alias and logs in with the key in it. */
    @Test
    void aClientWithMinasDefaultsUsesTheFakeHome() throws Exception {
        try (SshClient stock = SshClient.setUpDefaultClient()) {
            stock.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE); // loopback test server only
            stock.start();
            try (ClientSession s = stock.connect("alice", ALIAS, 0).verify(TIMEOUT).getSession()) {
                s.auth().verify(TIMEOUT); // no credential given: the key from ~/.ssh
                assertTrue(s.isAuthenticated());
            }
        }
    }

    @Test
    void aWrongPasswordIsRefusedThoughTheServerWouldAcceptTheKeyInHome() throws Exception {
        Path f = TestFiles.random(dir, "wrong.bin", 100);
        try (StorageTarget t = builder().credentials(Credentials.password("alice", WRONG_PW.toCharArray())).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "wrong.bin")));
            assertEquals(Reason.AUTH, e.reason(), e.toString());
            assertFalse(String.join("\n", e.transcript()).contains("authenticated as"), String.join("\n", e.transcript()));
        }
        assertFalse(Files.exists(root.resolve("in/wrong.bin")));
    }

    @Test
    void aHostAliasInSshConfigIsNotFollowed() throws Exception {
        Path f = TestFiles.random(dir, "alias.bin", 100);
        try (StorageTarget t = builder().host(ALIAS).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "alias.bin")));
            assertEquals(Reason.DNS, e.reason(), e.toString());
            assertTrue(e.getMessage().contains("cannot resolve " + ALIAS), e.getMessage());
        }
        assertFalse(Files.exists(root.resolve("in/alias.bin")));
    }

    @Test
    void theKnownHostsInHomeIsNotConsulted() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");
        try (StorageTarget t = builder().hostKeys(HostKeys.knownHosts(empty)).build()) {
            TransferException e = assertThrows(TransferException.class,
                    () -> t.upload(Upload.of(TestFiles.random(dir, "kh.bin", 10), "kh.bin")));
            assertEquals(Reason.HOST_KEY, e.reason(), e.toString());
        }
    }

    /** Last, so that the log it reads has the other tests' logins too. */
    @Test
    @Order(Integer.MAX_VALUE)
    void noPasswordNorAnyDigestOfItIsLoggedAtAnyLevel() throws Exception {
        Path log = Path.of(System.getProperty("org.slf4j.simpleLogger.logFile"));
        List<String> texts = new ArrayList<>();
        Path f = TestFiles.random(dir, "logged.bin", 1000);
        try (StorageTarget t = builder().build()) {
            UploadResult r = t.upload(Upload.of(f, "logged.bin"));
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(root.resolve("in/logged.bin")));
            texts.add(String.join("\n", r.transcript()));
            ProbeReport p = t.probe();
            assertTrue(p.ok(), p.steps().toString());
            texts.add(p.toString());
            texts.add(t.toString());
            texts.add(((SftpStorageTarget) t).client().toString());
        }
        try (StorageTarget t = builder().credentials(Credentials.password("alice", WRONG_PW.toCharArray())).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "logged.bin")));
            assertEquals(Reason.AUTH, e.reason());
            texts.add(e.toString() + "\n" + e.hint() + "\n" + String.join("\n", e.transcript()));
            ProbeReport p = t.probe();
            assertEquals(ProbeStep.Step.LOGIN, p.firstFailure().orElseThrow().step());
            texts.add(p.toString());
        }
        String logged = Files.readString(log);
        // The log is live at TRACE: MINA's own lines about the password login and the packets are in it.
        assertTrue(logged.contains("sendPassword(") && logged.contains("packet #"), "MINA's DEBUG/TRACE lines are captured");
        texts.add(logged);
        for (String secret : List.of(PW, WRONG_PW)) {
            for (String form : forms(secret)) {
                for (String text : texts) {
                    assertFalse(text.toLowerCase(Locale.ROOT).contains(form.toLowerCase(Locale.ROOT)),
                            "a form of a password (" + form + ") is in: " + excerpt(text, form));
                }
            }
        }
    }

    /** The password, its bytes in hex, and its digests in hex and base64, as a log line might show them. */
    static List<String> forms(String secret) throws Exception {
        byte[] raw = secret.getBytes(StandardCharsets.UTF_8);
        List<byte[]> values = new ArrayList<>(List.of(raw));
        for (String alg : List.of("MD5", "SHA-1", "SHA-224", "SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA-512/256")) {
            values.add(MessageDigest.getInstance(alg).digest(raw));
        }
        List<String> forms = new ArrayList<>(List.of(secret));
        for (byte[] v : values) {
            forms.add(HexFormat.of().formatHex(v));
            forms.add(HexFormat.ofDelimiter(":").formatHex(v));
            forms.add(HexFormat.ofDelimiter(" ").formatHex(v));
            for (Base64.Encoder b : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
                forms.add(b.encodeToString(v));
                forms.add(b.withoutPadding().encodeToString(v));
            }
        }
        return forms;
    }

    private static String excerpt(String text, String form) {
        int i = text.toLowerCase(Locale.ROOT).indexOf(form.toLowerCase(Locale.ROOT));
        return text.substring(Math.max(0, i - 200), Math.min(text.length(), i + form.length() + 50));
    }
}
