package dev.ferry.s3.internal;

import dev.ferry.core.StorageTargets;
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
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Uploads to a real S3 server (S3Proxy): what arrives is the source, byte for byte, and the requests carry the checksums. */
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
    void aSmallFileGoesInOnePutWithItsTypeClassAndMetadata() throws Exception {
        RecordingInterceptor rec = new RecordingInterceptor();
        Path file = TestFiles.random(dir, "small.mp4", 300_000);
        try (S3StorageTarget target = s3.target("in", List.of(rec), b -> b.property("storage-class", "standard_ia")
                .property("meta.studio", "7").property("acl", "private"))) {
            UploadResult r = target.upload(Upload.of(file, "a/small.mp4"));

            assertEquals(TestFiles.sha256(file), TestFiles.sha256(s3.objectFile("in/a/small.mp4")));
            assertEquals("/in/a/small.mp4", r.remotePath());
            assertEquals(300_000, r.bytes());
            assertEquals("s3", r.protocol());
            assertEquals(Verification.CHECKSUM, r.verification()); // S3Proxy gives the MD5 ETag of a single PUT
            assertEquals("MD5", r.checksum());
            assertEquals(s3.endpoint() + "/" + EmbeddedS3.BUCKET + "/in/a/small.mp4", r.location());
        }
        assertEquals(List.of("PutObject"), rec.sent.stream().map(RecordingInterceptor.Sent::operation).toList());
        RecordingInterceptor.Sent put = rec.sent.get(0);
        assertEquals("video/mp4", put.header("Content-Type"));
        assertEquals("CRC32C", put.header("x-amz-sdk-checksum-algorithm"));
        assertEquals("x-amz-checksum-crc32c", put.header("x-amz-trailer"));
        assertEquals("STANDARD_IA", put.header("x-amz-storage-class"));
        assertEquals("private", put.header("x-amz-acl")); // S3Proxy implements no other canned ACL
        assertEquals("7", put.header("x-amz-meta-studio"));
        assertEquals(null, put.header("If-None-Match")); // OVERWRITE is a plain write
    }

    @Test
    void aLargeFileGoesInPartsWithAFullObjectCrc32c() throws Exception {
        RecordingInterceptor rec = new RecordingInterceptor();
        Path file = TestFiles.random(dir, "big.mp4", (12L << 20) + 12345);
        try (S3StorageTarget target = s3.multipartTarget("in", List.of(rec))) {
            UploadResult r = target.upload(Upload.of(file, "big.mp4"));

            assertEquals(TestFiles.sha256(file), TestFiles.sha256(s3.objectFile("in/big.mp4")));
            assertEquals(Files.size(file), r.bytes());
            assertEquals(0, r.resumedFrom());
            // S3Proxy returns the full-object CRC32C of the completion request (without checking it).
            assertEquals(Verification.CHECKSUM, r.verification());
            assertEquals("CRC32C", r.checksum());
        }
        List<RecordingInterceptor.Sent> parts = rec.of("UploadPart");
        assertEquals(3, parts.size());
        for (RecordingInterceptor.Sent p : parts) {
            assertEquals("CRC32C", p.header("x-amz-sdk-checksum-algorithm"), "part " + p.partNumber());
        }
        RecordingInterceptor.Sent create = rec.of("CreateMultipartUpload").get(0);
        assertEquals("CRC32C", create.header("x-amz-checksum-algorithm"));
        assertEquals("FULL_OBJECT", create.header("x-amz-checksum-type"));
        // S3Proxy does not check it, so the value Ferry sends is checked here: the CRC32C of the whole file.
        RecordingInterceptor.Sent complete = rec.of("CompleteMultipartUpload").get(0);
        assertEquals(crc32cOf(file), complete.header("x-amz-checksum-crc32c"));
        assertEquals("FULL_OBJECT", complete.header("x-amz-checksum-type"));
    }

    @Test
    void theProviderIsFoundByItsScheme() {
        assertTrue(StorageTargets.installedSchemes().contains("s3"));
    }

    static String crc32cOf(Path file) throws Exception {
        CRC32C crc = new CRC32C();
        crc.update(Files.readAllBytes(file));
        return Checksums.crc32cBase64((int) crc.getValue());
    }
}
