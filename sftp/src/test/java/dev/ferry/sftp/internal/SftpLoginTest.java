package dev.ferry.sftp.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.HostKeys;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.testing.TestFiles;
import org.apache.sshd.server.SshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.ferry.sftp.internal.EmbeddedSftpServer.PASSPHRASE;
import static dev.ferry.sftp.internal.EmbeddedSftpServer.PW;
import static dev.ferry.sftp.internal.EmbeddedSftpServer.transcript;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logging in: keys, passwords, what the server accepted, and what the client takes from its surroundings.
 * On an {@link EmbeddedSftpServer}, one per class.
 */
class SftpLoginTest {
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
    void anEd25519KeyWithAPassphraseLogsIn() throws Exception {
        Path f = TestFiles.random(dir, "ed.bin", 1000);
        try (StorageTarget t = sftp.builder().credentials(Credentials.privateKey("alice", sftp.ed25519Key, PASSPHRASE.toCharArray())).build()) {
            UploadResult r = t.upload(Upload.of(f, "ed.bin"));
            assertFalse(String.join("\n", r.transcript()).contains(PASSPHRASE));
        }
        assertEquals(TestFiles.sha256(f), TestFiles.sha256(sftp.root.resolve("in/ed.bin")));
        assertNull(java.security.Security.getProvider("BC"), "Bouncy Castle must not be registered JVM-wide");
    }

    @Test
    void aWrongPassphraseIsBadInputAndAnUnknownHostKeyIsReportedFirst() throws Exception {
        String wrong = "Wrong-Passphrase-5b0c";
        Credentials c = Credentials.privateKey("alice", sftp.ed25519Key, wrong.toCharArray());
        Path f = TestFiles.random(dir, "wp.bin", 10);
        try (StorageTarget t = sftp.builder().credentials(c).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "wp.bin")));
            assertEquals(Reason.BAD_INPUT, e.reason());
            assertTrue(e.getMessage().contains("cannot load the private key " + sftp.ed25519Key), e.getMessage());
            assertFalse((e.getMessage() + e.hint() + String.join("\n", e.transcript())).contains(wrong));
            assertEquals(ProbeStep.Step.LOGIN, t.probe().firstFailure().orElseThrow().step());
        }
        // The key is read while the key exchange runs, but the host key's verdict comes first.
        Path emptyKnownHosts = Files.writeString(dir.resolve("empty_known_hosts_wp"), "");
        try (StorageTarget t = sftp.builder().credentials(c).hostKeys(HostKeys.knownHosts(emptyKnownHosts)).build()) {
            assertEquals(Reason.HOST_KEY, assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "wp.bin"))).reason());
        }
        assertFalse(Files.exists(sftp.root.resolve("in/wp.bin")));
    }

    @Test
    void theKeyIsReadOncePerTargetNotForEachConnection() throws Exception {
        Path key = Files.copy(sftp.ed25519Key, dir.resolve("id_ed25519_once"));
        Path f1 = TestFiles.random(dir, "once1.bin", 1000);
        Path f2 = TestFiles.random(dir, "once2.bin", 2000);
        try (StorageTarget t = sftp.builder().credentials(Credentials.privateKey("alice", key, PASSPHRASE.toCharArray())).build()) {
            t.upload(Upload.of(f1, "once1.bin"));
            Files.delete(key);
            // The server drops the session: the next upload needs a new connection and a new login.
            sftp.server.getActiveSessions().forEach(s -> s.close(true));
            UploadResult r = t.upload(Upload.of(f2, "once2.bin"));
            String text = String.join("\n", r.transcript());
            assertTrue(text.contains("connecting to 127.0.0.1"), "a new connection: " + text);
        }
        assertEquals(TestFiles.sha256(f1), TestFiles.sha256(sftp.root.resolve("in/once1.bin")));
        assertEquals(TestFiles.sha256(f2), TestFiles.sha256(sftp.root.resolve("in/once2.bin")));
    }

    @Test
    void anEncryptedPkcs8KeyLogsIn() throws Exception {
        assertTrue(Files.readString(sftp.pkcs8Key).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        Path f = TestFiles.random(dir, "p8.bin", 1000);
        try (StorageTarget t = sftp.builder().credentials(Credentials.privateKey("alice", sftp.pkcs8Key, PASSPHRASE.toCharArray())).build()) {
            t.upload(Upload.of(f, "p8.bin"));
        }
        assertEquals(TestFiles.sha256(f), TestFiles.sha256(sftp.root.resolve("in/p8.bin")));
        assertNull(java.security.Security.getProvider("BC"), "Bouncy Castle must not be registered JVM-wide");
    }

    @Test
    void aWrongPasswordIsAuthAndNotRetried() throws Exception {
        try (StorageTarget t = sftp.builder().credentials(Credentials.password("alice", "wrong-pw-5521".toCharArray()))
                .retryPolicy(RetryPolicy.defaults()).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(TestFiles.random(dir, "w", 10), "w")));
            assertEquals(Reason.AUTH, e.reason());
            assertFalse(e.retryable());
            assertTrue(e.hint().contains("password"), e.hint());
            // What the embedded server offers (password, publickey, keyboard-interactive), read from its failure reply.
            assertTrue(e.getMessage().contains("the server accepts: ") && e.getMessage().contains("publickey"), e.getMessage());
            assertFalse(e.toString().contains("wrong-pw-5521"));
        }
        // The refused password is not sent again by keyboard-interactive: one failed login on the sftp.server, not two.
        assertEquals(1, sftp.passwordChecks.get("wrong-pw-5521").get());
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
    void theTranscriptSaysWhichCredentialTheServerAccepted() throws Exception {
        Path f = TestFiles.random(dir, "accepted.bin", 100);
        try (StorageTarget t = sftp.builder().build()) {
            String text = transcript(t.upload(Upload.of(f, "accepted.bin")));
            assertTrue(text.contains("authenticated as alice with password\n"), text);
        }
        // A key and a password: the server takes the key, and the transcript does not claim the password.
        Credentials both = Credentials.privateKey("alice", sftp.ed25519Key, PASSPHRASE.toCharArray()).withPassword(PW.toCharArray());
        try (StorageTarget t = sftp.builder().credentials(both).build()) {
            String text = transcript(t.upload(Upload.of(f, "accepted.bin")));
            assertTrue(text.contains("authenticated as alice with publickey ssh-ed25519 " + sftp.ed25519Fingerprint + "\n"), text);
            assertFalse(text.contains("with password"), text);
        }
        // A server that takes passwords only through keyboard-interactive (as OpenSSH with PAM may).
        SshServer kbd = sftp.otherServer(s -> s.setUserAuthFactories(
                List.of(new org.apache.sshd.server.auth.keyboard.UserAuthKeyboardInteractiveFactory())));
        try (StorageTarget t = sftp.builder().port(kbd.getPort()).build()) {
            String text = transcript(t.upload(Upload.of(f, "accepted.bin")));
            assertTrue(text.contains("authenticated as alice with keyboard-interactive\n"), text);
        } finally {
            kbd.stop(true);
        }
    }

    @Test
    void aServerSlowToAnswerTheLoginIsATimeout() throws Exception {
        Path f = TestFiles.random(dir, "slow.bin", 10);
        try (StorageTarget t = sftp.builder().credentials(Credentials.password("slow", PW.toCharArray())).timeouts(Duration.ofSeconds(1))
                .build()) {
            long start = System.nanoTime();
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "slow.bin")));
            assertEquals(Reason.TIMEOUT, e.reason(), e.toString());
            assertTrue(e.getMessage().contains("authentication"), e.getMessage());
            assertTrue(System.nanoTime() - start < 2_900_000_000L, "within the reply timeout, not the server's 3 s");
        }
    }

    @Test
    void theClientTakesNothingFromTheProcessUsersSshDirectory() throws Exception {
        try (StorageTarget t = sftp.builder().build()) {
            org.apache.sshd.client.SshClient c = ((SftpStorageTarget) t).client();
            // Nothing from the process user's ~/.ssh: no config file, no keys, no agent.
            assertTrue(c.getHostConfigEntryResolver() == org.apache.sshd.client.config.hosts.HostConfigEntryResolver.EMPTY);
            assertFalse(c.getKeyIdentityProvider().loadKeys(null).iterator().hasNext());
            assertNull(c.getAgentFactory());
        }
    }
}
