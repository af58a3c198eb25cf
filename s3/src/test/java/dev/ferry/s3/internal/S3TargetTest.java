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
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void theBuilderAndATargetUriMakeTheSameSettings() throws Exception {
        try (StorageTarget built = S3Target.builder().bucket("recordings").prefix("in/").region("eu-west-1")
                .endpoint(URI.create("https://s3.example.net:9000")).pathStyle(true).storageClass("standard_ia")
                .acl("bucket-owner-full-control").encryption(S3Encryption.s3Managed()).metadata("Studio", "7")
                .partSize(S3Settings.MIN_PART).partsInFlight(2).maxSessions(3).timeouts(java.time.Duration.ofSeconds(7))
                .build();
             StorageTarget parsed = dev.ferry.core.StorageTargets.open(dev.ferry.core.TargetConfig.builder(
                     "s3://recordings/in?region=eu-west-1&endpoint=https://s3.example.net:9000&path-style=true"
                             + "&storage-class=standard_ia&acl=bucket-owner-full-control&sse=AES256&meta.Studio=7"
                             + "&part-size=" + S3Settings.MIN_PART + "&parts-in-flight=2")
                     .credentials(dev.ferry.core.Credentials.username(S3Target.DEFAULT_CHAIN)).maxSessions(3)
                     .timeouts(java.time.Duration.ofSeconds(7)).build())) {
            assertEquals(((S3StorageTarget) parsed).settings(), ((S3StorageTarget) built).settings());
            assertEquals(3, ((S3StorageTarget) built).config().maxSessions());
            assertEquals(java.time.Duration.ofSeconds(7), ((S3StorageTarget) built).config().dataTimeout());
        }
    }

    @Test
    void sharedOptionsAreCheckedAsForEveryTarget() {
        assertThrows(IllegalArgumentException.class, () -> S3Target.builder().maxSessions(0));
        assertThrows(IllegalArgumentException.class, () -> S3Target.builder().timeouts(java.time.Duration.ZERO));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> S3Target.builder().bucket("bucket").port(9000).build());
        assertTrue(e.getMessage().contains("endpoint"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> S3Target.builder().prefix("p").build());
    }
}
