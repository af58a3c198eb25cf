package dev.ferry.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.webhook.WebhookVerifier;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ferry webhook send} and {@code verify}, run from the jar, against a MockWebServer on loopback. */
class WebhookCliIT {
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("cli-secret-0a9f".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    @Test
    void sendsASignedVideoCopiedFtpAndVerifiesWhatWasReceived() throws Exception {
        Path data = Files.writeString(dir.resolve("data.json"),
                "{\"ftpUploadStatus\":\"upload success\",\"videoName\":\"rec.mp4\",\"size\":12,\"protocol\":\"sftp\"}");
        try (MockWebServer server = new MockWebServer()) {
            server.start(InetAddress.getLoopbackAddress(), 0);
            server.enqueue(new MockResponse.Builder().code(500).build());
            server.enqueue(new MockResponse.Builder().code(200).build());
            String url = server.url("/hook").toString();
            Map<String, String> env = Map.of("FERRY_HOOK_SECRET", SECRET);
            JarRunner.Result r = JarRunner.run(env, "webhook", "send", "--json", "--allow-private", "--url", url, "--event", "video_copied_ftp",
                    "--data-file", data.toString(), "--secret-env", "FERRY_HOOK_SECRET", "--id", "msg_cli_1");
            assertEquals(0, r.exit(), r.out() + r.err());
            JsonNode n = new ObjectMapper().readTree(r.out());
            assertEquals(2, n.get("attempts").size());
            assertFalse((r.out() + r.err()).contains(SECRET));
            server.takeRequest(5, TimeUnit.SECONDS);
            RecordedRequest req = server.takeRequest(5, TimeUnit.SECONDS);
            Map<String, String> headers = new HashMap<>();
            for (String name : req.getHeaders().names()) {
                headers.put(name, req.getHeaders().get(name));
            }
            assertEquals("msg_cli_1", headers.get("webhook-id"));
            assertTrue(new String(req.getBody().toByteArray(), StandardCharsets.UTF_8).contains("\"protocol\":\"sftp\""));
            assertTrue(WebhookVerifier.standard(SECRET).verify(url, headers, req.getBody().toByteArray()).valid());

            Path body = Files.write(dir.resolve("body"), req.getBody().toByteArray());
            String[] args = {"webhook", "verify", "--url", url, "--secret-env", "FERRY_HOOK_SECRET", "--body-file", body.toString(),
                    "--header", "webhook-id: " + headers.get("webhook-id"), "--header", "webhook-timestamp: " + headers.get("webhook-timestamp"),
                    "--header", "webhook-signature: " + headers.get("webhook-signature")};
            assertEquals(0, JarRunner.run(env, args).exit());
            Files.writeString(body, "{\"tampered\":true}");
            JarRunner.Result bad = JarRunner.run(env, args);
            assertEquals(3, bad.exit(), bad.out());
            assertTrue(bad.out().contains("SIGNATURE_MISMATCH"), bad.out());
        }
    }

    @Test
    void aMissingSecretOrBadUrlIsUsageError() throws Exception {
        Path data = Files.writeString(dir.resolve("d.json"), "{\"ftpUploadStatus\":\"x\",\"videoName\":\"a\",\"protocol\":\"ftp\"}");
        assertEquals(2, JarRunner.run(Map.of(), "webhook", "send", "--url", "http://127.0.0.1:9/h", "--event", "video_copied_ftp",
                "--data-file", data.toString(), "--secret-env", "FERRY_SURELY_UNSET_42").exit());
        assertEquals(2, JarRunner.run(Map.of("S", SECRET), "webhook", "send", "--url", "https://u:p@127.0.0.1/h", "--event",
                "video_copied_ftp", "--data-file", data.toString(), "--secret-env", "S").exit());
    }
}
