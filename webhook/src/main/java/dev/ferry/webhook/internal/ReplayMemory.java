package dev.ferry.webhook.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the keys of accepted requests for a window of time, in bounded memory: past {@code maxEntries} the
 * oldest are forgotten early. Thread-safe.
 */
public final class ReplayMemory {
    private final Duration window;
    private final int maxEntries;
    /** Key to when it was first seen, oldest first. */
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

    public ReplayMemory(Duration window, int maxEntries) {
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the replay window must be positive");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.window = window;
        this.maxEntries = maxEntries;
    }

    public Duration window() {
        return window;
    }

    /** Remembers {@code key} and returns {@code true}, or {@code false} if it was seen within the window before {@code now}. */
    public synchronized boolean firstTime(String key, Instant now) {
        Instant oldest = now.minus(window);
        // Oldest first, so stop at the first one still inside the window.
        for (Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            if (!it.next().getValue().isBefore(oldest)) {
                break;
            }
            it.remove();
        }
        if (seen.containsKey(key)) {
            return false;
        }
        seen.put(key, now);
        if (seen.size() > maxEntries) {
            Iterator<String> it = seen.keySet().iterator();
            it.next();
            it.remove();
        }
        return true;
    }

    /** How many keys are remembered now. */
    public synchronized int size() {
        return seen.size();
    }
}
