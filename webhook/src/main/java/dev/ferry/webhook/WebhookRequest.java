package dev.ferry.webhook;

import dev.ferry.core.Redaction;
import okhttp3.HttpUrl;

import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * One webhook to deliver: where, what, how it is encoded and signed, and its id. The id stays the same on
 * every attempt, so a receiver can drop duplicates; pass your own (e.g. derived from the recording) to keep
 * it the same across runs. Immutable.
 */
public final class WebhookRequest {
    /** How the body is encoded. */
    public enum Encoding {
        /** {@code application/json}: the JSON text. */
        JSON,
        /** {@code application/x-www-form-urlencoded}: the JSON text in a field named {@code payload}. */
        FORM
    }

    private final String url;
    private final WebhookPayload payload;
    private final Encoding encoding;
    private final WebhookSigner signer;
    private final String id;

    private WebhookRequest(Builder b) {
        this.url = b.url;
        this.payload = b.payload;
        this.encoding = b.encoding;
        this.signer = b.signer;
        this.id = b.id != null ? b.id : "msg_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A builder for a payload to a URL. */
    public static Builder builder(String url, WebhookPayload payload) {
        return new Builder(url, payload);
    }

    public String url() {
        return url;
    }

    public WebhookPayload payload() {
        return payload;
    }

    public Encoding encoding() {
        return encoding;
    }

    /** The signer, or {@code null} for an unsigned request. */
    public WebhookSigner signer() {
        return signer;
    }

    /**
     * The URL for logs and messages, by {@link Redaction#url(String)}: scheme, host, port and path as given, with a query
     * shown as {@code ?…}. A receiver often authenticates by a token in the query, so the query never appears.
     */
    public String redactedUrl() {
        return Redaction.url(url);
    }

    /** The id (the {@code webhook-id} header), the same on every attempt. */
    public String id() {
        return id;
    }

    /** Shows the {@link #redactedUrl()}, never the query. */
    @Override
    public String toString() {
        return "WebhookRequest[" + id + " " + payload.event().wireName() + " -> " + Redaction.url(url) + ", " + encoding
                + (signer != null ? ", " + signer.style() : ", unsigned") + "]";
    }

    /** Builds a {@link WebhookRequest}; {@link #build()} validates the URL. */
    public static final class Builder {
        private final String url;
        private final WebhookPayload payload;
        private Encoding encoding = Encoding.JSON;
        private WebhookSigner signer;
        private String id;

        private Builder(String url, WebhookPayload payload) {
            this.url = Objects.requireNonNull(url, "url");
            this.payload = Objects.requireNonNull(payload, "payload");
        }

        public Builder encoding(Encoding e) {
            this.encoding = Objects.requireNonNull(e, "encoding");
            return this;
        }

        public Builder signer(WebhookSigner s) {
            this.signer = s;
            return this;
        }

        /** A stable id (letters, digits, {@code _-.}), e.g. {@code msg_rec42_copied}. */
        public Builder id(String id) {
            if (!id.matches("[A-Za-z0-9_.-]{1,200}")) {
                throw new IllegalArgumentException("a webhook id uses letters, digits, '_', '-' and '.' only (1 to 200)");
            }
            this.id = id;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException for a URL that is not http(s) or that carries a user or password
         */
        public WebhookRequest build() {
            HttpUrl u = HttpUrl.parse(url);
            if (u == null) {
                throw new IllegalArgumentException("the webhook URL is not an http:// or https:// URL: " + Redaction.url(url));
            }
            if (!u.scheme().toLowerCase(Locale.ROOT).startsWith("http")) {
                throw new IllegalArgumentException("the webhook URL must be http:// or https://");
            }
            if (!u.username().isEmpty() || !u.password().isEmpty()) {
                throw new IllegalArgumentException("the webhook URL must not carry a user or password (" + Redaction.url(url)
                        + "); receivers authenticate by signature");
            }
            return new WebhookRequest(this);
        }
    }
}
