package dev.ferry.webhook;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Clock;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** Test seams and DNS plumbing stay out of the webhook module's public API. */
class PublicApiTest {
    @Test
    void testHooksAndInternalTypesAreNotPublic() {
        for (Class<?> c : new Class<?>[] {WebhookSender.Sleeper.class, PolicyDns.class, RefusedAddressException.class}) {
            assertFalse(Modifier.isPublic(c.getModifiers()), c.getName());
        }
        for (Method m : WebhookSender.Builder.class.getMethods()) {
            boolean seam = Arrays.stream(m.getParameterTypes()).anyMatch(t -> t == Clock.class || t == WebhookSender.Sleeper.class);
            assertFalse(seam, m.toString());
        }
    }
}
