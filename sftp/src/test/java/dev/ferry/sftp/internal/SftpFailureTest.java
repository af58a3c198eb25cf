package dev.ferry.sftp.internal;

import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Uploads that fail: refused permission, a passed deadline, an interrupt, a source that changed; nothing is published.
 * On an {@link EmbeddedSftpServer}, one per class.
 */
class SftpFailureTest {
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
    void permissionDeniedIsPermissionAndNothingIsPublished() throws Exception {
        try (StorageTarget t = sftp.builder().build()) {
            TransferException e = assertThrows(TransferException.class,
                    () -> t.upload(Upload.of(TestFiles.random(dir, "d", 10), "denied/d.bin")));
            assertEquals(Reason.PERMISSION, e.reason(), e.toString());
            assertFalse(Files.exists(sftp.root.resolve("in/denied/d.bin")));
        }
    }

    @Test
    void aDeadlineThatPassesDuringATransferEndsIt() throws Exception {
        Path in = Files.createDirectories(sftp.root.resolve("in/deadline"));
        try (StorageTarget t = sftp.builder().build()) {
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

    @Test
    void anInterruptDuringATransferEndsItAndPublishesNothing() throws Exception {
        Path in = Files.createDirectories(sftp.root.resolve("in/interrupted"));
        try (StorageTarget t = sftp.builder().build()) {
            TransferException e = dev.ferry.testing.SlowSource.interruptedAfter(Duration.ofMillis(600),
                    () -> t.upload(Upload.builder().source(dev.ferry.testing.SlowSource.create()).remotePath("interrupted/big.bin").build()));
            assertEquals(Reason.CANCELLED, e.reason(), e.toString());
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
        Path in = Files.createDirectories(sftp.root.resolve("in/changed"));
        try (StorageTarget t = sftp.builder().retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(10))
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
}
