package dev.ferry.core;

import dev.ferry.core.TransferException.Reason;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A retry resumes the temporary file no further than this upload's earlier attempts sent to it. */
class ResumeBoundTest {
    private static final byte[] SOURCE = new byte[10_000];

    static {
        new Random(7).nextBytes(SOURCE);
    }

    private static FakeProvider.FakeTarget target() throws TransferException {
        FakeProvider.FakeTarget t = (FakeProvider.FakeTarget) StorageTargets.open(TargetConfig.builder("fake://u@h/base")
                .credentials(Credentials.password("u", "pw".toCharArray()))
                .retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(1)).jitter(0).build()).build());
        t.atomicWithResume = true;
        return t;
    }

    private static Upload upload() {
        return Upload.builder().source(ContentSource.ofBytes(SOURCE)).remotePath("v.bin").build();
    }

    private static String temporary(FakeProvider.FakeTarget t) {
        return t.files.keySet().stream().filter(n -> n.endsWith(Upload.TEMP_SUFFIX)).findFirst().orElseThrow();
    }

    @Test
    void aRetryResumesWhatTheAttemptBeforeItSent() throws Exception {
        try (FakeProvider.FakeTarget t = target()) {
            t.cutAfter.set(4000);
            UploadResult r = t.upload(upload());
            assertEquals(4000, r.resumedFrom());
            assertEquals(2, r.attempts());
            assertEquals(TestFiles.sha256(SOURCE), TestFiles.sha256(t.files.get("/base/v.bin")));
        }
    }

    @Test
    void aTemporaryFileLargerThanWhatWasSentIsWrittenAgainFromTheStart() throws Exception {
        byte[] planted = "NOT-FERRY'S-BYTES".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (FakeProvider.FakeTarget t = target()) {
            t.cutAfter.set(4000);
            // Between the attempts, someone appends to the temporary file: 4017 bytes there, 4000 of them Ferry's.
            t.afterCut = () -> {
                String temp = temporary(t);
                byte[] now = t.files.get(temp);
                byte[] grown = Arrays.copyOf(now, now.length + planted.length);
                System.arraycopy(planted, 0, grown, now.length, planted.length);
                t.files.put(temp, grown);
            };
            UploadResult r = t.upload(upload());
            assertEquals(0, r.resumedFrom(), "not resumed after bytes Ferry did not send");
            assertEquals(TestFiles.sha256(SOURCE), TestFiles.sha256(t.files.get("/base/v.bin")), "only the source is published");
            assertTrue(r.transcript().stream().anyMatch(l -> l.contains("has 4017 bytes but this upload sent it 4000")),
                    String.join("\n", r.transcript()));
            assertTrue(r.transcript().stream().anyMatch(l -> l.startsWith("> STOR ")) && r.transcript().stream()
                    .noneMatch(l -> l.startsWith("> APPE ")), String.join("\n", r.transcript()));
        }
    }

    /** A server that kept fewer bytes than were sent is resumed where it stopped. */
    @Test
    void aTemporaryFileShorterThanWhatWasSentIsResumedAtItsSize() throws Exception {
        try (FakeProvider.FakeTarget t = target()) {
            t.cutAfter.set(4000);
            t.afterCut = () -> {
                String temp = temporary(t);
                t.files.put(temp, Arrays.copyOf(t.files.get(temp), 2500));
            };
            UploadResult r = t.upload(upload());
            assertEquals(2500, r.resumedFrom());
            assertEquals(TestFiles.sha256(SOURCE), TestFiles.sha256(t.files.get("/base/v.bin")));
        }
    }

    /** Two cuts: the bound is what all attempts sent since the file was last written from the start. */
    @Test
    void theBoundAddsUpOverResumedAttempts() throws Exception {
        try (FakeProvider.FakeTarget t = target()) {
            t.cutAfter.set(3000);
            t.afterCut = () -> {
                t.cutAfter.set(2000);
                t.afterCut = () -> { };
            };
            UploadResult r = t.upload(upload());
            assertEquals(3, r.attempts());
            assertEquals(5000, r.resumedFrom());
            assertEquals(TestFiles.sha256(SOURCE), TestFiles.sha256(t.files.get("/base/v.bin")));
        }
    }

    @Test
    void aFailedUploadThatCannotRetryLeavesNothingPublished() throws Exception {
        try (FakeProvider.FakeTarget t = (FakeProvider.FakeTarget) StorageTargets.open(TargetConfig.builder("fake://u@h/base")
                .credentials(Credentials.password("u", "pw".toCharArray())).retryPolicy(RetryPolicy.builder().maxAttempts(1).build())
                .build())) {
            t.atomicWithResume = true;
            t.cutAfter.set(10);
            TransferException e = org.junit.jupiter.api.Assertions.assertThrows(TransferException.class, () -> t.upload(upload()));
            assertEquals(Reason.DATA_CHANNEL, e.reason());
            assertTrue(!t.files.containsKey("/base/v.bin"));
            assertArrayEquals(Arrays.copyOf(SOURCE, 10), t.files.get(temporary(t)));
        }
    }
}
