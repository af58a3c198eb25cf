package dev.ferry.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.ftp.testing.EmbeddedFtpServer;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code examples/ferry} launcher, run as a user runs it, against an embedded plain FTP server: it
 * makes its class-data archive on the first upload, uses it afterwards, survives a damaged one, never
 * publishes one from a failed run, and keeps JVM messages off standard output.
 */
class LauncherIT {
    @TempDir
    Path dir;
    private EmbeddedFtpServer server;
    private Path cache;

    @BeforeEach
    void start() throws Exception {
        server = EmbeddedFtpServer.startPlain(dir);
        cache = Files.createDirectories(dir.resolve("cache"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private JarRunner.Result ferry(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of("ferry").toAbsolutePath().toString()); // executed directly: the file must be executable
        cmd.addAll(List.of(args));
        Map<String, String> env = new HashMap<>();
        env.put("JAVA", JarRunner.java());
        env.put("XDG_CACHE_HOME", cache.toString());
        env.put("FERRY_LAUNCHER_TEST_PASSWORD", EmbeddedFtpServer.PASSWORD);
        env.put("FERRY_JAVA_OPTS", ""); // the launcher's defaults, whatever the environment running the tests has
        env.put("FERRY_CDS", "on");
        env.putAll(extraEnv);
        return JarRunner.exec(cmd, env, Duration.ofSeconds(120));
    }

    private JarRunner.Result upload(Map<String, String> env, Path file, String remoteName) throws IOException, InterruptedException {
        return ferry(env, "upload", "--json", "--password-env", "FERRY_LAUNCHER_TEST_PASSWORD", "--remote-name", remoteName,
                file.toString(), "ftp://" + EmbeddedFtpServer.USER + "@127.0.0.1:" + server.port() + "/");
    }

    private List<Path> cacheFiles() throws IOException {
        Path ferryCache = cache.resolve("ferry");
        if (!Files.isDirectory(ferryCache)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(ferryCache)) {
            return s.sorted().toList();
        }
    }

    private void assertUploaded(JarRunner.Result r, Path source, String remoteName) throws Exception {
        assertEquals(0, r.exit(), r.out() + r.err());
        JsonNode json = new ObjectMapper().readTree(r.out()); // standard output is the JSON object and nothing else
        assertTrue(json.get("ok").asBoolean(), r.out());
        assertEquals(TestFiles.sha256(source), TestFiles.sha256(server.home().resolve(remoteName)));
    }

    @Test
    void theFirstUploadMakesTheArchiveAndLaterRunsLoadFerryFromIt() throws Exception {
        Path src = TestFiles.random(dir, "a.bin", 300_000);
        assertEquals(0, ferry(Map.of(), "--version").exit());
        assertEquals(List.of(), cacheFiles(), "--version loads too little to be worth archiving");

        JarRunner.Result first = upload(Map.of(), src, "a1.bin");
        assertUploaded(first, src, "a1.bin");
        assertFalse(first.err().contains("[cds]"), "the archive dump's warnings are not shown: " + first.err());
        List<Path> files = cacheFiles();
        assertEquals(1, files.size(), files.toString());
        assertTrue(files.get(0).getFileName().toString().endsWith("-ftp.jsa"), "one archive per kind, here FTP: " + files);
        long made = Files.getLastModifiedTime(files.get(0)).toMillis();

        JarRunner.Result second = upload(Map.of("FERRY_JAVA_OPTS", "-Xlog:class+load=info:stderr"), src, "a2.bin");
        assertUploaded(second, src, "a2.bin");
        assertTrue(second.err().lines().anyMatch(l -> l.contains("dev.ferry.ftp.") && l.contains("shared objects file (top)")),
                "Ferry's classes come from the archive");
        assertEquals(files, cacheFiles());
        assertEquals(made, Files.getLastModifiedTime(files.get(0)).toMillis(), "the archive is made once");

        // The training run also archived Bouncy Castle's TLS engine (TLS 1.2 FTPS), which this plain-FTP run never used.
        JarRunner.Result listing = JarRunner.exec(List.of(JarRunner.java(), "-XX:SharedArchiveFile=" + files.get(0),
                "-XX:+PrintSharedArchiveAndExit", "-jar", JarRunner.jar().toAbsolutePath().toString()), Map.of(), Duration.ofSeconds(60));
        List<String> archived = listing.out().lines().filter(l -> l.contains("org.bouncycastle.")).toList();
        assertTrue(archived.stream().anyMatch(l -> l.contains("org.bouncycastle.tls.TlsClientProtocol ")), listing.out() + listing.err());
        assertTrue(archived.stream().anyMatch(l -> l.contains("org.bouncycastle.jsse.provider.ProvSSLContextSpi ")), archived.toString());
        assertTrue(archived.size() > 800, archived.size() + " Bouncy Castle classes archived");
    }

    @Test
    void aDamagedArchiveIsReplaced() throws Exception {
        Path src = TestFiles.random(dir, "b.bin", 100_000);
        assertUploaded(upload(Map.of(), src, "b1.bin"), src, "b1.bin");
        Path archive = cacheFiles().get(0);
        archive.toFile().setWritable(true);
        Files.writeString(archive, "not an archive");
        JarRunner.Result r = upload(Map.of(), src, "b2.bin");
        assertUploaded(r, src, "b2.bin");
        assertEquals("", r.err(), "no JVM message about the damaged archive");
        assertEquals(List.of(archive), cacheFiles());
        assertTrue(Files.size(archive) > 1_000_000, "a new archive in its place: " + Files.size(archive) + " bytes");
        JarRunner.Result third = upload(Map.of("FERRY_JAVA_OPTS", "-Xlog:class+load=info:stderr"), src, "b3.bin");
        assertUploaded(third, src, "b3.bin");
        assertTrue(third.err().lines().anyMatch(l -> l.contains("dev.ferry.ftp.") && l.contains("shared objects file (top)")),
                "the next run loads Ferry from the new archive");
    }

    @Test
    void aFailedRunPublishesNoArchiveAndKeepsItsExitCode() throws Exception {
        JarRunner.Result r = upload(Map.of(), dir.resolve("missing.bin"), "m.bin");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("BAD_INPUT", new ObjectMapper().readTree(r.out()).get("reason").asText());
        assertEquals(List.of(), cacheFiles(), "neither an archive nor a temporary file is left");
    }

    @Test
    void theJvmCompilesTheCipherCodeEarlyAndSaysNothingAboutIt() throws Exception {
        JarRunner.Result r = ferry(Map.of("FERRY_JAVA_OPTS", "-XX:+PrintFlagsFinal"), "--version");
        assertEquals(0, r.exit(), r.out() + r.err());
        List<String> commands = r.out().lines().filter(l -> l.contains("CompileCommand ")).toList();
        assertTrue(commands.stream().anyMatch(l -> l.contains("quiet")), commands.toString());
        assertTrue(commands.stream().anyMatch(l -> l.contains("CompileThresholdScaling,com.sun.crypto.provider.*::*,0.02")),
                commands.toString());
        JarRunner.Result plain = ferry(Map.of(), "--version");
        assertTrue(plain.out().startsWith("ferry "), "nothing from the JVM before the program's output: " + plain.out());
        assertEquals("", plain.err());
    }

    @Test
    void publishingAnArchiveKeepsTheThreeNewestOfItsKindAndRemovesLeftOverDumps() throws Exception {
        Path ferryCache = Files.createDirectories(cache.resolve("ferry"));
        long now = System.currentTimeMillis();
        List<Path> oldFtp = new ArrayList<>();
        for (int i = 1; i <= 4; i++) { // archives of earlier builds, one to four days old
            Path a = Files.writeString(ferryCache.resolve("ferry-10" + i + "-ftp.jsa"), "old");
            Files.setLastModifiedTime(a, FileTime.fromMillis(now - i * 86_400_000L));
            oldFtp.add(a);
        }
        Path sftp = Files.writeString(ferryCache.resolve("ferry-200-sftp.jsa"), "other kind");
        Files.setLastModifiedTime(sftp, FileTime.fromMillis(now - 9 * 86_400_000L));
        Path staleDump = Files.writeString(ferryCache.resolve("ferry-300-ftp.jsa.4242.tmp"), "killed run");
        Files.setLastModifiedTime(staleDump, FileTime.fromMillis(now - 2 * 3_600_000L));
        Path runningDump = Files.writeString(ferryCache.resolve("ferry-301-ftp.jsa.4343.tmp"), "running");

        Path src = TestFiles.random(dir, "k.bin", 10_000);
        assertUploaded(upload(Map.of(), src, "k.bin"), src, "k.bin");

        List<Path> left = cacheFiles();
        List<Path> ftpArchives = left.stream().filter(f -> f.getFileName().toString().endsWith("-ftp.jsa")).toList();
        assertEquals(3, ftpArchives.size(), left.toString());
        assertTrue(ftpArchives.containsAll(oldFtp.subList(0, 2)), "the two newest old ones stay beside the new one: " + left);
        assertTrue(left.contains(sftp), "another kind's archive is not touched: " + left);
        assertFalse(left.contains(staleDump), "a dump an hour old is removed: " + left);
        assertTrue(left.contains(runningDump), "a dump being written is left alone: " + left);
    }

    @Test
    void theArchiveCanBeTurnedOff() throws Exception {
        Path src = TestFiles.random(dir, "c.bin", 10_000);
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_CDS", "off");
        assertUploaded(upload(env, src, "c.bin"), src, "c.bin");
        assertEquals(List.of(), cacheFiles());
    }
}
