package dev.ferry.ftp.internal;

import dev.ferry.core.RemotePath;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import org.apache.commons.net.ftp.FTPReply;

/**
 * The control connection's current directory: {@code CWD} only when it changes, and missing directories created one
 * level at a time.
 */
final class WorkingDirectory {
    private String cwd;

    /** The next {@link #change} sends {@code CWD} even to the directory it is in. */
    void forget() {
        cwd = null;
    }

    void change(FtpConnection c, RemotePath dir, boolean create) throws TransferException {
        String path = dir.toString();
        if (path.equals(cwd)) {
            return;
        }
        if (FTPReply.isPositiveCompletion(c.send("CWD", path))) {
            cwd = path;
            return;
        }
        if (!create) {
            throw c.errors().failReply(Reason.NOT_FOUND, "the directory " + path + " does not exist (or is not accessible)",
                    "CWD", "create it, or let Ferry create missing directories");
        }
        String current = "";
        if (!FTPReply.isPositiveCompletion(c.send("CWD", "/"))) {
            throw c.errors().failReply(Reason.PERMISSION, "cannot change to the root directory", "CWD",
                    "check the server's permissions");
        }
        cwd = "/";
        for (String name : dir.names()) {
            current = current + "/" + name;
            if (FTPReply.isPositiveCompletion(c.send("CWD", name))) {
                cwd = current;
                continue;
            }
            int mkd = c.send("MKD", name);
            String mkdReply = c.reply();
            if (!FTPReply.isPositiveCompletion(c.send("CWD", name))) {
                FtpReplies.Verdict v = FtpReplies.classify("MKD", mkd, mkdReply);
                Reason r = v.reason() == Reason.NOT_FOUND || v.reason() == Reason.EXISTS ? Reason.PERMISSION : v.reason();
                throw TransferException.builder(r, "cannot create the directory " + current + " (" + FtpErrors.firstLine(mkdReply)
                        + ")").serverReply(mkdReply).hint("check that the user may create directories there")
                        .transcript(c.transcript()).build();
            }
            if (FTPReply.isPositiveCompletion(mkd)) {
                c.transcript().note("created directory " + current);
            }
            cwd = current;
        }
    }
}
