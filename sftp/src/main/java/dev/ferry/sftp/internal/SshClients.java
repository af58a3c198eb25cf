package dev.ferry.sftp.internal;

import org.apache.sshd.common.util.security.SecurityProviderRegistrar;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.common.util.security.bouncycastle.BouncyCastleSecurityProviderRegistrar;

/**
 * MINA SSHD needs Bouncy Castle for ed25519 keys, and by default it would add Bouncy Castle to
 * {@link java.security.Security}'s providers: a JVM-wide change a library must not make. Before MINA
 * registers its providers, register a Bouncy Castle registrar told to use the provider instance
 * without naming (adding) it; MINA then keeps that one.
 */
final class SshClients {
    private SshClients() {
    }

    private static final Object LOCK = new Object();
    private static boolean done;

    static void configureProvidersOnce() {
        synchronized (LOCK) {
            if (done) {
                return;
            }
            done = true;
            if (SecurityUtils.isRegistrationCompleted()) {
                return; // the host application set MINA up already; respect its choice
            }
            BouncyCastleSecurityProviderRegistrar bc = new BouncyCastleSecurityProviderRegistrar();
            bc.getProperties().put(bc.getConfigurationPropertyName(SecurityProviderRegistrar.NAMED_PROVIDER_PROPERTY), Boolean.FALSE);
            // Only for keys and signatures (ed25519): ciphers and MACs stay with the JDK, whose
            // AES-GCM has intrinsics (Bouncy Castle's pure-Java AES-GCM made SFTP four to five times slower).
            for (String entity : new String[] {"Cipher", "Mac"}) {
                bc.getProperties().put(bc.getConfigurationPropertyName(entity), "none");
            }
            if (bc.isSupported()) {
                SecurityUtils.registerSecurityProvider(bc);
            }
        }
    }
}
