package dev.ferry.sftp.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.keyboard.UserInteraction;
import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.impl.DefaultSftpClient;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Logs one SSH connection in: TCP connection, key exchange with the host key's verdict, authentication with exactly
 * the given credentials. Also builds the SSH client that a target's connections share ({@link #newClient}), since the
 * client's listeners and verifier read what each connection puts in its context here.
 *
 * <p>One instance per connection attempt, used by one thread. {@link #run()} does every step; the connection test
 * calls the steps one by one. After a failed step the SSH session (if any) is closed at once.
 */
final class SshLogin {
    /** The connection's host key checker, in its connection context. */
    static final AttributeKey<HostKeyChecker> CHECKER = new AttributeKey<>();
    /** Set when the key exchange found no algorithm in common with the server. */
    static final AttributeKey<AtomicReference<NegotiationFailure>> NEGOTIATION_FAILURE = new AttributeKey<>();

    /** What the key exchange established: the connection's facts and a line for the connection test. */
    record KeyExchange(ConnectionInfo connection, String summary) {
    }

    /** A logged-in SSH session, its facts and what the server accepted (e.g. {@code password}). */
    record LoggedIn(ClientSession session, ConnectionInfo connection, String accepted) {
    }

    private final SftpStorageTarget target;
    private final TargetConfig config;
    private final Transcript transcript;
    private final AtomicReference<NegotiationFailure> negotiationFailure = new AtomicReference<>();
    private HostKeyChecker checker;
    private GivenCredentials given;
    private ClientSession session;
    private ConnectionInfo info;

    SshLogin(SftpStorageTarget target, Transcript transcript) {
        this.target = target;
        this.config = target.config();
        this.transcript = transcript;
    }

    /** Every step; the logged-in session, or nothing left open. */
    LoggedIn run() throws TransferException {
        connect();
        // Read the private key while the key exchange runs on MINA's thread; a failure is reported by
        // authenticate(), after the host key's verdict.
        readKey();
        keyExchange();
        return authenticate();
    }

    /** TCP connection and SSH session (the key exchange runs in the background). */
    String connect() throws TransferException {
        int port = config.portOr(22);
        checker = new HostKeyChecker(target.hostKeys(), config.host(), port, transcript);
        if (target.hostKeys().isInsecureAcceptAny()) {
            transcript.note("INSECURE: any SSH host key is accepted (HostKeys.insecureAcceptAny)");
        }
        transcript.note("connecting to " + config.host() + ":" + port + " (SFTP)");
        // Read known_hosts here, not on MINA's I/O thread, which asks for this host's key types before the key exchange.
        checker.knownKeyTypes();
        given = new GivenCredentials(config.credentials());
        AttributeRepository context = AttributeRepository.ofAttributesMap(Map.of(CHECKER, checker, GivenCredentials.KEY, given,
                NEGOTIATION_FAILURE, negotiationFailure));
        SshClient client = target.client(); // refuses once the target is closed
        try {
            ConnectFuture f = client.connect(config.credentials().username(), config.host(), port, context);
            session = f.verify(config.connectTimeout()).getSession();
        } catch (IOException | UnresolvedAddressException e) {
            throw connectFailure(e, port);
        }
        return "connected to " + config.host() + ":" + port;
    }

    /** Waits for the key exchange and the host key check. */
    KeyExchange keyExchange() throws TransferException {
        Set<ClientSession.ClientSessionEvent> events;
        long waitStart = System.nanoTime();
        try {
            events = session.waitFor(EnumSet.of(ClientSession.ClientSessionEvent.WAIT_AUTH, ClientSession.ClientSessionEvent.CLOSED),
                    config.replyTimeout());
        } catch (Exception e) {
            throw hostKeyOr(Reason.TLS_HANDSHAKE, "the SSH key exchange with " + config.host() + " failed: " + e.getMessage(), e, null);
        }
        NegotiationFailure noMatch = negotiationFailure.get();
        if (noMatch != null) {
            transcript.note("key exchange failed: " + noMatch.detail());
            throw fail(TransferException.builder(Reason.PROTOCOL, noMatch.message(config.host() + ":" + config.portOr(22)))
                    .hint(noMatch.hint()));
        }
        // waitFor does not throw on a timeout; it says so in what it returns. MINA's own authentication timer (the same
        // length, from the session's start) may close the silent session at that moment: then only CLOSED is returned.
        boolean waitedOut = events.contains(ClientSession.ClientSessionEvent.TIMEOUT)
                || System.nanoTime() - waitStart >= config.replyTimeout().toNanos() * 9 / 10;
        if (waitedOut && !events.contains(ClientSession.ClientSessionEvent.WAIT_AUTH)
                && checker.verdict() == HostKeyChecker.Verdict.NOT_CHECKED) {
            // No host key came within the time: the server is silent, not refusing.
            boolean banner = session.getServerVersion() != null;
            throw hostKeyOr(Reason.TIMEOUT, "no SSH key exchange with " + config.host() + ":" + config.portOr(22) + " within "
                    + config.replyTimeout().toSeconds() + " s" + (banner ? "" : ": the server sent no SSH version line"), null,
                    banner ? "the server is slow or the connection stalled; it is retried"
                            : "check that an SSH server listens on that port (something accepts connections there but says nothing)");
        }
        if (checker.verdict() != HostKeyChecker.Verdict.ACCEPTED || !session.isOpen()) {
            throw hostKeyOr(Reason.CONNECT, "the SSH session closed during the key exchange", null, null);
        }
        String kex = session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS);
        String cipher = session.getNegotiatedKexParameter(KexProposalOption.C2SENC);
        info = new ConnectionInfo("SSH-2.0", cipher, checker.fingerprint(), session.getServerVersion());
        transcript.note("server " + session.getServerVersion() + ", key exchange " + kex + ", cipher " + cipher + ", MAC "
                + session.getNegotiatedKexParameter(KexProposalOption.C2SMAC));
        return new KeyExchange(info, session.getServerVersion() + ", " + kex + ", " + cipher + ", host key " + checker.keyType()
                + " " + checker.fingerprint());
    }

    /**
     * The host key the server presented, even when it was refused or the key exchange failed after it (so that a
     * dashboard can offer "trust this key"); {@code null} if none was seen.
     */
    ConnectionInfo presentedHostKey() {
        String fingerprint = checker == null ? null : checker.fingerprint();
        return fingerprint == null ? null
                : new ConnectionInfo("SSH-2.0", null, fingerprint, session == null ? null : session.getServerVersion());
    }

    private TransferException hostKeyOr(Reason otherwise, String message, Exception cause, String hint) {
        HostKeyChecker.Verdict v = checker.verdict();
        if (v == HostKeyChecker.Verdict.UNKNOWN || v == HostKeyChecker.Verdict.CHANGED || v == HostKeyChecker.Verdict.REVOKED) {
            String what = switch (v) {
                case CHANGED -> "CHANGED: the server's " + checker.keyType() + " host key " + checker.fingerprint()
                        + " differs from the known one (" + checker.how() + "); this may be an attack, or the server was reinstalled";
                case REVOKED -> "REVOKED: the server's host key " + checker.fingerprint() + " is " + checker.how();
                default -> "the server's " + checker.keyType() + " host key " + checker.fingerprint() + " is not known"
                        + (target.hostKeys().knownHostsFile().isPresent() ? " in " + target.hostKeys().knownHostsFile().get() : "")
                        + (target.hostKeys().pinnedFingerprints().isEmpty() ? "" : " and matches no pinned fingerprint");
            };
            return fail(TransferException.builder(Reason.HOST_KEY, what).cause(cause)
                    .hint("if you trust this server, pin its key: HostKeys.pinned(\"" + checker.fingerprint() + "\") or --host-key-pin "
                            + checker.fingerprint() + " (check it with the server's owner first)"));
        }
        return fail(TransferException.builder(otherwise, message).cause(cause).hint(hint));
    }

    /** Reads the private key for {@link #authenticate()} (once per target), if there is one; a failure waits for it. */
    void readKey() {
        if (config.credentials().privateKey().isPresent()) {
            try {
                target.identities(session, config.credentials().privateKey().get(), config.credentials().passphrase().orElse(null));
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                // authenticate() reads it again and says what is wrong
            }
        }
    }

    /** Authenticates with the key and/or password, and nothing else (see {@link GivenCredentials}). */
    LoggedIn authenticate() throws TransferException {
        List<String> methods = given.methods();
        if (config.credentials().privateKey().isPresent()) {
            Path key = config.credentials().privateKey().get();
            char[] pass = config.credentials().passphrase().orElse(null);
            try {
                for (KeyPair kp : target.identities(session, key, pass)) {
                    session.addPublicKeyIdentity(kp);
                }
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
                boolean passphrase = pass == null || m.contains("decrypt") || m.contains("password");
                throw fail(TransferException.builder(Reason.BAD_INPUT, "cannot load the private key " + key + ": "
                        + e.getClass().getSimpleName() + (passphrase ? " (encrypted key without the right passphrase?)" : ""))
                        .hint("give an OpenSSH or PEM private key (RSA, ECDSA, ed25519) and its passphrase"));
            }
        }
        try {
            session.auth().verify(config.replyTimeout());
        } catch (IOException e) {
            throw authFailure(e, methods);
        }
        // What MINA saw the server accept, which may be less than was offered.
        String accepted = given.accepted();
        transcript.note("authenticated as " + config.credentials().username() + " with " + accepted);
        return new LoggedIn(session, info, accepted);
    }

    private TransferException authFailure(IOException e, List<String> methods) {
        String m = String.valueOf(e.getMessage());
        if (e.getCause() instanceof TimeoutException) {
            return fail(TransferException.builder(Reason.TIMEOUT, "no answer to authentication within "
                    + config.replyTimeout().toSeconds() + " s").cause(e)
                    .hint("the server is slow to check the credentials or the connection stalled; it is retried"));
        }
        if (e instanceof InterruptedIOException) {
            Thread.currentThread().interrupt();
            return fail(TransferException.builder(Reason.CANCELLED, "interrupted while authenticating").cause(e).retryable(false));
        }
        boolean refused = m.contains("No more authentication methods")
                || e instanceof SshException s && s.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE;
        if (!refused) {
            // The connection broke during authentication: not a verdict on the credentials, so it may be retried.
            return fail(TransferException.builder(Reason.CONNECT, "the SSH connection broke during authentication: " + m).cause(e)
                    .hint("a network problem or the server dropped the connection; it is retried"));
        }
        String offered = ServerAuthMethods.offered(session);
        String serverSide = offered == null || offered.isBlank() ? "the server did not list the methods it accepts"
                : "the server accepts: " + offered.replace(",", ", ");
        transcript.note("authentication refused; " + serverSide);
        return fail(TransferException.builder(Reason.AUTH, "the server refused the login of " + config.credentials().username()
                + " with " + String.join(" and ", methods) + "; " + serverSide).cause(e).retryable(false)
                .hint(authHint(methods, offered)));
    }

    /** What to do about a refused login, from what Ferry offered and what the server accepts. */
    static String authHint(List<String> ours, String offered) {
        List<String> theirs = offered == null ? List.of() : Arrays.stream(offered.split(","))
                .map(String::trim).filter(x -> !x.isEmpty()).toList();
        String tried = "Ferry offered " + String.join(", ", ours);
        if (theirs.isEmpty()) {
            return "check the user name, the password or that the public key is in the server's authorized_keys; " + tried;
        }
        boolean overlap = ours.stream().anyMatch(theirs::contains);
        if (!overlap) {
            return tried + " but the server accepts only " + String.join(", ", theirs) + ": give "
                    + (theirs.contains("publickey") ? "a private key (--key) whose public key is in the server's authorized_keys"
                    : theirs.contains("password") || theirs.contains("keyboard-interactive") ? "a password" : "credentials of that kind");
        }
        return "check the user name, the password or that the public key is in the server's authorized_keys (the server accepts "
                + String.join(", ", theirs) + "; " + tried + ")";
    }

    private TransferException connectFailure(Exception e, int port) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) {
            return fail(TransferException.builder(Reason.DNS, "cannot resolve " + config.host()).cause(e).hint("check the host name"));
        }
        if (root instanceof ConnectException) {
            return fail(TransferException.builder(Reason.CONNECT, "cannot connect to " + config.host() + ":" + port + ": "
                    + root.getMessage()).cause(e)
                    .hint("check the host and port; nothing accepts connections there, or a firewall rejects them"));
        }
        if (e instanceof SshException && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
            return fail(TransferException.builder(Reason.CONNECT, "connecting to " + config.host() + ":" + port + " timed out after "
                    + config.connectTimeout().toSeconds() + " s").cause(e)
                    .hint("check the host and port, and that a firewall lets you reach it"));
        }
        return fail(TransferException.builder(Reason.CONNECT, "connecting to " + config.host() + ":" + port + " failed: "
                + e.getMessage()).cause(e).hint("check that the server is an SSH server and is up"));
    }

    /** A failed step: the session, broken or refused, is closed at once (a graceful close would wait for the peer). */
    private TransferException fail(TransferException.Builder b) {
        abort();
        return b.transcript(transcript).build();
    }

    /** Closes the SSH session, if any, at once; for a login that failed or was given up. Idempotent. */
    void abort() {
        if (session != null) {
            session.close(true);
        }
    }

    /**
     * A new SSH client for one target, configured and not started: only the caller's credentials and host keys, no SHA-1
     * signatures or MACs, AES-GCM and ML-KEM first, and timeouts from {@code config}.
     */
    static SshClient newClient(TargetConfig config, Duration keepAlive) {
        SshClients.configureProvidersOnce();
        SshClient c = SshClient.setUpDefaultClient();
        // Only what the caller gave: MINA's defaults would also offer the process user's ~/.ssh/id_* keys
        // and an ssh-agent's, and let ~/.ssh/config turn the host into another (HostName, Port, ProxyJump).
        // Each session sets its own methods and password (GivenCredentials).
        c.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        c.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        c.setPasswordIdentityProvider(PasswordIdentityProvider.EMPTY_PASSWORDS_PROVIDER);
        c.setAgentFactory(null);
        c.setUserInteraction(UserInteraction.NONE);
        c.setSignatureFactories(Sha1Algorithms.without(c.getSignatureFactories(), Sha1Algorithms.SIGNATURES));
        c.setMacFactories(Sha1Algorithms.without(c.getMacFactories(), Sha1Algorithms.MACS));
        // AES-GCM first: the JDK has intrinsics for it; chacha20-poly1305 (MINA's first choice) is slow in Java.
        List<NamedFactory<Cipher>> ciphers = new ArrayList<>();
        for (BuiltinCiphers b : List.of(BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm, BuiltinCiphers.aes128ctr,
                BuiltinCiphers.aes192ctr, BuiltinCiphers.aes256ctr, BuiltinCiphers.cc20p1305_openssh)) {
            if (b.isSupported()) {
                ciphers.add(b);
            }
        }
        c.setCipherFactories(ciphers);
        // ML-KEM first, as OpenSSH 10 orders its own (MINA puts sntrup761 first). Both are post-quantum
        // hybrids with X25519; in a JVM that has not compiled them yet, ML-KEM-768 takes ~50 ms and
        // sntrup761 ~250 ms (key generation, Bouncy Castle's Java code), on every cold start.
        List<KeyExchangeFactory> kex = new ArrayList<>(c.getKeyExchangeFactories());
        kex.sort(Comparator.comparing(f -> !BuiltinDHFactories.Constants.MLKEM768_25519_SHA256.equals(f.getName())));
        c.setKeyExchangeFactories(kex);
        c.setServiceFactories(ServerAuthMethods.serviceFactories());
        // Host keys are checked per connection by its HostKeyChecker, never by MINA's accept-all default.
        c.setServerKeyVerifier((session, remote, key) -> {
            AttributeRepository ctx = session.getConnectionContext();
            HostKeyChecker checker = ctx == null ? null : ctx.getAttribute(CHECKER);
            return checker != null && checker.verifyServerKey(session, remote, key);
        });
        c.addSessionListener(new SessionListener() {
            // Which host key the server presents is chosen in the key exchange: ask first for the types this
            // connection can verify. MINA announces the session's "created" event before it sends KEXINIT
            // (AbstractSessionIoHandler.sessionCreated, then session.start()); after connect() would be too late.
            @Override
            public void sessionCreated(org.apache.sshd.common.session.Session session) {
                AttributeRepository ctx = session instanceof ClientSession cs ? cs.getConnectionContext() : null;
                HostKeyChecker checker = ctx == null ? null : ctx.getAttribute(CHECKER);
                if (checker != null) {
                    session.setSignatureFactories(HostKeyChecker.hostKeyAlgorithms(session.getSignatureFactories(),
                            checker.knownKeyTypes()));
                }
            }

            @Override
            public void sessionNegotiationEnd(org.apache.sshd.common.session.Session session,
                                              Map<KexProposalOption, String> clientProposal,
                                              Map<KexProposalOption, String> serverProposal,
                                              Map<KexProposalOption, String> negotiated, Throwable reason) {
                // Why the key exchange failed, for keyExchange(), which sees only a closed session; in the
                // connection context, because MINA clears the session's own attributes when it closes it.
                AttributeRepository ctx = session instanceof ClientSession cs ? cs.getConnectionContext() : null;
                AtomicReference<NegotiationFailure> failure = ctx == null ? null : ctx.getAttribute(NEGOTIATION_FAILURE);
                if (reason != null && failure != null) {
                    failure.compareAndSet(null, NegotiationFailure.of(clientProposal, serverProposal, negotiated, reason));
                }
            }
        });
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(c, keepAlive);
        // MINA's authentication timer runs from the session's start and closes it when it fires. Ferry waits a
        // reply timeout for the key exchange, then one for the authentication, and reports which did not
        // finish: MINA's timer must not fire first, or a slow login reads as a broken connection.
        CoreModuleProperties.AUTH_TIMEOUT.set(c, config.connectTimeout().plus(config.replyTimeout().multipliedBy(2)).plusSeconds(1));
        CoreModuleProperties.IDLE_TIMEOUT.set(c, Duration.ofMinutes(30));
        CoreModuleProperties.WINDOW_TIMEOUT.set(c, config.dataTimeout());
        // How long a write request may wait to be sent (MINA's default is 30 s): a stalled connection fails
        // within the data timeout, as a stalled FTP data connection does.
        DefaultSftpClient.SFTP_CLIENT_CMD_TIMEOUT.set(c, config.dataTimeout());
        return c;
    }
}
