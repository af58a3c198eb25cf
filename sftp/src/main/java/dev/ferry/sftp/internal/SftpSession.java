package dev.ferry.sftp.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.RemotePath;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.UploadResult;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.PreparedUpload;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * One logged-in SSH connection with its SFTP channel, at the base directory: a session of the target's pool.
 * Uploads with {@link SftpUploader}. Not thread-safe: used by one thread at a time.
 */
final class SftpSession implements AbstractStorageTarget.Session {
    private final SftpStorageTarget target;
    private final ClientSession session;
    private final SftpClient sftp;
    private final ConnectionInfo info;
    private String base;
    private boolean broken;
    /** Directories seen to exist on this connection: a batch into one directory stats it once, not per file. */
    private final Set<String> knownDirectories = new HashSet<>();

    private SftpSession(SftpStorageTarget target, ClientSession session, SftpClient sftp, ConnectionInfo info) {
        this.target = target;
        this.session = session;
        this.sftp = sftp;
        this.info = info;
    }

    /** A new session for the pool: logged in, at the base directory (created if missing). Nothing is left open on failure. */
    static SftpSession open(SftpStorageTarget target, Transcript t) throws TransferException {
        SftpSession s = start(target, new SshLogin(target, t).run(), t);
        boolean ok = false;
        try {
            s.enterBase(t);
            ok = true;
            return s;
        } finally {
            if (!ok) {
                s.close();
            }
        }
    }

    /** Opens the SFTP channel of a logged-in SSH session; closes the SSH session if the server has no SFTP. */
    static SftpSession start(SftpStorageTarget target, SshLogin.LoggedIn in, Transcript t) throws TransferException {
        SftpClient sftp;
        try {
            sftp = SftpClientFactory.instance().createSftpClient(in.session());
        } catch (IOException e) {
            in.session().close(true);
            throw TransferException.builder(Reason.PROTOCOL, "the server has no SFTP subsystem: " + e.getMessage()).cause(e)
                    .hint("enable 'Subsystem sftp' on the server").transcript(t).build();
        }
        t.note("SFTP version " + sftp.getVersion());
        return new SftpSession(target, in.session(), sftp, in.connection());
    }

    /** Resolves and creates the base directory ({@code /~/x} is relative to the login directory); returns it. */
    String enterBase(Transcript t) throws TransferException {
        String b = target.config().baseDirectory().toString();
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
            mkdirs(base, t);
            return base;
        } catch (IOException e) {
            throw io("change to " + b, e, t);
        }
    }

    /** The SFTP channel. */
    SftpClient sftp() {
        return sftp;
    }

    /** The base directory on the server, as resolved by {@link #enterBase}. */
    String base() {
        return base;
    }

    /** The server path of a validated path under the base directory. */
    String path(RemotePath p) {
        String rel = p.toString().substring(target.config().baseDirectory().toString().length());
        String r = rel.startsWith("/") ? rel : "/" + rel;
        return (base.equals("/") ? "" : base) + r;
    }

    /** Creates {@code dir} and its missing parents; a directory seen before on this connection is not looked at again. */
    void mkdirs(String dir, Transcript t) throws IOException {
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
        mkdirs(slash <= 0 ? "/" : dir.substring(0, slash), t);
        try {
            sftp.mkdir(dir);
            t.note("created directory " + dir);
        } catch (SftpException e) {
            if (!sftp.stat(dir).isDirectory()) {
                throw e;
            }
        }
        knownDirectories.add(dir);
    }

    /** Whether {@code dir} was seen to exist on this connection (it may have gone since). */
    boolean knowsDirectory(String dir) {
        return knownDirectories.contains(dir);
    }

    /** Forgets the directories seen: one was found gone. */
    void forgetDirectories() {
        knownDirectories.clear();
    }

    /** The size of the file at {@code path}, or -1 if there is none. */
    long statSize(String path) throws IOException {
        try {
            return sftp.stat(path).getSize();
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return -1;
            }
            throw e;
        }
    }

    /**
     * The error for a failed SFTP operation: the server's status, classified; any other I/O failure means the
     * connection broke, and this session is not used again.
     */
    TransferException io(String what, IOException e, Transcript t) {
        if (e instanceof SftpException s) {
            SftpErrors.Verdict v = SftpErrors.classify(s.getStatus());
            return TransferException.builder(v.reason(), what + " failed: " + SftpConstants.getStatusName(s.getStatus()) + " ("
                    + s.getMessage() + ")").cause(e).serverReply(SftpConstants.getStatusName(s.getStatus()) + ": " + s.getMessage())
                    .hint(v.hint()).transcript(t).build();
        }
        broken = true;
        if (e instanceof java.io.InterruptedIOException && !(e instanceof java.net.SocketTimeoutException)) {
            // MINA gave up waiting because this thread was interrupted (and cleared its flag): the caller cancelled.
            Thread.currentThread().interrupt();
            return TransferException.builder(Reason.CANCELLED, what + " was interrupted").cause(e).retryable(false)
                    .transcript(t).build();
        }
        return TransferException.builder(Reason.CONNECT, what + " failed: the SSH connection broke (" + e.getMessage() + ")").cause(e)
                .hint("a network problem or the server closed the session; it is retried, resuming where it stopped")
                .transcript(t).build();
    }

    /**
     * The connection stalled or broke: closes it at once, so that whatever waits on it (pending writes) ends now
     * instead of after a data timeout.
     */
    void abandon() {
        broken = true;
        close();
    }

    @Override
    public UploadResult upload(PreparedUpload p, Transcript t) throws TransferException {
        return new SftpUploader(this, target, t).upload(p);
    }

    @Override
    public boolean isUsable(Transcript t) {
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
        return !broken && session.isOpen() && sftp.isOpen();
    }

    @Override
    public ConnectionInfo connectionInfo() {
        return info;
    }

    @Override
    public void close() {
        if (broken) {
            // A broken or stalled connection: a graceful close would wait for a peer that does not answer.
            session.close(true);
            return;
        }
        try {
            sftp.close();
        } catch (IOException e) {
            // closing anyway
        }
        session.close(false);
    }
}
