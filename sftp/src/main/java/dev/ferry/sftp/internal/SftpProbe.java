package dev.ferry.sftp.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.ProbeRun;
import org.apache.sshd.sftp.client.SftpClient;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The connection test of an SFTP target, step by step with the pieces an upload uses: {@link SshLogin}'s steps for
 * CONNECT, SECURE and LOGIN, then an {@link SftpSession} for the base directory and a small test file. One instance
 * per test.
 */
final class SftpProbe implements ProbeRun.Steps {
    private final SftpStorageTarget target;
    private final Transcript t;
    private final SshLogin login;
    private SftpSession session;
    private ConnectionInfo seen;

    SftpProbe(SftpStorageTarget target, Transcript t) {
        this.target = target;
        this.t = t;
        this.login = new SshLogin(target, t);
    }

    ProbeReport run() {
        return ProbeRun.run(target.info(), t, this);
    }

    @Override
    public String connect() throws TransferException {
        return login.connect();
    }

    @Override
    public String secure() throws TransferException {
        SshLogin.KeyExchange k = login.keyExchange();
        seen = k.connection();
        return k.summary();
    }

    @Override
    public ConnectionInfo connectionInfo() {
        // After a refused host key too: a dashboard can offer "trust this key".
        return seen != null ? seen : login.presentedHostKey();
    }

    @Override
    public String login() throws TransferException {
        SshLogin.LoggedIn in = login.authenticate();
        session = SftpSession.start(target, in, t);
        return "authenticated as " + target.config().credentials().username() + " with " + in.accepted();
    }

    @Override
    public String directory() throws TransferException {
        return "in " + session.enterBase(t);
    }

    @Override
    public String upload(String name, byte[] content) throws TransferException {
        return "stored " + write(name, content) + " (" + content.length + " bytes)";
    }

    @Override
    public String verify(String name, long expectedSize) throws TransferException {
        long size = size(name);
        if (size != expectedSize) {
            throw TransferException.builder(Reason.VERIFY_FAILED, "the test file has " + size + " bytes on the server instead of "
                    + expectedSize).build();
        }
        return "size " + size + " as sent";
    }

    @Override
    public boolean testFileMayExist(String name) {
        // Once the file was opened for writing it exists (whole, or part of it); a broken session cannot tell.
        return !session.isOpen() || fileMayExist(name);
    }

    @Override
    public String delete(String name, boolean uploaded) throws TransferException {
        return deleteFile(name);
    }

    @Override
    public String quit() {
        if (session != null) {
            session.close();
        } else {
            login.abort();
        }
        return "closed";
    }

    private String write(String name, byte[] content) throws TransferException {
        try (OutputStream out = session.sftp().write(session.base() + "/" + name, 32 * 1024, SftpClient.OpenMode.Write,
                SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate)) {
            out.write(content);
        } catch (IOException e) {
            throw session.io("write " + name, e, t);
        }
        return name;
    }

    private long size(String name) throws TransferException {
        try {
            return session.sftp().stat(session.base() + "/" + name).getSize();
        } catch (IOException e) {
            throw session.io("stat " + name, e, t);
        }
    }

    /** Whether the test file may be on the server after a failed upload (the open for writing may have failed). */
    private boolean fileMayExist(String name) {
        try {
            size(name);
            return true;
        } catch (TransferException e) {
            return e.reason() != Reason.NOT_FOUND; // cannot tell: try to delete it
        }
    }

    /** Deletes the test file; a failure's hint names the file that may be left on the server. */
    private String deleteFile(String name) throws TransferException {
        String where = target.config().baseDirectory() + " (remove it by hand)";
        if (!session.isOpen()) {
            throw TransferException.builder(Reason.CONNECT, "the SSH connection broke; cannot delete the test file " + name)
                    .hint("the test file " + name + " may be left in " + where).build();
        }
        try {
            session.sftp().remove(session.base() + "/" + name);
        } catch (IOException e) {
            TransferException te = session.io("remove " + name, e, t);
            throw te.toBuilder().hint(session.isOpen() ? "the server refused to delete it; the test file " + name + " is left in "
                    + where : "the SSH connection broke; the test file " + name + " may be left in " + where).build();
        }
        return "deleted " + name;
    }
}
