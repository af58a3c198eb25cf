package dev.ferry.sftp.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep.Step;
import dev.ferry.core.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.ProbeRecorder;
import org.apache.sshd.sftp.client.SftpClient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The connection test of an SFTP target, step by step with the pieces an upload uses: {@link SshLogin}'s steps for
 * CONNECT, SECURE and LOGIN, then an {@link SftpSession} for the base directory and a small test file. One instance
 * per test.
 */
final class SftpProbe {
    private final SftpStorageTarget target;
    private final Transcript t;
    private final SshLogin login;
    private SftpSession session;

    SftpProbe(SftpStorageTarget target, Transcript t) {
        this.target = target;
        this.t = t;
        this.login = new SshLogin(target, t);
    }

    ProbeReport run() {
        ProbeRecorder r = new ProbeRecorder(target.info(), t);
        String name = ".ferry-probe-" + UUID.randomUUID().toString().substring(0, 8) + ".txt";
        byte[] content = ("Ferry connection test " + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            r.step(Step.DNS, () -> {
                InetAddress[] all = InetAddress.getAllByName(target.config().host());
                return target.config().host() + " is " + all[0].getHostAddress();
            });
            r.step(Step.CONNECT, login::connect);
            r.step(Step.SECURE, () -> {
                try {
                    SshLogin.KeyExchange k = login.keyExchange();
                    r.connection(k.connection());
                    return k.summary();
                } catch (TransferException | RuntimeException e) {
                    // A dashboard can offer "trust this key" even when the check failed.
                    ConnectionInfo seen = login.presentedHostKey();
                    if (seen != null) {
                        r.connection(seen);
                    }
                    throw e;
                }
            });
            r.step(Step.LOGIN, () -> {
                SshLogin.LoggedIn in = login.authenticate();
                session = SftpSession.start(target, in, t);
                return "authenticated as " + target.config().credentials().username() + " with " + in.accepted();
            });
            r.step(Step.DIRECTORY, () -> "in " + session.enterBase(t));
            boolean tried = !r.failed();
            boolean uploaded = r.step(Step.UPLOAD, () -> "stored " + write(name, content) + " (" + content.length + " bytes)");
            r.step(Step.VERIFY, () -> {
                long size = size(name);
                if (size != content.length) {
                    throw TransferException.builder(Reason.VERIFY_FAILED, "the test file has " + size + " bytes on the server instead of "
                            + content.length).build();
                }
                return "size " + size + " as sent";
            });
            // Clean-up: once the file was opened for writing it exists (whole, or part of it), whatever failed after.
            if (!tried) {
                r.skip(Step.DELETE, "skipped because an earlier step failed");
            } else if (!uploaded && session.isOpen() && !fileMayExist(name)) {
                r.skip(Step.DELETE, "skipped: the upload created no test file, so there is nothing to delete");
            } else {
                r.cleanUp(Step.DELETE, () -> deleteFile(name));
            }
        } finally {
            r.step(Step.QUIT, () -> {
                if (session != null) {
                    session.close();
                } else {
                    login.abort();
                }
                return "closed";
            });
        }
        return r.report();
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
