package dev.ferry.core;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetConfigTest {
    @Test
    void parsesTheDocumentedForm() throws TransferException {
        TargetConfig c = TargetConfig.builder(URI.create("ftps://us%40er@host.test:2121/base/dir?passive-nat=control-host")).build();
        assertEquals("ftps", c.scheme());
        assertEquals("host.test", c.host());
        assertEquals(2121, c.port());
        assertEquals("us@er", c.credentials().username());
        assertEquals("/base/dir", c.baseDirectory().toString());
        assertEquals("control-host", c.property("passive-nat").orElseThrow());
    }

    /** The raw URI has no control character, but %0d%0a and %00 decode to them: BAD_INPUT, not IllegalArgumentException. */
    @Test
    void aPercentEncodedControlCharacterInTheUserOrQueryIsBadInput() {
        for (String u : new String[] {"ftps://al%0d%0aice@host/in", "ftps://al%0Aice@host/in", "ftps://al%00ice@host/in",
                "sftp://al%0dice@host/in", "ftps://alice@host/in?passive-nat=%0d%0aX", "ftps://alice@host/in?a%00=1"}) {
            TransferException e = assertThrows(TransferException.class, () -> TargetConfig.builder(u).build(), u);
            assertEquals(TransferException.Reason.BAD_INPUT, e.reason(), u);
            assertTrue(e.getMessage().contains("CR, LF or NUL"), e.getMessage());
            assertFalse(e.getMessage().contains("\r") || e.getMessage().contains("\n") || e.getMessage().contains("\0"));
        }
    }

    @Test
    void ipv6AndDefaultPort() throws TransferException {
        TargetConfig c = TargetConfig.builder("sftp://u@[::1]/srv").build();
        assertEquals("::1", c.host());
        assertEquals(22, c.portOr(22));
        assertEquals("sftp://u@[::1]/srv", c.redactedUri());
    }

    @Test
    void invalidUrisAreBadInput() {
        for (String u : new String[] {"no-scheme/x", "ftps:///dir", "ftps://u@host:0/x", "ftps://u@host/a/../../x", "::::"}) {
            TransferException e = assertThrows(TransferException.class, () -> TargetConfig.builder(u).build(), u);
            assertEquals(TransferException.Reason.BAD_INPUT, e.reason(), u);
        }
    }

    @Test
    void aUriWithoutHostMeansTheProvidersFixedEndpointWhereItHasOne() throws TransferException {
        for (String u : new String[] {"fake:/in/box", "fake:///in/box"}) {
            TargetConfig c = TargetConfig.builder(u).credentials(Credentials.username("u")).build();
            assertEquals("fake.example", c.host(), u);
            assertEquals("/in/box", c.baseDirectory().toString(), u);
        }
        // Without a fixed endpoint (FTP has none) a host-less URI stays an error, as does a user without a host.
        for (String u : new String[] {"ftps:/dir", "fake://u@/x"}) {
            TransferException e = assertThrows(TransferException.class, () -> TargetConfig.builder(u).build(), u);
            assertEquals(TransferException.Reason.BAD_INPUT, e.reason(), u);
        }
    }

    @Test
    void userMustMatch() {
        TransferException e = assertThrows(TransferException.class, () -> TargetConfig.builder("ftp://alice@h/x")
                .credentials(Credentials.password("bob", "p".toCharArray())).build());
        assertTrue(e.getMessage().contains("alice") && e.getMessage().contains("bob"));
    }

    @Test
    void unknownSchemeNamesInstalledSchemes() {
        TransferException e = assertThrows(TransferException.class,
                () -> StorageTargets.open(URI.create("gopher://u@h/x"), Credentials.username("u")));
        assertEquals(TransferException.Reason.BAD_INPUT, e.reason());
        assertTrue(e.getMessage().contains("'gopher'") && e.getMessage().contains("installed schemes: fake"), e.getMessage());
    }

    @Test
    void providerFoundByServiceLoader() throws TransferException {
        try (StorageTarget t = StorageTargets.open(URI.create("fake://u@h:1/x"), Credentials.username("u"))) {
            assertEquals("fake", t.info().protocol());
        }
        assertEquals(java.util.Set.of("fake"), StorageTargets.installedSchemes());
    }

    @Test
    void aRefusedUriIsShownWithoutItsQuery() {
        TransferException e = assertThrows(TransferException.class, () -> TargetConfig.builder("ftps://alice:pw9@host/dir?token=Tok3nX#f"));
        assertTrue(e.getMessage().contains("ftps://alice:****@host/dir?…"), e.getMessage());
        assertFalse(e.getMessage().contains("Tok3nX") || e.getMessage().contains("pw9"), e.getMessage());
    }

    @Test
    void aPasswordInTheUriIsRefusedAndNoPartOfItIsShown() {
        for (String pw : new String[] {"Pa@ssw0rd", "Se/cret9", "qu?ery7", "ha#sh77", "plain9pw"}) {
            TransferException e = assertThrows(TransferException.class, () -> TargetConfig.builder("ftps://alice:" + pw + "@host/dir"), pw);
            assertEquals(TransferException.Reason.BAD_INPUT, e.reason(), pw);
            assertTrue(e.getMessage().contains("password"), pw + ": " + e.getMessage());
            for (String part : new String[] {pw, pw.substring(0, 3), pw.substring(pw.length() - 3)}) {
                assertFalse(e.getMessage().contains(part), pw + ": " + e.getMessage());
                assertFalse(String.valueOf(e.hint()).contains(part), pw + ": " + e.hint());
            }
        }
    }
}
