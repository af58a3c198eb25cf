package dev.ferry.webhook;

import dev.ferry.webhook.internal.ReplayMemory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Verifies a received webhook: for receivers. Works on the exact raw body bytes (never on re-serialized JSON),
 * compares in constant time, and for Standard Webhooks checks that the timestamp is within a tolerance (5
 * minutes by default) and accepts any of several space-separated signatures (key rotation). Reads no stream:
 * the receiver reads the body, and should bound it (a webhook is small; 1 MiB is plenty).
 *
 * <p>Replays. A Standard Webhooks signature covers the id, the timestamp and the body, so a captured request
 * stops verifying after the tolerance. The platform's {@code X-Pipe-Signature} ({@link #pipe}) covers only the
 * URL and the JSON text, joined with no separator: no timestamp, no id, not the content type. A captured pipe
 * request verifies for ever. It is kept for receivers written for the platform; prefer {@link #standard}. Either
 * way, {@link #withReplayProtection} makes the verifier refuse a request it has already accepted within a window
 * ({@link Rejection#REPLAYED}).
 *
 * <p>Immutable and thread-safe; with replay protection it remembers accepted requests (in bounded memory), and
 * the copies made by {@link #withTolerance} and {@link #withClock} share that memory.
 *
 * <pre>{@code
 * WebhookVerifier v = WebhookVerifier.standard(System.getenv("WEBHOOK_SECRET"))
 *         .withReplayProtection(Duration.ofMinutes(10), 100_000);
 * WebhookVerifier.Result r = v.verify(requestUrl, headers, rawBody);
 * if (r.rejection() == WebhookVerifier.Rejection.REPLAYED) { respond(200); } // had it already
 * else if (!r.valid()) { respond(401, r.message()); }
 * }</pre>
 */
public final class WebhookVerifier {
    /** The default timestamp tolerance. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    /** Why a request was rejected. */
    public enum Rejection {
        /** A signature header is missing. */
        MISSING_HEADER,
        /**
         * A header is not of the expected form, or (pipe style) neither is the body: it must be valid UTF-8, and a
         * form-encoded body must hold exactly one field, {@code payload}, whose %-escapes decode to valid UTF-8.
         */
        MALFORMED_HEADER,
        /** The timestamp is older or newer than the tolerance allows (a replay, or a wrong clock). */
        TIMESTAMP_OUT_OF_TOLERANCE,
        /** No signature matches: wrong secret, or the body or URL was changed. */
        SIGNATURE_MISMATCH,
        /**
         * Authentic, but accepted before within the replay window ({@link #withReplayProtection}): a replay, or the
         * sender's retry of a request that was accepted (e.g. whose answer was lost). Answer it with a {@code 2xx}
         * without acting on it again.
         */
        REPLAYED
    }

    /**
     * The outcome.
     *
     * @param valid whether the request is authentic
     * @param rejection why not, or {@code null}
     * @param message a sentence for logs (never a secret or a signature)
     * @param payload the JSON text the signature vouches for (the {@code payload} field of a form-encoded body), to
     *        hand to {@link WebhookPayload#parse}; {@code null} if the request is not valid, or if a Standard
     *        Webhooks body is form-encoded without exactly one {@code payload} field
     */
    public record Result(boolean valid, Rejection rejection, String message, String payload) {
        /** A result without the payload text. */
        public Result(boolean valid, Rejection rejection, String message) {
            this(valid, rejection, message, null);
        }

        static Result ok(String payload) {
            return new Result(true, null, "valid", payload);
        }

        static Result rejected(Rejection r, String message) {
            return new Result(false, r, message, null);
        }
    }

    private final WebhookSigner.Style style;
    private final byte[] key;
    private final Duration tolerance;
    private final Clock clock;
    /** Accepted requests, or {@code null} without replay protection. */
    private final ReplayMemory replays;

    private WebhookVerifier(WebhookSigner.Style style, byte[] key, Duration tolerance, Clock clock, ReplayMemory replays) {
        this.style = style;
        this.key = key;
        this.tolerance = tolerance;
        this.clock = clock;
        this.replays = replays;
    }

    /**
     * Verifies the platform's {@code X-Pipe-Signature}: HMAC-SHA1 over the URL and the JSON text only. It has no
     * timestamp and does not cover the webhook id or the content type, so a captured request verifies for ever:
     * add {@link #withReplayProtection}, and prefer {@link #standard} where the sender can be changed.
     */
    public static WebhookVerifier pipe(String webhookKey) {
        Objects.requireNonNull(webhookKey, "webhookKey");
        return new WebhookVerifier(WebhookSigner.Style.PIPE, webhookKey.getBytes(StandardCharsets.UTF_8), DEFAULT_TOLERANCE,
                Clock.systemUTC(), null);
    }

    /** Verifies Standard Webhooks signatures with a {@code whsec_} secret. */
    public static WebhookVerifier standard(String secret) {
        return new WebhookVerifier(WebhookSigner.Style.STANDARD, WebhookSigner.standardKey(secret), DEFAULT_TOLERANCE,
                Clock.systemUTC(), null);
    }

    /** The same verifier with another timestamp tolerance. */
    public WebhookVerifier withTolerance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative");
        }
        return new WebhookVerifier(style, key, d, clock, replays);
    }

    /** The same verifier with another clock (tests). */
    public WebhookVerifier withClock(Clock c) {
        return new WebhookVerifier(style, key, tolerance, Objects.requireNonNull(c, "clock"), replays);
    }

    /**
     * The same verifier, also refusing ({@link Rejection#REPLAYED}) a request it accepted within {@code window}
     * before: by {@code webhook-id} for Standard Webhooks (the id is signed), by URL and body for the pipe style
     * (its {@code webhook-id} header is not signed, so it cannot be trusted). Only authentic requests are
     * remembered, at most {@code maxEntries} (past that the oldest are forgotten early), so memory stays bounded.
     * For Standard Webhooks a window of twice the tolerance covers every timestamp that still verifies.
     *
     * <p>A request is remembered once it verifies: if handling it fails after that, the sender's retry comes back as
     * {@code REPLAYED}. Handle and store the event before answering, or keep your own record by id.
     *
     * @throws IllegalArgumentException if the window is not positive or {@code maxEntries} is below 1
     */
    public WebhookVerifier withReplayProtection(Duration window, int maxEntries) {
        return new WebhookVerifier(style, key, tolerance, clock, new ReplayMemory(window, maxEntries));
    }

    /**
     * Verifies a request.
     *
     * @param url the URL the request was sent to, as the sender saw it (PIPE style signs it)
     * @param headers the request headers (names in any case)
     * @param rawBody the body bytes exactly as received
     */
    public Result verify(String url, Map<String, String> headers, byte[] rawBody) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        return style == WebhookSigner.Style.PIPE ? verifyPipe(url, h, rawBody) : verifyStandard(h, rawBody);
    }

    private Result verifyPipe(String url, Map<String, String> h, byte[] body) {
        String sig = h.get(WebhookSigner.PIPE_HEADER);
        if (sig == null || sig.isBlank()) {
            return Result.rejected(Rejection.MISSING_HEADER, "no " + WebhookSigner.PIPE_HEADER + " header");
        }
        String text = strictUtf8(body);
        if (text == null) {
            return Result.rejected(Rejection.MALFORMED_HEADER, "the body is not valid UTF-8");
        }
        if (isForm(h)) {
            // The signature covers the JSON text only, not the form around it: anything else in the form is
            // unsigned, and a framework that takes the last of several 'payload' fields would act on that.
            text = formPayload(text);
            if (text == null) {
                return Result.rejected(Rejection.MALFORMED_HEADER,
                        "a form-encoded body must hold exactly one field, 'payload', of %-encoded UTF-8");
            }
        }
        String signedUrl = url == null ? "" : url;
        byte[] expected = WebhookSigner.pipeSignature(key, signedUrl, text).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, sig.strip().getBytes(StandardCharsets.US_ASCII))) {
            return Result.rejected(Rejection.SIGNATURE_MISMATCH, "the X-Pipe-Signature does not match the URL and body");
        }
        if (replays != null && !replays.firstTime("pipe:" + sha256(signedUrl, text), clock.instant())) {
            return Result.rejected(Rejection.REPLAYED, "this URL and body were already accepted within the last "
                    + replays.window().toSeconds() + " s (a replay, or a retry of a webhook already accepted)");
        }
        return Result.ok(text);
    }

    /** A digest of what a pipe signature covers; the URL's length goes first, as URL and text are not separated. */
    private static String sha256(String url, String text) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] u = url.getBytes(StandardCharsets.UTF_8);
            d.update((u.length + ":").getBytes(StandardCharsets.US_ASCII));
            d.update(u);
            return Base64.getEncoder().encodeToString(d.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private Result verifyStandard(Map<String, String> h, byte[] body) {
        String id = h.get("webhook-id");
        String ts = h.get("webhook-timestamp");
        String sigs = h.get("webhook-signature");
        if (id == null || ts == null || sigs == null) {
            return Result.rejected(Rejection.MISSING_HEADER, "webhook-id, webhook-timestamp and webhook-signature are required");
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(ts.strip());
        } catch (NumberFormatException e) {
            return Result.rejected(Rejection.MALFORMED_HEADER, "webhook-timestamp is not a number of seconds");
        }
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - timestamp) > tolerance.toSeconds()) {
            return Result.rejected(Rejection.TIMESTAMP_OUT_OF_TOLERANCE, "webhook-timestamp is " + (now - timestamp)
                    + " s away from now (tolerance " + tolerance.toSeconds() + " s)");
        }
        byte[] expected = WebhookSigner.standardSignature(key, id.strip(), timestamp, body).getBytes(StandardCharsets.US_ASCII);
        boolean any = false;
        for (String s : sigs.strip().split(" +")) {
            int comma = s.indexOf(',');
            if (comma < 0) {
                continue;
            }
            any = true;
            if (s.substring(0, comma).equals("v1")
                    && MessageDigest.isEqual(expected, s.substring(comma + 1).getBytes(StandardCharsets.US_ASCII))) {
                if (replays != null && !replays.firstTime("id:" + id.strip(), clock.instant())) {
                    return Result.rejected(Rejection.REPLAYED, "webhook-id " + id.strip() + " was already accepted within the last "
                            + replays.window().toSeconds() + " s (a replay, or a retry of a webhook already accepted)");
                }
                // The signature covers the whole body here, form or not; the payload is only for convenience.
                String text = strictUtf8(body);
                return Result.ok(text == null || !isForm(h) ? text : formPayload(text));
            }
        }
        return any ? Result.rejected(Rejection.SIGNATURE_MISMATCH, "no v1 signature matches the id, timestamp and body")
                : Result.rejected(Rejection.MALFORMED_HEADER, "webhook-signature holds no 'v1,<base64>' entry");
    }

    private static boolean isForm(Map<String, String> h) {
        return h.getOrDefault("Content-Type", "").toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    /**
     * The decoded {@code payload} field of an {@code application/x-www-form-urlencoded} body that holds that one
     * field and nothing else, or {@code null}.
     */
    static String formPayload(String body) {
        String[] pairs = body.split("&", -1);
        if (pairs.length != 1 || body.indexOf(';') >= 0) { // some parsers take ';' as a separator too
            return null;
        }
        int eq = pairs[0].indexOf('=');
        if (eq < 0 || !"payload".equals(formDecode(pairs[0].substring(0, eq)))) {
            return null;
        }
        return formDecode(pairs[0].substring(eq + 1));
    }

    /**
     * Strict UTF-8, or {@code null} for malformed input. The lenient {@code new String(bytes, UTF_8)} turns every
     * invalid sequence into U+FFFD, so bytes that differ from the signed ones would decode to the signed text.
     */
    static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Decodes a form-encoded key or value ({@code +} and {@code %XX}) to strict UTF-8, or {@code null} for a bad
     * escape or malformed UTF-8 ({@link java.net.URLDecoder} would replace those silently).
     */
    static String formDecode(String s) {
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[in.length];
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '+') {
                out[n++] = ' ';
            } else if (in[i] == '%') {
                int hi = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
                int lo = hi >= 0 ? Character.digit(in[i + 2], 16) : -1;
                if (lo < 0) {
                    return null;
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                out[n++] = in[i];
            }
        }
        return strictUtf8(Arrays.copyOf(out, n));
    }


    @Override
    public String toString() {
        return "WebhookVerifier[" + style + ", tolerance=" + tolerance + (replays == null ? "" : ", replay window=" + replays.window()) + "]";
    }
}
