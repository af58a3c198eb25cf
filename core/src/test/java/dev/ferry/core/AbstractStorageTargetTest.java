package dev.ferry.core;

import dev.ferry.core.TransferException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AbstractStorageTargetTest {
    private static final String PW = "Fake-Pw-Distinct-77";

    private static FakeProvider.FakeTarget target(int maxSessions, RetryPolicy retry) throws TransferException {
        return (FakeProvider.FakeTarget) StorageTargets.open(TargetConfig.builder("fake://u@h/base")
                .credentials(Credentials.password("u", PW.toCharArray())).maxSessions(maxSessions).retryPolicy(retry).build());
    }

    private static RetryPolicy fastRetry(int attempts) {
        return RetryPolicy.builder().maxAttempts(attempts).initialBackoff(Duration.ofMillis(1)).jitter(0).build();
    }

    @Test
    void badInputIsRefusedBeforeAnyConnection(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("a.txt"), "hello");
        try (FakeProvider.FakeTarget t = target(1, RetryPolicy.defaults())) {
            for (String bad : new String[] {"x\r\nDELE y", "../../etc/passwd", "", "a\0b"}) {
                TransferException e = assertThrows(TransferException.class,
                        () -> t.uploadAll(List.of(Upload.of(f, "ok.txt"), Upload.of(f, bad))));
                assertEquals(Reason.BAD_INPUT, e.reason(), bad);
            }
            TransferException missing = assertThrows(TransferException.class, () -> t.upload(Upload.of(dir.resolve("nope"), "n")));
            assertEquals(Reason.BAD_INPUT, missing.reason());
            assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
            assertEquals(0, t.connects.get(), "no connection may be opened for bad input");
            assertTrue(t.files.isEmpty());
        }
    }

    @Test
    void batchGoesOverOneConnectionInOrder(@TempDir Path dir) throws Exception {
        List<Upload> ups = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ups.add(Upload.of(Files.writeString(dir.resolve("f" + i), "content " + i), "rec/f" + i));
        }
        try (FakeProvider.FakeTarget t = target(2, RetryPolicy.defaults())) {
            BatchResult r = t.uploadAll(ups);
            assertEquals(1, t.connects.get());
            assertEquals(List.of("/base/rec/f0", "/base/rec/f1", "/base/rec/f2"), r.files().stream().map(UploadResult::remotePath).toList());
            assertArrayEquals("content 2".getBytes(StandardCharsets.UTF_8), t.files.get("/base/rec/f2"));
            String transcript = String.join("\n", r.transcript());
            assertFalse(transcript.contains(PW), transcript);
            assertTrue(transcript.contains("PASS ****"), transcript);
        }
    }

    @Test
    void eachFileOfABatchCarriesTheLinesOfItsOwnAttemptsOnly(@TempDir Path dir) throws Exception {
        List<Upload> ups = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ups.add(Upload.of(Files.writeString(dir.resolve("f" + i), "c" + i), "rec/f" + i));
        }
        try (FakeProvider.FakeTarget t = target(2, fastRetry(3))) {
            t.failures.add(new TransferException(Reason.DATA_CHANNEL, "425 cannot open data connection"));
            BatchResult r = t.uploadAll(ups);
            List<String> first = r.files().get(0).transcript();
            assertTrue(first.contains("> CONNECT") && first.contains("> STOR /base/rec/f0"), "the first file opened the connection: " + first);
            assertTrue(String.join("\n", first).contains("attempt 1 of rec/f0 failed"), "its failed attempt is its own: " + first);
            for (int i = 1; i < 300; i++) {
                assertEquals(List.of("> STOR /base/rec/f" + i), r.files().get(i).transcript(), "file " + i);
            }
            assertTrue(r.transcript().contains("> STOR /base/rec/f299"), "the batch transcript has everything");
        }
    }

    @Test
    void retriesTransientFailuresOnANewConnection(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("a"), "abc");
        try (FakeProvider.FakeTarget t = target(1, fastRetry(3))) {
            t.failures.add(new TransferException(Reason.DATA_CHANNEL, "425 cannot open data connection"));
            t.failures.add(new TransferException(Reason.CONNECT, "reset"));
            UploadResult r = t.upload(Upload.of(f, "a"));
            assertEquals(3, r.attempts());
            assertEquals(3, t.connects.get());
        }
    }

    @Test
    void retryingWhileTheFailedSessionIsStillOpenGivesItsSlotBack(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("a"), "abc");
        try (FakeProvider.FakeTarget t = target(1, fastRetry(3))) {
            t.keepOpenOnFailure = true;
            for (int i = 0; i < 4; i++) {
                t.failures.add(new TransferException(Reason.DATA_CHANNEL, "425 cannot open data connection"));
                t.failures.add(new TransferException(Reason.DATA_CHANNEL, "425 cannot open data connection"));
                // With one session allowed, a leaked slot would make the next acquire wait and time out.
                assertEquals(3, assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> t.upload(Upload.of(f, "a")))
                        .attempts());
            }
            assertEquals(1, t.openSessions());
        }
    }

    @Test
    void neverRetriesAuthAndGivesUpAfterMaxAttempts(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("a"), "abc");
        try (FakeProvider.FakeTarget t = target(1, fastRetry(5))) {
            t.failures.add(new TransferException(Reason.AUTH, "530 Login incorrect"));
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "a")));
            assertEquals(Reason.AUTH, e.reason());
            assertEquals(1, t.connects.get());
            assertFalse(e.transcript().isEmpty(), "the transcript so far is attached");
        }
        try (FakeProvider.FakeTarget t = target(1, fastRetry(2))) {
            for (int i = 0; i < 5; i++) {
                t.failures.add(new TransferException(Reason.TIMEOUT, "idle"));
            }
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "a")));
            assertEquals(Reason.TIMEOUT, e.reason());
            assertEquals(2, t.connects.get());
        }
    }

    @Test
    void poolBoundsConcurrentSessionsAndReusesThem(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("a"), "abc");
        try (FakeProvider.FakeTarget t = target(3, RetryPolicy.defaults())) {
            t.uploadTime = Duration.ofMillis(20);
            ExecutorService pool = Executors.newFixedThreadPool(12);
            List<Future<UploadResult>> fs = new ArrayList<>();
            for (int i = 0; i < 36; i++) {
                String name = "f" + i;
                fs.add(pool.submit(() -> t.upload(Upload.of(f, name))));
            }
            for (Future<UploadResult> x : fs) {
                x.get();
            }
            pool.shutdown();
            assertEquals(36, t.files.size());
            assertTrue(t.peakSessions() <= 3, "peak sessions " + t.peakSessions());
            assertTrue(t.maxConcurrent.get() <= 3);
            assertTrue(t.connects.get() <= 3, "sessions are reused: " + t.connects.get() + " connects");
        }
    }

    @Test
    void closedTargetRefusesWorkAndCloseIsIdempotent(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("a"), "abc");
        FakeProvider.FakeTarget t = target(1, RetryPolicy.defaults());
        t.upload(Upload.of(f, "a"));
        t.close();
        t.close();
        assertEquals(0, t.openSessions());
        assertEquals(Reason.CANCELLED, assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "b"))).reason());
    }

    @Test
    void anInterruptDuringABatchStopsItBeforeTheNextFile(@TempDir Path dir) throws Exception {
        // The first file's source is read as the interrupt arrives; a transfer that does not notice interrupts ends.
        ContentSource interrupting = new ContentSource() {
            @Override
            public java.io.InputStream open() {
                Thread.currentThread().interrupt();
                return new java.io.ByteArrayInputStream("one".getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public long length() {
                return 3;
            }

            @Override
            public String describe() {
                return "interrupting";
            }
        };
        Path f = Files.writeString(dir.resolve("f"), "two");
        try (FakeProvider.FakeTarget t = target(1, fastRetry(3))) {
            TransferException e = assertThrows(TransferException.class, () -> t.uploadAll(List.of(
                    Upload.builder().source(interrupting).remotePath("one").build(), Upload.of(f, "two"), Upload.of(f, "three"))));
            assertTrue(Thread.interrupted(), "the interrupt is kept");
            assertEquals(Reason.CANCELLED, e.reason(), e.toString());
            assertEquals(java.util.Set.of("/base/one"), t.files.keySet());
        }
    }

    @Test
    void aFileDeadlineCountsFromItsOwnStartInABatch(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        try (FakeProvider.FakeTarget t = target(1, RetryPolicy.none())) {
            t.uploadTime = Duration.ofMillis(400);
            BatchResult r = t.uploadAll(List.of(Upload.of(f, "video"),
                    Upload.builder().source(f).remotePath("thumb").deadline(Duration.ofMillis(300)).build()));
            assertEquals(2, r.files().size());
        }
    }

    @Test
    void closeEndsAWaitForAFreeSessionAtOnce(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        FakeProvider.FakeTarget t = target(1, RetryPolicy.none());
        t.uploadTime = Duration.ofMillis(3000);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<UploadResult> a = pool.submit(() -> t.upload(Upload.of(f, "a")));
            while (t.connects.get() == 0) {
                Thread.onSpinWait();
            }
            Future<UploadResult> b = pool.submit(() -> t.upload(Upload.of(f, "b")));
            Thread.sleep(200); // b is waiting for the one session
            long closedAt = System.nanoTime();
            t.close();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> b.get(2, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(Reason.CANCELLED, ((TransferException) e.getCause()).reason(), e.getCause().toString());
            assertTrue(System.nanoTime() - closedAt < 1_000_000_000L, "the waiter was not kept until a running upload ended");
            assertEquals(1, t.connects.get(), "no connection after close");
            a.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPoolWaitThatTimesOutIsNotRetriedAndEndsAtTheDeadline(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        FakeProvider.FakeTarget t = (FakeProvider.FakeTarget) StorageTargets.open(TargetConfig.builder("fake://u@h/base")
                .credentials(Credentials.password("u", PW.toCharArray())).maxSessions(1).retryPolicy(fastRetry(3))
                .timeouts(Duration.ofMillis(100)).build());
        t.uploadTime = Duration.ofMillis(4000);
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            pool.submit(() -> t.upload(Upload.of(f, "a")));
            while (t.connects.get() == 0) {
                Thread.onSpinWait();
            }
            long start = System.nanoTime();
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(f, "b")));
            long took = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Reason.TIMEOUT, e.reason(), e.toString());
            assertTrue(took < 1200, "one wait of 500 ms, not three: " + took + " ms");
            start = System.nanoTime();
            e = assertThrows(TransferException.class,
                    () -> t.upload(Upload.builder().source(f).remotePath("c").deadline(Duration.ofMillis(150)).build()));
            took = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Reason.TIMEOUT, e.reason(), e.toString());
            assertTrue(took < 450, "the wait ends at the deadline: " + took + " ms");
        } finally {
            t.close();
            pool.shutdownNow();
        }
    }

    @Test
    void aHealthCheckThatThrowsDiscardsTheSessionAndItsCount(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        try (FakeProvider.FakeTarget t = target(2, RetryPolicy.none())) {
            t.upload(Upload.of(f, "a"));
            t.healthCheckThrows = true;
            t.upload(Upload.of(f, "b"));
            assertEquals(2, t.connects.get(), "the pooled session was not reused");
            assertEquals(1, t.openSessions(), "the discarded session is not counted");
        }
    }
}
