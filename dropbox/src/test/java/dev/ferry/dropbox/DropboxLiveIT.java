package dev.ferry.dropbox;

import dev.ferry.core.ProbeReport;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against real Dropbox, only when {@code FERRY_DROPBOX_REFRESH_TOKEN} and {@code FERRY_DROPBOX_APP_KEY} are set
 * ({@code FERRY_DROPBOX_APP_SECRET} for a confidential app; {@code FERRY_DROPBOX_FOLDER}, default
 * {@code /ferry-live-test}). The app needs files.content.write, files.metadata.read and account_info.read. Files are left
 * in the folder under unique names (Ferry has no delete call; the probe deletes its own test file).
 */
class DropboxLiveIT {
    private static final String TOKEN = System.getenv("FERRY_DROPBOX_REFRESH_TOKEN");
    private static final String KEY = System.getenv("FERRY_DROPBOX_APP_KEY");

    @TempDir
    Path dir;

    @BeforeAll
    static void credentials() {
        if (TOKEN == null || TOKEN.isBlank() || KEY == null || KEY.isBlank()) {
            System.err.println("\n*** SKIPPED: DropboxLiveIT did NOT run against real Dropbox: set FERRY_DROPBOX_REFRESH_TOKEN "
                    + "and FERRY_DROPBOX_APP_KEY (and FERRY_DROPBOX_APP_SECRET for a confidential app) to run it ***\n");
            Assumptions.abort("FERRY_DROPBOX_REFRESH_TOKEN and FERRY_DROPBOX_APP_KEY are not set: live Dropbox test SKIPPED");
        }
    }

    private StorageTarget target() throws Exception {
        DropboxTarget.Builder b = DropboxTarget.builder().refreshToken(KEY, TOKEN.toCharArray())
                .baseDirectory(System.getenv().getOrDefault("FERRY_DROPBOX_FOLDER", "/ferry-live-test"))
                .chunkSize(4L * 1024 * 1024).singleUploadLimit(1024 * 1024).timeouts(Duration.ofSeconds(60));
        String secret = System.getenv("FERRY_DROPBOX_APP_SECRET");
        if (secret != null && !secret.isBlank()) {
            b.appSecret(secret.toCharArray());
        }
        return b.build();
    }

    @Test
    void probe() throws Exception {
        try (StorageTarget t = target()) {
            ProbeReport r = t.probe();
            System.out.println(r);
            assertTrue(r.ok(), r.toString());
            assertTrue(!r.toString().contains(TOKEN));
        }
    }

    @Test
    void smallAndSessionUploadsVerifiedByContentHash() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (StorageTarget t = target()) {
            UploadResult small = t.upload(Upload.of(TestFiles.random(dir, "small.bin", 200_000), "small-" + run + ".bin"));
            assertEquals(Verification.CHECKSUM, small.verification());
            UploadResult large = t.upload(Upload.of(TestFiles.random(dir, "large.bin", 9L * 1024 * 1024 + 3), "large-" + run + ".bin"));
            assertEquals(Verification.CHECKSUM, large.verification());
            assertEquals(9L * 1024 * 1024 + 3, large.bytes());
            assertTrue(!String.join("\n", large.transcript()).contains(TOKEN));
        }
    }
}
