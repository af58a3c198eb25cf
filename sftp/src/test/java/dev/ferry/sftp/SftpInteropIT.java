package dev.ferry.sftp;

import dev.ferry.core.BatchResult;
import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.testing.Interop;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpenSSH sshd from Debian (internal-sftp), started by interop/servers.sh. */
class SftpInteropIT {
    @TempDir
    Path dir;

    static TargetConfig.Builder config(Credentials c, HostKeys keys) throws Exception {
        int port = Interop.requireServer("sshd");
        String base = Interop.get("home") + "/sftp-it-" + UUID.randomUUID().toString().substring(0, 8);
        return TargetConfig.builder(URI.create("sftp://" + Interop.get("user") + "@127.0.0.1:" + port + base)).credentials(c)
                .hostKeys(keys);
    }

    static Credentials ed25519() {
        return Credentials.privateKey(Interop.get("user"), Path.of(Interop.get("ssh.key")),
                Interop.get("ssh.key.passphrase").toCharArray());
    }

    static HostKeys knownHosts() {
        return HostKeys.knownHosts(Path.of(Interop.get("sshd.known_hosts")));
    }

    @Test
    void oneFileWithAnEd25519KeyAndKnownHosts() throws Exception {
        Path f = TestFiles.random(dir, "one.bin", 5_000_000);
        try (StorageTarget t = StorageTargets.open(config(ed25519(), knownHosts()).build())) {
            UploadResult r = t.upload(Upload.of(f, "rec.mp4"));
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(Path.of(r.remotePath())));
            assertEquals("sftp", r.protocol());
            assertEquals(Interop.get("sshd.fingerprint"), r.connection().peerFingerprint());
            String text = String.join("\n", r.transcript());
            assertTrue(text.contains("posix-rename@openssh.com"), text);
            assertTrue(text.contains("authenticated as " + Interop.get("user") + " with publickey ssh-ed25519 SHA256:"), text);
            // A post-quantum hybrid either way: ML-KEM where the server has it (OpenSSH 9.9+), else sntrup761.
            assertTrue(text.matches("(?s).*key exchange (mlkem768x25519-sha256|sntrup761x25519-sha512(@openssh.com)?),.*"), text);
            assertFalse(text.contains(Interop.get("ssh.key.passphrase")));
            assertNull(java.security.Security.getProvider("BC"), "Bouncy Castle must not be registered JVM-wide");
        }
    }

    @Test
    void batchOfTwentyWithAPemRsaKeyAndAPinnedFingerprint() throws Exception {
        List<Upload> uploads = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Path f = TestFiles.random(dir, "b" + i, 1000 + 4999L * i);
            files.add(f);
            uploads.add(Upload.of(f, "batch/" + i + ".bin"));
        }
        Credentials rsa = Credentials.privateKey(Interop.get("user"), Path.of(Interop.get("ssh.key.rsa")), null);
        try (StorageTarget t = StorageTargets.open(config(rsa, HostKeys.pinned(Interop.get("sshd.fingerprint"))).build())) {
            BatchResult r = t.uploadAll(uploads);
            assertEquals(1, r.attempts());
            // An RSA key signs with SHA-2 (ssh-rsa, SHA-1, is not offered).
            String text = String.join("\n", r.files().get(0).transcript());
            assertTrue(text.matches("(?s).*with publickey ssh-rsa SHA256:\\S+ \\(rsa-sha2-(256|512)\\).*"), text);
            for (int i = 0; i < 20; i++) {
                assertEquals(TestFiles.sha256(files.get(i)), TestFiles.sha256(Path.of(r.files().get(i).remotePath())));
            }
        }
    }

    @Test
    void aFileOf256MiBWithAPassword() throws Exception {
        Path f = TestFiles.random(dir.resolve("big.bin"), 256L << 20, 7);
        Credentials pw = Credentials.password(Interop.get("user"), Interop.get("password").toCharArray());
        try (StorageTarget t = StorageTargets.open(config(pw, knownHosts()).build())) {
            UploadResult r = t.upload(Upload.of(f, "big.bin"));
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(Path.of(r.remotePath())));
            assertTrue(String.join("\n", r.transcript()).contains("authenticated as " + Interop.get("user") + " with password"));
            Files.delete(Path.of(r.remotePath()));
        }
    }

    @Test
    void anotherHostKeyInKnownHostsIsAChangedKeyAndNothingIsSent() throws Exception {
        var g = KeyPairGenerator.getInstance("Ed25519");
        byte[] raw = g.generateKeyPair().getPublic().getEncoded();
        byte[] key = java.util.Arrays.copyOfRange(raw, raw.length - 32, raw.length);
        java.io.ByteArrayOutputStream blob = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(blob);
        d.writeInt(11);
        d.writeBytes("ssh-ed25519");
        d.writeInt(32);
        d.write(key);
        Path kh = Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + Interop.port("sshd") + " ssh-ed25519 "
                + java.util.Base64.getEncoder().encodeToString(blob.toByteArray()) + "\n");
        TargetConfig cfg = config(ed25519(), HostKeys.knownHosts(kh)).retryPolicy(RetryPolicy.none()).build();
        try (StorageTarget t = StorageTargets.open(cfg)) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(TestFiles.random(dir, "x", 10), "x")));
            assertEquals(TransferException.Reason.HOST_KEY, e.reason());
            assertTrue(e.getMessage().contains("CHANGED") && e.getMessage().contains(Interop.get("sshd.fingerprint")), e.getMessage());
            ProbeReport p = t.probe();
            assertEquals(ProbeStep.Step.SECURE, p.firstFailure().orElseThrow().step());
            assertEquals(Interop.get("sshd.fingerprint"), p.connection().peerFingerprint(), "probe reports the key to offer pinning");
        }
    }

    @Test
    void theConnectionTestPasses() throws Exception {
        try (StorageTarget t = StorageTargets.open(config(ed25519(), knownHosts()).build())) {
            ProbeReport r = t.probe();
            assertTrue(r.ok(), r.steps().toString());
        }
    }
}
