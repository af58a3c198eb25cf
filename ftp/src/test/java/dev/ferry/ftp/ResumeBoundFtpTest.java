package dev.ferry.ftp;

import dev.ferry.core.ContentSource;
import dev.ferry.core.Credentials;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargets;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.ftp.testing.ScriptedFtpServer;
import dev.ferry.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A retry resumes the temporary file no further than Ferry sent to it, whatever size the server reports. */
class ResumeBoundFtpTest {
    @Test
    void aTemporaryFileGrownBetweenAttemptsIsWrittenAgainFromTheStart() throws Exception {
        // Larger than what loopback buffers hold when the server resets the data connection after 1 MB.
        byte[] content = new byte[32 << 20];
        new Random(11).nextBytes(content);
        try (ScriptedFtpServer server = new ScriptedFtpServer(null)) {
            int[] stors = {0};
            server.on("STOR", a -> ++stors[0] == 1 ? "after-bytes:1000000:426 Connection closed; transfer aborted." : null);
            // Before the retry looks at it, someone grows the temporary file to one byte short of the source.
            server.on("SIZE", a -> {
                byte[] kept = server.files().get(a);
                if (a.endsWith(Upload.TEMP_SUFFIX) && kept != null && kept.length < content.length - 1) {
                    byte[] grown = Arrays.copyOf(kept, content.length - 1);
                    Arrays.fill(grown, kept.length, grown.length, (byte) 'X');
                    server.files().put(a, grown);
                }
                return null;
            });
            TargetConfig cfg = TargetConfig.builder(URI.create("ftp://bob@127.0.0.1:" + server.port() + "/in"))
                    .credentials(Credentials.password("bob", "Resume-Pw".toCharArray())).timeouts(Duration.ofSeconds(20))
                    .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(10)).build()).build();
            try (StorageTarget t = StorageTargets.open(cfg)) {
                UploadResult r = t.upload(Upload.builder().source(ContentSource.ofBytes(content)).remotePath("big.bin").build());
                assertEquals(2, r.attempts());
                assertEquals(0, r.resumedFrom(), "not resumed after bytes Ferry did not send");
                assertTrue(r.transcript().stream().anyMatch(l -> l.contains("the rest is not this upload's")),
                        String.join("\n", r.transcript()));
            }
            assertEquals(TestFiles.sha256(content), TestFiles.sha256(server.files().get("big.bin")));
            assertEquals(2, stors[0], "written again with STOR, not appended to: " + server.commands());
            assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("APPE")), server.commands().toString());
        }
    }
}
