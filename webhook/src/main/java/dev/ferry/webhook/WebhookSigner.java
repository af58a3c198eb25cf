package dev.ferry.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Signs webhook requests, in one of two forms:
 * <ul>
 *   <li>{@link Style#PIPE}, the platform's own: header {@code X-Pipe-Signature} = base64 of HMAC-SHA1 over
 *       the webhook URL followed by the JSON text, keyed by the account's webhook key;</li>
 *   <li>{@link Style#STANDARD}, <a href="https://www.standardwebhooks.com/">Standard Webhooks</a>: headers
 *       {@code webhook-id}, {@code webhook-timestamp} (Unix seconds) and {@code webhook-signature: v1,<base64>}
 *       of HMAC-SHA256 over {@code id.timestamp.body}, keyed by the base64 part of a {@code whsec_} secret.</li>
 * </ul>
 * Prefer {@link Style#STANDARD}. The pipe form is kept, unchanged, for receivers written for the platform, but it
 * is weak: it has no timestamp, does not cover the webhook id or the content type, and joins URL and JSON with no
 * separator, so a captured request can be replayed for ever. A pipe receiver should at least use
 * {@link WebhookVerifier#withReplayProtection}.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows the style only.
 */
public final class WebhookSigner {
    /** The signature forms. */
    public enum Style { PIPE, STANDARD }

    /** The header of the platform's signature. */
    public static final String PIPE_HEADER = "X-Pipe-Signature";

    private final Style style;
    private final byte[] key;

    private WebhookSigner(Style style, byte[] key) {
        this.style = style;
        this.key = key;
    }

    /**
     * The platform's form, keyed by the account's webhook key: only for receivers that check {@code X-Pipe-Signature}.
     * It signs the URL and the JSON text, nothing else (no timestamp, id or content type), so anyone who captures a
     * request can replay it for ever; use {@link #standard} wherever the receiver allows.
     */
    public static WebhookSigner pipe(String webhookKey) {
        Objects.requireNonNull(webhookKey, "webhookKey");
        if (webhookKey.isEmpty()) {
            throw new IllegalArgumentException("the webhook key is empty");
        }
        return new WebhookSigner(Style.PIPE, webhookKey.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Standard Webhooks, with a secret of the form {@code whsec_<base64>}.
     *
     * @throws IllegalArgumentException if the secret is not of that form (the message does not repeat it)
     */
    public static WebhookSigner standard(String secret) {
        return new WebhookSigner(Style.STANDARD, standardKey(secret));
    }

    static byte[] standardKey(String secret) {
        Objects.requireNonNull(secret, "secret");
        String s = secret.strip();
        if (!s.startsWith("whsec_")) {
            throw new IllegalArgumentException("a Standard Webhooks secret starts with whsec_ followed by base64");
        }
        byte[] k;
        try {
            k = Base64.getDecoder().decode(s.substring(6));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the part of the secret after whsec_ is not valid base64");
        }
        // Outside the try: its catch would report an empty key as bad base64.
        if (k.length == 0) {
            throw new IllegalArgumentException("the Standard Webhooks secret is empty after whsec_");
        }
        return k;
    }

    /** The style. */
    public Style style() {
        return style;
    }

    /**
     * The headers that sign one request.
     *
     * @param url the URL the request goes to (signed in the PIPE style)
     * @param id the message id (Standard Webhooks)
     * @param timestamp Unix seconds (Standard Webhooks)
     * @param body the exact body bytes (Standard Webhooks)
     * @param json the JSON text (PIPE style, also when the body is form-encoded)
     */
    public Map<String, String> headers(String url, String id, long timestamp, byte[] body, String json) {
        Map<String, String> h = new LinkedHashMap<>();
        if (style == Style.PIPE) {
            h.put(PIPE_HEADER, pipeSignature(key, url, json));
        } else {
            h.put("webhook-id", id);
            h.put("webhook-timestamp", Long.toString(timestamp));
            h.put("webhook-signature", "v1," + standardSignature(key, id, timestamp, body));
        }
        return h;
    }

    static String pipeSignature(byte[] key, String url, String json) {
        return Base64.getEncoder().encodeToString(hmac("HmacSHA1", key, (url + json).getBytes(StandardCharsets.UTF_8)));
    }

    static String standardSignature(byte[] key, String id, long timestamp, byte[] body) {
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] msg = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, msg, 0, prefix.length);
        System.arraycopy(body, 0, msg, prefix.length, body.length);
        return Base64.getEncoder().encodeToString(hmac("HmacSHA256", key, msg));
    }

    static byte[] hmac(String algorithm, byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }

    @Override
    public String toString() {
        return "WebhookSigner[" + style + "]";
    }
}
