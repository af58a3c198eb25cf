package dev.ferry.webhook.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayMemoryTest {
    @Test
    void holdsAtMostMaxEntriesAndDropsThoseOutsideTheWindow() {
        ReplayMemory m = new ReplayMemory(Duration.ofMinutes(5), 100);
        Instant t = Instant.ofEpochSecond(1_000_000);
        for (int i = 0; i < 50_000; i++) {
            assertTrue(m.firstTime("k" + i, t));
        }
        assertEquals(100, m.size(), "bounded, however many distinct requests come");
        assertFalse(m.firstTime("k49999", t));
        assertTrue(m.firstTime("k0", t), "the oldest went first");
        assertTrue(m.firstTime("late", t.plus(Duration.ofMinutes(6))));
        assertEquals(1, m.size(), "everything older than the window is dropped on the next check");
    }
}
