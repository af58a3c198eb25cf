package dev.ferry.sftp.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ExistingFile;
import dev.ferry.core.RemotePath;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.PreparedUpload;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One SSH connection with its SFTP channel: the phases of the connection test and a pooled session that
 * uploads files. Not thread-safe.
 */
final class SftpConnection implements AbstractStorageTarget.Session {
    static final org.apache.sshd.common.AttributeRepository.AttributeKey<HostKeyChecker> CHECKER =
            new org.apache.sshd.common.AttributeRepository.AttributeKey<>();
    /** Set when the key exchange found no algorithm in common with the server. */
    static final org.apache.sshd.common.AttributeRepository.AttributeKey<java.util.concurrent.atomic.AtomicReference<NegotiationFailure>>
            NEGOTIATION_FAILURE = new org.apache.sshd.common.AttributeRepository.AttributeKey<>();

    private final SftpStorageTarget target;
    private final TargetConfig config;
    private Transcript transcript;
    private HostKeyChecker checker;
    private GivenCredentials given;
    private final java.util.concurrent.atomic.AtomicReference<NegotiationFailure> negotiationFailure =
            new java.util.concurrent.atomic.AtomicReference<>();
    private ClientSession session;
    private SftpClient sftp;
    private ConnectionInfo info;
    private String base;
    private boolean broken;
    /** The uploading thread was interrupted during the transfer; its flag is set again once the upload cleaned up. */
    private boolean interruptedInTransfer;
    /** Directories seen to exist on this connection: a batch into one directory stats it once, not per file. */
    private final Set<String> knownDirectories = new HashSet<>();

    SftpConnection(SftpStorageTarget target, Transcript transcript) {
        this.target = target;
        this.config = target.config();
        this.transcript = transcript;
    }

    static SftpConnection open(SftpStorageTarget target, Transcript t) throws TransferException {
        SftpConnection c = new SftpConnection(target, t);
        boolean ok = false;
        try {
            c.connect();
            // Read the private key while the key exchange runs on MINA's thread; a failure is reported by
            // login(), after the host key's verdict, as before.
            c.readKey();
            c.secure();
            c.login();
            c.enterBase();
            ok = true;
            return c;
        } finally {
            if (!ok) {
                c.close();
            }
        }
    }

    String seenFingerprint() {
        return checker == null || checker.fingerprint() == null ? null : checker.fingerprint();
    }

    String serverVersion() {
        return session == null ? null : session.getServerVersion();
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
        AttributeRepository context = AttributeRepository.ofAttributesMap(java.util.Map.of(CHECKER, checker, GivenCredentials.KEY, given,
                NEGOTIATION_FAILURE, negotiationFailure));
        org.apache.sshd.client.SshClient client = target.client(); // refuses once the target is closed
        try {
            ConnectFuture f = client.connect(config.credentials().username(), config.host(), port, context);
            session = f.verify(config.connectTimeout()).getSession();
        } catch (IOException | UnresolvedAddressException e) {
            throw connectFailure(e, port);
        }
        return "connected to " + config.host() + ":" + port;
    }

    /** Waits for the key exchange and the host key check. */
    String secure() throws TransferException {
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
            throw fail(Reason.PROTOCOL, noMatch.message(config.host() + ":" + config.portOr(22)), null, noMatch.hint());
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
        return session.getServerVersion() + ", " + kex + ", " + cipher + ", host key " + checker.keyType() + " "
                + checker.fingerprint();
    }

    private TransferException hostKeyOr(Reason otherwise, String message, Exception cause, String hint) {
        broken = true;
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
            return TransferException.builder(Reason.HOST_KEY, what).cause(cause)
                    .hint("if you trust this server, pin its key: HostKeys.pinned(\"" + checker.fingerprint() + "\") or --host-key-pin "
                            + checker.fingerprint() + " (check it with the server's owner first)")
                    .transcript(transcript).build();
        }
        return TransferException.builder(otherwise, message).cause(cause).hint(hint).transcript(transcript).build();
    }

    /** Reads the private key for {@link #login()} (once per target), if there is one; a failure waits for login(). */
    void readKey() {
        if (config.credentials().privateKey().isPresent()) {
            try {
                target.identities(session, config.credentials().privateKey().get(), config.credentials().passphrase().orElse(null));
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                // login() reads it again and says what is wrong
            }
        }
    }

    /** Authenticates with the key and/or password, and nothing else (see {@link GivenCredentials}). */
    String login() throws TransferException {
        List<String> methods = given.methods();
        if (config.credentials().privateKey().isPresent()) {
            java.nio.file.Path key = config.credentials().privateKey().get();
            char[] pass = config.credentials().passphrase().orElse(null);
            try {
                for (KeyPair kp : target.identities(session, key, pass)) {
                    session.addPublicKeyIdentity(kp);
                }
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                broken = true;
                String m = String.valueOf(e.getMessage());
                boolean passphrase = pass == null || m.toLowerCase(java.util.Locale.ROOT).contains("decrypt")
                        || m.toLowerCase(java.util.Locale.ROOT).contains("password");
                throw TransferException.builder(Reason.BAD_INPUT, "cannot load the private key " + key + ": "
                        + e.getClass().getSimpleName() + (passphrase ? " (encrypted key without the right passphrase?)" : ""))
                        .hint("give an OpenSSH or PEM private key (RSA, ECDSA, ed25519) and its passphrase").transcript(transcript).build();
            }
        }
        try {
            session.auth().verify(config.replyTimeout());
        } catch (IOException e) {
            broken = true;
            String m = String.valueOf(e.getMessage());
            boolean refused = m.contains("No more authentication methods")
                    || e instanceof SshException s && s.getDisconnectCode() == org.apache.sshd.common.SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE;
            if (e.getCause() instanceof java.util.concurrent.TimeoutException) {
                throw TransferException.builder(Reason.TIMEOUT, "no answer to authentication within "
                        + config.replyTimeout().toSeconds() + " s").cause(e)
                        .hint("the server is slow to check the credentials or the connection stalled; it is retried")
                        .transcript(transcript).build();
            }
            if (e instanceof java.io.InterruptedIOException) {
                Thread.currentThread().interrupt();
                throw TransferException.builder(Reason.CANCELLED, "interrupted while authenticating").cause(e).retryable(false)
                        .transcript(transcript).build();
            }
            if (!refused) {
                // The connection broke during authentication: not a verdict on the credentials, so it may be retried.
                throw TransferException.builder(Reason.CONNECT, "the SSH connection broke during authentication: " + m).cause(e)
                        .hint("a network problem or the server dropped the connection; it is retried").transcript(transcript).build();
            }
            if (refused) {
                String offered = ServerAuthMethods.offered(session);
                String serverSide = offered == null || offered.isBlank() ? "the server did not list the methods it accepts"
                        : "the server accepts: " + offered.replace(",", ", ");
                transcript.note("authentication refused; " + serverSide);
                throw TransferException.builder(Reason.AUTH, "the server refused the login of " + config.credentials().username()
                        + " with " + String.join(" and ", methods) + "; " + serverSide).cause(e).retryable(false)
                        .hint(authHint(methods, offered))
                        .transcript(transcript).build();
            }
        }
        // What MINA saw the server accept, which may be less than was offered.
        String accepted = given.accepted();
        transcript.note("authenticated as " + config.credentials().username() + " with " + accepted);
        try {
            sftp = SftpClientFactory.instance().createSftpClient(session);
        } catch (IOException e) {
            throw fail(Reason.PROTOCOL, "the server has no SFTP subsystem: " + e.getMessage(), e,
                    "enable 'Subsystem sftp' on the server");
        }
        transcript.note("SFTP version " + sftp.getVersion());
        return "authenticated as " + config.credentials().username() + " with " + accepted;
    }

    /** What to do about a refused login, from what Ferry offered and what the server accepts. */
    static String authHint(List<String> ours, String offered) {
        List<String> theirs = offered == null ? List.of() : java.util.Arrays.stream(offered.split(","))
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

    /** Resolves and creates the base directory ({@code /~/x} is relative to the login directory). */
    String enterBase() throws TransferException {
        String b = config.baseDirectory().toString();
        try {
            if (b.equals("/~") || b.startsWith("/~/")) {
                String home = sftp.canonicalPath(".");
                // A login directory of "/" (or one given with a trailing slash) must not make "//dir".
                String h = home.endsWith("/") ? home.substring(0, home.length() - 1) : home;
                b = h + b.substring(2);
                if (b.isEmpty()) {
                    b = "/";
                }
            }
            base = b.length() > 1 && b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
            mkdirs(base);
            return base;
        } catch (IOException e) {
            throw io("change to " + b, e);
        }
    }

    private void mkdirs(String dir) throws IOException {
        if (dir.equals("/") || dir.isEmpty() || knownDirectories.contains(dir)) {
            return;
        }
        try {
            if (sftp.stat(dir).isDirectory()) {
                knownDirectories.add(dir);
                return;
            }
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                throw e;
            }
        }
        int slash = dir.lastIndexOf('/');
        mkdirs(slash <= 0 ? "/" : dir.substring(0, slash));
        try {
            sftp.mkdir(dir);
            transcript.note("created directory " + dir);
        } catch (SftpException e) {
            if (!sftp.stat(dir).isDirectory()) {
                throw e;
            }
        }
        knownDirectories.add(dir);
    }

    private String path(RemotePath p) {
        // Paths are validated and relative to the base directory.
        String rel = p.toString().substring(config.baseDirectory().toString().length());
        String r = rel.startsWith("/") ? rel : "/" + rel;
        return (base.equals("/") ? "" : base) + r;
    }

    long size(String name) throws TransferException {
        try {
            return sftp.stat(base + "/" + name).getSize();
        } catch (IOException e) {
            throw io("stat " + name, e);
        }
    }

    void delete(String name) throws TransferException {
        try {
            sftp.remove(base + "/" + name);
        } catch (IOException e) {
            throw io("remove " + name, e);
        }
    }

    String writeProbe(String name, byte[] content) throws TransferException {
        try (OutputStream out = sftp.write(base + "/" + name, 32 * 1024, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                SftpClient.OpenMode.Truncate)) {
            out.write(content);
        } catch (IOException e) {
            throw io("write " + name, e);
        }
        return name;
    }

    private long statSize(String path) throws IOException {
        try {
            return sftp.stat(path).getSize();
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return -1;
            }
            throw e;
        }
    }

    @Override
    public UploadResult upload(PreparedUpload p, Transcript t) throws TransferException {
        this.transcript = t;
        Upload u = p.upload();
        String finalPath = path(p.absolutePath());
        int slash = finalPath.lastIndexOf('/');
        String dir = slash <= 0 ? "/" : finalPath.substring(0, slash);
        String tempPath = (dir.equals("/") ? "" : dir) + "/" + p.temporaryName();
        String target = u.atomic() ? tempPath : finalPath;
        long length = p.sourceLength();
        long offset = 0;
        long[] sent = {0};
        try {
            if (u.createDirectories()) {
                mkdirs(dir);
            }
            // OVERWRITE needs no look at the final name (the rename replaces it): one round trip less per file.
            long existing = u.existing() == ExistingFile.OVERWRITE ? -1 : statSize(finalPath);
            String publishAs = finalPath;
            if (existing >= 0 && u.existing() == ExistingFile.FAIL) {
                throw TransferException.builder(Reason.EXISTS, finalPath + " already exists on the server (" + existing + " bytes)")
                        .hint("choose another name, or the OVERWRITE or RENAME_UNIQUE policy").retryable(false).transcript(t).build();
            }
            if (existing >= 0 && u.existing() == ExistingFile.RENAME_UNIQUE) {
                publishAs = unique(finalPath);
                t.note(finalPath + " exists; publishing as " + publishAs);
            }
            if (u.atomic() && u.resume() && length > 0) {
                offset = p.resumeOffset(tempPath, statSize(tempPath), t);
            }
            long start = System.nanoTime();
            if (offset < length || length <= 0) {
                try {
                    write(u, target, offset, length, sent, p.deadline());
                } catch (SftpException e) {
                    if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE || !u.createDirectories() || sent[0] > 0
                            || !knownDirectories.contains(dir)) {
                        throw e;
                    }
                    // The directory was there for an earlier file of this connection and is gone: make it again.
                    knownDirectories.clear();
                    mkdirs(dir);
                    write(u, target, offset, length, sent, p.deadline());
                }
            }
            long total = length >= 0 ? length : sent[0];
            t.note("wrote " + target + ": " + (sent[0]) + " bytes" + (offset > 0 ? " from offset " + offset : "") + " in "
                    + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
            Verification done = Verification.NONE;
            if (u.verification() != Verification.NONE) {
                long size = statSize(target);
                t.note("stat " + target + ": " + size + " bytes");
                if (size != total) {
                    throw TransferException.builder(Reason.VERIFY_FAILED, target + " has " + size + " bytes on the server, " + total
                            + " expected").hint("the transfer was cut or the file changed; it is retried").transcript(t).build();
                }
                done = Verification.SIZE;
            }
            if (u.atomic()) {
                publishAs = publish(tempPath, publishAs, finalPath, u.existing(), t);
            }
            return new UploadResult(publishAs, total, Duration.ZERO, p.attempt(), "sftp", done, location(publishAs), offset, info,
                    List.of());
        } catch (TransferException e) {
            recordSent(p, tempPath, offset, sent[0]);
            cleanUp(u, target, u.resume() && e.retryable() && sent[0] + offset > 0);
            restoreInterrupt();
            throw e;
        } catch (IOException e) {
            TransferException te = io("upload " + finalPath, e);
            recordSent(p, tempPath, offset, sent[0]);
            cleanUp(u, target, u.resume() && te.retryable() && sent[0] + offset > 0);
            restoreInterrupt();
            throw te;
        }
    }

    /** Tells the upload how far its temporary file can be its own: a retry resumes it no further. */
    private static void recordSent(PreparedUpload p, String tempPath, long offset, long sent) {
        if (p.upload().atomic() && sent > 0) {
            p.recordSent(tempPath, offset, sent);
        }
    }

    private void write(Upload u, String target, long offset, long length, long[] sent, java.time.Instant deadline)
            throws IOException, TransferException {
        EnumSet<SftpClient.OpenMode> modes = offset > 0 ? EnumSet.of(SftpClient.OpenMode.Write)
                : EnumSet.of(SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate);
        byte[] buf = new byte[target.length() > 0 ? this.target.writeSize() : 0];
        long last = 0;
        try (InputStream in = offset > 0 ? u.source().openAt(offset) : u.source().open()) {
            OutputStream out = sftp.write(target, this.target.writeSize(), modes);
            try {
                if (offset > 0 && out instanceof SftpOutputStreamAsync async) {
                    async.setOffset(offset);
                }
                long want = length < 0 ? Long.MAX_VALUE : length - offset;
                while (sent[0] < want) {
                    int n;
                    try {
                        n = in.read(buf, 0, (int) Math.min(buf.length, want - sent[0]));
                    } catch (IOException e) {
                        throw TransferException.builder(Reason.BAD_INPUT, "reading the source failed: " + e.getMessage()).cause(e)
                                .retryable(false).transcript(transcript).build();
                    }
                    if (n < 0) {
                        if (length < 0) {
                            break;
                        }
                        throw TransferException.builder(Reason.BAD_INPUT, "the source ended after " + (offset + sent[0]) + " of " + length
                                + " bytes: it shrank while being uploaded; the partial upload was not published")
                                .retryable(false).transcript(transcript).build();
                    }
                    try {
                        out.write(buf, 0, n);
                    } catch (IOException e) {
                        closeAfterWriteFailure(out, e);
                        throw e;
                    }
                    sent[0] += n;
                    TransferException stop = PreparedUpload.transferStopped(deadline, u.remotePath(), offset + sent[0], length,
                            transcript);
                    if (stop != null) {
                        if (stop.reason() == Reason.CANCELLED) {
                            // Cleared while the handle is closed and the temporary file removed (MINA's waits would
                            // give up at once), and set again when the upload has cleaned up.
                            Thread.interrupted();
                            interruptedInTransfer = true;
                        }
                        throw stop;
                    }
                    long now = System.nanoTime();
                    if (now - last > 200_000_000L) {
                        u.progress().onProgress(u.remotePath(), offset + sent[0], length);
                        last = now;
                    }
                }
                if (length >= 0 && in.read() >= 0) {
                    throw TransferException.builder(Reason.BAD_INPUT, "the source has more than the " + length + " bytes it had when the "
                            + "upload started: it grew while being uploaded; the partial upload was not published")
                            .retryable(false).transcript(transcript).build();
                }
            } catch (TransferException | RuntimeException e) {
                // The source failed, the connection is fine: close the file handle properly.
                closeAfterFailure(out, e);
                throw e;
            }
            try {
                out.close(); // sends what is pending and waits for every write's status
            } catch (IOException e) {
                closeAfterWriteFailure(out, e);
                throw e;
            }
        }
        u.progress().onProgress(u.remotePath(), offset + sent[0], length);
    }

    /**
     * A write failed. A status from the server (no space, permission) leaves the connection usable: close the
     * handle properly. Otherwise the connection stalled or broke: closing the handle over it would wait a data
     * timeout for the pending writes and another for the close itself, so close the session at once and the
     * upload fails within one data timeout, and the retry starts.
     */
    private void closeAfterWriteFailure(OutputStream out, IOException failure) {
        if (failure instanceof SftpException) {
            closeAfterFailure(out, failure);
            return;
        }
        broken = true;
        close(); // a broken connection's session is closed at once
        try {
            out.close();
        } catch (IOException ignored) {
            // the session is closed; nothing is pending any more
        }
    }

    private static void closeAfterFailure(OutputStream out, Exception failure) {
        try {
            out.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Renames the temporary file to {@code publishAs} and returns the name it got. OVERWRITE replaces a file there
     * (posix-rename); FAIL and RENAME_UNIQUE never do: SFTP's own rename refuses an existing target (OpenSSH links,
     * then unlinks), so a file that appeared at the name after it was looked at is not replaced.
     */
    private String publish(String temp, String publishAs, String finalPath, ExistingFile policy, Transcript t)
            throws IOException, TransferException {
        if (policy != ExistingFile.OVERWRITE) {
            String name = publishAs;
            for (int tries = 1; ; tries++) {
                try {
                    sftp.rename(temp, name);
                    t.note("rename " + temp + " -> " + name);
                    return name;
                } catch (SftpException e) {
                    if (statSize(name) < 0) {
                        throw e; // not because of a file at the name
                    }
                    if (policy == ExistingFile.FAIL) {
                        throw TransferException.builder(Reason.EXISTS, name + " appeared on the server during the upload")
                                .hint("choose another name, or the OVERWRITE or RENAME_UNIQUE policy").retryable(false)
                                .transcript(t).build();
                    }
                    if (tries >= 10) {
                        throw TransferException.builder(Reason.EXISTS, "every free name like " + name + " was taken before the "
                                + "upload could be renamed to it (" + tries + " tries)").retryable(false).transcript(t).build();
                    }
                    name = unique(finalPath);
                    t.note(temp + ": the name was taken meanwhile; publishing as " + name);
                }
            }
        }
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        if (posix != null && posix.isSupported()) {
            posix.posixRename(temp, publishAs);
            t.note("posix-rename@openssh.com " + temp + " -> " + publishAs);
            return publishAs;
        }
        // No rename over a file: move the old one aside first and put it back if the new one cannot take its place,
        // so the old file is never lost (for a moment there is no file at the name, never a partial one).
        String aside = null;
        if (statSize(publishAs) >= 0) {
            aside = temp.substring(0, temp.length() - Upload.TEMP_SUFFIX.length()) + ".ferry-old";
            sftp.rename(publishAs, aside);
            t.note("moved the old " + publishAs + " to " + aside + " (the server has no atomic rename over a file)");
        }
        try {
            sftp.rename(temp, publishAs);
        } catch (IOException e) {
            if (aside != null) {
                try {
                    sftp.rename(aside, publishAs);
                    t.note("put the old " + publishAs + " back");
                } catch (IOException back) {
                    e.addSuppressed(back);
                    t.note("could not put the old " + publishAs + " back; it is at " + aside + ": " + back.getMessage());
                }
            }
            throw e;
        }
        t.note("rename " + temp + " -> " + publishAs);
        if (aside != null) {
            try {
                sftp.remove(aside);
            } catch (IOException e) {
                t.note("could not remove the old file at " + aside + ": " + e.getMessage());
            }
        }
        return publishAs;
    }

    private String unique(String path) throws IOException, TransferException {
        int slash = path.lastIndexOf('/');
        String name = path.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        String stem = path.substring(0, slash + 1) + (dot > 0 ? name.substring(0, dot) : name);
        String ext = dot > 0 ? name.substring(dot) : "";
        for (int i = 1; i <= 1000; i++) {
            String c = stem + "-" + i + ext;
            if (statSize(c) < 0) {
                return c;
            }
        }
        throw new TransferException(Reason.EXISTS, "no free name like " + stem + "-N" + ext + " up to 1000");
    }

    private void restoreInterrupt() {
        if (interruptedInTransfer) {
            interruptedInTransfer = false;
            Thread.currentThread().interrupt();
        }
    }

    private void cleanUp(Upload u, String target, boolean keepForResume) {
        if (!isOpen()) {
            return;
        }
        if (keepForResume) {
            transcript.note("kept " + target + " so the next attempt resumes it");
            return;
        }
        try {
            sftp.remove(target);
            transcript.note("removed " + target);
        } catch (IOException e) {
            // nothing there, or no longer reachable
        }
    }

    private String location(String path) {
        try {
            return new URI("sftp", config.credentials().username(), config.host(), config.portOr(22), path, null, null).toASCIIString();
        } catch (URISyntaxException e) {
            return config.redactedUri() + path;
        }
    }

    private TransferException io(String what, IOException e) {
        if (e instanceof SftpException s) {
            SftpErrors.Verdict v = SftpErrors.classify(s.getStatus());
            return TransferException.builder(v.reason(), what + " failed: " + SftpConstants.getStatusName(s.getStatus()) + " ("
                    + s.getMessage() + ")").cause(e).serverReply(SftpConstants.getStatusName(s.getStatus()) + ": " + s.getMessage())
                    .hint(v.hint()).transcript(transcript).build();
        }
        broken = true;
        return TransferException.builder(Reason.CONNECT, what + " failed: the SSH connection broke (" + e.getMessage() + ")").cause(e)
                .hint("a network problem or the server closed the session; it is retried, resuming where it stopped")
                .transcript(transcript).build();
    }

    private TransferException fail(Reason r, String message, Throwable cause, String hint) {
        broken = true;
        return TransferException.builder(r, message).cause(cause).hint(hint).transcript(transcript).build();
    }

    private TransferException connectFailure(Exception e, int port) {
        broken = true;
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) {
            return fail(Reason.DNS, "cannot resolve " + config.host(), e, "check the host name");
        }
        if (root instanceof ConnectException) {
            return fail(Reason.CONNECT, "cannot connect to " + config.host() + ":" + port + ": " + root.getMessage(), e,
                    "check the host and port; nothing accepts connections there, or a firewall rejects them");
        }
        if (e instanceof SshException && String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("timeout")) {
            return fail(Reason.CONNECT, "connecting to " + config.host() + ":" + port + " timed out after "
                    + config.connectTimeout().toSeconds() + " s", e, "check the host and port, and that a firewall lets you reach it");
        }
        return fail(Reason.CONNECT, "connecting to " + config.host() + ":" + port + " failed: " + e.getMessage(), e,
                "check that the server is an SSH server and is up");
    }

    @Override
    public boolean isUsable(Transcript t) {
        this.transcript = t;
        if (!isOpen()) {
            return false;
        }
        try {
            sftp.stat(base);
            return true;
        } catch (IOException e) {
            broken = true;
            return false;
        }
    }

    @Override
    public boolean isOpen() {
        return !broken && session != null && session.isOpen() && sftp != null && sftp.isOpen();
    }

    @Override
    public ConnectionInfo connectionInfo() {
        return info;
    }

    @Override
    public void close() {
        if (broken && session != null) {
            // A broken or stalled connection: a graceful close would wait for a peer that does not answer.
            session.close(true);
            return;
        }
        try {
            if (sftp != null) {
                sftp.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        if (session != null) {
            session.close(false);
        }
    }
}
