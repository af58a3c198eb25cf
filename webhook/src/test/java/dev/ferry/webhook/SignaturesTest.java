package dev.ferry.webhook;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignaturesTest {
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    static String independentHmac(String alg, byte[] key, String msg) throws Exception {
        Mac m = Mac.getInstance(alg);
        m.init(new SecretKeySpec(key, alg));
        return Base64.getEncoder().encodeToString(m.doFinal(msg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void thePublishedStandardWebhooksVectorVerifies() throws Exception {
        String id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        long ts = 1614265330;
        String body = "{\"test\": 2432232314}";
        String expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        assertEquals(expected, "v1," + independentHmac("HmacSHA256", Base64.getDecoder().decode(SECRET.substring(6)),
                id + "." + ts + "." + body), "the JDK Mac agrees with the published vector");
        Map<String, String> h = WebhookSigner.standard(SECRET).headers("https://x", id, ts, body.getBytes(StandardCharsets.UTF_8), body);
        assertEquals(expected, h.get("webhook-signature"));
        WebhookVerifier v = WebhookVerifier.standard(SECRET).withClock(Clock.fixed(Instant.ofEpochSecond(ts + 10), ZoneOffset.UTC));
        assertTrue(v.verify(null, Map.of("webhook-id", id, "webhook-timestamp", "" + ts, "webhook-signature", expected),
                body.getBytes(StandardCharsets.UTF_8)).valid());
    }

    @Test
    void standardVerificationRejectsTamperingOldTimestampsAndMissingHeaders() {
        long ts = 1_700_000_000L;
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> h = WebhookSigner.standard(SECRET).headers("u", "msg_1", ts, body, "{\"a\":1}");
        WebhookVerifier v = WebhookVerifier.standard(SECRET).withClock(Clock.fixed(Instant.ofEpochSecond(ts), ZoneOffset.UTC));
        assertTrue(v.verify(null, h, body).valid());
        assertEquals(WebhookVerifier.Rejection.SIGNATURE_MISMATCH,
                v.verify(null, h, "{\"a\":2}".getBytes(StandardCharsets.UTF_8)).rejection());
        WebhookVerifier late = v.withClock(Clock.fixed(Instant.ofEpochSecond(ts + 301), ZoneOffset.UTC));
        assertEquals(WebhookVerifier.Rejection.TIMESTAMP_OUT_OF_TOLERANCE, late.verify(null, h, body).rejection());
        assertTrue(late.withTolerance(Duration.ofMinutes(10)).verify(null, h, body).valid());
        assertEquals(WebhookVerifier.Rejection.MISSING_HEADER, v.verify(null, Map.of("webhook-id", "x"), body).rejection());
        // Key rotation: several signatures, one of them valid.
        Map<String, String> rotated = new java.util.HashMap<>(h);
        rotated.put("Webhook-Signature", "v1,AAAA " + h.get("webhook-signature"));
        rotated.remove("webhook-signature");
        assertTrue(v.verify(null, rotated, body).valid());
        assertFalse(WebhookVerifier.standard("whsec_" + Base64.getEncoder().encodeToString("other".getBytes(StandardCharsets.UTF_8)))
                .withClock(Clock.fixed(Instant.ofEpochSecond(ts), ZoneOffset.UTC)).verify(null, h, body).valid());
    }

    @Test
    void thePlatformSignatureIsHmacSha1OverUrlAndJson() throws Exception {
        String url = "https://example.com/hooks/pipe";
        String json = "{\"version\":\"1.0\",\"event\":\"video_copied_ftp\",\"data\":{}}";
        Map<String, String> h = WebhookSigner.pipe("account-key-123").headers(url, "id", 0, json.getBytes(StandardCharsets.UTF_8), json);
        assertEquals(independentHmac("HmacSHA1", "account-key-123".getBytes(StandardCharsets.UTF_8), url + json), h.get("X-Pipe-Signature"));
        WebhookVerifier v = WebhookVerifier.pipe("account-key-123");
        assertTrue(v.verify(url, h, json.getBytes(StandardCharsets.UTF_8)).valid());
        assertEquals(WebhookVerifier.Rejection.SIGNATURE_MISMATCH, v.verify(url + "x", h, json.getBytes(StandardCharsets.UTF_8)).rejection());
        // A form-encoded body is verified over the JSON in its payload field.
        String form = "payload=" + java.net.URLEncoder.encode(json, StandardCharsets.UTF_8);
        Map<String, String> fh = new java.util.HashMap<>(h);
        fh.put("content-type", "application/x-www-form-urlencoded");
        assertTrue(v.verify(url, fh, form.getBytes(StandardCharsets.UTF_8)).valid());
    }

    @Test
    void secretsAreValidatedAndNeverShown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WebhookSigner.standard("not-a-secret-xyz"));
        assertFalse(e.getMessage().contains("not-a-secret-xyz"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebhookSigner.standard("whsec_")).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebhookVerifier.standard(" whsec_ ")).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebhookSigner.standard("whsec_not*base64")).getMessage()
                .contains("base64"));
        assertEquals("WebhookSigner[PIPE]", WebhookSigner.pipe("k-secret-1").toString());
        assertFalse(WebhookVerifier.pipe("k-secret-1").toString().contains("k-secret-1"));
    }

    @Test
    void aPipeFormBodyMustHoldThePayloadFieldAloneAndTheVerifiedJsonIsExposed() {
        String url = "https://example.com/hooks/pipe";
        String json = "{\"version\":\"1.0\",\"event\":\"video_copied_ftp\",\"data\":{\"videoName\":\"a.mp4\"}}";
        Map<String, String> h = new java.util.HashMap<>(WebhookSigner.pipe("account-key-123").headers(url, "id", 0, new byte[0], json));
        h.put("Content-Type", "application/x-www-form-urlencoded");
        WebhookVerifier v = WebhookVerifier.pipe("account-key-123");
        String form = "payload=" + java.net.URLEncoder.encode(json, StandardCharsets.UTF_8);
        WebhookVerifier.Result ok = v.verify(url, h, form.getBytes(StandardCharsets.UTF_8));
        assertTrue(ok.valid(), ok.message());
        assertEquals(json, ok.payload(), "the receiver parses what was signed");
        String other = java.net.URLEncoder.encode("{\"version\":\"1.0\",\"event\":\"video_recorded\",\"data\":{}}", StandardCharsets.UTF_8);
        for (String tampered : new String[] {form + "&payload=" + other, "payload=" + other + "&" + form, form + "&extra=1", form + "&",
                form + ";payload=" + other, "pay%6Coad=" + other + "&" + form}) {
            WebhookVerifier.Result r = v.verify(url, h, tampered.getBytes(StandardCharsets.UTF_8));
            assertFalse(r.valid(), tampered);
            assertEquals(WebhookVerifier.Rejection.MALFORMED_HEADER, r.rejection(), tampered);
            assertEquals(null, r.payload());
        }
        // A JSON body: the payload is the body's text.
        Map<String, String> jh = WebhookSigner.pipe("account-key-123").headers(url, "id", 0, new byte[0], json);
        assertEquals(json, v.verify(url, jh, json.getBytes(StandardCharsets.UTF_8)).payload());
    }

    @Test
    void aStandardResultCarriesTheSignedJson() {
        long ts = 1_700_000_000L;
        String json = "{\"a\":1}";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        WebhookVerifier v = WebhookVerifier.standard(SECRET).withClock(Clock.fixed(Instant.ofEpochSecond(ts), ZoneOffset.UTC));
        assertEquals(json, v.verify(null, WebhookSigner.standard(SECRET).headers("u", "msg_1", ts, body, json), body).payload());
        byte[] form = ("payload=" + java.net.URLEncoder.encode(json, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        Map<String, String> fh = new java.util.HashMap<>(WebhookSigner.standard(SECRET).headers("u", "msg_1", ts, form, json));
        fh.put("Content-Type", "application/x-www-form-urlencoded");
        assertEquals(json, v.verify(null, fh, form).payload());
    }

    @Test
    void pipeBodiesAreDecodedStrictlySoOtherBytesCannotVerify() {
        String url = "https://example.com/hooks/pipe";
        // Signed text holding U+FFFD: a lenient decoder maps any invalid byte to that very character.
        String json = "{\"version\":\"1.0\",\"event\":\"video_copied_ftp\",\"data\":{\"videoName\":\"a\uFFFD.mp4\"}}";
        Map<String, String> h = WebhookSigner.pipe("account-key-123").headers(url, "id", 0, new byte[0], json);
        WebhookVerifier v = WebhookVerifier.pipe("account-key-123");
        assertTrue(v.verify(url, h, json.getBytes(StandardCharsets.UTF_8)).valid(), "the signed bytes verify");
        byte[] other = json.replace("\uFFFD", "#").getBytes(StandardCharsets.UTF_8);
        other[json.indexOf('\uFFFD')] = (byte) 0xFF;
        WebhookVerifier.Result r = v.verify(url, h, other);
        assertFalse(r.valid(), "an invalid byte is not the U+FFFD that was signed");
        assertEquals(WebhookVerifier.Rejection.MALFORMED_HEADER, r.rejection());
        assertTrue(r.message().contains("UTF-8"), r.message());

        Map<String, String> fh = new java.util.HashMap<>(h);
        fh.put("Content-Type", "application/x-www-form-urlencoded");
        String form = "payload=" + java.net.URLEncoder.encode(json, StandardCharsets.UTF_8);
        assertTrue(v.verify(url, fh, form.getBytes(StandardCharsets.UTF_8)).valid());
        for (String bad : new String[] {form.replace("%EF%BF%BD", "%FF"), form.replace("%EF%BF%BD", "%C3"), form + "%", form + "%G0"}) {
            WebhookVerifier.Result fr = v.verify(url, fh, bad.getBytes(StandardCharsets.UTF_8));
            assertEquals(WebhookVerifier.Rejection.MALFORMED_HEADER, fr.rejection(), bad);
        }
    }
}
