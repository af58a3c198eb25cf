package dev.ferry.sftp.internal;

import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.ferry.core.Credentials;
import org.apache.sshd.client.auth.UserAuthFactory;
import org.apache.sshd.client.auth.keyboard.UserAuthKeyboardInteractive;
import org.apache.sshd.client.auth.keyboard.UserAuthKeyboardInteractiveFactory;
import org.apache.sshd.client.auth.keyboard.UserInteraction;
import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.auth.password.UserAuthPassword;
import org.apache.sshd.client.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKey;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * The SSH login of one connection with exactly the credentials its target was given, and a record of which of
 * them the server accepted, as MINA reports it. One instance per connection attempt, in its connection context.
 * <ul>
 * <li>Methods: {@code publickey} for a key; {@code password} for a password, then {@code keyboard-interactive}
 * answering a single password prompt with it, unless the server already refused that password.</li>
 * <li>The password reaches MINA through a {@link PasswordIdentityProvider} of the session, never through
 * {@code addPasswordIdentity}, which logs an unsalted SHA-256 of it at DEBUG.</li>
 * <li>No other identity: no key provider (MINA's default reads {@code ~/.ssh/id_*}), no user interaction.</li>
 * </ul>
 */
final class GivenCredentials {
    /** Where a connection's instance is found in its connection context. */
    static final AttributeKey<GivenCredentials> KEY = new AttributeKey<>();

    private final Credentials credentials;
    private final List<String> methods = new ArrayList<>();
    /** What the server accepted, in order (more than one where it asks for several, e.g. a key and a password). */
    private final List<String> accepted = new CopyOnWriteArrayList<>();
    private volatile boolean passwordRefused;

    GivenCredentials(Credentials credentials) {
        this.credentials = credentials;
        if (credentials.privateKey().isPresent()) {
            methods.add(UserAuthPublicKeyFactory.NAME);
        }
        if (credentials.password().isPresent()) {
            methods.add(UserAuthPasswordFactory.NAME);
            methods.add(UserAuthKeyboardInteractiveFactory.NAME);
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("credentials: neither a password nor a private key");
        }
    }

    /** The methods offered, in the order tried. */
    List<String> methods() {
        return List.copyOf(methods);
    }

    /**
     * What the server accepted, e.g. {@code password} or {@code publickey ssh-ed25519 SHA256:...}; "none" when it
     * let the user in without a credential.
     */
    String accepted() {
        return accepted.isEmpty() ? "none (the server asked for no credential)" : String.join(" and ", accepted);
    }

    /**
     * Sets the session's authentication up. Called when MINA makes the session's user-auth service, which reads
     * the methods once, in its constructor: after {@code connect()} returns would be too late.
     */
    void applyTo(ClientSession session) {
        List<UserAuthFactory> factories = new ArrayList<>();
        for (String m : methods) {
            factories.add(switch (m) {
                case UserAuthPublicKeyFactory.NAME -> new PublicKeyMethod();
                case UserAuthPasswordFactory.NAME -> new PasswordMethod();
                default -> new KeyboardInteractiveMethod();
            });
        }
        session.setUserAuthFactories(factories);
        session.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER); // the key is added by the connection
        session.setPasswordIdentityProvider(s -> credentials.password().map(p -> List.of(new String(p))).orElse(List.of()));
        session.setUserInteraction(UserInteraction.NONE);
    }

    private static String describe(KeyPair key, String signature) {
        String type = KeyUtils.getKeyType(key);
        return UserAuthPublicKeyFactory.NAME + " " + type + " " + HostKeyChecker.fingerprint(key.getPublic())
                + (signature != null && !signature.equals(type) ? " (" + signature + ")" : "");
    }

    private final class PublicKeyMethod extends UserAuthPublicKeyFactory {
        @Override
        public UserAuthPublicKey createUserAuth(ClientSession session) {
            return new UserAuthPublicKey(getSignatureFactories()) {
                @Override
                public void signalAuthMethodSuccess(ClientSession s, String service, Buffer buffer) throws Exception {
                    accepted.add(current == null ? getName() : describe(current.getKeyIdentity(), chosenAlgorithm));
                    super.signalAuthMethodSuccess(s, service, buffer);
                }

                @Override
                public void signalAuthMethodFailure(ClientSession s, String service, boolean partial, List<String> serverMethods,
                                                    Buffer buffer) throws Exception {
                    if (partial) { // accepted, and the server asks for another method as well
                        accepted.add(current == null ? getName() : describe(current.getKeyIdentity(), chosenAlgorithm));
                    }
                    super.signalAuthMethodFailure(s, service, partial, serverMethods, buffer);
                }
            };
        }
    }

    private final class PasswordMethod extends UserAuthPasswordFactory {
        @Override
        public UserAuthPassword createUserAuth(ClientSession session) {
            return new UserAuthPassword() {
                @Override
                public void signalAuthMethodSuccess(ClientSession s, String service, Buffer buffer) throws Exception {
                    accepted.add(getName());
                    super.signalAuthMethodSuccess(s, service, buffer);
                }

                @Override
                public void signalAuthMethodFailure(ClientSession s, String service, boolean partial, List<String> serverMethods,
                                                    Buffer buffer) throws Exception {
                    if (partial) {
                        accepted.add(getName());
                    } else {
                        passwordRefused = true;
                    }
                    super.signalAuthMethodFailure(s, service, partial, serverMethods, buffer);
                }
            };
        }
    }

    private final class KeyboardInteractiveMethod extends UserAuthKeyboardInteractiveFactory {
        @Override
        public UserAuthKeyboardInteractive createUserAuth(ClientSession session) {
            return new UserAuthKeyboardInteractive() {
                @Override
                protected boolean sendAuthDataRequest(ClientSession s, String service) throws Exception {
                    // The same password again would only add a failed login to the server's count (and fail2ban's).
                    return !passwordRefused && super.sendAuthDataRequest(s, service);
                }

                @Override
                public void signalAuthMethodSuccess(ClientSession s, String service, Buffer buffer) throws Exception {
                    accepted.add(getName());
                    super.signalAuthMethodSuccess(s, service, buffer);
                }

                @Override
                public void signalAuthMethodFailure(ClientSession s, String service, boolean partial, List<String> serverMethods,
                                                    Buffer buffer) throws Exception {
                    if (partial) {
                        accepted.add(getName());
                    }
                    super.signalAuthMethodFailure(s, service, partial, serverMethods, buffer);
                }
            };
        }
    }

    @Override
    public String toString() {
        return "GivenCredentials[" + credentials + ", methods=" + methods + "]";
    }
}
