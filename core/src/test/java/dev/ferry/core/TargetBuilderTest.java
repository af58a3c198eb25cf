package dev.ferry.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The options every target has, set once in TargetBuilder, reach the TargetConfig by the URI path and the builder path alike. */
class TargetBuilderTest {
    /** A provider's typed builder, as FtpTarget.Builder and SftpTarget.Builder are. */
    static final class XBuilder extends TargetBuilder<XBuilder> {
        @Override
        public XBuilder host(String host) {
            return super.host(host);
        }

        TargetConfig build() throws TransferException {
            return toConfig("fake");
        }
    }

    static final Credentials ALICE = Credentials.password("alice", "pw".toCharArray());

    @Test
    void aProviderBuilderAndAUriGiveTheSameConfiguration() throws TransferException {
        RetryPolicy retries = RetryPolicy.none();
        TargetConfig typed = new XBuilder().host("files.example").port(2121).credentials(ALICE).baseDirectory("/in")
                .connectTimeout(Duration.ofSeconds(3)).replyTimeout(Duration.ofSeconds(4)).dataTimeout(Duration.ofSeconds(5))
                .retryPolicy(retries).maxSessions(2).build();
        TargetConfig fromUri = TargetConfig.builder("fake://alice@files.example:2121/in").credentials(ALICE)
                .connectTimeout(Duration.ofSeconds(3)).replyTimeout(Duration.ofSeconds(4)).dataTimeout(Duration.ofSeconds(5))
                .retryPolicy(retries).maxSessions(2).build();
        assertEquals(fromUri.toString(), typed.toString());
        assertEquals(fromUri.toString(), fromUri.toBuilder().build().toString());
        assertEquals(Duration.ofSeconds(4), typed.replyTimeout());
        assertEquals(2, typed.maxSessions());
    }

    @Test
    void ipv6HostsWithOrWithoutBrackets() throws TransferException {
        for (String h : new String[] {"::1", "[::1]"}) {
            TargetConfig c = new XBuilder().host(h).credentials(ALICE).build();
            assertEquals("::1", c.host());
            assertEquals("fake://alice@[::1]/", c.redactedUri());
        }
    }

    @Test
    void anInvalidHostIsBadInputAndMissingOptionsAreProgrammerErrors() {
        for (String h : new String[] {"bad host", "host/path", "h\r\nQUIT", "alice:pw9@h"}) {
            TransferException e = assertThrows(TransferException.class, () -> new XBuilder().host(h).credentials(ALICE).build(), h);
            assertEquals(TransferException.Reason.BAD_INPUT, e.reason());
            assertFalse(e.getMessage().contains("\r") || e.getMessage().contains("\n") || e.getMessage().contains("pw9"), e.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> new XBuilder().credentials(ALICE).build());
        assertThrows(IllegalStateException.class, () -> new XBuilder().host("h").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new XBuilder().port(0));
        assertTrue(e.getMessage().startsWith("port "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new XBuilder().timeouts(Duration.ZERO));
        assertTrue(e.getMessage().startsWith("connectTimeout "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TargetConfig.builder("fake://h/").maxSessions(0));
        assertTrue(e.getMessage().startsWith("maxSessions "), e.getMessage());
    }
}
