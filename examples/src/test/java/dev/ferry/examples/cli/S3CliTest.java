package dev.ferry.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.examples.cli.FerryCliTest.Run;
import dev.ferry.ftp.testing.TestCertificates;
import dev.ferry.s3.testing.S3ProxyServer;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ferry.examples.cli.FerryCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferry upload} and {@code ferry probe} to {@code s3://} on S3Proxy over HTTPS with a throwaway certificate;
 * the keys come from the environment the build sets for the tests (see examples/pom.xml).
 */
class S3CliTest {
    static final String ACCESS_ENV = "FERRY_TEST_S3_ACCESS_KEY";
    static final String SECRET_ENV = "FERRY_TEST_S3_SECRET_KEY";

    @TempDir
    static Path dir;
    static S3ProxyServer s3;
    static Path caPem;

    @BeforeAll
    static void start() throws Exception {
        assertEquals(S3ProxyServer.SECRET, System.getenv(SECRET_ENV), "the build sets " + SECRET_ENV + " for the tests");
        TestCertificates certs = TestCertificates.create(dir);
        caPem = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certs.certificate().getEncoded())
                + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
        s3 = S3ProxyServer.start(dir, certs.keyStore(), certs.keyStorePassword());
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /** The options that reach the embedded server: its endpoint, path-style, its CA and the keys from the environment. */
    static List<String> s3Options() {
        return List.of("--endpoint", s3.endpoint().toString(), "--path-style", "--region", "eu-west-1", "--ca-cert",
                caPem.toString(), "--access-key-env", ACCESS_ENV, "--secret-key-env", SECRET_ENV, "--timeout", "20");
    }

    static Run ferry(String command, List<String> options, String... rest) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(options);
        args.addAll(List.of(rest));
        return run(args.toArray(String[]::new));
    }

    static String uri(String prefix) {
        return "s3://" + S3ProxyServer.BUCKET + "/" + prefix;
    }

    @Test
    void uploadsFilesAsJsonWithTheChecksumThatProvedThem() throws Exception {
        Path a = TestFiles.random(dir, "a.mp4", 200_000);
        Path b = TestFiles.random(dir, "b.mp4", 70_000);
        Run r = ferry("upload", s3Options(), "--json", "--storage-class", "STANDARD", "--acl", "private", a.toString(),
                b.toString(), uri("studio-7"));
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode j = r.json();
        assertTrue(j.get("ok").asBoolean());
        assertEquals("s3", j.get("protocol").asText());
        assertEquals(2, j.get("files").size());
        JsonNode f = j.get("files").get(0);
        assertEquals("/studio-7/a.mp4", f.get("remotePath").asText());
        assertEquals(200_000, f.get("bytes").asLong());
        assertEquals("CHECKSUM", f.get("verification").asText());
        assertEquals("MD5", f.get("checksum").asText()); // S3Proxy answers a single PUT with the MD5 ETag, no CRC32C
        assertEquals(s3.endpoint() + "/" + S3ProxyServer.BUCKET + "/studio-7/a.mp4", f.get("location").asText());
        assertEquals(TestFiles.sha256(a), TestFiles.sha256(s3.objectFile("studio-7/a.mp4")));
        assertEquals(TestFiles.sha256(b), TestFiles.sha256(s3.objectFile("studio-7/b.mp4")));
        assertFalse((r.out() + r.err()).contains(S3ProxyServer.SECRET), r.out());
    }

    @Test
    void parallelUploadsAndTheTranscriptShowNoSecret() throws Exception {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            files.add(TestFiles.random(dir, "p" + i + ".mp4", 50_000 + i).toString());
        }
        List<String> rest = new ArrayList<>(List.of("--parallel", "3", "--transcript"));
        rest.addAll(files);
        rest.add(uri("par"));
        Run r = ferry("upload", s3Options(), rest.toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("verified by CHECKSUM MD5"), r.out());
        assertTrue(r.out().contains("PutObject"), r.out()); // the transcript: one line per request
        for (int i = 0; i < 3; i++) {
            assertEquals(TestFiles.sha256(Path.of(files.get(i))), TestFiles.sha256(s3.objectFile("par/p" + i + ".mp4")));
        }
        String all = r.out() + r.err();
        assertFalse(all.contains(S3ProxyServer.SECRET), all);
        assertFalse(all.contains("Signature="), all);
    }

    @Test
    void existsFailRefusesAnObjectThatIsThere() throws Exception {
        Path a = TestFiles.random(dir, "once.mp4", 10_000);
        assertEquals(0, ferry("upload", s3Options(), a.toString(), uri("ex")).code());
        Path other = TestFiles.random(Files.createDirectories(dir.resolve("x")), "once.mp4", 20_000);
        Run r = ferry("upload", s3Options(), "--json", "--exists", "fail", other.toString(), uri("ex"));
        assertEquals(3, r.code(), r.out() + r.err());
        assertEquals("EXISTS", r.json().get("reason").asText());
        assertEquals(TestFiles.sha256(a), TestFiles.sha256(s3.objectFile("ex/once.mp4")));
    }

    @Test
    void probeRunsEveryStep() throws Exception {
        Run r = ferry("probe", s3Options(), "--json", uri("probe"));
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode j = r.json();
        assertTrue(j.get("ok").asBoolean(), r.out());
        assertEquals("s3://" + S3ProxyServer.BUCKET + "/probe", j.get("target").asText().replaceAll("/$", ""));
        assertTrue(j.get("steps").size() >= 9, r.out());
        assertFalse(r.out().contains(S3ProxyServer.SECRET), r.out());
    }

    @Test
    void withoutTheCaCertTheServerIsNotTrusted() throws Exception {
        List<String> options = new ArrayList<>(s3Options());
        int i = options.indexOf("--ca-cert");
        options.remove(i + 1);
        options.remove(i);
        Run r = ferry("upload", options, "--json", TestFiles.random(dir, "t.mp4", 100).toString(), uri("tls"));
        assertEquals(3, r.code(), r.out() + r.err());
        assertEquals("CERTIFICATE", r.json().get("reason").asText(), r.out());
        assertFalse(Files.exists(s3.objectFile("tls/t.mp4")));
    }

    @Test
    void optionsOfTheWrongProtocolAreBadInput() throws Exception {
        Path a = Files.writeString(dir.resolve("w.bin"), "x");
        Run r = run("upload", "--json", "--endpoint", "https://minio.example", a.toString(), "mem://alice@host/in");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.json().get("message").asText().contains("--endpoint"), r.out());
        r = run("upload", "--json", "--password-env", "PATH", a.toString(), uri("w"));
        assertEquals(2, r.code(), r.out() + r.err());
        r = run("upload", "--json", "--access-key-env", ACCESS_ENV, a.toString(), uri("w"));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.json().get("message").asText().contains("--secret-key-env"), r.out());
        r = run("upload", "--json", "--endpoint", "http://127.0.0.1:9", "--access-key-env", ACCESS_ENV, "--secret-key-env",
                SECRET_ENV, a.toString(), uri("w"));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.json().get("message").asText().contains("plain HTTP"), r.out());
        r = run("upload", "--json", a.toString(), "s3://AKIA:secret@" + S3ProxyServer.BUCKET + "/w");
        assertEquals(2, r.code(), r.out() + r.err());
        assertFalse(r.out().contains("secret@"), r.out());
    }

    /**
     * The AWS SDK is loaded only for an s3:// URI: an upload to another scheme (the tests' mem://) in a fresh JVM loads
     * none of its classes, while one to s3:// does (which shows the check can see them).
     */
    @Test
    void onlyAnS3UriLoadsTheAwsSdk() throws Exception {
        Path a = Files.writeString(dir.resolve("cl.bin"), "x");
        String other = loadedClasses("upload", "--json", a.toString(), "mem://alice@host/in");
        assertTrue(other.contains("\"ok\":true"), other);
        assertFalse(other.contains("software.amazon"), "the AWS SDK was loaded for mem://");
        assertFalse(other.contains("dev.ferry.s3.internal"), "the S3 provider's internals were loaded for mem://");
        String s3run = loadedClasses("upload", "--json", "--endpoint", "https://127.0.0.1:9", "--timeout", "2",
                "--access-key-env", ACCESS_ENV, "--secret-key-env", SECRET_ENV, a.toString(), uri("cl"));
        assertTrue(s3run.contains("software.amazon.awssdk"), s3run.length() > 2000 ? s3run.substring(0, 2000) : s3run);
    }

    private static String loadedClasses(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:off", "-verbose:class", "-cp", System.getProperty("java.class.path"), FerryCli.class.getName()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "classes", ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ferry did not finish in 60 s");
        }
        return Files.readString(log);
    }
}
