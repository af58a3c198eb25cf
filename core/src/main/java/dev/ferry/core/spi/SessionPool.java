package dev.ferry.core.spi;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of logged-in sessions of one target: at most {@code maxSessions} exist at once, a caller waits (fairly)
 * for a free one, idle sessions are health-checked before reuse and closed after {@code idleEviction}.
 *
 * <p>Thread-safe. Every session that {@link #acquire} returns goes back with exactly one {@link #release} or
 * {@link #discardAndRelease}.
 */
final class SessionPool {
    private static final Logger LOG = LoggerFactory.getLogger(SessionPool.class);
    /** How long one wait for a free session lasts before the pool looks again whether it was closed. */
    private static final long WAIT_SLICE_MILLIS = 100;

    /** Opens a new logged-in session. */
    interface Connector {
        AbstractStorageTarget.Session connect(Transcript transcript) throws TransferException;
    }

    private record Pooled(AbstractStorageTarget.Session session, long idleSinceNanos) {
    }

    private final int maxSessions;
    private final Duration idleEviction;
    private final Duration maxWait;
    private final String targetName;
    private final Connector connector;
    private final Semaphore permits;
    private final Deque<Pooled> idle = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger openSessions = new AtomicInteger();
    private final AtomicInteger peakSessions = new AtomicInteger();

    /**
     * @param maxWait    the longest wait for a free session (shortened by an upload's deadline)
     * @param targetName the target as errors name it, without secrets
     */
    SessionPool(int maxSessions, Duration idleEviction, Duration maxWait, String targetName, Connector connector) {
        this.maxSessions = maxSessions;
        this.idleEviction = Objects.requireNonNull(idleEviction, "idleEviction");
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
        this.targetName = Objects.requireNonNull(targetName, "targetName");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.permits = new Semaphore(maxSessions, true);
    }

    int openSessions() {
        return openSessions.get();
    }

    int peakSessions() {
        return peakSessions.get();
    }

    boolean isClosed() {
        return closed.get();
    }

    void ensureOpen() throws TransferException {
        if (closed.get()) {
            throw new TransferException(Reason.CANCELLED, "the target " + targetName + " is closed");
        }
    }

    /** A healthy idle session, or a new one; waits for a free slot until {@code maxWait} or {@code deadline}. */
    AbstractStorageTarget.Session acquire(Transcript transcript, Instant deadline) throws TransferException {
        ensureOpen();
        long waitNanos = maxWait.toNanos();
        if (deadline != null) {
            waitNanos = Math.min(waitNanos, Math.max(0, Duration.between(Instant.now(), deadline).toNanos()));
        }
        waitForPermit(waitNanos);
        if (closed.get()) {
            permits.release();
            ensureOpen();
        }
        boolean ok = false;
        try {
            AbstractStorageTarget.Session reused = pollHealthy(transcript);
            if (reused != null) {
                ok = true;
                return reused;
            }
            AbstractStorageTarget.Session s = connector.connect(transcript);
            int n = openSessions.incrementAndGet();
            peakSessions.accumulateAndGet(n, Math::max);
            ok = true;
            return s;
        } finally {
            if (!ok) {
                permits.release();
            }
        }
    }

    private void waitForPermit(long waitNanos) throws TransferException {
        long until = System.nanoTime() + waitNanos;
        try {
            // In slices, so that close() ends the wait at once instead of after a running upload or the whole wait.
            while (!permits.tryAcquire(Math.min(WAIT_SLICE_MILLIS, Math.max(0, (until - System.nanoTime()) / 1_000_000)),
                    TimeUnit.MILLISECONDS)) {
                ensureOpen();
                if (System.nanoTime() - until >= 0) {
                    // Not retried: the wait was as long as the pool allows (or the deadline), a retry would only repeat it.
                    throw TransferException.builder(Reason.TIMEOUT, "no free session: all " + maxSessions + " sessions of "
                                    + targetName + " stayed busy for " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms")
                            .hint("raise maxSessions or lower the concurrency").retryable(false).build();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransferException(Reason.CANCELLED, "interrupted while waiting for a session", e);
        }
    }

    private AbstractStorageTarget.Session pollHealthy(Transcript transcript) {
        while (true) {
            Pooled p;
            synchronized (idle) {
                p = idle.pollFirst();
            }
            if (p == null) {
                return null;
            }
            if (System.nanoTime() - p.idleSinceNanos() > idleEviction.toNanos()) {
                transcript.note("closing a session idle for more than " + idleEviction.toSeconds() + " s");
                discard(p.session());
                continue;
            }
            boolean usable;
            try {
                usable = p.session().isOpen() && p.session().isUsable(transcript);
            } catch (RuntimeException e) {
                usable = false; // counted as a failed check: the session is discarded below, and its count with it
            }
            if (usable) {
                transcript.note("reusing a logged-in session (" + describe(p.session().connectionInfo()) + ")");
                return p.session();
            }
            transcript.note("a pooled session failed its health check; opening a new one");
            discard(p.session());
        }
    }

    /** Gives a session back: kept for reuse if it is open and the pool is not closed, else closed. */
    void release(AbstractStorageTarget.Session s) {
        try {
            if (!closed.get() && s.isOpen()) {
                synchronized (idle) {
                    idle.addFirst(new Pooled(s, System.nanoTime()));
                }
                if (closed.get()) {
                    drainIdle();
                }
            } else {
                discard(s);
            }
        } finally {
            permits.release();
        }
    }

    /** Closes a session and gives its slot back. */
    void discardAndRelease(AbstractStorageTarget.Session s) {
        try {
            discard(s);
        } finally {
            permits.release();
        }
    }

    private void discard(AbstractStorageTarget.Session s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.debug("closing a session failed", e);
        } finally {
            openSessions.decrementAndGet();
        }
    }

    private void drainIdle() {
        while (true) {
            Pooled p;
            synchronized (idle) {
                p = idle.pollFirst();
            }
            if (p == null) {
                return;
            }
            discard(p.session());
        }
    }

    private static String describe(ConnectionInfo c) {
        if (c == null) {
            return "unknown";
        }
        return c.securityProtocol() + (c.cipher() != null ? ", " + c.cipher() : "");
    }

    /** Closes the idle sessions; sessions in use are closed when they come back. Idempotent. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            drainIdle();
        }
    }
}
