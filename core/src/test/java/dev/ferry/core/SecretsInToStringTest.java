package dev.ferry.core;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretsInToStringTest {
    private static final String PW = "Zq9-distinct-PW";
    private static final String PHRASE = "Kx7-distinct-PHRASE";

    @Test
    void credentialsRevealNoSecret() {
        Credentials c = Credentials.password("alice", PW.toCharArray()).withPrivateKey(Path.of("/k/id_ed25519"), PHRASE.toCharArray());
        String s = c.toString();
        assertFalse(s.contains(PW) || s.contains(PHRASE), s);
        assertTrue(s.contains("alice") && s.contains("password=****") && s.contains("passphrase=****"), s);
        assertEquals(PW, new String(c.password().orElseThrow()));
    }

    @Test
    void targetConfigRevealsNoSecret() throws TransferException {
        TargetConfig cfg = TargetConfig.builder(URI.create("ftps://alice@example.test:2121/in"))
                .credentials(Credentials.password("alice", PW.toCharArray())).build();
        assertFalse(cfg.toString().contains(PW), cfg.toString());
        assertEquals("ftps://alice@example.test:2121/in", cfg.redactedUri());
    }

    @Test
    void uriWithPasswordIsRefusedWithoutEchoingIt() {
        TransferException e = assertThrows(TransferException.class,
                () -> TargetConfig.builder("ftps://alice:" + PW + "@example.test/in"));
        assertEquals(TransferException.Reason.BAD_INPUT, e.reason());
        assertFalse(e.getMessage().contains(PW), e.getMessage());
        assertFalse(e.toString().contains(PW));
        assertTrue(e.hint().contains("--password-env"), e.hint());
        // also when the password makes the URI unparsable as server-based authority
        TransferException e2 = assertThrows(TransferException.class,
                () -> TargetConfig.builder("ftps://alice:" + PW + "@example.test:99999/in"));
        assertEquals(TransferException.Reason.BAD_INPUT, e2.reason());
        assertFalse(e2.getMessage().contains(PW), e2.getMessage());
    }

    @Test
    void tlsOptionsNormalisePinsAndRejectGarbage() {
        String hex = "AB:".repeat(31) + "AB";
        TlsOptions o = TlsOptions.builder().pinSha256("sha256:" + hex).maxProtocol("1.2").build();
        assertEquals("ab".repeat(32), o.pinnedSha256().iterator().next());
        assertEquals(java.util.List.of("TLSv1.2"), o.enabledProtocols());
        assertThrows(IllegalArgumentException.class, () -> TlsOptions.builder().pinSha256("abc"));
        assertThrows(IllegalArgumentException.class, () -> TlsOptions.builder().maxProtocol("1.1"));
        assertTrue(TlsOptions.insecureTrustAllCertificates().toString().contains("INSECURE"));
    }

    @Test
    void hostKeyPinsAreValidated() {
        String fp = "SHA256:" + "A".repeat(43);
        assertEquals(fp, HostKeys.pinned(fp + "=").pinnedFingerprints().iterator().next());
        assertThrows(IllegalArgumentException.class, () -> HostKeys.pinned("MD5:aa"));
    }
}
