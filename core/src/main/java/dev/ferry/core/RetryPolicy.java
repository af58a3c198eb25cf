package dev.ferry.core;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When and how often a failed transfer is tried again, from a clean state (a new connection; a
 * resumable upload continues its temporary file).
 *
 * <p>A failure is retried when attempts remain, the exception is {@link TransferException#retryable()
 * retryable} (transient network errors and {@code 4xx} FTP replies are), and its reason is not one
 * that can never succeed on retry: {@code AUTH}, {@code CERTIFICATE}, {@code HOST_KEY},
 * {@code BAD_INPUT}, {@code CANCELLED}, {@code EXISTS} are never retried, whatever the settings.
 * Backoff is exponential with jitter. Immutable.
 */
public final class RetryPolicy {
    /** Reasons that no retry can fix. */
    public static final Set<TransferException.Reason> NEVER_RETRIED = Set.copyOf(EnumSet.of(
            TransferException.Reason.AUTH, TransferException.Reason.CERTIFICATE, TransferException.Reason.HOST_KEY,
            TransferException.Reason.BAD_INPUT, TransferException.Reason.CANCELLED, TransferException.Reason.EXISTS));

    private static final RetryPolicy DEFAULTS = builder().build();
    private static final RetryPolicy NONE = builder().maxAttempts(1).build();

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double multiplier;
    private final double jitter;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
    }

    /** 3 attempts, backoff 1 s doubling up to 30 s, ±20 % jitter. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** One attempt, no retry. */
    public static RetryPolicy none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxAttempts(maxAttempts).initialBackoff(initialBackoff).maxBackoff(maxBackoff)
                .multiplier(multiplier).jitter(jitter);
    }

    public int maxAttempts() { return maxAttempts; }

    public Duration initialBackoff() { return initialBackoff; }

    public Duration maxBackoff() { return maxBackoff; }

    /** Whether a reason is retried at all (the exception's own flag decides the rest). */
    public static boolean isRetriableReason(TransferException.Reason reason) {
        return !NEVER_RETRIED.contains(reason);
    }

    /**
     * Whether to try again after {@code failure}, when {@code attemptsSoFar} attempts have been made.
     */
    public boolean shouldRetry(TransferException failure, int attemptsSoFar) {
        return attemptsSoFar < maxAttempts && failure.retryable() && isRetriableReason(failure.reason());
    }

    /** The pause before attempt number {@code attemptsSoFar + 1}, jitter included. */
    public Duration backoff(int attemptsSoFar) {
        double base = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attemptsSoFar - 1));
        double capped = Math.min(base, maxBackoff.toMillis());
        double j = jitter == 0 ? 0 : ThreadLocalRandom.current().nextDouble(-jitter, jitter);
        return Duration.ofMillis(Math.max(0, Math.round(capped * (1 + j))));
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", backoff=" + initialBackoff + "x" + multiplier + " up to "
                + maxBackoff + ", jitter=" + jitter + "]";
    }

    /** Builds a {@link RetryPolicy}. */
    public static final class Builder {
        private int maxAttempts = 3;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private double multiplier = 2.0;
        private double jitter = 0.2;

        private Builder() {
        }

        /** Attempts in all, the first included (at least 1). */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, was " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        public Builder initialBackoff(Duration d) {
            this.initialBackoff = nonNegative(d, "initialBackoff");
            return this;
        }

        public Builder maxBackoff(Duration d) {
            this.maxBackoff = nonNegative(d, "maxBackoff");
            return this;
        }

        public Builder multiplier(double m) {
            if (!(m >= 1.0)) {
                throw new IllegalArgumentException("multiplier must be at least 1.0, was " + m);
            }
            this.multiplier = m;
            return this;
        }

        /** Relative jitter in [0, 1): 0.2 means ±20 %. */
        public Builder jitter(double j) {
            if (!(j >= 0 && j < 1)) {
                throw new IllegalArgumentException("jitter must be in [0, 1), was " + j);
            }
            this.jitter = j;
            return this;
        }

        public RetryPolicy build() {
            return new RetryPolicy(this);
        }

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, was " + d);
            }
            return d;
        }
    }
}
