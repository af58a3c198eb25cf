package dev.ferry.sftp.internal;

import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.server.session.ServerSession;
import dev.ferry.sftp.SftpTarget;

import dev.ferry.core.Credentials;
import dev.ferry.core.ExistingFile;
import dev.ferry.core.HostKeys;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.testing.TestFiles;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SFTP against an embedded MINA SSHD server on 127.0.0.1, port 0, with a virtual file system on a temp dir. */
class EmbeddedSftpTest {
    static final String PW = "Embedded-Sftp-Pw-91c2";
    static final String PASSPHRASE = "Embedded-Passphrase-7d1e";
    @TempDir
    static Path dir;
    static Path root;
    static SshServer server;
    static String fingerprint;
    static Path ed25519Key;
    /** An RSA key in an encrypted PKCS#8 PEM file ("BEGIN ENCRYPTED PRIVATE KEY", as ssh-keygen -m PKCS8 writes). */
    static Path pkcs8Key;
    /** STAT and LSTAT requests the server received. */
    static final AtomicInteger STATS = new AtomicInteger();
    /** How often the server checked each password (password and keyboard-interactive logins). */
    static final java.util.Map<String, AtomicInteger> PASSWORD_CHECKS = new java.util.concurrent.ConcurrentHashMap<>();
    /** The SHA-256 fingerprint of the ed25519 user key in {@link #ed25519Key}. */
    static String ed25519Fingerprint;

    @BeforeAll
    static void start() throws Exception {
        // As a target does before MINA picks its security providers: Bouncy Castle is used, never registered.
        SshClients.configureProvidersOnce();
        root = Files.createDirectories(dir.resolve("root"));
        KeyPairGenerator g = SecurityUtils.getKeyPairGenerator(KeyUtils.EC_ALGORITHM);
        g.initialize(256);
        KeyPair userKey = g.generateKeyPair();
        KeyPairGenerator eg = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
        eg.initialize(new org.bouncycastle.jcajce.spec.EdDSAParameterSpec("Ed25519"));
        KeyPair ed = eg.generateKeyPair();
        ed25519Fingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, ed.getPublic());
        ed25519Key = dir.resolve("id_ed25519");
        try (OutputStream out = Files.newOutputStream(ed25519Key)) {
            OpenSSHKeyEncryptionContext enc = new OpenSSHKeyEncryptionContext();
            enc.setPassword(PASSPHRASE);
            enc.setCipherName("AES");
            enc.setCipherMode("CTR");
            enc.setCipherType("256");
            new OpenSSHKeyPairResourceWriter().writePrivateKey(ed, "test", enc, out);
        }
        KeyPair rsa = pkcs8(dir.resolve("id_rsa_pkcs8"));
        pkcs8Key = dir.resolve("id_rsa_pkcs8");
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("hostkey.ser")));
        server.setPasswordAuthenticator((u, p, s) -> {
            PASSWORD_CHECKS.computeIfAbsent(p, k -> new AtomicInteger()).incrementAndGet();
            if (u.equals("slow")) { // a server slow to check credentials
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }
            return u.equals("alice") && p.equals(PW);
        });
        server.setPublickeyAuthenticator((u, k, s) -> u.equals("alice") && (KeyUtils.compareKeys(k, ed.getPublic()) || KeyUtils.compareKeys(k, rsa.getPublic())));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder().withFileSystemAccessor(new SftpFileSystemAccessor() {
            @Override
            public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
                                                Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
                if (file.toString().contains("denied")) {
                    throw new AccessDeniedException(file.toString());
                }
                return SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle, options, attrs);
            }
        }).build()));
        ((SftpSubsystemFactory) server.getSubsystemFactories().get(0)).addSftpEventListener(new SftpEventListener() {
            @Override
            public void received(ServerSession session, int type, int id) {
                if (type == SftpConstants.SSH_FXP_STAT || type == SftpConstants.SSH_FXP_LSTAT) {
                    STATS.incrementAndGet();
                }
            }

            /** A server that cannot rename an upload's temporary file to "cannot-rename-*". */
            @Override
            public void moving(ServerSession session, Path srcPath, Path dstPath, java.util.Collection<java.nio.file.CopyOption> opts)
                    throws IOException {
                if (dstPath.getFileName().toString().startsWith("cannot-rename-") && srcPath.toString().endsWith(Upload.TEMP_SUFFIX)) {
                    throw new AccessDeniedException(dstPath.toString());
                }
            }

            /** Writing a connection test's file in "/probe-write" fails; in "/probe-broken" the session ends. */
            @Override
            public void writing(ServerSession session, String remoteHandle, org.apache.sshd.sftp.server.FileHandle localHandle,
                                long offset, byte[] data, int dataOffset, int dataLen) throws IOException {
                if (localHandle.getFile().getFileName().toString().startsWith(".ferry-probe-")) {
                    if (probeFault(localHandle.getFile(), "probe-broken")) {
                        session.close(true);
                        throw new IOException("the session ended");
                    }
                    if (probeFault(localHandle.getFile(), "probe-write")) {
                        throw new IOException("disk failure");
                    }
                }
            }

            /** A connection test's file in "/probe-nodelete" cannot be removed. */
            @Override
            public void removing(ServerSession session, Path path, boolean isDirectory) throws IOException {
                if (path.getFileName().toString().startsWith(".ferry-probe-") && probeFault(path, "probe-nodelete")) {
                    throw new AccessDeniedException(path.toString());
                }
            }

            /** Another writer's file appears at the final name of an "appears-*" upload once its bytes are written. */
            @Override
            public void closed(ServerSession session, String remoteHandle, org.apache.sshd.sftp.server.Handle localHandle,
                               Throwable thrown) throws IOException {
                String name = localHandle.getFile().getFileName().toString();
                if (name.startsWith(".ferry-probe-") && probeFault(localHandle.getFile(), "probe-verify", "probe-nodelete")
                        && Files.size(localHandle.getFile()) > 1) {
                    Files.write(localHandle.getFile(), new byte[] {'F'}); // a server that changes uploaded files
                }
                if (name.startsWith("appears-") && name.endsWith(Upload.TEMP_SUFFIX)) {
                    String base = name.substring(0, name.length() - Upload.TEMP_SUFFIX.length());
                    Files.writeString(localHandle.getFile().resolveSibling(base.substring(0, base.lastIndexOf('.'))), "another writer's");
                }
            }
        });
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.start();
        KeyPair host = server.getKeyPairProvider().loadKeys(null).iterator().next();
        fingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, host.getPublic());
        assertTrue(userKey.getPublic() != null);
    }

    /** Whether a file is in one of the given base directories (each probe fault test has its own). */
    static boolean probeFault(Path file, String... dirs) {
        Path parent = file.getParent();
        return parent != null && parent.getFileName() != null && List.of(dirs).contains(parent.getFileName().toString());
    }

    @AfterAll
    static void stop() throws IOException {
        server.stop(true);
    }

    static SftpTarget.Builder builder() {
        return SftpTarget.builder().host("127.0.0.1").port(server.getPort()).baseDirectory("/in")
                .credentials(Credentials.password("alice", PW.toCharArray())).hostKeys(HostKeys.pinned(fingerprint))
                .retryPolicy(RetryPolicy.none()).timeouts(Duration.ofSeconds(10));
    }

    @Test
    void uploadsAFileAtomicallyAndTheBytesOnDiskMatch() throws Exception {
        Path f = TestFiles.random(dir, "a.bin", 3_000_001);
        try (StorageTarget t = builder().build()) {
            UploadResult r = t.upload(Upload.of(f, "x/y/a.bin"));
            assertEquals("/in/x/y/a.bin", r.remotePath());
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(root.resolve("in/x/y/a.bin")));
            try (java.util.stream.Stream<Path> names = Files.list(root.resolve("in/x/y"))) {
                assertEquals(List.of("a.bin"), names.map(n -> n.getFileName().toString()).toList());
            }
            assertEquals(fingerprint, r.connection().peerFingerprint());
            assertTrue(r.connection().cipher().contains("gcm"), "AES-GCM preferred: " + r.connection().cipher());
            // The server offers sntrup761 first (MINA's order) and ML-KEM too: the client's preference decides.
            assertTrue(String.join("\n", r.transcript()).contains("key exchange mlkem768x25519-sha256,"), String.join("\n", r.transcript()));
        }
    }

    @Test
    void anEd25519KeyWithAPassphraseLogsIn() throws Exception {
        Path f = TestFiles.random(dir, "ed.bin", 1000);
        try (StorageTarget t = builder().credentials(Credentials.privateKey("alice", ed25519Key, PASSPHRASE.toCharArray())).build()) {
            UploadResult r = t.upload(Upload.of(f, "ed.bin"));
            assertFalse(String.join("\n", r.transcript()).contains(PASSPHRASE));
        }
        assertEquals(TestFiles.sha256(f), TestFiles.sha256(root.resolve("in/ed.bin")));
        assertNull(java.security.Security.getProvider("BC"), "Bouncy Castle must not be registered JVM-wide");
    }

    @Test
    void aWrongPassphraseIsBadInputAndAnUnknownHostKeyIsReportedFirst() throws Exception {
        String wrong = "Wrong-Passphrase-5b0c";
        Credentials c = Credentials.privateKey("alice", ed25519Key, wrong.toCharArray());
        Path f = TestFiles.random(dir, "wp.bin", 10);
        try (StorageTarget t = builder().credentials(c).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "wp.bin")));
            assertEquals(Reason.BAD_INPUT, e.reason());
            assertTrue(e.getMessage().contains("cannot load the private key " + ed25519Key), e.getMessage());
            assertFalse((e.getMessage() + e.hint() + String.join("\n", e.transcript())).contains(wrong));
            assertEquals(ProbeStep.Step.LOGIN, t.probe().firstFailure().orElseThrow().step());
        }
        // The key is read while the key exchange runs, but the host key's verdict comes first.
        Path emptyKnownHosts = Files.writeString(dir.resolve("empty_known_hosts_wp"), "");
        try (StorageTarget t = builder().credentials(c).hostKeys(HostKeys.knownHosts(emptyKnownHosts)).build()) {
            assertEquals(Reason.HOST_KEY, assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "wp.bin"))).reason());
        }
        assertFalse(Files.exists(root.resolve("in/wp.bin")));
    }

    @Test
    void theKeyIsReadOncePerTargetNotForEachConnection() throws Exception {
        Path key = Files.copy(ed25519Key, dir.resolve("id_ed25519_once"));
        Path f1 = TestFiles.random(dir, "once1.bin", 1000);
        Path f2 = TestFiles.random(dir, "once2.bin", 2000);
        try (StorageTarget t = builder().credentials(Credentials.privateKey("alice", key, PASSPHRASE.toCharArray())).build()) {
            t.upload(Upload.of(f1, "once1.bin"));
            Files.delete(key);
            // The server drops the session: the next upload needs a new connection and a new login.
            server.getActiveSessions().forEach(s -> s.close(true));
            UploadResult r = t.upload(Upload.of(f2, "once2.bin"));
            String text = String.join("\n", r.transcript());
            assertTrue(text.contains("connecting to 127.0.0.1"), "a new connection: " + text);
        }
        assertEquals(TestFiles.sha256(f1), TestFiles.sha256(root.resolve("in/once1.bin")));
        assertEquals(TestFiles.sha256(f2), TestFiles.sha256(root.resolve("in/once2.bin")));
    }

    /** Writes a new RSA key to {@code file} as encrypted PKCS#8 (PBES2: PBKDF2 with HMAC-SHA256, AES-256-CBC). */
    static KeyPair pkcs8(Path file) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        org.bouncycastle.operator.OutputEncryptor enc = new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
                org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_aes256_CBC)
                .setPRF(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.id_hmacWithSHA256, org.bouncycastle.asn1.DERNull.INSTANCE))
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                .setPassword(PASSPHRASE.toCharArray()).build();
        try (org.bouncycastle.openssl.jcajce.JcaPEMWriter w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(Files.newBufferedWriter(file))) {
            w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), enc));
        }
        return pair;
    }

    @Test
    void anEncryptedPkcs8KeyLogsIn() throws Exception {
        assertTrue(Files.readString(pkcs8Key).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        Path f = TestFiles.random(dir, "p8.bin", 1000);
        try (StorageTarget t = builder().credentials(Credentials.privateKey("alice", pkcs8Key, PASSPHRASE.toCharArray())).build()) {
            t.upload(Upload.of(f, "p8.bin"));
        }
        assertEquals(TestFiles.sha256(f), TestFiles.sha256(root.resolve("in/p8.bin")));
        assertNull(java.security.Security.getProvider("BC"), "Bouncy Castle must not be registered JVM-wide");
    }

    @Test
    void aWrongPasswordIsAuthAndNotRetried() throws Exception {
        try (StorageTarget t = builder().credentials(Credentials.password("alice", "wrong-pw-5521".toCharArray()))
                .retryPolicy(RetryPolicy.defaults()).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(TestFiles.random(dir, "w", 10), "w")));
            assertEquals(Reason.AUTH, e.reason());
            assertFalse(e.retryable());
            assertTrue(e.hint().contains("password"), e.hint());
            // What the embedded server offers (password, publickey, keyboard-interactive), read from its failure reply.
            assertTrue(e.getMessage().contains("the server accepts: ") && e.getMessage().contains("publickey"), e.getMessage());
            assertFalse(e.toString().contains("wrong-pw-5521"));
        }
        // The refused password is not sent again by keyboard-interactive: one failed login on the server, not two.
        assertEquals(1, PASSWORD_CHECKS.get("wrong-pw-5521").get());
    }

    @Test
    void theAuthHintSaysWhichKindOfCredentialTheServerWants() {
        assertTrue(SshLogin.authHint(List.of("password"), "publickey").contains("accepts only publickey: give a private key"),
                SshLogin.authHint(List.of("password"), "publickey"));
        assertTrue(SshLogin.authHint(List.of("publickey"), "password,keyboard-interactive").contains("give a password"));
        String both = SshLogin.authHint(List.of("publickey", "password"), "publickey,password");
        assertTrue(both.contains("authorized_keys") && both.contains("server accepts publickey, password"), both);
        assertTrue(SshLogin.authHint(List.of("password"), null).contains("Ferry offered password"));
    }

    @Test
    void anUnknownHostKeyIsRefusedWithItsFingerprint() throws Exception {
        Path emptyKnownHosts = Files.writeString(dir.resolve("empty_known_hosts"), "");
        try (StorageTarget t = builder().hostKeys(HostKeys.knownHosts(emptyKnownHosts)).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(TestFiles.random(dir, "u", 10), "u")));
            assertEquals(Reason.HOST_KEY, e.reason());
            assertTrue(e.getMessage().contains(fingerprint), e.getMessage());
            assertTrue(e.hint().contains("--host-key-pin " + fingerprint), e.hint());
            assertFalse(Files.exists(root.resolve("in/u")));
            ProbeReport p = t.probe();
            assertEquals(ProbeStep.Step.SECURE, p.firstFailure().orElseThrow().step());
            assertEquals(fingerprint, p.connection().peerFingerprint());
        }
    }

    @Test
    void aServerWithSeveralHostKeysPresentsTheOneThatIsKnownOrPinned() throws Exception {
        // As a stock OpenSSH install: an ed25519 and an ECDSA host key. MINA's default order asks for ECDSA first.
        KeyPairGenerator eg = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
        eg.initialize(new org.bouncycastle.jcajce.spec.EdDSAParameterSpec("Ed25519"));
        KeyPair ed = eg.generateKeyPair();
        KeyPairGenerator g = SecurityUtils.getKeyPairGenerator(KeyUtils.EC_ALGORITHM);
        g.initialize(256);
        KeyPair ec = g.generateKeyPair();
        SshServer two = SshServer.setUpDefaultServer();
        two.setHost("127.0.0.1");
        two.setPort(0);
        two.setKeyPairProvider(org.apache.sshd.common.keyprovider.KeyPairProvider.wrap(ec, ed));
        two.setPasswordAuthenticator((u, p, s) -> u.equals("alice") && p.equals(PW));
        two.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder().build()));
        two.setFileSystemFactory(new VirtualFileSystemFactory(root));
        two.start();
        try {
            String edPrint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, ed.getPublic());
            String ecPrint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, ec.getPublic());
            String host = "[127.0.0.1]:" + two.getPort() + " ";
            Path edOnly = Files.writeString(dir.resolve("known_hosts_ed25519"), host + PublicKeyEntry.toString(ed.getPublic()) + "\n");
            Path ecOnly = Files.writeString(dir.resolve("known_hosts_ecdsa"), host + PublicKeyEntry.toString(ec.getPublic()) + "\n");
            Path f = TestFiles.random(dir, "two.bin", 100);
            for (HostKeys keys : List.of(HostKeys.knownHosts(edOnly), HostKeys.pinned(edPrint), HostKeys.knownHosts(ecOnly))) {
                try (StorageTarget t = builder().port(two.getPort()).hostKeys(keys).build()) {
                    UploadResult r = t.upload(Upload.of(f, "two.bin"));
                    assertEquals(keys.knownHostsFile().map(ecOnly::equals).orElse(false) ? ecPrint : edPrint,
                            r.connection().peerFingerprint(), keys.toString());
                }
            }
        } finally {
            two.stop(true);
        }
    }

    @Test
    void aChangedHostKeyIsRefused() throws Exception {
        try (StorageTarget t = builder().hostKeys(HostKeys.pinned("SHA256:" + "A".repeat(43))).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(TestFiles.random(dir, "c", 10), "c")));
            assertEquals(Reason.HOST_KEY, e.reason());
        }
    }

    @Test
    void permissionDeniedIsPermissionAndNothingIsPublished() throws Exception {
        try (StorageTarget t = builder().build()) {
            TransferException e = assertThrows(TransferException.class,
                    () -> t.upload(Upload.of(TestFiles.random(dir, "d", 10), "denied/d.bin")));
            assertEquals(Reason.PERMISSION, e.reason(), e.toString());
            assertFalse(Files.exists(root.resolve("in/denied/d.bin")));
        }
    }

    @Test
    void aTemporaryFileLeftByAnotherUploadIsNeitherResumedNorPublished() throws Exception {
        // Another upload's leftover of the same length (a killed process, or one still writing) under the
        // temporary name Ferry used to reuse: resuming it would publish its bytes, not the source's.
        Path f = TestFiles.random(dir, "r.bin", 2_000_000);
        byte[] other = Files.readAllBytes(TestFiles.random(dir, "other.bin", 2_000_000));
        Path in = Files.createDirectories(root.resolve("in/leftover"));
        Files.write(in.resolve("r.bin.ferry-part"), other);
        try (StorageTarget t = builder().build()) {
            UploadResult first = t.upload(Upload.of(f, "leftover/r.bin"));
            assertEquals(0, first.resumedFrom());
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(in.resolve("r.bin")));
            assertEquals(0, t.upload(Upload.of(f, "leftover/r.bin")).resumedFrom(), "nor is the first upload's file taken up");
        }
        assertEquals(TestFiles.sha256(f), TestFiles.sha256(in.resolve("r.bin")));
        assertArrayEquals(other, Files.readAllBytes(in.resolve("r.bin.ferry-part")), "another upload's file is not touched");
        try (java.util.stream.Stream<Path> names = Files.list(in)) {
            assertEquals(List.of("r.bin", "r.bin.ferry-part"), names.map(n -> n.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void twoUploadsOfOneNameAtOnceLeaveOneWholeFile() throws Exception {
        Path a = TestFiles.random(dir, "same-a.bin", 8_000_000);
        Path b = TestFiles.random(dir, "same-b.bin", 8_000_000);
        try (StorageTarget t = builder().build()) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var fa = pool.submit(() -> t.upload(Upload.of(a, "same/same.bin")));
                var fb = pool.submit(() -> t.upload(Upload.of(b, "same/same.bin")));
                fa.get(60, java.util.concurrent.TimeUnit.SECONDS);
                fb.get(60, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
        }
        String onDisk = TestFiles.sha256(root.resolve("in/same/same.bin"));
        assertTrue(onDisk.equals(TestFiles.sha256(a)) || onDisk.equals(TestFiles.sha256(b)), "one of the two, whole");
        try (java.util.stream.Stream<Path> names = Files.list(root.resolve("in/same"))) {
            assertEquals(List.of("same.bin"), names.map(n -> n.getFileName().toString()).toList());
        }
    }

    @Test
    void aFileThatAppearsDuringTheUploadIsNotReplacedUnderFailOrRenameUnique() throws Exception {
        Path f = TestFiles.random(dir, "appears.bin", 100_000);
        Path in = Files.createDirectories(root.resolve("in/appears"));
        try (StorageTarget t = builder().build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.builder().source(f)
                    .remotePath("appears/appears-fail.bin").existing(ExistingFile.FAIL).build()));
            assertEquals(Reason.EXISTS, e.reason(), e.toString());
            assertEquals("another writer's", Files.readString(in.resolve("appears-fail.bin")));

            UploadResult r = t.upload(Upload.builder().source(f).remotePath("appears/appears-unique.bin")
                    .existing(ExistingFile.RENAME_UNIQUE).build());
            assertEquals("/in/appears/appears-unique-1.bin", r.remotePath());
            assertEquals("another writer's", Files.readString(in.resolve("appears-unique.bin")));
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(in.resolve("appears-unique-1.bin")));
        }
        try (java.util.stream.Stream<Path> names = Files.list(in)) {
            assertEquals(List.of("appears-fail.bin", "appears-unique-1.bin", "appears-unique.bin"),
                    names.map(n -> n.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void withoutPosixRenameTheOldFileIsMovedAsideAndNeverLost() throws Exception {
        Path f = TestFiles.random(dir, "new.bin", 100_000);
        Path in = Files.createDirectories(root.resolve("in/no-posix"));
        Files.writeString(in.resolve("replaced.bin"), "old");
        Files.writeString(in.resolve("cannot-rename-kept.bin"), "old");
        // The server announces no posix-rename@openssh.com.
        org.apache.sshd.sftp.SftpModuleProperties.OPENSSH_EXTENSIONS.set(server, "fsync@openssh.com=1,limits@openssh.com=1");
        try (StorageTarget t = builder().build()) {
            UploadResult r = t.upload(Upload.of(f, "no-posix/replaced.bin"));
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(in.resolve("replaced.bin")));
            assertTrue(String.join("\n", r.transcript()).contains("(the server has no atomic rename over a file)"),
                    String.join("\n", r.transcript()));

            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "no-posix/cannot-rename-kept.bin")));
            assertEquals(Reason.PERMISSION, e.reason(), e.toString());
            assertEquals("old", Files.readString(in.resolve("cannot-rename-kept.bin")), "the old file is back at its name");
        } finally {
            org.apache.sshd.sftp.SftpModuleProperties.OPENSSH_EXTENSIONS.remove(server);
        }
        try (java.util.stream.Stream<Path> names = Files.list(in)) {
            assertEquals(List.of("cannot-rename-kept.bin", "replaced.bin"), names.map(n -> n.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aServerSlowToAnswerTheLoginIsATimeout() throws Exception {
        Path f = TestFiles.random(dir, "slow.bin", 10);
        try (StorageTarget t = builder().credentials(Credentials.password("slow", PW.toCharArray())).timeouts(Duration.ofSeconds(1))
                .build()) {
            long start = System.nanoTime();
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "slow.bin")));
            assertEquals(Reason.TIMEOUT, e.reason(), e.toString());
            assertTrue(e.getMessage().contains("authentication"), e.getMessage());
            assertTrue(System.nanoTime() - start < 2_900_000_000L, "within the reply timeout, not the server's 3 s");
        }
    }

    @Test
    void aRetryResumesWhatTheAttemptBeforeItWrote() throws Exception {
        Path f = TestFiles.random(dir, "cut.bin", 3_000_000);
        try (dev.ferry.testing.FaultProxy proxy = dev.ferry.testing.FaultProxy.start("127.0.0.1", 0, "127.0.0.1", server.getPort());
             StorageTarget t = builder().port(proxy.port())
                     .retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(10)).build()).build()) {
            proxy.cutUpstreamAfter(1_200_000);
            UploadResult r = t.upload(Upload.of(f, "cut/cut.bin"));
            assertTrue(proxy.awaitFault(Duration.ofSeconds(1)), "the connection was cut");
            assertEquals(2, r.attempts());
            assertTrue(r.resumedFrom() > 0 && r.resumedFrom() < 1_200_000, "resumed from " + r.resumedFrom());
        }
        assertEquals(TestFiles.sha256(f), TestFiles.sha256(root.resolve("in/cut/cut.bin")));
        try (java.util.stream.Stream<Path> names = Files.list(root.resolve("in/cut"))) {
            assertEquals(List.of("cut.bin"), names.map(n -> n.getFileName().toString()).toList());
        }
    }

    @Test
    void aBatchIntoOneDirectoryStatsItOnceAndAGoneDirectoryIsMadeAgain() throws Exception {
        List<Upload> batch = new ArrayList<>();
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Path f = TestFiles.random(dir, "batch" + i, 1000 + i);
            sources.add(f);
            batch.add(Upload.of(f, "b/c/f" + i));
        }
        try (StorageTarget t = builder().build()) {
            int before = STATS.get();
            t.uploadAll(batch);
            int stats = STATS.get() - before;
            // Per file: the temporary name (resume) and the size check after writing; the directories once.
            assertTrue(stats <= 2 * 10 + 3, "stat requests for 10 files: " + stats);
            for (int i = 0; i < 10; i++) {
                assertEquals(TestFiles.sha256(sources.get(i)), TestFiles.sha256(root.resolve("in/b/c/f" + i)));
            }
            // The directory goes away between two uploads on the same (pooled) connection: it is made again.
            try (var files = Files.walk(root.resolve("in/b"))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            UploadResult r = t.upload(Upload.of(sources.get(0), "b/c/again"));
            assertTrue(String.join("\n", r.transcript()).contains("reusing a logged-in session"), "same connection");
            assertEquals(TestFiles.sha256(sources.get(0)), TestFiles.sha256(root.resolve("in/b/c/again")));
        }
    }

    @Test
    void existingFilePolicies() throws Exception {
        Path a = TestFiles.random(dir, "p1", 100);
        Path b = TestFiles.random(dir, "p2", 200);
        try (StorageTarget t = builder().build()) {
            t.upload(Upload.of(a, "p.bin"));
            assertEquals(Reason.EXISTS, assertThrows(TransferException.class,
                    () -> t.upload(Upload.builder().source(b).remotePath("p.bin").existing(ExistingFile.FAIL).build())).reason());
            assertEquals("/in/p-1.bin", t.upload(Upload.builder().source(b).remotePath("p.bin").existing(ExistingFile.RENAME_UNIQUE).build())
                    .remotePath());
            t.upload(Upload.of(b, "p.bin"));
        }
        assertEquals(TestFiles.sha256(b), TestFiles.sha256(root.resolve("in/p.bin")));
        assertEquals(TestFiles.sha256(b), TestFiles.sha256(root.resolve("in/p-1.bin")));
    }

    @Test
    void aClosedTargetRefusesTheConnectionTestAndStartsNoClient() throws Exception {
        StorageTarget t = builder().build();
        t.upload(Upload.of(TestFiles.random(dir, "closed.bin", 10), "closed.bin"));
        t.close();
        long before = sshClientThreads();
        ProbeReport r = t.probe();
        ProbeStep failed = r.firstFailure().orElseThrow();
        assertEquals(ProbeStep.Step.CONNECT, failed.step());
        assertEquals(Reason.CANCELLED, failed.reason());
        assertTrue(failed.message().contains("is closed"), failed.message());
        assertEquals(Reason.CANCELLED, assertThrows(TransferException.class,
                () -> t.upload(Upload.of(TestFiles.random(dir, "closed2.bin", 10), "closed2.bin"))).reason());
        // No SSH client was started for the closed target (one would run until the JVM exits).
        assertTrue(sshClientThreads() <= before, before + " -> " + sshClientThreads());
    }

    static long sshClientThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(th -> th.isAlive() && th.getName().contains("SshClient")).count();
    }

    @Test
    void aServerThatNeverSendsItsBannerIsATimeout() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            List<java.net.Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread accept = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accepts, and says nothing
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            accept.setDaemon(true);
            accept.start();
            try (StorageTarget t = builder().port(silent.getLocalPort()).timeouts(Duration.ofSeconds(2)).build()) {
                long start = System.nanoTime();
                TransferException e = assertThrows(TransferException.class,
                        () -> t.upload(Upload.of(TestFiles.random(dir, "silent.bin", 10), "silent.bin")));
                assertEquals(Reason.TIMEOUT, e.reason(), e.toString());
                assertTrue(e.getMessage().startsWith("no SSH key exchange with 127.0.0.1:" + silent.getLocalPort() + " within 2 s"),
                        e.getMessage());
                assertTrue(e.hint() != null && e.hint().contains("SSH server"), String.valueOf(e.hint()));
                assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10);
            } finally {
                for (java.net.Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aBaseRelativeToALoginDirectoryOfRootHasNoDoubleSlash() throws Exception {
        // The embedded server's login directory is "/".
        Path f = TestFiles.random(dir, "home.bin", 10);
        try (StorageTarget t = builder().baseDirectory("/~/homerel").build()) {
            UploadResult r = t.upload(Upload.of(f, "h.bin"));
            assertEquals("/homerel/h.bin", r.remotePath());
            assertEquals("sftp://alice@127.0.0.1:" + server.getPort() + "/homerel/h.bin", r.location());
        }
        assertEquals(TestFiles.sha256(f), TestFiles.sha256(root.resolve("homerel/h.bin")));
        try (StorageTarget t = builder().baseDirectory("/~").build()) {
            assertEquals("/h2.bin", t.upload(Upload.of(f, "h2.bin")).remotePath());
        }
    }

    @Test
    void noHostKeysIsBadInputBeforeConnecting() {
        TransferException e = assertThrows(TransferException.class, () -> SftpTarget.builder().host("127.0.0.1")
                .credentials(Credentials.password("alice", PW.toCharArray())).build());
        assertEquals(Reason.BAD_INPUT, e.reason());
    }

    @Test
    void theConnectionTestPasses() throws Exception {
        try (StorageTarget t = builder().build()) {
            ProbeReport r = t.probe();
            assertTrue(r.ok(), r.steps().toString());
        }
    }

    @Test
    void aDeadlineThatPassesDuringATransferEndsIt() throws Exception {
        Path in = Files.createDirectories(root.resolve("in/deadline"));
        try (StorageTarget t = builder().build()) {
            long start = System.nanoTime();
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.builder().source(dev.ferry.testing.SlowSource.create())
                    .remotePath("deadline/big.bin").deadline(Duration.ofMillis(800)).build()));
            long took = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Reason.TIMEOUT, e.reason(), e.toString());
            assertTrue(e.getMessage().contains("deadline"), e.getMessage());
            assertTrue(took < 3000, "ended at the deadline, not with the file: " + took + " ms");
        }
        try (java.util.stream.Stream<Path> names = Files.list(in)) {
            assertEquals(List.of(), names.map(n -> n.getFileName().toString()).toList(), "no file at the final name and no temporary file");
        }
    }

    /** A source that says it has {@code claimed} bytes and gives {@code actual}. */
    static dev.ferry.core.ContentSource lying(long claimed, int actual) {
        return new dev.ferry.core.ContentSource() {
            @Override
            public java.io.InputStream open() {
                return new java.io.ByteArrayInputStream(new byte[actual]);
            }

            @Override
            public long length() {
                return claimed;
            }

            @Override
            public String describe() {
                return "a source of " + actual + " bytes that claims " + claimed;
            }
        };
    }

    @Test
    void aSourceThatShrankOrGrewIsBadInputNotRetriedAndNothingIsLeft() throws Exception {
        Path in = Files.createDirectories(root.resolve("in/changed"));
        try (StorageTarget t = builder().retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(10))
                .build()).build()) {
            TransferException shrank = assertThrows(TransferException.class, () -> t.upload(Upload.builder()
                    .source(lying(2_000_000, 1_000_000)).remotePath("changed/shrank.bin").build()));
            assertEquals(Reason.BAD_INPUT, shrank.reason(), shrank.toString());
            assertFalse(shrank.retryable());
            assertTrue(shrank.getMessage().contains("shrank"), shrank.getMessage());
            TransferException grew = assertThrows(TransferException.class, () -> t.upload(Upload.builder()
                    .source(lying(1_000_000, 2_000_000)).remotePath("changed/grew.bin").build()));
            assertEquals(Reason.BAD_INPUT, grew.reason(), grew.toString());
            assertTrue(grew.getMessage().contains("grew"), grew.getMessage());
            assertFalse(String.join("\n", grew.transcript()).contains("attempt 1 of"), "not retried");
            // The connection was fine: the session stays in the pool for the next upload.
            Path f = TestFiles.random(dir, "after-changed.bin", 1000);
            String text = String.join("\n", t.upload(Upload.of(f, "changed/after.bin")).transcript());
            assertTrue(text.contains("reusing a logged-in session"), text);
        }
        try (java.util.stream.Stream<Path> names = Files.list(in)) {
            assertEquals(List.of("after.bin"), names.map(n -> n.getFileName().toString()).toList(),
                    "no file at the final names and no temporary file");
        }
    }

    @Test
    void anInterruptDuringATransferEndsItAndPublishesNothing() throws Exception {
        Path in = Files.createDirectories(root.resolve("in/interrupted"));
        try (StorageTarget t = builder().build()) {
            TransferException e = dev.ferry.testing.SlowSource.interruptedAfter(Duration.ofMillis(600),
                    () -> t.upload(Upload.builder().source(dev.ferry.testing.SlowSource.create()).remotePath("interrupted/big.bin").build()));
            assertEquals(Reason.CANCELLED, e.reason(), e.toString());
        }
        try (java.util.stream.Stream<Path> names = Files.list(in)) {
            assertEquals(List.of(), names.map(n -> n.getFileName().toString()).toList(), "no file at the final name and no temporary file");
        }
    }

    static List<String> probeFilesIn(String base) throws IOException {
        try (java.util.stream.Stream<Path> names = Files.list(root.resolve(base))) {
            return names.map(n -> n.getFileName().toString()).filter(n -> n.startsWith(".ferry-probe-")).toList();
        }
    }

    static ProbeReport probeIn(String base) throws Exception {
        try (StorageTarget t = builder().baseDirectory("/" + base).build()) {
            ProbeReport r = t.probe();
            assertFalse(r.toString().contains(PW), r.toString());
            return r;
        }
    }

    @Test
    void aFailedVerifyStillDeletesTheTestFile() throws Exception {
        ProbeReport r = probeIn("probe-verify");
        ProbeStep first = r.firstFailure().orElseThrow();
        assertEquals(ProbeStep.Step.VERIFY, first.step(), r.steps().toString());
        assertEquals(Reason.VERIFY_FAILED, first.reason());
        assertEquals(ProbeStep.Status.PASSED, r.step(ProbeStep.Step.DELETE).status(), r.step(ProbeStep.Step.DELETE).toString());
        assertEquals(List.of(), probeFilesIn("probe-verify"));
    }

    @Test
    void aFailedWriteStillDeletesTheFileItsOpenCreated() throws Exception {
        ProbeReport r = probeIn("probe-write");
        assertEquals(ProbeStep.Step.UPLOAD, r.firstFailure().orElseThrow().step(), r.steps().toString());
        assertEquals(ProbeStep.Status.SKIPPED, r.step(ProbeStep.Step.VERIFY).status());
        assertEquals(ProbeStep.Status.PASSED, r.step(ProbeStep.Step.DELETE).status(), r.step(ProbeStep.Step.DELETE).toString());
        assertEquals(List.of(), probeFilesIn("probe-write"));
    }

    @Test
    void aRefusedDeleteAfterAFailedVerifyNamesTheFileLeftBehind() throws Exception {
        ProbeReport r = probeIn("probe-nodelete");
        assertEquals(ProbeStep.Step.VERIFY, r.firstFailure().orElseThrow().step(), r.steps().toString());
        ProbeStep delete = r.step(ProbeStep.Step.DELETE);
        assertEquals(ProbeStep.Status.FAILED, delete.status());
        assertEquals(Reason.PERMISSION, delete.reason());
        List<String> left = probeFilesIn("probe-nodelete");
        assertEquals(1, left.size());
        assertTrue(delete.hint().contains(left.get(0)) && delete.hint().contains("left"), delete.hint());
    }

    @Test
    void aBrokenConnectionDuringTheUploadSaysWhichFileMayBeLeft() throws Exception {
        ProbeReport r = probeIn("probe-broken");
        assertEquals(ProbeStep.Step.UPLOAD, r.firstFailure().orElseThrow().step(), r.steps().toString());
        ProbeStep delete = r.step(ProbeStep.Step.DELETE);
        assertEquals(ProbeStep.Status.FAILED, delete.status(), delete.toString());
        List<String> left = probeFilesIn("probe-broken");
        assertEquals(1, left.size());
        assertTrue(delete.hint().contains(left.get(0)) && delete.hint().contains("may be left"), delete.hint());
    }

    @Test
    void anUploadRefusedAtOpenLeavesNothingToDelete() throws Exception {
        ProbeReport r = probeIn("probe-denied");
        ProbeStep first = r.firstFailure().orElseThrow();
        assertEquals(ProbeStep.Step.UPLOAD, first.step(), r.steps().toString());
        assertEquals(Reason.PERMISSION, first.reason());
        ProbeStep delete = r.step(ProbeStep.Step.DELETE);
        assertEquals(ProbeStep.Status.SKIPPED, delete.status());
        assertTrue(delete.message().contains("created no test file"), delete.message());
        assertEquals(List.of(), probeFilesIn("probe-denied"));
    }

    /** A second embedded server on 127.0.0.1, port 0, with the same users and files, set up further by {@code setup}. */
    static SshServer otherServer(java.util.function.Consumer<SshServer> setup) throws IOException {
        SshServer other = SshServer.setUpDefaultServer();
        other.setHost("127.0.0.1");
        other.setPort(0);
        other.setKeyPairProvider(server.getKeyPairProvider());
        other.setPasswordAuthenticator(server.getPasswordAuthenticator());
        other.setPublickeyAuthenticator(server.getPublickeyAuthenticator());
        other.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder().build()));
        other.setFileSystemFactory(new VirtualFileSystemFactory(root));
        setup.accept(other);
        other.start();
        return other;
    }

    static String transcript(UploadResult r) {
        return String.join("\n", r.transcript());
    }

    @Test
    void theTranscriptSaysWhichCredentialTheServerAccepted() throws Exception {
        Path f = TestFiles.random(dir, "accepted.bin", 100);
        try (StorageTarget t = builder().build()) {
            String text = transcript(t.upload(Upload.of(f, "accepted.bin")));
            assertTrue(text.contains("authenticated as alice with password\n"), text);
        }
        // A key and a password: the server takes the key, and the transcript does not claim the password.
        Credentials both = Credentials.privateKey("alice", ed25519Key, PASSPHRASE.toCharArray()).withPassword(PW.toCharArray());
        try (StorageTarget t = builder().credentials(both).build()) {
            String text = transcript(t.upload(Upload.of(f, "accepted.bin")));
            assertTrue(text.contains("authenticated as alice with publickey ssh-ed25519 " + ed25519Fingerprint + "\n"), text);
            assertFalse(text.contains("with password"), text);
        }
        // A server that takes passwords only through keyboard-interactive (as OpenSSH with PAM may).
        SshServer kbd = otherServer(s -> s.setUserAuthFactories(
                List.of(new org.apache.sshd.server.auth.keyboard.UserAuthKeyboardInteractiveFactory())));
        try (StorageTarget t = builder().port(kbd.getPort()).build()) {
            String text = transcript(t.upload(Upload.of(f, "accepted.bin")));
            assertTrue(text.contains("authenticated as alice with keyboard-interactive\n"), text);
        } finally {
            kbd.stop(true);
        }
    }

    @Test
    void theClientTakesNothingFromTheProcessUsersSshDirectory() throws Exception {
        try (StorageTarget t = builder().build()) {
            org.apache.sshd.client.SshClient c = ((SftpStorageTarget) t).client();
            // Nothing from the process user's ~/.ssh: no config file, no keys, no agent.
            assertTrue(c.getHostConfigEntryResolver() == org.apache.sshd.client.config.hosts.HostConfigEntryResolver.EMPTY);
            assertFalse(c.getKeyIdentityProvider().loadKeys(null).iterator().hasNext());
            assertNull(c.getAgentFactory());
        }
    }

    @Test
    void theClientOffersNoSha1SignaturesOrMacs() throws Exception {
        try (StorageTarget t = builder().build()) {
            org.apache.sshd.client.SshClient c = ((SftpStorageTarget) t).client();
            List<String> signatures = c.getSignatureFactoriesNames();
            List<String> macs = org.apache.sshd.common.NamedResource.getNameList(c.getMacFactories());
            assertTrue(signatures.containsAll(List.of("rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519")), signatures.toString());
            assertFalse(signatures.contains("ssh-rsa") || signatures.contains("ssh-rsa-cert-v01@openssh.com"), signatures.toString());
            assertTrue(macs.contains("hmac-sha2-256-etm@openssh.com"), macs.toString());
            assertFalse(macs.stream().anyMatch(m -> m.contains("sha1") || m.contains("md5")), macs.toString());
        }
    }

    @Test
    void aServerWithOnlySsh_rsaHostKeySignaturesIsRefusedWithAHint() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair rsa = g.generateKeyPair();
        SshServer old = otherServer(s -> {
            s.setKeyPairProvider(org.apache.sshd.common.keyprovider.KeyPairProvider.wrap(rsa));
            s.setSignatureFactories(List.of(org.apache.sshd.common.signature.BuiltinSignatures.rsa));
        });
        String pin = KeyUtils.getFingerPrint(BuiltinDigests.sha256, rsa.getPublic());
        try (StorageTarget t = builder().port(old.getPort()).hostKeys(HostKeys.pinned(pin)).build()) {
            TransferException e = assertThrows(TransferException.class,
                    () -> t.upload(Upload.of(TestFiles.random(dir, "sha1.bin", 10), "sha1-hostkey.bin")));
            assertEquals(Reason.PROTOCOL, e.reason(), e.toString());
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("no server host key algorithms in common with 127.0.0.1:" + old.getPort()
                    + ": the server offers ssh-rsa;"), e.getMessage());
            assertTrue(e.hint().contains("rsa-sha2-256"), e.hint());
            assertEquals(ProbeStep.Step.SECURE, t.probe().firstFailure().orElseThrow().step());
        } finally {
            old.stop(true);
        }
        assertFalse(Files.exists(root.resolve("in/sha1-hostkey.bin")));
    }

    @Test
    void aServerWithOnlyHmacSha1IsRefusedWithAHint() throws Exception {
        SshServer old = otherServer(s -> {
            // Without an AEAD cipher, so that a MAC is needed at all.
            s.setCipherFactories(List.of(org.apache.sshd.common.cipher.BuiltinCiphers.aes128ctr));
            s.setMacFactories(List.of(org.apache.sshd.common.mac.BuiltinMacs.hmacsha1));
        });
        try (StorageTarget t = builder().port(old.getPort()).build()) {
            TransferException e = assertThrows(TransferException.class,
                    () -> t.upload(Upload.of(TestFiles.random(dir, "sha1.bin", 10), "sha1-mac.bin")));
            assertEquals(Reason.PROTOCOL, e.reason(), e.toString());
            assertTrue(e.getMessage().contains("no mac algorithms (client to server) in common with 127.0.0.1:" + old.getPort()
                    + ": the server offers hmac-sha1;"), e.getMessage());
            assertTrue(e.hint().contains("hmac-sha2-256"), e.hint());
        } finally {
            old.stop(true);
        }
        assertFalse(Files.exists(root.resolve("in/sha1-mac.bin")));
    }
}
