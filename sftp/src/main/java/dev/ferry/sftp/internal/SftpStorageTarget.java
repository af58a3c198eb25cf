package dev.ferry.sftp.internal;

import dev.ferry.core.HostKeys;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep.Step;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.ProbeRecorder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.keyboard.UserInteraction;
import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.impl.DefaultSftpClient;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An SFTP {@link dev.ferry.core.StorageTarget} on Apache MINA SSHD: one {@link SshClient} per target
 * (started on first use, stopped by {@link #close()}), one SSH session and SFTP channel per pooled session.
 */
public final class SftpStorageTarget extends AbstractStorageTarget {
    private final HostKeys hostKeys;
    private final Duration keepAlive;
    private final int writeSize;
    private final Object lock = new Object();
    private SshClient client;
    /** Held while the key file is read, which may take a while (bcrypt): not {@link #lock}. */
    private final Object keyLock = new Object();
    /** The private key's pairs, read (and decrypted) once per target; guarded by {@link #keyLock}. */
    private List<KeyPair> identities;

    public SftpStorageTarget(TargetConfig config, SftpSettings settings) throws TransferException {
        super(config, "sftp", 22);
        this.hostKeys = config.hostKeys().orElseThrow(() -> TransferException.builder(Reason.BAD_INPUT,
                "SFTP needs the server's host key: give a known_hosts file or a pinned SHA256 fingerprint")
                .hint("HostKeys.knownHosts(path) or HostKeys.pinned(\"SHA256:...\"); --known-hosts or --host-key-pin").build());
        if (config.credentials().password().isEmpty() && config.credentials().privateKey().isEmpty()) {
            throw TransferException.builder(Reason.BAD_INPUT, "SFTP needs a password or a private key for "
                    + config.credentials().username()).hint("--password-env NAME or --key FILE").build();
        }
        this.keepAlive = settings.keepAlive();
        this.writeSize = settings.writeSize();
    }

    HostKeys hostKeys() {
        return hostKeys;
    }

    int writeSize() {
        return writeSize;
    }

    /**
     * The target's SSH client, started on first use. Never after {@link #close()}: a client started then would
     * run (with its threads) until the JVM exits, as nothing would stop it.
     */
    SshClient client() throws TransferException {
        synchronized (lock) {
            if (isClosed()) {
                // The pool refuses uploads on a closed target in the same words; the connection test comes here.
                throw TransferException.builder(Reason.CANCELLED, "the target " + config().redactedUri() + " is closed")
                        .hint("a closed target cannot connect again: make a new one").build();
            }
            if (client == null) {
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
                    HostKeyChecker checker = ctx == null ? null : ctx.getAttribute(SftpConnection.CHECKER);
                    return checker != null && checker.verifyServerKey(session, remote, key);
                });
                // Which host key the server presents is chosen in the key exchange: ask first for the types this
                // connection can verify. MINA announces the session's "created" event before it sends KEXINIT
                // (AbstractSessionIoHandler.sessionCreated, then session.start()); after connect() would be too late.
                c.addSessionListener(new SessionListener() {
                    @Override
                    public void sessionCreated(org.apache.sshd.common.session.Session session) {
                        AttributeRepository ctx = session instanceof ClientSession cs ? cs.getConnectionContext() : null;
                        HostKeyChecker checker = ctx == null ? null : ctx.getAttribute(SftpConnection.CHECKER);
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
                        // Why the key exchange failed, for SftpConnection.secure(), which sees only a closed session; in
                        // the connection context, because MINA clears the session's own attributes when it closes it.
                        AttributeRepository ctx = session instanceof ClientSession cs ? cs.getConnectionContext() : null;
                        var failure = ctx == null ? null : ctx.getAttribute(SftpConnection.NEGOTIATION_FAILURE);
                        if (reason != null && failure != null) {
                            failure.compareAndSet(null, NegotiationFailure.of(clientProposal, serverProposal, negotiated, reason));
                        }
                    }
                });
                CoreModuleProperties.HEARTBEAT_INTERVAL.set(c, keepAlive);
                // MINA's authentication timer runs from the session's start and closes it when it fires. Ferry waits a
                // reply timeout for the key exchange, then one for the authentication, and reports which did not
                // finish: MINA's timer must not fire first, or a slow login reads as a broken connection.
                CoreModuleProperties.AUTH_TIMEOUT.set(c, config().connectTimeout().plus(config().replyTimeout().multipliedBy(2))
                        .plusSeconds(1));
                CoreModuleProperties.IDLE_TIMEOUT.set(c, Duration.ofMinutes(30));
                CoreModuleProperties.WINDOW_TIMEOUT.set(c, config().dataTimeout());
                // How long a write request may wait to be sent (MINA's default is 30 s): a stalled connection fails
                // within the data timeout, as a stalled FTP data connection does.
                DefaultSftpClient.SFTP_CLIENT_CMD_TIMEOUT.set(c, config().dataTimeout());
                c.start();
                client = c;
            }
            return client;
        }
    }

    @Override
    protected Session connect(Transcript transcript) throws TransferException {
        return SftpConnection.open(this, transcript);
    }

    @Override
    public ProbeReport probe() {
        Transcript t = newTranscript();
        ProbeRecorder r = new ProbeRecorder(info(), t);
        SftpConnection c = new SftpConnection(this, t);
        String name = ".ferry-probe-" + UUID.randomUUID().toString().substring(0, 8) + ".txt";
        byte[] content = ("Ferry connection test " + java.time.Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            r.step(Step.DNS, () -> {
                InetAddress[] all = InetAddress.getAllByName(config().host());
                return config().host() + " is " + all[0].getHostAddress();
            });
            r.step(Step.CONNECT, c::connect);
            r.step(Step.SECURE, () -> {
                try {
                    String s = c.secure();
                    r.connection(c.connectionInfo());
                    return s;
                } finally {
                    if (c.connectionInfo() == null && c.seenFingerprint() != null) {
                        // A dashboard can offer "trust this key" even when the check failed.
                        r.connection(new dev.ferry.core.ConnectionInfo("SSH-2.0", null, c.seenFingerprint(), c.serverVersion()));
                    }
                }
            });
            r.step(Step.LOGIN, c::login);
            r.step(Step.DIRECTORY, () -> "in " + c.enterBase());
            boolean tried = !r.failed();
            boolean uploaded = r.step(Step.UPLOAD, () -> "stored " + c.writeProbe(name, content) + " (" + content.length + " bytes)");
            r.step(Step.VERIFY, () -> {
                long size = c.size(name);
                if (size != content.length) {
                    throw TransferException.builder(Reason.VERIFY_FAILED, "the test file has " + size + " bytes on the server instead of "
                            + content.length).build();
                }
                return "size " + size + " as sent";
            });
            // Clean-up: once the file was opened for writing it exists (whole, or part of it), whatever failed after.
            if (!tried) {
                r.skip(Step.DELETE, "skipped because an earlier step failed");
            } else if (!uploaded && c.isOpen() && !probeFileMayExist(c, name)) {
                r.skip(Step.DELETE, "skipped: the upload created no test file, so there is nothing to delete");
            } else {
                r.cleanUp(Step.DELETE, () -> deleteProbeFile(c, name));
            }
        } finally {
            r.step(Step.QUIT, () -> {
                c.close();
                return "closed";
            });
        }
        return r.report();
    }

    /** Whether the probe's test file may be on the server after a failed upload (the open for writing may have failed). */
    private static boolean probeFileMayExist(SftpConnection c, String name) {
        try {
            c.size(name);
            return true;
        } catch (TransferException e) {
            return e.reason() != Reason.NOT_FOUND; // cannot tell: try to delete it
        }
    }

    /** Deletes the probe's test file; a failure's hint names the file that may be left on the server. */
    private String deleteProbeFile(SftpConnection c, String name) throws TransferException {
        String where = config().baseDirectory() + " (remove it by hand)";
        if (!c.isOpen()) {
            throw TransferException.builder(Reason.CONNECT, "the SSH connection broke; cannot delete the test file " + name)
                    .hint("the test file " + name + " may be left in " + where).build();
        }
        try {
            c.delete(name);
        } catch (TransferException e) {
            throw e.toBuilder().hint(c.isOpen() ? "the server refused to delete it; the test file " + name + " is left in " + where
                    : "the SSH connection broke; the test file " + name + " may be left in " + where).build();
        }
        return "deleted " + name;
    }

    /**
     * The key pairs in the configured private key file, read the first time a connection asks and kept until
     * {@link #close()}: each new connection of the pool, and each reconnection, would otherwise read the file
     * again and, for an encrypted OpenSSH key, run its bcrypt key derivation again (~120 ms in a fresh JVM).
     * The passphrase is held by the target's configuration anyway. A failure is not kept: the next call reads
     * the file again.
     */
    List<KeyPair> identities(SessionContext session, Path key, char[] passphrase) throws IOException, GeneralSecurityException {
        synchronized (keyLock) {
            if (identities == null) {
                List<KeyPair> pairs = new ArrayList<>();
                try (InputStream in = Files.newInputStream(key)) {
                    Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(session, NamedResource.ofName(key.toString()), in,
                            passphrase == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(new String(passphrase)));
                    if (loaded != null) {
                        loaded.forEach(pairs::add);
                    }
                }
                if (pairs.isEmpty()) {
                    throw new GeneralSecurityException("no key found in the file");
                }
                identities = List.copyOf(pairs);
            }
            return identities;
        }
    }

    @Override
    public void close() {
        super.close();
        synchronized (keyLock) {
            identities = null;
        }
        synchronized (lock) {
            if (client != null) {
                try {
                    client.stop();
                } finally {
                    client = null;
                }
            }
        }
    }
}
