package dev.ferry.webhook;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookSenderTest {
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("sender-test-secret-bytes".getBytes(StandardCharsets.UTF_8));
    MockWebServer server;
    final List<Duration> sleeps = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    WebhookSender sender() {
        return WebhookSender.builder().allowLoopback().sleeper(sleeps::add).backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(2)).callTimeout(Duration.ofSeconds(5)).maxAttempts(4).build();
    }

    static WebhookPayload payload() {
        return WebhookPayload.videoCopiedFtp(VideoCopiedFtp.builder().status(VideoCopiedFtp.SUCCESS).videoName("rec.mp4").size(42)
                .protocol("sftp").build());
    }

    static Map<String, String> headers(RecordedRequest r) {
        Map<String, String> h = new HashMap<>();
        for (String n : r.getHeaders().names()) {
            h.put(n, r.getHeaders().get(n));
        }
        return h;
    }

    @Test
    void jsonBodyWithAStandardSignatureIsExactAndVerifiable() throws Exception {
        server.enqueue(new MockResponse.Builder().code(204).build());
        String url = server.url("/hook").toString();
        try (WebhookSender s = sender()) {
            DeliveryResult r = s.send(WebhookRequest.builder(url, payload()).signer(WebhookSigner.standard(SECRET)).id("msg_fixed_1").build());
            assertTrue(r.delivered());
            assertEquals(1, r.attempts().size());
        }
        RecordedRequest req = server.takeRequest(5, TimeUnit.SECONDS);
        byte[] body = req.getBody().toByteArray();
        assertArrayEquals(payload().toJson().getBytes(StandardCharsets.UTF_8), body);
        assertTrue(req.getHeaders().get("Content-Type").startsWith("application/json"));
        assertEquals("msg_fixed_1", req.getHeaders().get("webhook-id"));
        String ts = req.getHeaders().get("webhook-timestamp");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring(6)), "HmacSHA256"));
        mac.update(("msg_fixed_1." + ts + ".").getBytes(StandardCharsets.UTF_8));
        assertEquals("v1," + Base64.getEncoder().encodeToString(mac.doFinal(body)), req.getHeaders().get("webhook-signature"));
        assertTrue(WebhookVerifier.standard(SECRET).verify(null, headers(req), body).valid());
    }

    @Test
    void formBodyWithThePlatformSignatureIsExactAndVerifiable() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
        String url = server.url("/pipe?account=7").toString();
        try (WebhookSender s = sender()) {
            assertTrue(s.send(WebhookRequest.builder(url, payload()).signer(WebhookSigner.pipe("acct-key-9"))
                    .encoding(WebhookRequest.Encoding.FORM).build()).delivered());
        }
        RecordedRequest req = server.takeRequest(5, TimeUnit.SECONDS);
        String json = payload().toJson();
        assertEquals("payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8), req.getBody().utf8());
        assertTrue(req.getHeaders().get("Content-Type").startsWith("application/x-www-form-urlencoded"));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("acct-key-9".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        assertEquals(Base64.getEncoder().encodeToString(mac.doFinal((url + json).getBytes(StandardCharsets.UTF_8))),
                req.getHeaders().get("X-Pipe-Signature"));
        assertTrue(WebhookVerifier.pipe("acct-key-9").verify(url, headers(req), req.getBody().toByteArray()).valid());
    }

    @Test
    void retriesOn500And503And429WithRetryAfterKeepingTheSameId() throws Exception {
        server.enqueue(new MockResponse.Builder().code(500).build());
        server.enqueue(new MockResponse.Builder().code(503).build());
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "7").build());
        server.enqueue(new MockResponse.Builder().code(200).build());
        try (WebhookSender s = sender()) {
            DeliveryResult r = s.send(WebhookRequest.builder(server.url("/h").toString(), payload()).signer(WebhookSigner.standard(SECRET)).build());
            assertTrue(r.delivered());
            assertEquals(List.of(500, 503, 429, 200), r.attempts().stream().map(DeliveryResult.Attempt::status).toList());
        }
        String id = null;
        for (int i = 0; i < 4; i++) {
            String got = server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("webhook-id");
            if (id == null) {
                id = got;
            }
            assertEquals(id, got, "the same id on every attempt");
        }
        assertEquals(3, sleeps.size());
        assertEquals(Duration.ofSeconds(7), sleeps.get(2), "Retry-After honoured");
        assertTrue(sleeps.get(1).compareTo(sleeps.get(0)) > 0 || sleeps.get(0).toMillis() <= 120, "exponential backoff: " + sleeps);
    }

    @Test
    void noRetryOn400Or401AndRedirectsAreNotFollowed() throws Exception {
        for (int code : new int[] {400, 401, 302}) {
            MockResponse.Builder b = new MockResponse.Builder().code(code);
            if (code == 302) {
                b.addHeader("Location", server.url("/elsewhere").toString());
            }
            server.enqueue(b.build());
            try (WebhookSender s = sender()) {
                DeliveryResult r = s.send(WebhookRequest.builder(server.url("/h").toString(), payload()).build());
                assertFalse(r.delivered());
                assertEquals(1, r.attempts().size(), "code " + code);
                assertEquals(code, r.lastStatus());
            }
        }
        assertEquals(3, server.getRequestCount());
    }

    @Test
    void aSlowReceiverTimesOutAndIsRetried() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).headersDelay(4, TimeUnit.SECONDS).build());
        server.enqueue(new MockResponse.Builder().code(200).build());
        try (WebhookSender s = WebhookSender.builder().allowLoopback().sleeper(sleeps::add).readTimeout(Duration.ofMillis(500)).maxAttempts(2).build()) {
            DeliveryResult r = s.send(WebhookRequest.builder(server.url("/h").toString(), payload()).build());
            assertTrue(r.delivered());
            assertEquals(-1, r.attempts().get(0).status());
            assertTrue(r.attempts().get(0).error().toLowerCase(java.util.Locale.ROOT).matches(".*(timeout|timed out).*"), r.attempts().get(0).error());
        }
    }

    @Test
    void badUrlsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> WebhookRequest.builder("ftp://x/y", payload()).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WebhookRequest.builder("https://user:hunter2@example.com/h", payload()).build());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WebhookRequest.builder("not a url", payload()).build());
    }

    @Test
    void theAsyncQueueIsBoundedAndShutdownReportsWhatIsPending() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        WebhookSender s = WebhookSender.builder().allowLoopback().asyncThreads(1).queueCapacity(1).maxAttempts(1)
                .sleeper(d -> release.await()).build();
        server.enqueue(new MockResponse.Builder().code(200).headersDelay(1, TimeUnit.SECONDS).build());
        server.enqueue(new MockResponse.Builder().code(200).build());
        String url = server.url("/h").toString();
        CompletableFuture<DeliveryResult> first = s.sendAsync(WebhookRequest.builder(url, payload()).build());
        CompletableFuture<DeliveryResult> second = s.sendAsync(WebhookRequest.builder(url, payload()).build());
        CompletableFuture<DeliveryResult> third = s.sendAsync(WebhookRequest.builder(url, payload()).build());
        ExecutionException full = assertThrows(ExecutionException.class, () -> third.get(5, TimeUnit.SECONDS));
        assertTrue(full.getCause().getMessage().contains("queue is full"), full.getCause().getMessage());
        List<WebhookRequest> pending = s.shutdown(Duration.ofSeconds(10));
        assertTrue(pending.isEmpty(), "both finished within the grace period: " + pending);
        assertTrue(first.get().delivered());
        assertTrue(second.get().delivered());
        assertThrows(ExecutionException.class, () -> s.sendAsync(WebhookRequest.builder(url, payload()).build()).get());
        release.countDown();
        s.close();
    }

    @Test
    void closeLeavesTheCallersClientWorking() throws Exception {
        OkHttpClient mine = new OkHttpClient();
        server.enqueue(new MockResponse.Builder().code(204).build());
        server.enqueue(new MockResponse.Builder().code(200).build());
        try (WebhookSender s = WebhookSender.builder().allowLoopback().client(mine).sleeper(sleeps::add).maxAttempts(1).build()) {
            assertTrue(s.send(WebhookRequest.builder(server.url("/h").toString(), payload()).build()).delivered());
        }
        assertFalse(mine.dispatcher().executorService().isShutdown(), "the caller's dispatcher is the caller's");
        CompletableFuture<Integer> code = new CompletableFuture<>();
        mine.newCall(new Request.Builder().url(server.url("/mine")).build()).enqueue(new okhttp3.Callback() {
            @Override
            public void onFailure(okhttp3.Call call, java.io.IOException e) {
                code.completeExceptionally(e);
            }

            @Override
            public void onResponse(okhttp3.Call call, Response response) {
                response.close();
                code.complete(response.code());
            }
        });
        assertEquals(200, code.get(5, TimeUnit.SECONDS), "the caller's client still sends, asynchronously too");
        mine.dispatcher().executorService().shutdown();
        mine.connectionPool().evictAll();
    }

    @Test
    void queuedWebhooksThatNeverRanFailTheirFuturesWhenTheGraceRunsOut() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        server.enqueue(new MockResponse.Builder().code(500).build());
        server.enqueue(new MockResponse.Builder().code(200).build());
        // One thread, held in the backoff after a 500 until shutdownNow() interrupts it; the second waits in the queue.
        WebhookSender s = WebhookSender.builder().allowLoopback().asyncThreads(1).queueCapacity(5).maxAttempts(2).sleeper(d -> never.await()).build();
        String url = server.url("/h").toString();
        CompletableFuture<DeliveryResult> first = s.sendAsync(WebhookRequest.builder(url, payload()).id("msg_first").build());
        server.takeRequest(5, TimeUnit.SECONDS);
        WebhookRequest queued = WebhookRequest.builder(url, payload()).id("msg_queued").build();
        CompletableFuture<DeliveryResult> second = s.sendAsync(queued);
        List<WebhookRequest> pending = s.shutdown(Duration.ofMillis(300));
        assertTrue(pending.contains(queued), "reported as not finished: " + pending);
        ExecutionException e = assertThrows(ExecutionException.class, () -> second.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof RejectedExecutionException, e.getCause().toString());
        assertTrue(e.getCause().getMessage().contains("msg_queued"), e.getCause().getMessage());
        assertFalse(first.get(5, TimeUnit.SECONDS).delivered(), "the running one was interrupted in its backoff");
        assertEquals(1, server.getRequestCount(), "the queued one was never sent");
        s.close();
    }

    @Test
    void a2xxWhoseBodyStallsIsDeliveredAndNotSentAgain() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).body("ok").bodyDelay(3, TimeUnit.SECONDS).build());
        server.enqueue(new MockResponse.Builder().code(200).build());
        try (WebhookSender s = WebhookSender.builder().allowLoopback().sleeper(sleeps::add).readTimeout(Duration.ofMillis(500)).maxAttempts(2).build()) {
            DeliveryResult r = s.send(WebhookRequest.builder(server.url("/h").toString(), payload()).build());
            assertTrue(r.delivered(), r.toString());
            assertEquals(1, r.attempts().size(), r.toString());
            assertEquals(200, r.lastStatus());
        }
        assertEquals(1, server.getRequestCount(), "the receiver got the event once");
    }

    @Test
    void urlsInToStringAndMessagesShowNoQueryOrPassword() {
        WebhookRequest r = WebhookRequest.builder("https://customer.example/hook?token=S3cr3tT0ken", payload()).build();
        assertFalse(r.toString().contains("S3cr3tT0ken"), r.toString());
        assertTrue(r.toString().contains("https://customer.example/hook?…"), r.toString());
        assertEquals("https://customer.example/hook?…", r.redactedUrl());
        assertEquals("http://[::1]:8080/h", WebhookRequest.builder("http://[::1]:8080/h#frag-secret", payload()).build().redactedUrl());
        for (String bad : new String[] {"https://u:pw-Hunter2@customer.example/hook?token=S3cr3tT0ken",
                "https://customer.example:99999/hook?token=S3cr3tT0ken",
                "https://u:pw-Hunter2@customer.example:99999/hook?token=S3cr3tT0ken",
                "https://u:pw/Hunter2@customer.example:99999/hook#S3cr3tT0ken"}) {
            String m = assertThrows(IllegalArgumentException.class, () -> WebhookRequest.builder(bad, payload()).build()).getMessage();
            assertFalse(m.contains("S3cr3tT0ken") || m.contains("Hunter2") || m.contains("pw"), m);
            assertTrue(m.contains("customer.example"), m);
            if (bad.startsWith("https://u:")) {
                // Redaction's one rule: the user name stays, the password and the query go.
                assertTrue(m.contains("https://u:****@customer.example"), m);
            }
        }
    }

    @Test
    void theRequestsPendingAtShutdownShowNoQuery() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        server.enqueue(new MockResponse.Builder().code(500).build());
        WebhookSender s = WebhookSender.builder().allowLoopback().asyncThreads(1).maxAttempts(2).sleeper(d -> never.await()).build();
        String url = server.url("/h?token=S3cr3tT0ken").toString();
        s.sendAsync(WebhookRequest.builder(url, payload()).build());
        server.takeRequest(5, TimeUnit.SECONDS);
        s.sendAsync(WebhookRequest.builder(url, payload()).build());
        List<WebhookRequest> pending = s.shutdown(Duration.ofMillis(200)); // logged at WARN with these toString()s
        assertFalse(pending.isEmpty());
        assertFalse(pending.toString().contains("S3cr3tT0ken"), pending.toString());
        s.close();
    }
}
