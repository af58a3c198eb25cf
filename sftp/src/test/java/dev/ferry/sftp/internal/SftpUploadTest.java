package dev.ferry.sftp.internal;

import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Uploads: the bytes on disk, atomic publish, resume, concurrent uploads of one name, batches, the base directory.
 * On an {@link EmbeddedSftpServer}, one per class.
 */
class SftpUploadTest {
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
    void uploadsAFileAtomicallyAndTheBytesOnDiskMatch() throws Exception {
        Path f = TestFiles.random(dir, "a.bin", 3_000_001);
        try (StorageTarget t = sftp.builder().build()) {
            UploadResult r = t.upload(Upload.of(f, "x/y/a.bin"));
            assertEquals("/in/x/y/a.bin", r.remotePath());
            assertEquals(TestFiles.sha256(f), TestFiles.sha256(sftp.root.resolve("in/x/y/a.bin")));
            try (java.util.stream.Stream<Path> names = Files.list(sftp.root.resolve("in/x/y"))) {
                assertEquals(List.of("a.bin"), names.map(n -> n.getFileName().toString()).toList());
            }
            assertEquals(sftp.fingerprint, r.connection().peerFingerprint());
            assertTrue(r.connection().cipher().contains("gcm"), "AES-GCM preferred: " + r.connection().cipher());
            // The server offers sntrup761 first (MINA's order) and ML-KEM too: the client's preference decides.
            assertTrue(String.join("\n", r.transcript()).contains("key exchange mlkem768x25519-sha256,"), String.join("\n", r.transcript()));
        }
    }

    @Test
    void aTemporaryFileLeftByAnotherUploadIsNeitherResumedNorPublished() throws Exception {
        // Another upload's leftover of the same length (a killed process, or one still writing) under the
        // temporary name Ferry used to reuse: resuming it would publish its bytes, not the source's.
        Path f = TestFiles.random(dir, "r.bin", 2_000_000);
        byte[] other = Files.readAllBytes(TestFiles.random(dir, "other.bin", 2_000_000));
        Path in = Files.createDirectories(sftp.root.resolve("in/leftover"));
        Files.write(in.resolve("r.bin.ferry-part"), other);
        try (StorageTarget t = sftp.builder().build()) {
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
        try (StorageTarget t = sftp.builder().build()) {
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
        String onDisk = TestFiles.sha256(sftp.root.resolve("in/same/same.bin"));
        assertTrue(onDisk.equals(TestFiles.sha256(a)) || onDisk.equals(TestFiles.sha256(b)), "one of the two, whole");
        try (java.util.stream.Stream<Path> names = Files.list(sftp.root.resolve("in/same"))) {
            assertEquals(List.of("same.bin"), names.map(n -> n.getFileName().toString()).toList());
        }
    }

    @Test
    void aRetryResumesWhatTheAttemptBeforeItWrote() throws Exception {
        Path f = TestFiles.random(dir, "cut.bin", 3_000_000);
        try (dev.ferry.testing.FaultProxy proxy = dev.ferry.testing.FaultProxy.start("127.0.0.1", 0, "127.0.0.1", sftp.server.getPort());
             StorageTarget t = sftp.builder().port(proxy.port())
                     .retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(10)).build()).build()) {
            proxy.cutUpstreamAfter(1_200_000);
            UploadResult r = t.upload(Upload.of(f, "cut/cut.bin"));
            assertTrue(proxy.awaitFault(Duration.ofSeconds(1)), "the connection was cut");
            assertEquals(2, r.attempts());
            assertTrue(r.resumedFrom() > 0 && r.resumedFrom() < 1_200_000, "resumed from " + r.resumedFrom());
        }
        assertEquals(TestFiles.sha256(f), TestFiles.sha256(sftp.root.resolve("in/cut/cut.bin")));
        try (java.util.stream.Stream<Path> names = Files.list(sftp.root.resolve("in/cut"))) {
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
        try (StorageTarget t = sftp.builder().build()) {
            int before = sftp.stats.get();
            t.uploadAll(batch);
            int stats = sftp.stats.get() - before;
            // Per file: the temporary name (resume) and the size check after writing; the directories once.
            assertTrue(stats <= 2 * 10 + 3, "stat requests for 10 files: " + stats);
            for (int i = 0; i < 10; i++) {
                assertEquals(TestFiles.sha256(sources.get(i)), TestFiles.sha256(sftp.root.resolve("in/b/c/f" + i)));
            }
            // The directory goes away between two uploads on the same (pooled) connection: it is made again.
            try (var files = Files.walk(sftp.root.resolve("in/b"))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            UploadResult r = t.upload(Upload.of(sources.get(0), "b/c/again"));
            assertTrue(String.join("\n", r.transcript()).contains("reusing a logged-in session"), "same connection");
            assertEquals(TestFiles.sha256(sources.get(0)), TestFiles.sha256(sftp.root.resolve("in/b/c/again")));
        }
    }

    @Test
    void aBaseRelativeToALoginDirectoryOfRootHasNoDoubleSlash() throws Exception {
        // The embedded server's login directory is "/".
        Path f = TestFiles.random(dir, "home.bin", 10);
        try (StorageTarget t = sftp.builder().baseDirectory("/~/homerel").build()) {
            UploadResult r = t.upload(Upload.of(f, "h.bin"));
            assertEquals("/homerel/h.bin", r.remotePath());
            assertEquals("sftp://alice@127.0.0.1:" + sftp.server.getPort() + "/homerel/h.bin", r.location());
        }
        assertEquals(TestFiles.sha256(f), TestFiles.sha256(sftp.root.resolve("homerel/h.bin")));
        try (StorageTarget t = sftp.builder().baseDirectory("/~").build()) {
            assertEquals("/h2.bin", t.upload(Upload.of(f, "h2.bin")).remotePath());
        }
    }
}
