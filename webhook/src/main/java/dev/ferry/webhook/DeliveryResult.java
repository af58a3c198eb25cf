package dev.ferry.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What happened to one webhook.
 *
 * @param id the webhook id (the same on every attempt)
 * @param delivered whether a {@code 2xx} answered
 * @param attempts every attempt, in order; a destination refused or busy before anything was sent shows as one
 *        attempt with status -1 and the reason as its error
 * @param failure why it was not delivered, or {@code null} if it was
 */
public record DeliveryResult(String id, boolean delivered, List<Attempt> attempts, Failure failure) {
    public DeliveryResult {
        attempts = List.copyOf(attempts);
        if (delivered != (failure == null)) {
            throw new IllegalArgumentException("a failure is given exactly when the webhook was not delivered");
        }
    }

    /** Why a webhook was not delivered, and whether sending it again later may help. */
    public enum Failure {
        /** The receiver answered a status that a retry will not change: a {@code 4xx} other than 408 and 429, or a redirect (never followed). */
        REJECTED(false),
        /** Network errors or {@code 5xx}/{@code 408}/{@code 429} on every attempt, or the send's deadline came first. */
        UNAVAILABLE(true),
        /** The {@link AddressPolicy} refused every address of the destination; nothing was sent. See the attempt's error. */
        ADDRESS_REFUSED(false),
        /** The destination had as many sends in flight as allowed until this send's deadline; nothing was sent. */
        DESTINATION_BUSY(true),
        /** The sending thread was interrupted, e.g. by {@link WebhookSender#shutdown}. */
        INTERRUPTED(true);

        private final boolean retryable;

        Failure(boolean retryable) {
            this.retryable = retryable;
        }

        /** Whether sending the same webhook again later may succeed. */
        public boolean retryable() {
            return retryable;
        }
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

    /** A failed delivery. */
    static DeliveryResult failed(String id, List<Attempt> attempts, Failure failure) {
        return new DeliveryResult(id, false, attempts, Objects.requireNonNull(failure, "failure"));
    }

    /** Whether it was not delivered but may be if sent again later. */
    public boolean retryable() {
        return failure != null && failure.retryable();
    }

    /** The last HTTP status, or -1. */
    public int lastStatus() {
        return attempts.isEmpty() ? -1 : attempts.get(attempts.size() - 1).status();
    }

    /** The last attempt's error, or {@code null}. */
    public String lastError() {
        return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1).error();
    }
}
