package dev.ferry.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.testing.Interop;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ferry upload} and {@code ferry probe} with sftp:// URIs, run from the jar, against OpenSSH. */
class SftpCliInteropIT {
    @TempDir
    Path dir;

    @Test
    void uploadWithAnEd25519KeyAndKnownHostsThenProbeWithAPinnedKey() throws Exception {
        int port = Interop.requireServer("sshd");
        String base = Interop.get("home") + "/cli-sftp-" + UUID.randomUUID().toString().substring(0, 8);
        String uri = "sftp://" + Interop.get("user") + "@127.0.0.1:" + port + base;
        Map<String, String> env = Map.of("FERRY_TEST_PASSPHRASE", Interop.get("ssh.key.passphrase"),
                "FERRY_TEST_PASSWORD", Interop.get("password"));
        Path a = TestFiles.random(dir, "rec.mp4", 2_000_000);
        JarRunner.Result up = JarRunner.run(env, "upload", "--json", "--key", Interop.get("ssh.key"), "--passphrase-env",
                "FERRY_TEST_PASSPHRASE", "--known-hosts", Interop.get("sshd.known_hosts"), a.toString(), uri);
        assertEquals(0, up.exit(), up.out() + up.err());
        JsonNode r = new ObjectMapper().readTree(up.out());
        assertEquals("sftp", r.get("protocol").asText());
        assertEquals(TestFiles.sha256(a), TestFiles.sha256(Path.of(base, "rec.mp4")));
        assertFalse((up.out() + up.err()).contains(Interop.get("ssh.key.passphrase")));

        JarRunner.Result probe = JarRunner.run(env, "probe", "--json", "--password-env", "FERRY_TEST_PASSWORD", "--host-key-pin",
                Interop.get("sshd.fingerprint"), uri);
        assertEquals(0, probe.exit(), probe.out() + probe.err());
        assertTrue(new ObjectMapper().readTree(probe.out()).get("ok").asBoolean());
        assertFalse((probe.out() + probe.err()).contains(Interop.get("password")));
    }

    /** OpenSSH's "no known hosts" spelling: /dev/null reads as empty, so only the pin decides. */
    @Test
    void knownHostsDevNullTrustsOnlyThePin() throws Exception {
        int port = Interop.requireServer("sshd");
        String uri = "sftp://" + Interop.get("user") + "@127.0.0.1:" + port + "/tmp";
        Map<String, String> env = Map.of("FERRY_TEST_PASSWORD", Interop.get("password"));
        JarRunner.Result pinned = JarRunner.run(env, "probe", "--json", "--password-env", "FERRY_TEST_PASSWORD", "--known-hosts",
                "/dev/null", "--host-key-pin", Interop.get("sshd.fingerprint"), uri);
        assertEquals(0, pinned.exit(), pinned.out() + pinned.err());
        assertTrue(new ObjectMapper().readTree(pinned.out()).get("ok").asBoolean(), pinned.out());

        JarRunner.Result none = JarRunner.run(env, "probe", "--password-env", "FERRY_TEST_PASSWORD", "--known-hosts", "/dev/null", uri);
        assertEquals(3, none.exit(), none.out() + none.err());
        assertTrue((none.out() + none.err()).contains(Interop.get("sshd.fingerprint")), none.out() + none.err());
        assertFalse((none.out() + none.err()).contains("does not exist"), none.out() + none.err());
    }

    @Test
    void anUnknownHostKeyExitsWith3AndShowsTheFingerprintToPin() throws Exception {
        int port = Interop.requireServer("sshd");
        Path empty = java.nio.file.Files.writeString(dir.resolve("known_hosts"), "");
        JarRunner.Result r = JarRunner.run(Map.of("FERRY_TEST_PASSWORD", Interop.get("password")), "probe", "--password-env",
                "FERRY_TEST_PASSWORD", "--known-hosts", empty.toString(), "sftp://" + Interop.get("user") + "@127.0.0.1:" + port + "/tmp");
        assertEquals(3, r.exit(), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains(Interop.get("sshd.fingerprint")), r.out() + r.err());
    }
}
