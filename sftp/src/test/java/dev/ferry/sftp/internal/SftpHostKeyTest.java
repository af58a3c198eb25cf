package dev.ferry.sftp.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.sftp.SftpTarget;
import dev.ferry.testing.TestFiles;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.ferry.sftp.internal.EmbeddedSftpServer.PW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key exchange: host keys (pinned, known_hosts, unknown, changed), refused algorithms, a silent server.
 * On an {@link EmbeddedSftpServer}, one per class.
 */
class SftpHostKeyTest {
    @TempDir
    static Path dir;
    static EmbeddedSftpServer sftp;

    @BeforeAll
    static void start() throws Exception {
        sftp = EmbeddedSftpServer.start(dir);
    }

    @AfterAll
    static void stop() throws IOException {
        sftp.close();
    }

    @Test
    void noHostKeysIsBadInputBeforeConnecting() {
        TransferException e = assertThrows(TransferException.class, () -> SftpTarget.builder().host("127.0.0.1")
                .credentials(Credentials.password("alice", PW.toCharArray())).build());
        assertEquals(Reason.BAD_INPUT, e.reason());
    }

    @Test
    void anUnknownHostKeyIsRefusedWithItsFingerprint() throws Exception {
        Path emptyKnownHosts = Files.writeString(dir.resolve("empty_known_hosts"), "");
        try (StorageTarget t = sftp.builder().hostKeys(HostKeys.knownHosts(emptyKnownHosts)).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(TestFiles.random(dir, "u", 10), "u")));
            assertEquals(Reason.HOST_KEY, e.reason());
            assertTrue(e.getMessage().contains(sftp.fingerprint), e.getMessage());
            assertTrue(e.hint().contains("--host-key-pin " + sftp.fingerprint), e.hint());
            assertFalse(Files.exists(sftp.root.resolve("in/u")));
            ProbeReport p = t.probe();
            assertEquals(ProbeStep.Step.SECURE, p.firstFailure().orElseThrow().step());
            assertEquals(sftp.fingerprint, p.connection().peerFingerprint());
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
        two.setFileSystemFactory(new VirtualFileSystemFactory(sftp.root));
        two.start();
        try {
            String edPrint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, ed.getPublic());
            String ecPrint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, ec.getPublic());
            String host = "[127.0.0.1]:" + two.getPort() + " ";
            Path edOnly = Files.writeString(dir.resolve("known_hosts_ed25519"), host + PublicKeyEntry.toString(ed.getPublic()) + "\n");
            Path ecOnly = Files.writeString(dir.resolve("known_hosts_ecdsa"), host + PublicKeyEntry.toString(ec.getPublic()) + "\n");
            Path f = TestFiles.random(dir, "two.bin", 100);
            for (HostKeys keys : List.of(HostKeys.knownHosts(edOnly), HostKeys.pinned(edPrint), HostKeys.knownHosts(ecOnly))) {
                try (StorageTarget t = sftp.builder().port(two.getPort()).hostKeys(keys).build()) {
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
        try (StorageTarget t = sftp.builder().hostKeys(HostKeys.pinned("SHA256:" + "A".repeat(43))).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(TestFiles.random(dir, "c", 10), "c")));
            assertEquals(Reason.HOST_KEY, e.reason());
        }
    }

    @Test
    void theClientOffersNoSha1SignaturesOrMacs() throws Exception {
        try (StorageTarget t = sftp.builder().build()) {
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
        SshServer old = sftp.otherServer(s -> {
            s.setKeyPairProvider(org.apache.sshd.common.keyprovider.KeyPairProvider.wrap(rsa));
            s.setSignatureFactories(List.of(org.apache.sshd.common.signature.BuiltinSignatures.rsa));
        });
        String pin = KeyUtils.getFingerPrint(BuiltinDigests.sha256, rsa.getPublic());
        try (StorageTarget t = sftp.builder().port(old.getPort()).hostKeys(HostKeys.pinned(pin)).build()) {
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
        assertFalse(Files.exists(sftp.root.resolve("in/sha1-hostkey.bin")));
    }

    @Test
    void aServerWithOnlyHmacSha1IsRefusedWithAHint() throws Exception {
        SshServer old = sftp.otherServer(s -> {
            // Without an AEAD cipher, so that a MAC is needed at all.
            s.setCipherFactories(List.of(org.apache.sshd.common.cipher.BuiltinCiphers.aes128ctr));
            s.setMacFactories(List.of(org.apache.sshd.common.mac.BuiltinMacs.hmacsha1));
        });
        try (StorageTarget t = sftp.builder().port(old.getPort()).build()) {
            TransferException e = assertThrows(TransferException.class,
                    () -> t.upload(Upload.of(TestFiles.random(dir, "sha1.bin", 10), "sha1-mac.bin")));
            assertEquals(Reason.PROTOCOL, e.reason(), e.toString());
            assertTrue(e.getMessage().contains("no mac algorithms (client to server) in common with 127.0.0.1:" + old.getPort()
                    + ": the server offers hmac-sha1;"), e.getMessage());
            assertTrue(e.hint().contains("hmac-sha2-256"), e.hint());
        } finally {
            old.stop(true);
        }
        assertFalse(Files.exists(sftp.root.resolve("in/sha1-mac.bin")));
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
            try (StorageTarget t = sftp.builder().port(silent.getLocalPort()).timeouts(Duration.ofSeconds(2)).build()) {
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
}
