package dev.ferry.ftp.internal;

import dev.ferry.ftp.PassiveAddressPolicy;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The passive address choice as a pure function: no test connects to the addresses below. Whether an announced address
 * is private or public makes no difference: under CONTROL_HOST every one is replaced, under SERVER none is.
 */
class PassiveAddressesTest {
    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static final String[] ANNOUNCED = {"10.1.2.3", "172.16.0.9", "192.168.1.20", "100.64.3.4", "169.254.1.1", "0.0.0.0", "fd00::5",
            "127.0.0.1", "198.51.100.9", "203.0.113.8"};

    @Test
    void controlHostReplacesEveryAnnouncedAddressByTheControlAddress() throws Exception {
        for (String control : new String[] {"203.0.113.7", "127.0.0.1", "10.0.0.8"}) {
            for (String announced : ANNOUNCED) {
                assertEquals(ip(control), PassiveAddresses.choose(ip(announced), ip(control), PassiveAddressPolicy.CONTROL_HOST),
                        announced + " via " + control);
            }
        }
        assertEquals(ip("10.0.0.8"), PassiveAddresses.choose(ip("10.0.0.8"), ip("10.0.0.8"), PassiveAddressPolicy.CONTROL_HOST));
    }

    @Test
    void serverKeepsEveryAnnouncedAddress() throws Exception {
        for (String announced : ANNOUNCED) {
            assertEquals(ip(announced), PassiveAddresses.choose(ip(announced), ip("203.0.113.7"), PassiveAddressPolicy.SERVER), announced);
        }
    }

    @Test
    void policiesParseFromTheUriParameter() {
        assertEquals(PassiveAddressPolicy.CONTROL_HOST, PassiveAddressPolicy.fromKey("control-host"));
        // 'private' is another name for control-host, so URIs written with it keep working.
        assertEquals(PassiveAddressPolicy.CONTROL_HOST, PassiveAddressPolicy.fromKey(" Private "));
        assertEquals(2, PassiveAddressPolicy.values().length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PassiveAddressPolicy.fromKey("nat"));
        assertEquals("unknown passive-nat value 'nat' (use control-host or private)", e.getMessage());
        // The enum still parses 'server'; FtpSettings refuses it from a URI.
        assertEquals(PassiveAddressPolicy.SERVER, PassiveAddressPolicy.fromKey("server"));
    }
}
