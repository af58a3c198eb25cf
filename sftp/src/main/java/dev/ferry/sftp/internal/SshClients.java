package dev.ferry.sftp.internal;

import java.security.Provider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.common.util.security.SecurityProviderChoice;
import org.apache.sshd.common.util.security.SecurityProviderRegistrar;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.common.util.security.bouncycastle.BouncyCastleSecurityProviderRegistrar;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.jcajce.provider.asymmetric.EdEC;
import org.bouncycastle.jcajce.provider.config.ConfigurableProvider;
import org.bouncycastle.jcajce.provider.util.AsymmetricKeyInfoConverter;

/**
 * MINA SSHD needs Bouncy Castle for ed25519 keys (host keys, known_hosts entries, user keys), and only
 * for them: the JDK does everything else (RSA, ECDSA, X25519, digests, ciphers, MACs).
 * <ul>
 * <li>By default MINA would add Bouncy Castle to {@link java.security.Security}'s providers, a JVM-wide
 * change a library must not make. Here MINA gets a provider instance it uses without naming (adding) it.</li>
 * <li>That instance carries only Bouncy Castle's Edwards-curve algorithms ({@link EdEC.Mappings}), not the
 * whole {@code BouncyCastleProvider}, whose constructor computes the parameters of every named elliptic
 * curve it knows: about 230 ms of a cold start, for curves SSH never uses.</li>
 * <li>MINA is told that this registrar supports only ed25519 key factories, key pair generators and
 * signatures; for everything else it asks the JDK's providers, as a program without Bouncy Castle
 * would.</li>
 * <li>Where MINA hands the provider instance itself to Bouncy Castle code (decrypting an encrypted PKCS#8
 * key with {@code bcpkix}), an algorithm the small provider lacks comes from a whole
 * {@code BouncyCastleProvider}, made the first time one is asked for.</li>
 * </ul>
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
            EdDsaRegistrar bc = new EdDsaRegistrar();
            Map<String, Object> p = bc.getProperties();
            p.put(bc.getConfigurationPropertyName(SecurityProviderRegistrar.NAMED_PROVIDER_PROPERTY), Boolean.FALSE);
            p.put(bc.getConfigurationPropertyName("supportAll"), SecurityProviderRegistrar.NO_OPTIONS_VALUE);
            // Names as MINA asks for them, sorted case-insensitively (MINA searches the list by bisection).
            for (String entity : new String[] {"KeyFactory", "KeyPairGenerator", "Signature"}) {
                p.put(bc.getConfigurationPropertyName(entity), "Ed25519,EdDSA");
            }
            if (!bc.isSupported()) {
                return;
            }
            SecurityUtils.registerSecurityProvider(bc);
            // MINA's registration, which this completes, makes Bouncy Castle the default for whatever no
            // registrar claims; the default stays the JDK's, unless the host application chose one.
            boolean hostChose = System.getProperty(SecurityUtils.PROP_DEFAULT_SECURITY_PROVIDER) != null;
            SecurityUtils.isBouncyCastleRegistered();
            if (!hostChose) {
                SecurityUtils.setDefaultProviderChoice(SecurityProviderChoice.EMPTY);
            }
        }
    }

    /** MINA's Bouncy Castle registrar (its ed25519 support and key classes) with the small provider below. */
    private static final class EdDsaRegistrar extends BouncyCastleSecurityProviderRegistrar {
        @Override
        public Provider getSecurityProvider() {
            return EdDsaProvider.INSTANCE;
        }
    }

    /**
     * Bouncy Castle's Edwards-curve algorithms (Ed25519, Ed448, X25519, X448) in a provider of their own,
     * configured the way {@code BouncyCastleProvider} configures them; any other algorithm from the whole
     * provider, made when first needed. Never added to {@code Security}.
     */
    static final class EdDsaProvider extends Provider implements ConfigurableProvider {
        private static final long serialVersionUID = 1L;
        static final EdDsaProvider INSTANCE = new EdDsaProvider();

        private final transient Map<ASN1ObjectIdentifier, AsymmetricKeyInfoConverter> converters = new ConcurrentHashMap<>();

        private EdDsaProvider() {
            super("BC", "1.0", "Bouncy Castle's Edwards-curve algorithms, for Ferry's SSH client");
            new EdEC.Mappings().configure(this);
        }

        @Override
        public Service getService(String type, String algorithm) {
            Service own = super.getService(type, algorithm);
            return own != null ? own : Whole.PROVIDER.getService(type, algorithm);
        }

        /** The whole Bouncy Castle provider, made by the first look-up the small one cannot answer. */
        private static final class Whole {
            static final Provider PROVIDER = new org.bouncycastle.jce.provider.BouncyCastleProvider();
        }

        @Override
        public void setParameter(String parameterName, Object parameter) {
            throw new UnsupportedOperationException("no parameters");
        }

        @Override
        public boolean hasAlgorithm(String type, String name) {
            return containsKey(type + "." + name) || containsKey("Alg.Alias." + type + "." + name);
        }

        @Override
        public void addAlgorithm(String key, String value) {
            if (containsKey(key)) {
                throw new IllegalStateException("duplicate provider key (" + key + ")");
            }
            put(key, value);
        }

        @Override
        public void addAlgorithm(String key, String value, Map<String, String> attributes) {
            addAlgorithm(key, value);
            addAttributes(key, attributes);
        }

        @Override
        public void addAlgorithm(String type, ASN1ObjectIdentifier oid, String className) {
            addAlgorithm(type + "." + oid, className);
            addAlgorithm(type + ".OID." + oid, className);
        }

        @Override
        public void addAlgorithm(String type, ASN1ObjectIdentifier oid, String className, Map<String, String> attributes) {
            addAlgorithm(type, oid, className);
            addAttributes(type + "." + oid, attributes);
            addAttributes(type + ".OID." + oid, attributes);
        }

        @Override
        public void addKeyInfoConverter(ASN1ObjectIdentifier oid, AsymmetricKeyInfoConverter keyInfoConverter) {
            converters.put(oid, keyInfoConverter);
        }

        @Override
        public AsymmetricKeyInfoConverter getKeyInfoConverter(ASN1ObjectIdentifier oid) {
            return converters.get(oid);
        }

        @Override
        public void addAttributes(String key, Map<String, String> attributeMap) {
            put(key + " ImplementedIn", "Software");
            attributeMap.forEach((name, value) -> put(key + " " + name, value));
        }
    }
}
