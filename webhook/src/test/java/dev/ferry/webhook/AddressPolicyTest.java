package dev.ferry.webhook;

import dev.ferry.webhook.AddressPolicy.AddressClass;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressPolicyTest {
    static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal); // literals only: never a DNS lookup
    }

    /** An IPv6 address kept as IPv6 (the JDK would turn ::ffff:a.b.c.d into an Inet4Address). */
    static InetAddress v6(int... bytes) throws UnknownHostException {
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) {
            b[i] = (byte) bytes[i];
        }
        return Inet6Address.getByAddress(null, b, null);
    }

    @Test
    void everyRangeOfTheReviewIsClassified() throws Exception {
        Map<String, AddressClass> table = new LinkedHashMap<>();
        table.put("127.0.0.1", AddressClass.LOOPBACK);
        table.put("127.255.255.254", AddressClass.LOOPBACK);
        table.put("::1", AddressClass.LOOPBACK);
        table.put("10.0.0.1", AddressClass.PRIVATE);
        table.put("172.16.0.1", AddressClass.PRIVATE);
        table.put("172.31.255.255", AddressClass.PRIVATE);
        table.put("192.168.1.1", AddressClass.PRIVATE);
        table.put("fc00::1", AddressClass.PRIVATE);
        table.put("fd12:3456::1", AddressClass.PRIVATE);
        table.put("fec0::1", AddressClass.PRIVATE);
        table.put("100.64.0.1", AddressClass.SHARED);
        table.put("100.127.255.255", AddressClass.SHARED);
        table.put("169.254.169.254", AddressClass.LINK_LOCAL);
        table.put("169.254.0.1", AddressClass.LINK_LOCAL);
        table.put("fe80::1", AddressClass.LINK_LOCAL);
        table.put("0.0.0.0", AddressClass.UNSPECIFIED);
        table.put("0.1.2.3", AddressClass.UNSPECIFIED);
        table.put("::", AddressClass.UNSPECIFIED);
        table.put("224.0.0.1", AddressClass.MULTICAST);
        table.put("239.255.255.250", AddressClass.MULTICAST);
        table.put("ff02::1", AddressClass.MULTICAST);
        table.put("255.255.255.255", AddressClass.RESERVED);
        table.put("240.0.0.1", AddressClass.RESERVED);
        table.put("192.0.2.10", AddressClass.RESERVED);
        table.put("2001:db8::1", AddressClass.RESERVED);
        table.put("::ffff:127.0.0.1", AddressClass.LOOPBACK);
        table.put("64:ff9b::a9fe:a9fe", AddressClass.LINK_LOCAL); // NAT64 of 169.254.169.254
        table.put("2002:0a00:0001::1", AddressClass.PRIVATE); // 6to4 of 10.0.0.1
        // Just outside the ranges: public.
        table.put("172.32.0.1", AddressClass.PUBLIC);
        table.put("172.15.255.255", AddressClass.PUBLIC);
        table.put("100.128.0.1", AddressClass.PUBLIC);
        table.put("100.63.255.255", AddressClass.PUBLIC);
        table.put("169.253.1.1", AddressClass.PUBLIC);
        table.put("8.8.8.8", AddressClass.PUBLIC);
        table.put("2606:4700:4700::1111", AddressClass.PUBLIC);
        table.put("2002:0808:0808::1", AddressClass.PUBLIC); // 6to4 of 8.8.8.8
        for (Map.Entry<String, AddressClass> e : table.entrySet()) {
            assertEquals(e.getValue(), AddressClass.of(ip(e.getKey())), e.getKey());
        }
        assertEquals(AddressClass.LOOPBACK, AddressClass.of(v6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1)), "mapped, kept as IPv6");
        assertEquals(AddressClass.LINK_LOCAL, AddressClass.of(v6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 169, 254, 169, 254)), "IPv4-compatible");
    }

    @Test
    void publicOnlyIsTheDefaultAndEachAllowanceOpensOnlyItsOwnClasses() throws Exception {
        AddressPolicy p = AddressPolicy.publicOnly();
        assertTrue(p.allows(ip("8.8.8.8")));
        for (String refused : new String[] {"127.0.0.1", "10.0.0.1", "100.64.0.1", "169.254.169.254", "0.0.0.0", "224.0.0.1", "::1", "fd00::1"}) {
            assertFalse(p.allows(ip(refused)), refused);
        }
        AddressPolicy loopback = p.allowLoopback();
        assertTrue(loopback.allows(ip("127.0.0.1")) && loopback.allows(ip("::1")));
        assertFalse(loopback.allows(ip("10.0.0.1")));
        AddressPolicy priv = p.allowPrivateAddresses();
        assertTrue(priv.allows(ip("10.0.0.1")) && priv.allows(ip("100.64.0.1")) && priv.allows(ip("fd00::1")));
        assertFalse(priv.allows(ip("127.0.0.1")) || priv.allows(ip("169.254.169.254")), "private does not mean loopback or metadata");
        assertTrue(p.allow(AddressClass.LINK_LOCAL).allows(ip("169.254.169.254")));
        assertTrue(AddressPolicy.anyAddressInsecure().allows(ip("169.254.169.254")));
        assertEquals(AddressPolicy.publicOnly(), AddressPolicy.publicOnly().allow(AddressClass.PUBLIC), "a value");
        assertFalse(p.allows(ip("127.0.0.1")), "immutable: allowLoopback() returned a new policy");
    }

    @Test
    void onlyPlainIpLiteralsAreTakenAndShortOrNumericFormsAreRefused() throws Exception {
        assertEquals(ip("127.0.0.1"), AddressPolicy.literal("127.0.0.1"));
        assertEquals(ip("::1"), AddressPolicy.literal("::1"));
        assertNull(AddressPolicy.literal("hooks.customer.example"));
        assertNull(AddressPolicy.literal("0x7f.1"), "not a literal to OkHttp either: it goes through DNS, and the policy");
        // OkHttp connects to these without asking DNS; the JDK reads them as 127.0.0.1.
        for (String evasive : new String[] {"127.1", "2130706433", "127.0.1", "0127.0.0.1", "127.000.000.001", "1.2.3.4.5", "256.1.1.1"}) {
            assertThrows(UnknownHostException.class, () -> AddressPolicy.literal(evasive), evasive);
        }
    }
}
