package dev.ferry.s3.internal;

import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class S3UploadTest {
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
    void smallFileInOnePut() throws Exception {
        RecordingInterceptor rec = new RecordingInterceptor();
        Path file = TestFiles.random(dir, "small.mp4", 300_000);
        try (S3StorageTarget target = s3.target("in", List.of(rec))) {
            UploadResult r = target.upload(Upload.of(file, "a/small.mp4"));
            System.out.println(r);
            r.transcript().forEach(System.out::println);
            assertEquals(TestFiles.sha256(file), TestFiles.sha256(s3.objectFile("in/a/small.mp4")));
            assertEquals(Verification.CHECKSUM, r.verification());
        }
        rec.sent.forEach(System.out::println);
    }

    @Test
    void largeFileInParts() throws Exception {
        RecordingInterceptor rec = new RecordingInterceptor();
        Path file = TestFiles.random(dir, "big.mp4", 12L << 20);
        try (S3StorageTarget target = s3.multipartTarget("in", List.of(rec))) {
            UploadResult r = target.upload(Upload.of(file, "big.mp4"));
            System.out.println(r);
            r.transcript().forEach(System.out::println);
            assertEquals(TestFiles.sha256(file), TestFiles.sha256(s3.objectFile("in/big.mp4")));
        }
        rec.sent.forEach(System.out::println);
        System.out.println(Files.exists(dir));
    }
}
