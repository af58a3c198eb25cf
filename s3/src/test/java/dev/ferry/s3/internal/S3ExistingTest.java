package dev.ferry.s3.internal;

import dev.ferry.core.ExistingFile;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Existing objects: a conditional write refuses to replace one (FAIL), or the file takes the next free name. */
class S3ExistingTest {
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

    @Test
    void failRefusesToReplaceAnObjectByAConditionalWrite() throws Exception {
        Path first = TestFiles.random(dir, "first.mp4", 1000);
        Path second = TestFiles.random(dir, "second.mp4", 2000);
        RecordingInterceptor rec = new RecordingInterceptor();
        try (S3StorageTarget target = s3.target("x", List.of(rec))) {
            target.upload(Upload.of(first, "rec.mp4"));
            TransferException e = assertThrows(TransferException.class, () -> target.upload(
                    Upload.builder().source(second).remotePath("rec.mp4").existing(ExistingFile.FAIL).build()));
            assertEquals(TransferException.Reason.EXISTS, e.reason());
            assertTrue(e.serverReply().startsWith("412"), e.serverReply());
        }
        assertEquals(TestFiles.sha256(first), TestFiles.sha256(s3.objectFile("x/rec.mp4")));
        assertEquals("*", rec.of("PutObject").get(1).header("If-None-Match"));
    }

    @Test
    void renameUniqueWritesTheNextFreeName() throws Exception {
        Path first = TestFiles.random(dir, "a.mp4", 1000);
        Path second = TestFiles.random(dir, "b.mp4", 1500);
        Path third = TestFiles.random(dir, "c.mp4", 1700);
        try (S3StorageTarget target = s3.target("y", List.of())) {
            target.upload(Upload.of(first, "rec.mp4"));
            Upload.Builder rename = Upload.builder().existing(ExistingFile.RENAME_UNIQUE).remotePath("rec.mp4");
            UploadResult r2 = target.upload(rename.source(second).build());
            UploadResult r3 = target.upload(rename.source(third).build());
            assertEquals("/y/rec-1.mp4", r2.remotePath());
            assertEquals("/y/rec-2.mp4", r3.remotePath());
        }
        assertEquals(TestFiles.sha256(first), TestFiles.sha256(s3.objectFile("y/rec.mp4")));
        assertEquals(TestFiles.sha256(second), TestFiles.sha256(s3.objectFile("y/rec-1.mp4")));
        assertEquals(TestFiles.sha256(third), TestFiles.sha256(s3.objectFile("y/rec-2.mp4")));
    }

    @Test
    void aLargeFileUnderFailStopsBeforeSendingAnyPart() throws Exception {
        Path small = TestFiles.random(dir, "old.mp4", 1000);
        Path big = TestFiles.random(dir, "new.mp4", 6L << 20);
        RecordingInterceptor rec = new RecordingInterceptor();
        try (S3StorageTarget target = s3.multipartTarget("z", List.of(rec))) {
            target.upload(Upload.of(small, "rec.mp4"));
            TransferException e = assertThrows(TransferException.class, () -> target.upload(
                    Upload.builder().source(big).remotePath("rec.mp4").existing(ExistingFile.FAIL).build()));
            assertEquals(TransferException.Reason.EXISTS, e.reason());

            UploadResult renamed = target.upload(Upload.builder().source(big).remotePath("rec.mp4")
                    .existing(ExistingFile.RENAME_UNIQUE).build());
            assertEquals("/z/rec-1.mp4", renamed.remotePath());
            assertEquals("*", rec.of("CompleteMultipartUpload").get(0).header("If-None-Match"));
        }
        assertEquals(1, rec.of("CreateMultipartUpload").size()); // none for the refused one
        assertEquals(TestFiles.sha256(small), TestFiles.sha256(s3.objectFile("z/rec.mp4")));
        assertEquals(TestFiles.sha256(big), TestFiles.sha256(s3.objectFile("z/rec-1.mp4")));
    }
}
