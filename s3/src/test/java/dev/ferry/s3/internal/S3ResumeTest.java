package dev.ferry.s3.internal;

import dev.ferry.core.RetryPolicy;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failed part: retried by the SDK; when it keeps failing, the next attempt of the upload resumes the multipart upload
 * from the parts S3 has (checked against the source), and an upload that fails for good is aborted.
 */
class S3ResumeTest {
    private static final long PART = S3Settings.MIN_PART;

    @TempDir
    static Path dir;
    static EmbeddedS3 s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = EmbeddedS3.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /** Parts one at a time, so which parts are stored when part 3 fails is certain. */
    private static S3StorageTarget target(String prefix, RecordingInterceptor rec, int attempts) throws Exception {
        return s3.target(prefix, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET, RetryPolicy.builder().maxAttempts(attempts)
                .initialBackoff(Duration.ofMillis(10)).build(), List.of(rec), b -> b
                .property("multipart-threshold", Long.toString(PART)).property("part-size", Long.toString(PART))
                .property("parts-in-flight", "1"));
    }

    private static long sentParts(RecordingInterceptor rec, int number) {
        return rec.of("UploadPart").stream().filter(s -> s.partNumber() == number).count();
    }

    @Test
    void aPartThatFailsOnceIsSentAgainInTheSameAttempt() throws Exception {
        Path file = TestFiles.random(dir, "once.mp4", 3 * PART + 100);
        RecordingInterceptor rec = new RecordingInterceptor();
        AtomicInteger failures = new AtomicInteger();
        rec.failWhen(s -> "UploadPart".equals(s.operation()) && s.partNumber() == 2 && failures.getAndIncrement() < 1);
        try (S3StorageTarget target = target("once", rec, 1)) {
            UploadResult r = target.upload(Upload.of(file, "once.mp4"));
            assertEquals(1, r.attempts());
        }
        assertEquals(2, sentParts(rec, 2));
        assertEquals(TestFiles.sha256(file), TestFiles.sha256(s3.objectFile("once/once.mp4")));
    }

    @Test
    void theNextAttemptSendsOnlyThePartsS3DoesNotHave() throws Exception {
        Path file = TestFiles.random(dir, "resume.mp4", 4 * PART + 100);
        RecordingInterceptor rec = new RecordingInterceptor();
        AtomicInteger failures = new AtomicInteger();
        // Part 3 fails in every one of the SDK's attempts, so the first attempt of the upload fails.
        rec.failWhen(s -> "UploadPart".equals(s.operation()) && s.partNumber() == 3
                && failures.getAndIncrement() < S3StorageTarget.SDK_ATTEMPTS);
        UploadResult r;
        try (S3StorageTarget target = target("resume", rec, 2)) {
            r = target.upload(Upload.of(file, "resume.mp4"));
        }
        assertEquals(2, r.attempts());
        assertEquals(2 * PART, r.resumedFrom());
        assertEquals(1, rec.of("CreateMultipartUpload").size());
        assertEquals(1, rec.of("ListParts").size());
        assertEquals(1, sentParts(rec, 1));
        assertEquals(1, sentParts(rec, 2));
        assertEquals(S3StorageTarget.SDK_ATTEMPTS + 1, sentParts(rec, 3));
        assertEquals(1, sentParts(rec, 4));
        assertTrue(r.transcript().stream().anyMatch(l -> l.contains("part 1 is on the server already")), r.transcript().toString());
        assertEquals(TestFiles.sha256(file), TestFiles.sha256(s3.objectFile("resume/resume.mp4")));
    }

    @Test
    void aStoredPartOfAChangedSourceIsSentAgainNotMixedIn() throws Exception {
        Path file = TestFiles.random(dir, "changed.mp4", 3 * PART + 100);
        RecordingInterceptor rec = new RecordingInterceptor();
        AtomicInteger failures = new AtomicInteger();
        rec.failWhen(s -> {
            if (!"UploadPart".equals(s.operation()) || s.partNumber() != 3 || failures.get() >= S3StorageTarget.SDK_ATTEMPTS) {
                return false;
            }
            if (failures.incrementAndGet() == S3StorageTarget.SDK_ATTEMPTS) {
                // Between the attempts the first byte of the source changes; its length stays.
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                    int b = f.read();
                    f.seek(0);
                    f.write(b ^ 0xff);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return true;
        });
        try (S3StorageTarget target = target("changed", rec, 2)) {
            UploadResult r = target.upload(Upload.of(file, "changed.mp4"));
            assertEquals(PART, r.resumedFrom()); // part 2 only
        }
        assertEquals(2, sentParts(rec, 1));
        assertEquals(1, sentParts(rec, 2));
        assertEquals(TestFiles.sha256(file), TestFiles.sha256(s3.objectFile("changed/changed.mp4")));
    }

    @Test
    void anUploadThatFailsForGoodIsAborted() throws Exception {
        Path file = TestFiles.random(dir, "lost.mp4", 2 * PART + 100);
        RecordingInterceptor rec = new RecordingInterceptor();
        rec.failWhen(s -> "UploadPart".equals(s.operation()) && s.partNumber() == 2);
        try (S3StorageTarget target = target("lost", rec, 2)) {
            TransferException e = assertThrows(TransferException.class, () -> target.upload(Upload.of(file, "lost.mp4")));
            assertEquals(TransferException.Reason.CONNECT, e.reason());
            assertEquals(1, rec.of("AbortMultipartUpload").size());
            assertTrue(target.client().listMultipartUploads(b -> b.bucket(EmbeddedS3.BUCKET).prefix("lost/")).uploads().isEmpty());
        }
        assertEquals(1, rec.of("CreateMultipartUpload").size()); // the second attempt resumed the first's
        assertFalse(Files.exists(s3.objectFile("lost/lost.mp4")));
    }
}
