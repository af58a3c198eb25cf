package dev.ferry.webhook.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Limits the sends in flight to each destination. A blocking caller waits for a permit up to its deadline;
 * queued work waits in its destination's line, not on a thread, and is handed the permit of a send that ends.
 * So a slow destination holds at most {@code limit} threads of a shared pool. Thread-safe.
 */
public final class DestinationLimiter {
    private final int limit;
    private final Map<String, Line> lines = new HashMap<>();
    private int waiting;
    private boolean stopped;

    /** One destination: its sends in flight, and the work waiting for one of them to end. */
    private static final class Line {
        int inFlight;
        final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    }

    public DestinationLimiter(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the limit per destination must be at least 1");
        }
        this.limit = limit;
    }

    /** The most sends in flight to one destination. */
    public int limit() {
        return limit;
    }

    /**
     * Takes a permit for {@code key}, waiting up to {@code timeoutNanos}; whoever gets it must {@link #release} it.
     *
     * @return whether a permit was taken
     */
    public synchronized boolean acquire(String key, long timeoutNanos) throws InterruptedException {
        long end = System.nanoTime() + timeoutNanos;
        while (true) {
            // Looked up again after every wait: an idle line is removed, and a new one may stand in its place.
            Line line = lines.computeIfAbsent(key, k -> new Line());
            if (line.inFlight < limit) {
                line.inFlight++;
                return true;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /**
     * Takes a permit for {@code task} if one is free (then the caller starts it), or puts it in the line of
     * {@code key} (then {@link #release} hands it a permit later).
     *
     * @return whether the task got a permit now
     */
    public synchronized boolean offer(String key, Runnable task) {
        Line line = lines.computeIfAbsent(key, k -> new Line());
        if (line.inFlight < limit) {
            line.inFlight++;
            return true;
        }
        line.waiting.add(task);
        waiting++;
        return false;
    }

    /**
     * Ends a send to {@code key}: its permit goes to the first task waiting in that line, which is returned for the
     * caller to start, or is freed ({@code null}).
     */
    public synchronized Runnable release(String key) {
        Line line = lines.get(key);
        if (line == null) {
            throw new IllegalStateException("no send in flight to " + key);
        }
        Runnable next = stopped ? null : line.waiting.poll();
        if (next != null) {
            waiting--;
            return next;
        }
        line.inFlight--;
        removeIfIdle(key, line);
        notifyAll();
        return null;
    }

    /** Takes a task out of its line (its deadline passed); {@code false} if it is no longer waiting. */
    public synchronized boolean remove(String key, Runnable task) {
        Line line = lines.get(key);
        if (line == null || !line.waiting.remove(task)) {
            return false;
        }
        waiting--;
        removeIfIdle(key, line);
        return true;
    }

    /** Stops handing out permits to waiting tasks, and returns them all. */
    public synchronized List<Runnable> stop() {
        stopped = true;
        List<Runnable> all = new ArrayList<>();
        for (Line line : lines.values()) {
            all.addAll(line.waiting);
            line.waiting.clear();
        }
        waiting = 0;
        lines.values().removeIf(l -> l.inFlight == 0);
        return all;
    }

    /** How many tasks wait in lines. */
    public synchronized int waiting() {
        return waiting;
    }

    private void removeIfIdle(String key, Line line) {
        if (line.inFlight == 0 && line.waiting.isEmpty()) {
            lines.remove(key);
        }
    }
}
