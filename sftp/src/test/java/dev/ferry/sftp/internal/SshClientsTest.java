package dev.ferry.sftp.internal;

import javax.crypto.KeyAgreement;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;

import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which provider MINA uses for what, once a target has configured it. */
class SshClientsTest {
    @BeforeAll
    static void configure() {
        SshClients.configureProvidersOnce();
    }

    @Test
    void ed25519ComesFromBouncyCastlesEdwardsCurveProviderWhichIsNotRegistered() throws Exception {
        assertTrue(SecurityUtils.isEDDSACurveSupported());
        assertInstanceOf(SshClients.EdDsaProvider.class, SecurityUtils.getKeyFactory(SecurityUtils.ED25519).getProvider());
        assertInstanceOf(SshClients.EdDsaProvider.class, SecurityUtils.getSignature(SecurityUtils.EDDSA).getProvider());
        assertInstanceOf(SshClients.EdDsaProvider.class, SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA).getProvider());
        assertNull(Security.getProvider("BC"), "Bouncy Castle must not be registered JVM-wide");
    }

    /** Not the whole Bouncy Castle provider, whose construction costs ~230 ms of a cold start. */
    @Test
    void everythingElseComesFromTheJdksProviders() throws Exception {
        assertEquals(KeyFactory.getInstance("RSA").getProvider(), SecurityUtils.getKeyFactory("RSA").getProvider());
        assertEquals(Signature.getInstance("SHA256withRSA").getProvider(), SecurityUtils.getSignature("SHA256withRSA").getProvider());
        assertEquals(Signature.getInstance("SHA256withECDSA").getProvider(), SecurityUtils.getSignature("SHA256withECDSA").getProvider());
        assertEquals(KeyPairGenerator.getInstance("EC").getProvider(), SecurityUtils.getKeyPairGenerator("EC").getProvider());
        assertEquals(KeyAgreement.getInstance("X25519").getProvider(), SecurityUtils.getKeyAgreement("X25519").getProvider());
        assertEquals(KeyAgreement.getInstance("ECDH").getProvider(), SecurityUtils.getKeyAgreement("ECDH").getProvider());
        assertEquals("SunJCE", SecurityUtils.getCipher("AES/GCM/NoPadding").getProvider().getName());
        assertEquals("SunJCE", SecurityUtils.getMac("HmacSHA256").getProvider().getName());
    }

    /** For Bouncy Castle code that is handed the provider itself (MINA's encrypted PKCS#8 decryption). */
    @Test
    void whatTheSmallProviderLacksComesFromTheWholeOne() {
        Provider.Service pbkdf2 = SshClients.EdDsaProvider.INSTANCE.getService("SecretKeyFactory", "PBKDF2WITHHMACSHA256");
        assertNotNull(pbkdf2);
        assertEquals("BC", pbkdf2.getProvider().getName());
        assertNull(SshClients.EdDsaProvider.INSTANCE.getService("SecretKeyFactory", "no-such-algorithm"));
    }
}
