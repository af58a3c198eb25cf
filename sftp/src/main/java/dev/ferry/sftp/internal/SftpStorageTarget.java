package dev.ferry.sftp.internal;

import dev.ferry.core.HostKeys;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.AbstractStorageTarget;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.security.SecurityUtils;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An SFTP {@link dev.ferry.core.StorageTarget} on Apache MINA SSHD: one {@link SshClient} per target
 * (built by {@link SshLogin}, started on first use, stopped by {@link #close()}), the private key read once, and one
 * {@link SftpSession} (SSH session and SFTP channel) per pooled session.
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
                SshClient c = SshLogin.newClient(config(), keepAlive);
                c.start();
                client = c;
            }
            return client;
        }
    }

    @Override
    protected Session connect(Transcript transcript) throws TransferException {
        return SftpSession.open(this, transcript);
    }

    @Override
    public ProbeReport probe() {
        return new SftpProbe(this, newTranscript()).run();
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
