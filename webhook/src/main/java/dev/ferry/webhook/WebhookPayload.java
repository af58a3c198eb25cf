package dev.ferry.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.webhook.internal.Json;

import java.util.Objects;

/**
 * A webhook body: the envelope {@code {"version":"1.0","event":"<name>","data":{...}}} with the data of one
 * {@link WebhookEvent}. Immutable and thread-safe.
 *
 * <pre>{@code
 * WebhookPayload p = WebhookPayload.of(WebhookEvent.VIDEO_COPIED_FTP,
 *         VideoCopiedFtp.fromUpload(result).id("rec-42").payload("customer-ref").build());
 * String json = p.toJson();
 * }</pre>
 */
public final class WebhookPayload {
    /** The envelope version. */
    public static final String VERSION = "1.0";

    private final WebhookEvent event;
    private final Object data;

    private WebhookPayload(WebhookEvent event, Object data) {
        this.event = Objects.requireNonNull(event, "event");
        this.data = Objects.requireNonNull(data, "data");
        if (!event.dataType().isInstance(data)) {
            throw new IllegalArgumentException(event.wireName() + " carries " + event.dataType().getSimpleName() + ", not "
                    + data.getClass().getSimpleName());
        }
    }

    /** A payload of an event with its data record. */
    public static WebhookPayload of(WebhookEvent event, Object data) {
        return new WebhookPayload(event, data);
    }

    /** A {@code video_copied_ftp} payload. */
    public static WebhookPayload videoCopiedFtp(VideoCopiedFtp data) {
        return new WebhookPayload(WebhookEvent.VIDEO_COPIED_FTP, data);
    }

    /** The event. */
    public WebhookEvent event() {
        return event;
    }

    /** The data record (its type is {@link WebhookEvent#dataType()}). */
    public Object data() {
        return data;
    }

    /** The data as a given type. */
    public <T> T data(Class<T> type) {
        return type.cast(data);
    }

    /** The JSON text, fields in a stable order. */
    public String toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("version", VERSION);
        n.put("event", event.wireName());
        n.set("data", Json.MAPPER.valueToTree(data));
        try {
            return Json.MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a webhook body. Unknown fields are ignored.
     *
     * @throws WebhookFormatException for invalid JSON, an unknown event, a version other than {@link #VERSION}, or a
     *         required field that is missing or null
     */
    public static WebhookPayload parse(String json) throws WebhookFormatException {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new WebhookFormatException("the webhook body is not JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new WebhookFormatException("the webhook body is not a JSON object", null);
        }
        for (String field : new String[] {"version", "event", "data"}) {
            if (!n.hasNonNull(field)) {
                throw new WebhookFormatException("the webhook body has no '" + field + "'", null);
            }
        }
        // A version Ferry does not know may mean other fields or other meanings: refuse it rather than guess.
        if (!n.get("version").isTextual() || !n.get("version").asText().equals(VERSION)) {
            throw new WebhookFormatException("the webhook body's version is not " + VERSION + ", the one this Ferry reads", null);
        }
        WebhookEvent event;
        try {
            event = WebhookEvent.fromWireName(n.get("event").asText());
        } catch (IllegalArgumentException e) {
            throw new WebhookFormatException(e.getMessage(), e);
        }
        try {
            return new WebhookPayload(event, Json.MAPPER.treeToValue(n.get("data"), event.dataType()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new WebhookFormatException("the data of " + event.wireName() + " is invalid: " + m, e);
        }
    }

    @Override
    public String toString() {
        return "WebhookPayload[" + event.wireName() + "]";
    }
}
