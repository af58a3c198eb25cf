package dev.ferry.s3.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wrong credentials, a missing bucket, bad names; the connection test; and no secret in anything Ferry shows. */
class S3FailureTest {
    @TempDir
    static Path dir;
    static EmbeddedS3 s3;
    static Path file;

    @BeforeAll
    static void start() throws Exception {
        s3 = EmbeddedS3.start(dir);
        file = TestFiles.random(dir, "f.mp4", 2000);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    private static S3StorageTarget target(String bucketAndPrefix, String key, String secret) throws TransferException {
        TargetConfig config = TargetConfig.builder("s3://" + bucketAndPrefix + "?path-style=true")
                .credentials(Credentials.password(key, secret.toCharArray())).retryPolicy(RetryPolicy.none()).build();
        return new S3StorageTarget(config, S3Settings.from(config).withPlainHttpEndpoint(s3.endpoint()));
    }

    private static void assertNoSecret(TransferException e) {
        String all = e + "\n" + e.hint() + "\n" + e.serverReply() + "\n" + String.join("\n", e.transcript());
        assertFalse(all.contains(EmbeddedS3.SECRET), all);
        assertFalse(all.contains("wrong-secret"), all);
        assertFalse(all.contains("Signature="), all);
        assertFalse(all.contains("Authorization"), all);
    }

    @Test
    void aWrongSecretIsAnAuthFailureThatShowsNoSecret() throws Exception {
        try (S3StorageTarget target = target(EmbeddedS3.BUCKET + "/a", EmbeddedS3.ACCESS_KEY, "wrong-secret")) {
            TransferException e = assertThrows(TransferException.class, () -> target.upload(Upload.of(file, "f.mp4")));
            assertEquals(Reason.AUTH, e.reason());
            assertTrue(e.serverReply().contains("SignatureDoesNotMatch"), e.serverReply());
            assertTrue(e.hint().contains("secret access key is wrong"), e.hint());
            assertEquals(1, e.transcript().stream().filter(l -> l.contains("PUT /ferry-test/a/f.mp4")).count(), String.join("\n", e.transcript()));
            assertNoSecret(e);
            assertFalse(target.config().toString().contains("wrong-secret"));
        }
    }

    @Test
    void anUnknownAccessKeyIsAnAuthFailure() throws Exception {
        try (S3StorageTarget target = target(EmbeddedS3.BUCKET + "/a", "AKIANOBODY0000000000", EmbeddedS3.SECRET)) {
            TransferException e = assertThrows(TransferException.class, () -> target.upload(Upload.of(file, "f.mp4")));
            assertEquals(Reason.AUTH, e.reason());
            assertTrue(e.serverReply().contains("InvalidAccessKeyId"), e.serverReply());
            assertNoSecret(e);
        }
    }

    @Test
    void aMissingBucketIsNotFoundAndNamed() throws Exception {
        try (S3StorageTarget target = target("no-such-bucket/a", EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET)) {
            TransferException e = assertThrows(TransferException.class, () -> target.upload(Upload.of(file, "f.mp4")));
            assertEquals(Reason.NOT_FOUND, e.reason());
            assertTrue(e.hint().contains("no-such-bucket"), e.hint());
            assertNoSecret(e);
        }
    }

    @Test
    void badBucketNamesAndKeysFailBeforeAnyRequest() throws Exception {
        for (String bucket : List.of("ab", "Upper", "has_underscore", "192.168.1.1", "a..b", "xn--abc", "-dash", "x".repeat(64))) {
            TransferException e = assertThrows(TransferException.class,
                    () -> StorageTargets.open(TargetConfig.builder("s3://" + bucket + "/p")
                            .credentials(Credentials.password("k", "s".toCharArray())).build()), bucket);
            assertEquals(Reason.BAD_INPUT, e.reason(), bucket);
        }
        RecordingInterceptor rec = new RecordingInterceptor();
        try (S3StorageTarget target = s3.target("k", List.of(rec))) {
            // The second file's key is bad: the batch fails before its first file is sent.
            TransferException e = assertThrows(TransferException.class, () -> target.uploadAll(List.of(
                    Upload.of(file, "good.mp4"), Upload.of(file, "bad\u0001name.mp4"))));
            assertEquals(Reason.BAD_INPUT, e.reason());
            e = assertThrows(TransferException.class, () -> target.upload(Upload.of(file, "d/" + "n".repeat(200) + "/"
                    + "m".repeat(200) + "/" + "l".repeat(200) + "/" + "o".repeat(200) + "/" + "p".repeat(200) + "/" + "q".repeat(200) + ".mp4")));
            assertEquals(Reason.BAD_INPUT, e.reason());
        }
        assertTrue(rec.sent.isEmpty(), rec.sent.toString());
        assertFalse(Files.exists(s3.objectFile("k/good.mp4")));
    }

    @Test
    void aTargetUriCannotAskForPlainHttpOrUnknownOptions() throws Exception {
        Credentials c = Credentials.password("k", "s".toCharArray());
        TransferException e = assertThrows(TransferException.class, () -> StorageTargets.open(
                TargetConfig.builder("s3://bucket/p?endpoint=http://127.0.0.1:9000").credentials(c).build()));
        assertEquals(Reason.BAD_INPUT, e.reason());
        assertTrue(e.getMessage().contains("plain HTTP"), e.getMessage());
        e = assertThrows(TransferException.class, () -> StorageTargets.open(
                TargetConfig.builder("s3://bucket/p?storage-class=COLD_AS_ICE").credentials(c).build()));
        assertEquals(Reason.BAD_INPUT, e.reason());
        e = assertThrows(TransferException.class, () -> StorageTargets.open(
                TargetConfig.builder("s3://bucket/p?secret=x").credentials(c).build()));
        assertEquals(Reason.BAD_INPUT, e.reason());
    }

    @Test
    void theConnectionTestWritesChecksAndDeletesATestObject() throws Exception {
        try (S3StorageTarget target = s3.target("probe", List.of())) {
            ProbeReport report = target.probe();
            assertTrue(report.ok(), report.toString());
            for (ProbeStep.Step step : ProbeStep.Step.values()) {
                assertEquals(ProbeStep.Status.PASSED, report.step(step).status(), step + ": " + report);
            }
            assertTrue(report.step(ProbeStep.Step.UPLOAD).reply().contains("CRC32C"), report.toString());
            assertEquals("none", report.connection().securityProtocol());
            String all = report.toString() + report.transcript();
            assertFalse(all.contains(EmbeddedS3.SECRET), all);
            assertFalse(all.contains("Signature="), all);
        }
        try (var left = Files.list(s3.objectFile("probe").getParent())) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".ferry-probe")));
        }
        if (Files.isDirectory(s3.objectFile("probe"))) {
            try (var left = Files.list(s3.objectFile("probe"))) {
                assertEquals(0, left.count());
            }
        }
    }

    @Test
    void theConnectionTestNamesWhatIsWrong() throws Exception {
        try (S3StorageTarget target = target(EmbeddedS3.BUCKET + "/p", EmbeddedS3.ACCESS_KEY, "wrong-secret")) {
            ProbeReport report = target.probe();
            assertEquals(ProbeStep.Step.LOGIN, report.firstFailure().orElseThrow().step(), report.toString());
            assertEquals(Reason.AUTH, report.firstFailure().orElseThrow().reason());
            assertFalse((report.toString() + report.transcript()).contains("wrong-secret"));
        }
        try (S3StorageTarget target = target("no-such-bucket/p", EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET)) {
            ProbeReport report = target.probe();
            assertEquals(ProbeStep.Step.DIRECTORY, report.firstFailure().orElseThrow().step(), report.toString());
            assertEquals(Reason.NOT_FOUND, report.firstFailure().orElseThrow().reason());
        }
    }
}
