package dev.ferry.ftp.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ContentSource;
import dev.ferry.core.RemotePath;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.spi.PreparedUpload;
import dev.ferry.core.spi.ProbeRun;
import dev.ferry.core.spi.TransferLoop;

import java.io.ByteArrayInputStream;

/**
 * FTP's part of each step of the connection test ({@link ProbeRun} runs them), on one {@link FtpConnection} with the
 * pieces an upload uses. Not thread-safe; one instance per test.
 */
final class FtpProbe implements ProbeRun.Steps {
    private final FtpStorageTarget target;
    private final FtpConnection c;
    private final Transcript t;
    private int acceptedBeforeUpload;

    FtpProbe(FtpStorageTarget target, FtpConnection c, Transcript t) {
        this.target = target;
        this.c = c;
        this.t = t;
    }

    @Override
    public String connect() throws TransferException {
        return c.connect();
    }

    @Override
    public String secure() throws TransferException {
        return c.secure();
    }

    @Override
    public ConnectionInfo connectionInfo() {
        return c.info();
    }

    @Override
    public String login() throws TransferException {
        return c.login();
    }

    @Override
    public String directory() throws TransferException {
        RemotePath base = target.config().baseDirectory();
        c.cd(base, true);
        return "in " + base;
    }

    @Override
    public String upload(String name, byte[] content) throws TransferException {
        acceptedBeforeUpload = c.dataCommandsAccepted();
        RemotePath rel = RemotePath.relative(name);
        Upload u = Upload.builder().source(ContentSource.ofBytes(content)).remotePath(name).build();
        PreparedUpload p = new PreparedUpload(u, rel, target.config().baseDirectory().resolve(rel), content.length, 1, null,
                PreparedUpload.newTemporaryName(name), new PreparedUpload.SentBytes());
        try {
            long n = c.store("STOR", name, new ByteArrayInputStream(content), new TransferLoop(p, 0, t));
            return "stored " + name + " (" + n + " bytes): " + c.reply();
        } catch (DataTransfer.Failure f) {
            throw f.error();
        }
    }

    @Override
    public String verify(String name, long expectedSize) throws TransferException {
        RemoteSize size = c.size(name);
        if (size.unknown()) {
            return "the server cannot report sizes (no SIZE); the upload was confirmed by " + c.reply();
        }
        if (size.bytes() != expectedSize) {
            throw TransferException.builder(Reason.VERIFY_FAILED, "the test file " + (size.present() ? "has " + size.bytes()
                    + " bytes" : "is not") + " on the server instead of " + expectedSize + " bytes").serverReply(c.reply())
                    .hint("the server changes uploaded files (ASCII mode? a filter?)").build();
        }
        return "size " + size.bytes() + " as sent";
    }

    @Override
    public boolean testFileMayExist(String name) {
        // The server accepted STOR, or the connection broke before its answer to STOR was read.
        return c.dataCommandsAccepted() > acceptedBeforeUpload || !c.isOpen();
    }

    /** Deletes the test file; a failure's hint names the file that may be left on the server. */
    @Override
    public String delete(String name, boolean uploaded) throws TransferException {
        if (!c.isOpen()) {
            throw fileLeft(name, "the connection broke");
        }
        if (c.delete(name)) {
            return c.reply();
        }
        if (!c.isOpen()) {
            throw fileLeft(name, "the connection broke");
        }
        String refusal = c.reply();
        if (!uploaded) {
            try {
                if (c.size(name).absent()) {
                    return "no test file on the server (it did not keep the failed upload): " + refusal;
                }
            } catch (TransferException e) {
                // cannot tell: report the refusal
            }
        }
        throw TransferException.builder(Reason.PERMISSION, "cannot delete the test file " + name)
                .serverReply(refusal).hint("the user may not delete files; the test file " + name + " is left in "
                        + target.config().baseDirectory() + " (remove it by hand)").build();
    }

    private TransferException fileLeft(String name, String why) {
        return TransferException.builder(Reason.CONNECT, why + "; cannot delete the test file " + name)
                .hint("the test file " + name + " may be left in " + target.config().baseDirectory() + " (remove it by hand)").build();
    }

    @Override
    public String quit() throws TransferException {
        if (c.isOpen()) {
            c.quit();
            return "closed";
        }
        c.close();
        return "connection closed";
    }
}
