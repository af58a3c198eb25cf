package dev.ferry.webhook;

import dev.ferry.webhook.WebhookVerifier.Rejection;
import dev.ferry.webhook.WebhookVerifier.Result;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A verifier that remembers what it accepted refuses the same request again within its window. */
class ReplayProtectionTest {
    static final String URL = "https://receiver.example/hooks/pipe";
    static final String KEY = "account-key-123";

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.ofEpochSecond(1_700_000_000L);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final TestClock clock = new TestClock();

    static String json(String video) {
        return "{\"version\":\"1.0\",\"event\":\"video_copied_ftp\",\"data\":{\"videoName\":\"" + video + "\"}}";
    }

    static Map<String, String> pipeHeaders(String json, String unsignedId) {
        Map<String, String> h = new HashMap<>(WebhookSigner.pipe(KEY).headers(URL, unsignedId, 0, new byte[0], json));
        h.put("webhook-id", unsignedId); // the sender adds it, but the pipe signature does not cover it
        return h;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void withoutProtectionAPipeRequestVerifiesForEver() {
        WebhookVerifier v = WebhookVerifier.pipe(KEY).withClock(clock);
        Map<String, String> h = pipeHeaders(json("a.mp4"), "msg_1");
        assertTrue(v.verify(URL, h, utf8(json("a.mp4"))).valid());
        clock.now = clock.now.plus(Duration.ofDays(365));
        assertTrue(v.verify(URL, h, utf8(json("a.mp4"))).valid(), "the weakness the docs now state plainly");
    }

    @Test
    void aPipeReplayWithinTheWindowIsRefusedWhateverItsUnsignedIdAndEncoding() {
        WebhookVerifier v = WebhookVerifier.pipe(KEY).withClock(clock).withReplayProtection(Duration.ofMinutes(10), 1000);
        String json = json("a.mp4");
        assertTrue(v.verify(URL, pipeHeaders(json, "msg_1"), utf8(json)).valid());
        clock.now = clock.now.plusSeconds(60);
        Result replay = v.verify(URL, pipeHeaders(json, "msg_1"), utf8(json));
        assertFalse(replay.valid());
        assertEquals(Rejection.REPLAYED, replay.rejection());
        assertNull(replay.payload());
        assertTrue(replay.message().contains("already accepted"), replay.message());
        assertEquals(Rejection.REPLAYED, v.verify(URL, pipeHeaders(json, "msg_fresh_id"), utf8(json)).rejection(),
                "a new webhook-id header does not make it new: the header is not signed");
        Map<String, String> form = pipeHeaders(json, "msg_2");
        form.put("Content-Type", "application/x-www-form-urlencoded");
        assertEquals(Rejection.REPLAYED, v.verify(URL, form, utf8("payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8))).rejection(),
                "nor does another encoding of the same JSON");
        assertTrue(v.verify(URL, pipeHeaders(json("b.mp4"), "msg_1"), utf8(json("b.mp4"))).valid(), "another body is new");
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        assertTrue(v.verify(URL, pipeHeaders(json, "msg_1"), utf8(json)).valid(), "forgotten after the window");
    }

    @Test
    void forgedRequestsAreNotRememberedSoTheyCannotBlockTheRealOne() {
        WebhookVerifier v = WebhookVerifier.pipe(KEY).withClock(clock).withReplayProtection(Duration.ofMinutes(10), 1000);
        String json = json("a.mp4");
        Map<String, String> forged = new HashMap<>(WebhookSigner.pipe("not-the-key").headers(URL, "x", 0, new byte[0], json));
        assertEquals(Rejection.SIGNATURE_MISMATCH, v.verify(URL, forged, utf8(json)).rejection());
        assertTrue(v.verify(URL, pipeHeaders(json, "msg_1"), utf8(json)).valid());
    }

    @Test
    void standardWebhooksAreDeduplicatedByTheirSignedId() {
        String secret = SignaturesTest.SECRET;
        WebhookVerifier v = WebhookVerifier.standard(secret).withClock(clock).withReplayProtection(Duration.ofMinutes(10), 1000);
        byte[] body = utf8(json("a.mp4"));
        long ts = clock.now.getEpochSecond();
        assertTrue(v.verify(null, WebhookSigner.standard(secret).headers(URL, "msg_1", ts, body, null), body).valid());
        // The sender's retry, or a replay: same id, fresh timestamp and signature.
        clock.now = clock.now.plusSeconds(30);
        Result again = v.verify(null, WebhookSigner.standard(secret).headers(URL, "msg_1", ts + 30, body, null), body);
        assertEquals(Rejection.REPLAYED, again.rejection());
        assertTrue(again.message().contains("msg_1"), again.message());
        assertTrue(v.verify(null, WebhookSigner.standard(secret).headers(URL, "msg_2", ts + 30, body, null), body).valid(), "a new id");
        // Copies made afterwards share the memory.
        assertEquals(Rejection.REPLAYED, v.withTolerance(Duration.ofMinutes(6)).verify(null,
                WebhookSigner.standard(secret).headers(URL, "msg_2", ts + 30, body, null), body).rejection());
    }

    @Test
    void memoryIsBoundedTheOldestBeingForgottenFirst() {
        WebhookVerifier v = WebhookVerifier.pipe(KEY).withClock(clock).withReplayProtection(Duration.ofHours(1), 3);
        for (int i = 0; i < 5; i++) {
            assertTrue(v.verify(URL, pipeHeaders(json(i + ".mp4"), "m"), utf8(json(i + ".mp4"))).valid());
        }
        assertEquals(Rejection.REPLAYED, v.verify(URL, pipeHeaders(json("4.mp4"), "m"), utf8(json("4.mp4"))).rejection());
        assertTrue(v.verify(URL, pipeHeaders(json("0.mp4"), "m"), utf8(json("0.mp4"))).valid(), "evicted past 3 entries");
    }

    @Test
    void aWindowOrSizeOutOfRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> WebhookVerifier.pipe(KEY).withReplayProtection(Duration.ZERO, 10));
        assertThrows(IllegalArgumentException.class, () -> WebhookVerifier.pipe(KEY).withReplayProtection(Duration.ofMinutes(1), 0));
        assertTrue(WebhookVerifier.pipe(KEY).withReplayProtection(Duration.ofMinutes(1), 5).toString().contains("replay window=PT1M"));
    }
}
