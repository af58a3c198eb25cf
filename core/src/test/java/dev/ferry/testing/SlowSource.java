package dev.ferry.testing;

import dev.ferry.core.ContentSource;
import dev.ferry.core.TransferException;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A source that takes seconds to read, for tests that interrupt or time out a transfer while it runs. */
public final class SlowSource {
    private SlowSource() {
    }

    /** 64 MB in 64 KiB reads, 20 ms each: a transfer that runs for seconds. */
    public static ContentSource create() {
        return new ContentSource() {
            @Override
            public java.io.InputStream open() {
                return new java.io.InputStream() {
                    long left = 64L << 20;

                    @Override
                    public int read() {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        if (left == 0) {
                            return -1;
                        }
                        long until = System.nanoTime() + 20_000_000L;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait(); // not Thread.sleep: an interrupt must be noticed by the transfer, not here
                        }
                        int n = (int) Math.min(Math.min(len, 65536), left);
                        left -= n;
                        return n;
                    }
                };
            }

            @Override
            public long length() {
                return 64L << 20;
            }

            @Override
            public String describe() {
                return "slow source";
            }
        };
    }

    /** Runs {@code upload}, interrupting this thread after {@code after}; returns what it threw (it must end soon after). */
    public static TransferException interruptedAfter(Duration after, java.util.concurrent.Callable<?> upload) throws Exception {
        Thread caller = Thread.currentThread();
        java.util.concurrent.ScheduledExecutorService s = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            s.schedule(caller::interrupt, after.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            long start = System.nanoTime();
            TransferException e = assertThrows(TransferException.class, upload::call);
            assertTrue(System.nanoTime() - start < after.toNanos() + 2_000_000_000L, "ended soon after the interrupt: " + e);
            return e;
        } finally {
            s.shutdownNow();
            Thread.interrupted();
        }
    }
}
