package dev.ferry.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.testing.Interop;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ferry upload} and {@code ferry probe}, run from the jar, against the real FTP servers. */
class FtpCliInteropIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vsftpd", "proftpd", "pureftpd", "vsftpd-plain"})
    void uploadAndProbeFromTheCommandLine(String server) throws Exception {
        int port = Interop.requireServer(server);
        String scheme = server.equals("vsftpd-plain") ? "ftp" : "ftps";
        String base = "/cli-" + server + "-" + UUID.randomUUID().toString().substring(0, 8);
        String uri = scheme + "://" + Interop.get("user") + "@127.0.0.1:" + port + base;
        Map<String, String> env = Map.of("FERRY_TEST_PASSWORD", Interop.get("password"));
        Path a = TestFiles.random(dir, "rec.mp4", 3_000_000);
        Path b = TestFiles.random(dir, "rec.jpg", 20_000);

        JarRunner.Result up = JarRunner.run(env, "upload", "--json", "--password-env", "FERRY_TEST_PASSWORD", "--ca-cert",
                Interop.get("cert.pem"), a.toString(), b.toString(), uri);
        assertEquals(0, up.exit(), up.out() + up.err());
        JsonNode r = new ObjectMapper().readTree(up.out());
        assertTrue(r.get("ok").asBoolean());
        assertEquals(scheme, r.get("protocol").asText());
        assertEquals(2, r.get("files").size());
        assertEquals(TestFiles.sha256(a), TestFiles.sha256(Path.of(Interop.get("home"), base, "rec.mp4")));
        assertEquals(TestFiles.sha256(b), TestFiles.sha256(Path.of(Interop.get("home"), base, "rec.jpg")));
        assertFalse((up.out() + up.err()).contains(Interop.get("password")), "the password leaked into the output");

        JarRunner.Result probe = JarRunner.run(env, "probe", "--json", "--password-env", "FERRY_TEST_PASSWORD", "--cert-pin",
                "sha256:" + Interop.get("cert.sha256"), uri);
        assertEquals(0, probe.exit(), probe.out() + probe.err());
        JsonNode p = new ObjectMapper().readTree(probe.out());
        assertTrue(p.get("ok").asBoolean(), probe.out());
        assertFalse((probe.out() + probe.err()).contains(Interop.get("password")));
    }

    @org.junit.jupiter.api.Test
    void toProftpdTheDefaultMovesToTls12AndTlsMin13KeepsTls13WithNewConnections() throws Exception {
        int port = Interop.requireServer("proftpd");
        Map<String, String> env = Map.of("FERRY_TEST_PASSWORD", Interop.get("password"));
        Path[] files = {TestFiles.random(dir, "a.bin", 30_000), TestFiles.random(dir, "b.bin", 40_000),
                TestFiles.random(dir, "c.bin", 50_000)};
        for (String min : new String[] {null, "1.3"}) {
            String base = "/cli-tls-" + (min == null ? "default" : "min13") + "-" + UUID.randomUUID().toString().substring(0, 8);
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("upload", "--json", "--transcript",
                    "--password-env", "FERRY_TEST_PASSWORD", "--ca-cert", Interop.get("cert.pem")));
            if (min != null) {
                args.addAll(java.util.List.of("--tls-min", min));
            }
            for (Path f : files) {
                args.add(f.toString());
            }
            args.add("ftps://" + Interop.get("user") + "@127.0.0.1:" + port + base);
            JarRunner.Result up = JarRunner.run(env, args.toArray(String[]::new));
            assertEquals(0, up.exit(), up.out() + up.err());
            JsonNode r = new ObjectMapper().readTree(up.out());
            for (Path f : files) {
                assertEquals(TestFiles.sha256(f), TestFiles.sha256(Path.of(Interop.get("home"), base, f.getFileName().toString())));
            }
            String transcript = r.get("transcript").toString();
            int connections = transcript.split("connecting to 127.0.0.1", -1).length - 1;
            if (min == null) {
                assertTrue(transcript.contains("uses TLS 1.2 from now on"), transcript);
                assertFalse(up.err().contains("org.bouncycastle"), "Bouncy Castle's TLS engine logged: " + up.err());
                assertEquals(2, connections, transcript);
            } else {
                // A new TLS 1.3 connection after each one or two files (Java 17 resumes one, Java 25 two).
                assertFalse(transcript.contains("TLSv1.2"), transcript);
                assertTrue(connections >= 2, "the files did not fit one TLS 1.3 connection: " + transcript);
                assertTrue(transcript.contains("reconnecting"), transcript);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vsftpd"})
    void anUntrustedCertificateExitsWith3AndNamesTheFingerprintToPin(String server) throws Exception {
        int port = Interop.requireServer(server);
        JarRunner.Result r = JarRunner.run(Map.of("FERRY_TEST_PASSWORD", Interop.get("password")), "probe", "--password-env",
                "FERRY_TEST_PASSWORD", "ftps://" + Interop.get("user") + "@127.0.0.1:" + port + "/");
        assertEquals(3, r.exit(), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains(Interop.get("cert.sha256")), r.out() + r.err());
    }
}
