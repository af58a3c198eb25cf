package dev.ferry.s3.internal;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.s3.S3Encryption;
import dev.ferry.s3.S3Target;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The public builder: what it builds works, and it refuses what it cannot do. */
class S3TargetTest {
    @TempDir
    Path dir;

    @Test
    void theBuilderMakesAWorkingTargetThatShowsNoSecret() throws Exception {
        Path file = TestFiles.random(dir, "rec 1.mp4", 5000);
        try (EmbeddedS3 s3 = EmbeddedS3.start(dir);
             StorageTarget target = S3Target.builder().bucket(EmbeddedS3.BUCKET).prefix("/studio-7/")
                     .insecurePlainHttpEndpoint(s3.endpoint()).pathStyle(true)
                     .credentials(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET.toCharArray()).build()) {
            UploadResult r = target.upload(Upload.of(file));
            assertEquals(TestFiles.sha256(file), TestFiles.sha256(s3.objectFile("studio-7/rec 1.mp4")));
            assertEquals(s3.endpoint() + "/ferry-test/studio-7/rec%201.mp4", r.location());
            assertEquals("s3://ferry-test/studio-7/", target.info().redactedUri());
            assertFalse((target + " " + target.info() + " " + ((S3StorageTarget) target).config()).contains(EmbeddedS3.SECRET));
        }
    }

    @Test
    void awsLocationsAreVirtualHosted() throws Exception {
        try (StorageTarget target = S3Target.builder().bucket("recordings").prefix("in").region("eu-central-1")
                .encryption(S3Encryption.kms("alias/rec")).acl("bucket-owner-full-control").build()) {
            S3StorageTarget s3 = (S3StorageTarget) target;
            assertEquals("https://recordings.s3.eu-central-1.amazonaws.com/in/a.mp4", s3.location("/in/a.mp4"));
            assertEquals("recordings.s3.eu-central-1.amazonaws.com", s3.info().host());
            assertEquals(443, s3.info().port());
            assertEquals(S3Encryption.kms("alias/rec"), s3.settings().encryption());
            assertEquals("aws-default-chain", s3.config().credentials().username());
        }
    }

    @Test
    void badOptionsAreRefusedAtBuild() {
        assertEquals(TransferException.Reason.BAD_INPUT, assertThrows(TransferException.class,
                () -> S3Target.builder().bucket("b_x").build()).reason());
        assertEquals(TransferException.Reason.BAD_INPUT, assertThrows(TransferException.class,
                () -> S3Target.builder().bucket("bucket").endpoint(URI.create("http://minio:9000")).build()).reason());
        assertEquals(TransferException.Reason.BAD_INPUT, assertThrows(TransferException.class,
                () -> S3Target.builder().bucket("bucket").partSize(1024).build()).reason());
        assertEquals(TransferException.Reason.BAD_INPUT, assertThrows(TransferException.class,
                () -> S3Target.builder().bucket("bucket").tls(dev.ferry.core.TlsOptions.insecureTrustAllCertificates()).build())
                .reason());
    }
}
