package dev.ferry.webhook;

import java.time.Duration;
import java.util.List;

/**
 * What happened to one webhook.
 *
 * @param id the webhook id (the same on every attempt)
 * @param delivered whether a {@code 2xx} answered
 * @param attempts every attempt, in order
 */
public record DeliveryResult(String id, boolean delivered, List<Attempt> attempts) {
    public DeliveryResult {
        attempts = List.copyOf(attempts);
    }

    /**
     * One attempt.
     *
     * @param number 1 for the first
     * @param status the HTTP status, or -1 if there was no response
     * @param elapsed how long it took
     * @param error the network error, or {@code null}
     * @param responseSnippet the start of the response body (at most 1 KiB), or {@code null}
     */
    public record Attempt(int number, int status, Duration elapsed, String error, String responseSnippet) {
    }

    /** The last HTTP status, or -1. */
    public int lastStatus() {
        return attempts.isEmpty() ? -1 : attempts.get(attempts.size() - 1).status();
    }
}
