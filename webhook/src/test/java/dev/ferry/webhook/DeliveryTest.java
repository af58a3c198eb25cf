package dev.ferry.webhook;

import dev.ferry.core.BatchResult;
import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ContentSource;
import dev.ferry.core.Credentials;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TargetInfo;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.AbstractStorageTarget;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryTest {
    /** A map-backed target for the flow's logic; the protocol modules are tested on their own. */
    static final class MapTarget implements StorageTarget {
        final Map<String, byte[]> files = new ConcurrentHashMap<>();
        final String protocol;
        final TargetInfo info;
        final ConnectionInfo connection;
        final String location;
        volatile TransferException failNext;

        MapTarget(String protocol) {
            this(protocol, new TargetInfo(protocol, "h", 21, "/in", protocol + "://u@h/in"),
                    new ConnectionInfo("TLSv1.3", null, null, null), protocol + "://h/in/");
        }

        /** A target that reports as the given target info, connection and location prefix do. */
        MapTarget(String protocol, TargetInfo info, ConnectionInfo connection, String location) {
            this.protocol = protocol;
            this.info = info;
            this.connection = connection;
            this.location = location;
        }

        @Override
        public UploadResult upload(Upload upload) throws TransferException {
            return uploadAll(List.of(upload)).files().get(0);
        }

        @Override
        public BatchResult uploadAll(List<Upload> uploads) throws TransferException {
            if (failNext != null) {
                TransferException e = failNext;
                failNext = null;
                throw e;
            }
            List<UploadResult> out = new ArrayList<>();
            for (Upload u : uploads) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try (InputStream in = u.source().open()) {
                    in.transferTo(b);
                } catch (java.io.IOException e) {
                    throw new TransferException(TransferException.Reason.BAD_INPUT, e.getMessage(), e);
                }
                files.put("/in/" + u.remotePath(), b.toByteArray());
                out.add(new UploadResult("/in/" + u.remotePath(), b.size(), Duration.ZERO, 1, protocol, Verification.SIZE,
                        location + u.remotePath(), 0, connection, List.of()));
            }
            return new BatchResult(out, Duration.ZERO, 1, protocol, null, List.of());
        }

        @Override
        public ProbeReport probe() {
            throw new UnsupportedOperationException();
        }

        @Override
        public TargetInfo info() {
            return info;
        }

        @Override
        public void close() {
        }
    }

    static List<Upload> recording() {
        return List.of(Upload.builder().source(ContentSource.ofBytes("video".getBytes(StandardCharsets.UTF_8))).remotePath("rec-42.mp4").build(),
                Upload.builder().source(ContentSource.ofBytes("thumb".getBytes(StandardCharsets.UTF_8))).remotePath("rec-42.jpg").build());
    }

    @Test
    void deliversThenNotifiesAndIsIdempotent() throws Exception {
        String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString("delivery-secret".getBytes(StandardCharsets.UTF_8));
        MapTarget target = new MapTarget("sftp");
        try (MockWebServer server = new MockWebServer(); WebhookSender sender = WebhookSender.builder().allowLoopback().sleeper(d -> { }).build()) {
            server.start(InetAddress.getLoopbackAddress(), 0);
            server.enqueue(new MockResponse.Builder().code(200).build());
            server.enqueue(new MockResponse.Builder().code(200).build());
            Delivery d = Delivery.builder(target, sender, server.url("/hook").toString()).signer(WebhookSigner.standard(secret)).build();
            Delivery.Outcome first = d.deliver("rec-42", recording(), b -> b.duration(12.5).payload("customer-ref"));
            Delivery.Outcome again = d.deliver("rec-42", recording(), b -> b.duration(12.5).payload("customer-ref"));
            assertTrue(first.ok() && again.ok());
            assertArrayEquals("video".getBytes(StandardCharsets.UTF_8), target.files.get("/in/rec-42.mp4"));
            RecordedRequest r1 = server.takeRequest(5, TimeUnit.SECONDS);
            RecordedRequest r2 = server.takeRequest(5, TimeUnit.SECONDS);
            assertEquals("msg_rec-42_copied", r1.getHeaders().get("webhook-id"));
            assertEquals(r1.getHeaders().get("webhook-id"), r2.getHeaders().get("webhook-id"), "the same id when run again");
            VideoCopiedFtp data = WebhookPayload.parse(r1.getBody().utf8()).data(VideoCopiedFtp.class);
            assertEquals("sftp", data.protocol());
            assertEquals("rec-42.mp4", data.videoName());
            assertEquals(5L, data.size());
            assertEquals("customer-ref", data.payload());
        }
    }

    /** What the S3 provider reports for s3://recordings/in on AWS in eu-west-1. */
    static MapTarget s3Target() {
        return new MapTarget("s3", new TargetInfo("s3", "recordings.s3.eu-west-1.amazonaws.com", 443, "/in", "s3://recordings/in/"),
                new ConnectionInfo("TLS", null, null, "S3 recordings.s3.eu-west-1.amazonaws.com:443 (region eu-west-1)"),
                "https://recordings.s3.eu-west-1.amazonaws.com/in/");
    }

    @Test
    void anS3TargetSendsVideoCopiedS3WithBucketRegionAndUrl() throws Exception {
        MapTarget target = s3Target();
        try (MockWebServer server = new MockWebServer(); WebhookSender sender = WebhookSender.builder().allowLoopback().build()) {
            server.start(InetAddress.getLoopbackAddress(), 0);
            server.enqueue(new MockResponse.Builder().code(200).build());
            Delivery.Outcome o = Delivery.builder(target, sender, server.url("/hook").toString()).build()
                    .deliver("rec-42", recording(), b -> b.duration(12.5).payload("customer-ref").httpReferer("https://site.example/rec"));
            assertTrue(o.ok());
            RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
            assertEquals("msg_rec-42_copied", r.getHeaders().get("webhook-id"));
            WebhookPayload p = WebhookPayload.parse(r.getBody().utf8());
            assertEquals(WebhookEvent.VIDEO_COPIED_S3, p.event());
            VideoCopiedS3 data = p.data(VideoCopiedS3.class);
            assertEquals(new VideoCopiedS3("upload success", "rec-42.mp4", 5L, "recordings", "eu-west-1",
                    "https://recordings.s3.eu-west-1.amazonaws.com/in/rec-42.mp4", "rec-42", "customer-ref",
                    "https://site.example/rec"), data);
            assertFalse(r.getBody().utf8().contains("protocol"), r.getBody().utf8());
        }
    }

    @Test
    void aFailedS3UploadSendsVideoCopiedS3WithTheFailure() throws Exception {
        MapTarget target = s3Target();
        target.failNext = new TransferException(TransferException.Reason.AUTH, "PutObject s3://recordings/in/rec-42.mp4 failed");
        try (MockWebServer server = new MockWebServer(); WebhookSender sender = WebhookSender.builder().allowLoopback().build()) {
            server.start(InetAddress.getLoopbackAddress(), 0);
            server.enqueue(new MockResponse.Builder().code(200).build());
            Delivery.Outcome o = Delivery.builder(target, sender, server.url("/hook").toString()).build().deliver("rec-7", recording(), b -> b);
            assertEquals(TransferException.Reason.AUTH, o.failure().reason());
            RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
            assertEquals("msg_rec-7_failed", r.getHeaders().get("webhook-id"));
            VideoCopiedS3 data = WebhookPayload.parse(r.getBody().utf8()).data(VideoCopiedS3.class);
            assertTrue(data.s3UploadStatus().startsWith("upload failed: AUTH"), data.s3UploadStatus());
            assertEquals("rec-42.mp4", data.videoName());
            assertEquals("recordings", data.bucket());
            assertEquals("eu-west-1", data.region());
            assertNull(data.url());
        }
    }

    @Test
    void aFailedUploadSendsTheFailureEventInstead() throws Exception {
        MapTarget target = new MapTarget("ftps");
        target.failNext = new TransferException(TransferException.Reason.AUTH, "530 Login incorrect.");
        try (MockWebServer server = new MockWebServer(); WebhookSender sender = WebhookSender.builder().allowLoopback().build()) {
            server.start(InetAddress.getLoopbackAddress(), 0);
            server.enqueue(new MockResponse.Builder().code(200).build());
            Delivery.Outcome o = Delivery.builder(target, sender, server.url("/hook").toString()).build().deliver("rec-7", recording(), b -> b);
            assertEquals(TransferException.Reason.AUTH, o.failure().reason());
            assertNull(o.files());
            RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
            assertEquals("msg_rec-7_failed", r.getHeaders().get("webhook-id"));
            VideoCopiedFtp data = WebhookPayload.parse(r.getBody().utf8()).data(VideoCopiedFtp.class);
            assertTrue(data.ftpUploadStatus().startsWith("upload failed: AUTH"));
            assertEquals("ftp", data.protocol());
            assertTrue(target.files.isEmpty());
        }
    }

    /** A target whose server echoes the password in its refusal, as some FTP servers do ("530 ... PASS <password>"). */
    static final class EchoingTarget extends AbstractStorageTarget {
        EchoingTarget(TargetConfig config) {
            super(config, "ftps", 21);
        }

        @Override
        protected Session connect(Transcript t) throws TransferException {
            String pw = new String(config().credentials().password().orElseThrow());
            t.sent("PASS " + pw);
            t.received("530 Login incorrect for PASS " + pw);
            // Built as a careless provider would: no transcript, the reply as it came.
            throw TransferException.builder(TransferException.Reason.AUTH, "the server refused the login (530 Login incorrect for PASS "
                    + pw + ")").serverReply("530 Login incorrect for PASS " + pw).build();
        }

        @Override
        public ProbeReport probe() {
            throw new UnsupportedOperationException();
        }

        @Override
        public TargetInfo info() {
            return new TargetInfo("ftps", "h", 21, "/in", config().redactedUri());
        }
    }

    @Test
    void theFailureWebhookCarriesNoPasswordTheServerEchoed() throws Exception {
        String pw = "Echo-Me-Pw-61a7";
        TargetConfig cfg = TargetConfig.builder("ftps://alice@h/in").credentials(Credentials.password("alice", pw.toCharArray()))
                .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build();
        try (EchoingTarget target = new EchoingTarget(cfg); MockWebServer server = new MockWebServer();
             WebhookSender sender = WebhookSender.builder().allowLoopback().build()) {
            server.start(InetAddress.getLoopbackAddress(), 0);
            server.enqueue(new MockResponse.Builder().code(200).build());
            Delivery.Outcome o = Delivery.builder(target, sender, server.url("/hook").toString()).build().deliver("rec-8", recording(), b -> b);
            assertEquals(TransferException.Reason.AUTH, o.failure().reason());
            assertEquals("530 Login incorrect for PASS ****", o.failure().serverReply());
            RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
            String body = r.getBody().utf8();
            assertFalse(body.contains(pw), body);
            VideoCopiedFtp data = WebhookPayload.parse(body).data(VideoCopiedFtp.class);
            assertTrue(data.ftpUploadStatus().contains("530 Login incorrect for PASS ****"), data.ftpUploadStatus());
            assertFalse(o.failure().toString().contains(pw) || String.join("\n", o.failure().transcript()).contains(pw));
        }
    }
}
