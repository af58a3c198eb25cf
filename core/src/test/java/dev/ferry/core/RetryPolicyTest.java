package dev.ferry.core;

import dev.ferry.core.TransferException.Reason;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPolicyTest {
    @Test
    void retriesTransientFailuresOnly() {
        RetryPolicy p = RetryPolicy.defaults();
        for (Reason r : new Reason[] {Reason.CONNECT, Reason.DATA_CHANNEL, Reason.TIMEOUT, Reason.DNS}) {
            assertTrue(p.shouldRetry(new TransferException(r, "x"), 1), r.name());
        }
        for (Reason r : new Reason[] {Reason.AUTH, Reason.CERTIFICATE, Reason.HOST_KEY, Reason.BAD_INPUT, Reason.EXISTS,
                Reason.CANCELLED}) {
            TransferException forced = TransferException.builder(r, "x").retryable(true).build();
            assertFalse(p.shouldRetry(forced, 1), r + " must never be retried, even if flagged retryable");
        }
        // a 4xx reply is transient whatever its reason
        assertTrue(p.shouldRetry(TransferException.builder(Reason.NO_SPACE, "452").retryable(true).build(), 1));
        assertFalse(p.shouldRetry(new TransferException(Reason.NO_SPACE, "552"), 1));
    }

    @Test
    void stopsAfterMaxAttempts() {
        RetryPolicy p = RetryPolicy.builder().maxAttempts(3).build();
        TransferException e = new TransferException(Reason.CONNECT, "refused");
        assertTrue(p.shouldRetry(e, 2));
        assertFalse(p.shouldRetry(e, 3));
        assertFalse(RetryPolicy.none().shouldRetry(e, 1));
    }

    @Test
    void backoffGrowsWithJitterAndCap() {
        RetryPolicy p = RetryPolicy.builder().initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofMillis(350))
                .jitter(0.2).build();
        for (int i = 0; i < 50; i++) {
            long b1 = p.backoff(1).toMillis();
            long b2 = p.backoff(2).toMillis();
            long b5 = p.backoff(5).toMillis();
            assertTrue(b1 >= 80 && b1 <= 120, "b1=" + b1);
            assertTrue(b2 >= 160 && b2 <= 240, "b2=" + b2);
            assertTrue(b5 >= 280 && b5 <= 420, "b5=" + b5);
        }
    }
}
