package dev.ferry.s3.internal;

import dev.ferry.core.ProgressListener;

import java.util.concurrent.atomic.AtomicLong;

/** The bytes of one file on their way, from every part at once; reported from the uploading thread a few times a second. */
final class Progress {
    private static final long EVERY_NANOS = 200_000_000L;

    private final ProgressListener listener;
    private final String what;
    private final long total;
    private final AtomicLong bytes = new AtomicLong();
    private long last = System.nanoTime();

    Progress(ProgressListener listener, String what, long total) {
        this.listener = listener;
        this.what = what;
        this.total = total;
    }

    void add(long n) {
        bytes.addAndGet(n);
    }

    long bytes() {
        return Math.min(bytes.get(), total);
    }

    /** Reports, if the last report is old enough; call from the uploading thread only. */
    void reportIfDue() {
        long now = System.nanoTime();
        if (now - last > EVERY_NANOS) {
            last = now;
            listener.onProgress(what, bytes(), total);
        }
    }

    /** The final report, once the server confirmed the whole file. */
    void finished() {
        listener.onProgress(what, total, total);
    }
}
