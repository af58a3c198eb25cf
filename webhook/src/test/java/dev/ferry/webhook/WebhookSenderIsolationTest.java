package dev.ferry.webhook;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.ferry.webhook.WebhookSenderTest.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One slow receiver must not hold up webhooks to the others: Retry-After is capped, sends per destination are limited. */
class WebhookSenderIsolationTest {
    MockWebServer slow;
    MockWebServer fast;
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        slow = new MockWebServer();
        slow.start(InetAddress.getLoopbackAddress(), 0);
        fast = new MockWebServer();
        fast.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() {
        slow.close();
        fast.close();
    }

    static WebhookRequest to(MockWebServer s, String id) {
        return WebhookRequest.builder(s.url("/h").toString(), payload()).id(id).build();
    }

    @Test
    void retryAfterIsCappedAt30SecondsByDefaultAndAsConfigured() throws Exception {
        String farDate = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusHours(2));
        for (String retryAfter : new String[] {"300", farDate}) {
            slow.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", retryAfter).build());
            slow.enqueue(new MockResponse.Builder().code(200).build());
        }
        try (WebhookSender s = WebhookSender.builder().allowLoopback().sleeper(sleeps::add).build()) {
            assertTrue(s.send(to(slow, "msg_a")).delivered());
            assertTrue(s.send(to(slow, "msg_b")).delivered());
        }
        assertEquals(List.of(Duration.ofSeconds(30), Duration.ofSeconds(30)), sleeps, "Retry-After: 300 and a date 2 h ahead");
        sleeps.clear();
        slow.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "300").build());
        slow.enqueue(new MockResponse.Builder().code(200).build());
        try (WebhookSender s = WebhookSender.builder().allowLoopback().sleeper(sleeps::add).maxRetryAfter(Duration.ofSeconds(5)).build()) {
            assertTrue(s.send(to(slow, "msg_c")).delivered());
        }
        assertEquals(List.of(Duration.ofSeconds(5)), sleeps);
    }

    @Test
    void aWaitThatWouldOutlastTheDeadlineEndsTheSendAtOnceAsRetryable() {
        slow.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "20").build());
        try (WebhookSender s = WebhookSender.builder().allowLoopback().sleeper(sleeps::add).deliveryTimeout(Duration.ofSeconds(5)).build()) {
            DeliveryResult r = s.send(to(slow, "msg_d"));
            assertEquals(DeliveryResult.Failure.UNAVAILABLE, r.failure());
            assertTrue(r.retryable());
            assertEquals(1, r.attempts().size());
        }
        assertTrue(sleeps.isEmpty(), "did not wait 20 s only to give up: " + sleeps);
    }

    @Test
    void queuedSendsToASlowReceiverDoNotDelaySendsToAnother() throws Exception {
        // Each attempt to the slow receiver answers 429 with Retry-After: 300 (30 s after the cap): the old sender's two
        // threads both slept there, and every other webhook waited behind them.
        for (int i = 0; i < 10; i++) {
            slow.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "300").build());
        }
        fast.enqueue(new MockResponse.Builder().code(200).build());
        WebhookSender s = WebhookSender.builder().allowLoopback().build(); // the default threads, limits and the real sleeper
        List<CompletableFuture<DeliveryResult>> slowOnes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            slowOnes.add(s.sendAsync(to(slow, "msg_slow_" + i)));
        }
        assertTrue(slow.takeRequest(5, TimeUnit.SECONDS) != null && slow.takeRequest(5, TimeUnit.SECONDS) != null, "two in flight");
        long t0 = System.nanoTime();
        DeliveryResult quick = s.sendAsync(to(fast, "msg_fast")).get(5, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(quick.delivered(), quick.toString());
        assertTrue(millis < 2000, "the other receiver's webhook took " + millis + " ms");
        assertEquals(2, slow.getRequestCount(), "no more than the limit of 2 in flight to the slow receiver");
        assertTrue(slowOnes.stream().noneMatch(CompletableFuture::isDone), "the slow ones are still waiting, not dropped");
        List<WebhookRequest> pending = s.shutdown(Duration.ZERO);
        assertEquals(4, pending.size(), "the four that waited in line never ran: " + pending);
        for (CompletableFuture<DeliveryResult> f : slowOnes) {
            try {
                DeliveryResult r = f.get(5, TimeUnit.SECONDS); // one that was sleeping on Retry-After, interrupted
                assertEquals(DeliveryResult.Failure.INTERRUPTED, r.failure());
            } catch (ExecutionException e) {
                assertTrue(e.getCause().getMessage().contains("shut down before webhook msg_slow_"), e.getCause().getMessage());
            }
        }
        s.close();
    }

    @Test
    void aBlockingSendToABusyDestinationFailsAtItsDeadlineAsRetryableWithoutSending() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        slow.enqueue(new MockResponse.Builder().code(500).build());
        slow.enqueue(new MockResponse.Builder().code(200).build());
        fast.enqueue(new MockResponse.Builder().code(200).build());
        try (WebhookSender s = WebhookSender.builder().allowLoopback().maxInFlightPerDestination(1).maxAttempts(2)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(10)).deliveryTimeout(Duration.ofMillis(800)).sleeper(d -> hold.await()).build()) {
            // Holds the only permit for the slow receiver: answered 500, it waits for its retry.
            CompletableFuture<DeliveryResult> holder = CompletableFuture.supplyAsync(() -> s.send(to(slow, "msg_holder")));
            slow.takeRequest(5, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            DeliveryResult busy = s.send(to(slow, "msg_second"));
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(DeliveryResult.Failure.DESTINATION_BUSY, busy.failure(), busy.toString());
            assertTrue(busy.retryable());
            assertTrue(busy.lastError().contains("nothing was sent") && busy.lastError().contains("in flight"), busy.lastError());
            assertTrue(waited >= 500 && waited < 3000, "waited " + waited + " ms for a deadline of 800 ms");
            assertEquals(1, slow.getRequestCount(), "the second webhook was not sent");
            assertTrue(s.send(to(fast, "msg_other")).delivered(), "another destination is not held up meanwhile");
            hold.countDown();
            holder.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aQueuedSendWaitsWithoutAThreadAndEndsAsBusyAtItsDeadline() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        slow.enqueue(new MockResponse.Builder().code(500).build());
        slow.enqueue(new MockResponse.Builder().code(200).build());
        fast.enqueue(new MockResponse.Builder().code(200).build());
        try (WebhookSender s = WebhookSender.builder().allowLoopback().asyncThreads(2).maxInFlightPerDestination(1).maxAttempts(2)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(10)).deliveryTimeout(Duration.ofMillis(800)).sleeper(d -> hold.await()).build()) {
            CompletableFuture<DeliveryResult> holder = s.sendAsync(to(slow, "msg_holder"));
            slow.takeRequest(5, TimeUnit.SECONDS);
            CompletableFuture<DeliveryResult> queued = s.sendAsync(to(slow, "msg_queued"));
            // Two threads: one holds the slow receiver; had the queued one taken the other, this would wait.
            assertTrue(s.sendAsync(to(fast, "msg_other")).get(2, TimeUnit.SECONDS).delivered());
            DeliveryResult busy = queued.get(5, TimeUnit.SECONDS);
            assertEquals(DeliveryResult.Failure.DESTINATION_BUSY, busy.failure(), busy.toString());
            assertEquals(1, slow.getRequestCount());
            hold.countDown();
            holder.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void optionsOutOfRangeAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebhookSender.builder().maxInFlightPerDestination(0).build())
                .getMessage().contains("maxInFlightPerDestination"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebhookSender.builder().deliveryTimeout(Duration.ZERO).build())
                .getMessage().contains("deliveryTimeout"));
        try (WebhookSender s = WebhookSender.builder().build()) {
            assertTrue(s.toString().contains("AddressPolicy[PUBLIC]"), "public only by default: " + s);
        }
    }
}
