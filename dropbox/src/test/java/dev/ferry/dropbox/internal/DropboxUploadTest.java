package dev.ferry.dropbox.internal;

import dev.ferry.core.Credentials;
import dev.ferry.core.ExistingFile;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.dropbox.DropboxTarget;
import dev.ferry.dropbox.internal.FakeDropbox.Fault;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Uploads to the fake Dropbox over TLS on loopback: what arrives is the source, byte for byte, whatever went wrong. */
class DropboxUploadTest {
    private static final long MIB4 = 4L * 1024 * 1024;

    @TempDir
    Path dir;
    private FakeDropbox fake;

    @BeforeEach
    void start() throws Exception {
        fake = FakeDropbox.start();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private DropboxTarget.Builder builder() {
        return DropboxTarget.builder()
                .refreshToken(FakeDropbox.APP_KEY, FakeDropbox.REFRESH_TOKEN.toCharArray())
                .appSecret(FakeDropbox.APP_SECRET.toCharArray())
                .apiEndpoints(fake.apiUrl(), fake.contentUrl())
                .tls(TlsOptions.builder().trustCertificate(fake.certificate()).build())
                .baseDirectory("/in")
                .chunkSize(MIB4)
                .singleUploadLimit(1024 * 1024)
                .timeouts(Duration.ofSeconds(10))
                .retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(10)).build());
    }

    private Path file(String name, long size) throws Exception {
        return TestFiles.random(dir, name, size);
    }

    private void assertStored(String path, Path source) throws Exception {
        FakeDropbox.StoredFile f = fake.file(path);
        assertNotNull(f, path + " is on the fake Dropbox");
        assertEquals(TestFiles.sha256(source), TestFiles.sha256(f.bytes()), "SHA-256 of " + path);
    }

    private void assertNoSecret(String text) {
        for (String s : List.of(FakeDropbox.REFRESH_TOKEN, FakeDropbox.APP_SECRET)) {
            assertFalse(text.contains(s), "a secret in: " + text);
        }
        for (String token : fake.validTokens) {
            assertFalse(text.contains(token), "an access token in: " + text);
        }
        assertFalse(text.contains("sl.fake-"), "an access token in: " + text);
    }

    @Test
    void aSmallFileGoesInOneRequestAfterTheRefreshTokenGotAnAccessToken() throws Exception {
        Path src = file("thumb.jpg", 300_000);
        try (StorageTarget t = builder().build()) {
            UploadResult r = t.upload(Upload.of(src, "thumb.jpg"));
            assertEquals("/in/thumb.jpg", r.remotePath());
            assertEquals(300_000, r.bytes());
            assertEquals(Verification.CHECKSUM, r.verification());
            assertEquals("dropbox", r.protocol());
            assertEquals("dropbox:/in/thumb.jpg", r.location());
            assertStored("/in/thumb.jpg", src);
            assertEquals(1, fake.calls("files/upload").size());
            assertTrue(fake.calls("files/upload_session/start").isEmpty());
            assertEquals(1, fake.refreshes);
            String transcript = String.join("\n", r.transcript());
            assertTrue(transcript.contains("POST /oauth2/token"), transcript);
            assertTrue(transcript.contains("POST /2/files/upload") && transcript.contains("request id"), transcript);
            assertNoSecret(transcript + r + t + t.info());
            assertFalse(fake.authorizationHeaders.isEmpty());
        }
    }

    @Test
    void aLargeFileGoesByUploadSessionIn4MiBChunksWithinTheRequestCap() throws Exception {
        Path src = file("rec.mp4", 2 * MIB4 + 12_345);
        try (StorageTarget t = builder().build()) {
            UploadResult r = t.upload(Upload.of(src, "rec.mp4"));
            assertEquals("/in/rec.mp4", r.remotePath());
            assertEquals(Verification.CHECKSUM, r.verification());
            assertEquals(0, r.resumedFrom());
            assertStored("/in/rec.mp4", src);
            assertEquals(1, fake.calls("files/upload_session/start").size());
            List<FakeDropbox.Call> appends = fake.calls("files/upload_session/append_v2");
            assertEquals(2, appends.size());
            for (FakeDropbox.Call c : appends) {
                assertEquals(200, c.status());
                assertEquals(MIB4, c.bodyBytes());
            }
            List<FakeDropbox.Call> finish = fake.calls("files/upload_session/finish");
            assertEquals(1, finish.size());
            assertEquals(12_345, finish.get(0).bodyBytes());
            assertEquals(2 * MIB4, finish.get(0).arg().path("cursor").path("offset").asLong());
            assertEquals("add", finish.get(0).arg().path("commit").path("mode").path(".tag").asText("add"));
            assertTrue(fake.calls.stream().allMatch(c -> c.bodyBytes() <= FakeDropbox.MAX_REQUEST));
        }
    }

    @Test
    void noSecretInSettingsTargetOrErrorText() throws Exception {
        DropboxSettings s = DropboxSettings.from(dev.ferry.core.TargetConfig.builder("dropbox:/x")
                .credentials(Credentials.password(FakeDropbox.APP_KEY, FakeDropbox.REFRESH_TOKEN.toCharArray())).build())
                .withAppSecret(FakeDropbox.APP_SECRET.toCharArray());
        try (StorageTarget t = builder().build()) {
            assertNoSecret(s + " " + t + " " + t.info() + " " + builder());
        }
    }

    @Test
    void aChunkSizeThatIsNotAMultipleOf4MiBOrOverTheCapIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> builder().chunkSize(5L * 1024 * 1024).build());
        assertThrows(IllegalArgumentException.class, () -> builder().chunkSize(36 * MIB4).build());
        assertEquals(35 * MIB4, DropboxSettings.MAX_CHUNK);
        assertTrue(DropboxSettings.MAX_CHUNK <= 150_000_000L);
    }

    @Test
    void existingFilesFailRenameOrOverwriteByDropboxsWriteModes() throws Exception {
        Path old = file("old.bin", 1000);
        Path src = file("new.bin", 2000);
        Path big = file("big.bin", MIB4 + 10);
        try (StorageTarget t = builder().build()) {
            t.upload(Upload.of(old, "a.bin"));
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.builder().source(src)
                    .remotePath("a.bin").existing(ExistingFile.FAIL).build()));
            assertEquals(Reason.EXISTS, e.reason());
            assertFalse(e.retryable());
            assertTrue(e.serverReply().contains("conflict"), e.serverReply());
            e = assertThrows(TransferException.class, () -> t.upload(Upload.builder().source(big)
                    .remotePath("a.bin").existing(ExistingFile.FAIL).build()));
            assertEquals(Reason.EXISTS, e.reason(), "by upload session too");
            assertStored("/in/a.bin", old);

            UploadResult r = t.upload(Upload.builder().source(src).remotePath("a.bin").existing(ExistingFile.RENAME_UNIQUE).build());
            assertEquals("/in/a (1).bin", r.remotePath());
            assertStored("/in/a (1).bin", src);
            assertStored("/in/a.bin", old);
            assertTrue(String.join("\n", r.transcript()).contains("published the file as /in/a (1).bin"));

            r = t.upload(Upload.builder().source(big).remotePath("a.bin").existing(ExistingFile.OVERWRITE).build());
            assertEquals("/in/a.bin", r.remotePath());
            assertStored("/in/a.bin", big);
        }
    }

    @Test
    void anExpiredAccessTokenIsRefreshedAndTheRequestSentAgain() throws Exception {
        Path src = file("a.bin", 5000);
        Path big = file("b.bin", 2 * MIB4);
        try (StorageTarget t = builder().build()) {
            t.upload(Upload.of(src, "first.bin"));
            fake.fail("files/upload", Fault.EXPIRE_TOKEN);
            UploadResult r = t.upload(Upload.of(src, "a.bin"));
            assertEquals(1, r.attempts());
            assertEquals(2, fake.refreshes);
            assertStored("/in/a.bin", src);
            String transcript = String.join("\n", r.transcript());
            // HttpURLConnection drops the body of a 401 to a streamed request: the status is all there is to see.
            assertTrue(transcript.contains("< 401") && transcript.contains("getting a new access token"), transcript);
            fake.fail("files/upload_session/append_v2", Fault.EXPIRE_TOKEN);
            r = t.upload(Upload.of(big, "b.bin"));
            assertEquals(1, r.attempts());
            assertStored("/in/b.bin", big);
            assertNoSecret(String.join("\n", r.transcript()));
        }
    }

    @Test
    void anExpiredBareAccessTokenIsAuthSayingNoRefreshWasTried() throws Exception {
        Path src = file("a.bin", 5000);
        String token = fake.issueAccessToken();
        try (StorageTarget t = builder().accessToken(token.toCharArray()).build()) {
            fake.fail("files/upload", Fault.EXPIRE_TOKEN);
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(src, "a.bin")));
            assertEquals(Reason.AUTH, e.reason());
            assertTrue(e.getMessage().contains("expired") && e.getMessage().contains("no refresh was tried"), e.getMessage());
            assertTrue(e.hint().contains("refresh token"), e.hint());
            assertFalse((e + e.getMessage() + e.hint() + e.transcript()).contains(token));
        }
    }

    @Test
    void aRevokedRefreshTokenIsAuthWithoutAnySecretShown() throws Exception {
        Path src = file("a.bin", 5000);
        try (StorageTarget t = builder().refreshToken(FakeDropbox.APP_KEY, "revoked-refresh-Tok3n".toCharArray()).build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(src, "a.bin")));
            assertEquals(Reason.AUTH, e.reason());
            assertTrue(e.getMessage().contains("invalid_grant"), e.getMessage());
            String all = e + e.getMessage() + e.hint() + e.serverReply() + e.transcript();
            assertFalse(all.contains("revoked-refresh-Tok3n") || all.contains(FakeDropbox.APP_SECRET), all);
        }
    }

    @Test
    void aMissingScopeIsPermissionNamingTheScope() throws Exception {
        Path src = file("a.bin", 5000);
        try (StorageTarget t = builder().build()) {
            fake.withoutWriteScope.add("files/upload");
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(src, "a.bin")));
            assertEquals(Reason.PERMISSION, e.reason());
            assertTrue(e.getMessage().contains("files.content.write") && e.hint().contains("files.content.write"), e.getMessage());
        }
    }

    @Test
    void aFullAccountIsNoSpace() throws Exception {
        Path src = file("a.bin", 5000);
        fake.quota = 1000;
        try (StorageTarget t = builder().build()) {
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(src, "a.bin")));
            assertEquals(Reason.NO_SPACE, e.reason());
            assertFalse(e.retryable());
        }
    }

    @Test
    void rateLimitsAndUnavailabilityAreWaitedOutAsTheServerAsksAndServerErrorsRetriedWithBackoff() throws Exception {
        Path src = file("rec.mp4", 2 * MIB4 + 1);
        try (StorageTarget t = builder().build()) {
            fake.fail("files/upload_session/start", Fault.UNAVAILABLE);
            fake.fail("files/upload_session/append_v2", Fault.RATE_LIMIT);
            fake.fail("files/upload_session/finish", Fault.SERVER_ERROR);
            fake.fail("files/upload_session/finish", Fault.WRITE_CONTENTION);
            long start = System.nanoTime();
            UploadResult r = t.upload(Upload.of(src, "rec.mp4"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(1, r.attempts(), "retried inside the attempt, request by request");
            assertTrue(millis >= 3000, "three Retry-After: 1 waits, took " + millis + " ms");
            assertStored("/in/rec.mp4", src);
            String transcript = String.join("\n", r.transcript());
            assertTrue(transcript.contains("429 too_many_requests") && transcript.contains("Retry-After: 1"), transcript);
            assertTrue(transcript.contains("429 too_many_write_operations"), transcript);
            assertTrue(transcript.contains("503") && transcript.contains("500"), transcript);
            assertTrue(transcript.contains("waiting 1000 ms as Dropbox asked"), transcript);
        }
    }

    @Test
    void aConnectionCutMidChunkResumesTheSameUploadSession() throws Exception {
        Path src = file("rec.mp4", 3 * MIB4 + 77);
        try (StorageTarget t = builder().build()) {
            fake.fail("files/upload_session/append_v2", Fault.NONE);
            fake.fail("files/upload_session/append_v2", Fault.CUT_MID_BODY);
            UploadResult r = t.upload(Upload.of(src, "rec.mp4"));
            assertEquals(2, r.attempts());
            assertEquals(MIB4, r.resumedFrom(), "the second attempt continued after the first chunk");
            assertStored("/in/rec.mp4", src);
            assertEquals(1, fake.calls("files/upload_session/start").size(), "one session, not started over");
            assertTrue(String.join("\n", r.transcript()).contains("continuing upload session"));
            assertEquals(1, fake.refreshes, "the retry's new session reuses the access token");
        }
    }

    @Test
    void aLostAnswerIsFollowedByIncorrectOffsetAndTheUploadContinuesAtTheCorrectOffset() throws Exception {
        Path src = file("rec.mp4", 3 * MIB4 + 5);
        try (StorageTarget t = builder().build()) {
            fake.fail("files/upload_session/append_v2", Fault.LOSE_REPLY);
            UploadResult r = t.upload(Upload.of(src, "rec.mp4"));
            assertEquals(2, r.attempts());
            assertStored("/in/rec.mp4", src);
            List<FakeDropbox.Call> appends = fake.calls("files/upload_session/append_v2");
            assertTrue(appends.stream().anyMatch(c -> c.status() == 409), "Dropbox answered incorrect_offset");
            assertEquals(MIB4, r.resumedFrom(), "continued at correct_offset");
            assertEquals(1, fake.calls("files/upload_session/start").size());
            String transcript = String.join("\n", r.transcript());
            assertTrue(transcript.contains("409 incorrect_offset") && transcript.contains("at byte " + MIB4), transcript);
            // The chunk whose answer was lost was kept (-1), sent again and refused by offset (409), then the rest.
            assertEquals(List.of(-1, 409, 200, 200), appends.stream().map(FakeDropbox.Call::status).toList());
        }
    }

    @Test
    void aContentHashThatDiffersIsVerifyFailedAndTheFileIsRemoved() throws Exception {
        Path src = file("a.bin", 5000);
        try (StorageTarget t = builder().retryPolicy(RetryPolicy.none()).build()) {
            fake.fail("files/upload", Fault.WRONG_HASH);
            TransferException e = assertThrows(TransferException.class, () -> t.upload(Upload.of(src, "a.bin")));
            assertEquals(Reason.VERIFY_FAILED, e.reason());
            assertTrue(e.getMessage().contains(FakeDropbox.contentHash(Files.readAllBytes(src))), e.getMessage());
            assertEquals(null, fake.file("/in/a.bin"), "a file that failed the check is not left as if delivered");
        }
    }

    @Test
    void dropboxUrisNameNoHostAndTheirTokensComeFromTheCaller() throws Exception {
        for (String u : new String[] {"dropbox:/in/box", "dropbox:///in/box"}) {
            try (StorageTarget t = StorageTargets.open(URI.create(u + "?chunk-size=8388608"),
                    Credentials.password(FakeDropbox.APP_KEY, FakeDropbox.REFRESH_TOKEN.toCharArray()))) {
                assertEquals("dropbox", t.info().protocol());
                assertEquals("/in/box", t.info().baseDirectory());
                assertEquals("api.dropboxapi.com", t.info().host());
                assertNoSecret(t.info() + " " + t);
            }
        }
        TransferException e = assertThrows(TransferException.class, () -> StorageTargets.open(URI.create("dropbox://evil.example/in"),
                Credentials.password(FakeDropbox.APP_KEY, "x".toCharArray())));
        assertEquals(Reason.BAD_INPUT, e.reason());
        e = assertThrows(TransferException.class, () -> StorageTargets.open(URI.create("dropbox:/in?chunk-size=1000"),
                Credentials.password(FakeDropbox.APP_KEY, "x".toCharArray())));
        assertEquals(Reason.BAD_INPUT, e.reason());
        assertTrue(e.getMessage().contains("chunk-size"), e.getMessage());
        e = assertThrows(TransferException.class, () -> StorageTargets.open(URI.create("dropbox:/in"), Credentials.username("k")));
        assertEquals(Reason.BAD_INPUT, e.reason());
    }

    @Test
    void theProbeShowsTheAccountCreatesTheFolderAndCleansUpWithoutShowingASecret() throws Exception {
        try (StorageTarget t = builder().baseDirectory("/in/new").build()) {
            ProbeReport report = t.probe();
            assertTrue(report.ok(), report.toString());
            String text = report.toString();
            assertTrue(text.contains("Franz Ferdinand"), text);
            assertTrue(text.contains("/in/new created"), text);
            assertTrue(text.contains("content_hash"), text);
            assertTrue(fake.folders.contains("/in/new"));
            assertTrue(fake.files.isEmpty(), "the test file was deleted");
            assertEquals(ProbeStep.Status.PASSED, report.steps().get(report.steps().size() - 1).status());
            assertNoSecret(text);
        }
    }
}
