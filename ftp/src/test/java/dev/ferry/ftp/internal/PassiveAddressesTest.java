package dev.ferry.ftp.internal;

import dev.ferry.ftp.PassiveAddressPolicy;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The passive address choice as a pure function: no test connects to the addresses below. */
class PassiveAddressesTest {
    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void aPrivateAnnouncedAddressIsReplacedByAPublicControlAddress() throws Exception {
        for (String priv : new String[] {"10.1.2.3", "172.16.0.9", "192.168.1.20", "100.64.3.4", "169.254.1.1", "0.0.0.0", "fd00::5"}) {
            assertEquals(ip("203.0.113.7"), PassiveAddresses.choose(ip(priv), ip("203.0.113.7"), PassiveAddressPolicy.REPLACE_PRIVATE), priv);
        }
    }

    @Test
    void aPrivateAnnouncedAddressIsReplacedByTheLoopbackControlAddress() throws Exception {
        assertEquals(ip("127.0.0.1"), PassiveAddresses.choose(ip("10.0.0.5"), ip("127.0.0.1"), PassiveAddressPolicy.REPLACE_PRIVATE));
    }

    @Test
    void aLoopbackAnnouncementIsReplacedWhenTheControlHostIsRemote() throws Exception {
        assertEquals(ip("198.51.100.2"), PassiveAddresses.choose(ip("127.0.0.1"), ip("198.51.100.2"), PassiveAddressPolicy.REPLACE_PRIVATE));
    }

    @Test
    void anotherPrivateAddressIsReplacedToo() throws Exception {
        // Another host on the same private network: the same-host check would refuse its data connection.
        assertEquals(ip("10.0.0.8"), PassiveAddresses.choose(ip("10.0.0.9"), ip("10.0.0.8"), PassiveAddressPolicy.REPLACE_PRIVATE));
        assertEquals(ip("10.0.0.8"), PassiveAddresses.choose(ip("10.0.0.8"), ip("10.0.0.8"), PassiveAddressPolicy.REPLACE_PRIVATE));
    }

    @Test
    void anotherPublicAddressIsReplacedUnlessTheServerIsTrusted() throws Exception {
        assertEquals(ip("203.0.113.7"), PassiveAddresses.choose(ip("198.51.100.9"), ip("203.0.113.7"), PassiveAddressPolicy.REPLACE_PRIVATE));
        assertEquals(ip("203.0.113.7"), PassiveAddresses.choose(ip("198.51.100.9"), ip("203.0.113.7"), PassiveAddressPolicy.CONTROL_HOST));
        assertEquals(ip("10.0.0.1"), PassiveAddresses.choose(ip("10.0.0.1"), ip("203.0.113.7"), PassiveAddressPolicy.SERVER));
    }

    @Test
    void policiesParseFromTheUriParameter() {
        assertEquals(PassiveAddressPolicy.CONTROL_HOST, PassiveAddressPolicy.fromKey("control-host"));
        assertEquals(PassiveAddressPolicy.REPLACE_PRIVATE, PassiveAddressPolicy.fromKey(" Private "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PassiveAddressPolicy.fromKey("nat"));
        assertEquals("unknown passive-nat value 'nat' (use private or control-host)", e.getMessage());
        // The enum still parses 'server'; FtpSettings refuses it from a URI.
        assertEquals(PassiveAddressPolicy.SERVER, PassiveAddressPolicy.fromKey("server"));
    }
}
