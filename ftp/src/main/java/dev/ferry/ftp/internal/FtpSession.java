package dev.ferry.ftp.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ContentSource;
import dev.ferry.core.ExistingFile;
import dev.ferry.core.RemotePath;
import dev.ferry.core.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.AbstractStorageTarget;
import dev.ferry.core.spi.PreparedUpload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A logged-in FTP session of the pool. It may replace its control connection by itself when the
 * server cannot resume more data connections on it (see {@link FtpStorageTarget}); the pool sees one
 * session throughout.
 */
final class FtpSession implements AbstractStorageTarget.Session {
    private final FtpStorageTarget target;
    private FtpConnection conn;

    private FtpSession(FtpStorageTarget target, FtpConnection conn) {
        this.target = target;
        this.conn = conn;
    }

    static FtpSession open(FtpStorageTarget target, Transcript t) throws TransferException {
        return new FtpSession(target, target.openConnection(t));
    }

    @Override
    public UploadResult upload(PreparedUpload p, Transcript t) throws TransferException {
        conn.useTranscript(t);
        int limit = target.transfersPerConnection(conn);
        if (limit > 0 && conn.transfers() >= limit) {
            t.note("reconnecting: this server resumed only " + limit + " data connection(s) per control connection here");
            reconnect(t);
        }
        try {
            return uploadOnce(p, t);
        } catch (TransferException e) {
            if (e.reason() == Reason.TIMEOUT && p.upload().atomic() && conn.lastCommandBlocked()) {
                target.temporaryBlocked(p);
                t.note("the server did not answer for the temporary file: a stalled session of an earlier attempt may still "
                        + "hold it; the next attempt writes " + target.temporaryName(p) + " from the start instead");
            }
            if (retriedHereAfterReuseRefusal(e)) {
                switch (conn.reuseChange()) {
                    case TO_TLS_1_2 -> t.note("the server refused to resume the TLS 1.3 session after " + conn.transfers()
                            + " data connection(s) on this control connection (it sent no new session ticket): this target "
                            + "uses TLS 1.2 from now on, which resumes by session ID without that limit; reconnecting and continuing");
                    case BACK_TO_TLS_1_3 -> t.note("the server did not resume the TLS 1.2 session either: this target goes back "
                            + "to TLS 1.3 and opens a new control connection whenever one has resumed as many data connections "
                            + "as the server allows; reconnecting and continuing");
                    case NONE -> t.note("the server refused to resume the TLS session after " + conn.transfers()
                            + " data connection(s) on this control connection (it sent no new session ticket); reconnecting and "
                            + "continuing");
                }
                reconnect(t);
                return uploadOnce(p, t);
            }
            throw e;
        }
    }

    /**
     * Whether {@link #upload} itself tries again at once after this failure: the server refused a data connection for lack
     * of TLS session reuse, and reconnecting (maybe with the other TLS version) can help.
     */
    private boolean retriedHereAfterReuseRefusal(TransferException e) {
        return e.reason() == Reason.DATA_CHANNEL && conn.lastTransferRefusedReuse()
                && (conn.reuseChange() != FtpStorageTarget.ReuseChange.NONE || conn.transfers() >= 1);
    }

    /** Whether another attempt of the upload follows this failure: here, or by the target's retry policy. */
    private boolean attemptFollows(PreparedUpload p, TransferException e) {
        if (retriedHereAfterReuseRefusal(e)) {
            return true;
        }
        // As AbstractStorageTarget decides after this attempt.
        return !Thread.currentThread().isInterrupted() && target.config().retryPolicy().shouldRetry(e, p.attempt())
                && !p.pastDeadline();
    }

    private void reconnect(Transcript t) throws TransferException {
        conn.close();
        conn = target.openConnection(t);
    }

    private UploadResult uploadOnce(PreparedUpload p, Transcript t) throws TransferException {
        Upload u = p.upload();
        RemotePath abs = p.absolutePath();
        conn.cd(abs.parent(), u.createDirectories());
        String requested = abs.fileName();
        String finalName = requested;
        // OVERWRITE needs no look at the final name (the rename replaces it): one round trip less per file.
        long existing = u.existing() == ExistingFile.OVERWRITE ? -1 : conn.size(requested);
        if (existing >= 0) {
            if (u.existing() == ExistingFile.FAIL) {
                throw TransferException.builder(Reason.EXISTS, abs + " already exists on the server (" + existing + " bytes)")
                        .hint("choose another name, or the OVERWRITE or RENAME_UNIQUE policy (--exists overwrite|rename)")
                        .retryable(false).transcript(t).build();
            }
            if (u.existing() == ExistingFile.RENAME_UNIQUE) {
                finalName = uniqueName(requested);
                t.note(requested + " exists; publishing as " + finalName);
            }
        }
        String storeName = u.atomic() ? target.temporaryName(p) : finalName;
        long length = p.sourceLength();
        long offset = 0;
        // A temporary file that failed verification is never resumed, should it still be there.
        if (u.atomic() && u.resume() && length > 0 && !target.takeUnresumable(p)) {
            offset = p.resumeOffset(storeName, conn.size(storeName), t);
        }
        long[] sent = {0};
        int accepted = conn.dataCommandsAccepted();
        try {
            return transferAndPublish(p, t, storeName, finalName, offset, sent);
        } catch (TransferException e) {
            if (u.atomic() && sent[0] > 0) {
                p.recordSent(storeName, offset, sent[0]);
            }
            // Keep a temporary file only when a retry will resume it: not when no attempt follows (it would stay on the
            // server), nor when it failed verification (its bytes are wrong; a retry starts from byte 0).
            boolean verifyFailed = e.reason() == Reason.VERIFY_FAILED;
            if (verifyFailed && u.atomic()) {
                target.unresumable(p);
            }
            cleanUp(u, storeName, u.resume() && e.retryable() && sent[0] + offset > 0 && !verifyFailed && attemptFollows(p, e),
                    conn.dataCommandsAccepted() > accepted, t);
            throw e;
        } catch (RuntimeException e) {
            cleanUp(u, storeName, false, conn.dataCommandsAccepted() > accepted, t);
            throw e;
        }
    }

    private UploadResult transferAndPublish(PreparedUpload p, Transcript t, String storeName, String finalName, long offset,
                                            long[] sentOut) throws TransferException {
        Upload u = p.upload();
        long length = p.sourceLength();
        RemotePath abs = p.absolutePath();
        long sent = 0;
        {
            if (offset < length || length <= 0) {
                try (InputStream in = offset > 0 ? u.source().openAt(offset) : u.source().open()) {
                    sent = conn.store(offset > 0 ? "APPE" : "STOR", storeName, in, length < 0 ? -1 : length - offset, offset,
                            u.progress(), u.remotePath(), length, sentOut, p.deadline());
                } catch (IOException e) {
                    if (e instanceof TransferException te) {
                        throw te;
                    }
                    throw TransferException.builder(Reason.BAD_INPUT, "cannot read the source " + u.source().describe() + ": "
                            + e.getMessage()).cause(e).retryable(false).transcript(t).build();
                }
            } else {
                t.note(storeName + " is already complete on the server; verifying it");
            }
            long total = length >= 0 ? length : offset + sent;
            Verification done = verify(u, storeName, total, t);
            if (u.atomic()) {
                publish(u, storeName, finalName, t);
                for (String held : target.publishedAfterBlocked(p)) {
                    // Unlinking works even while the stalled session holds the file open.
                    t.note(conn.delete(held) ? "removed " + held + ", left by the stalled attempt"
                            : "could not remove " + held + ", left by the stalled attempt");
                }
            }
            RemotePath publishedPath = abs.withFileName(finalName);
            return new UploadResult(publishedPath.toString(), total, Duration.ZERO, p.attempt(), target.protocol(), done,
                    target.location(publishedPath.toString()), offset, conn.info(), List.of());
        }
    }

    /**
     * After a failure: nothing may be at the final name but a whole file. A temporary file is kept only
     * when a retry will resume it.
     *
     * @param stored whether the server accepted the data command, so it may have written to {@code storeName}
     */
    private void cleanUp(Upload u, String storeName, boolean keepForResume, boolean stored, Transcript t) {
        if (!conn.isOpen()) {
            return;
        }
        if (!u.atomic()) {
            // Without STOR accepted, the file at the final name is the previous version, untouched: keep it.
            if (stored && conn.delete(storeName)) {
                t.note("removed the partial " + storeName);
            }
            return;
        }
        if (keepForResume) {
            t.note("kept the temporary " + storeName + " so the next attempt resumes it");
        } else {
            if (conn.delete(storeName)) {
                t.note("removed the temporary " + storeName);
            }
        }
    }

    private Verification verify(Upload u, String name, long expected, Transcript t) throws TransferException {
        if (u.verification() == Verification.NONE) {
            return Verification.NONE;
        }
        if (u.verification() == Verification.CHECKSUM) {
            String[] remote = conn.checksum(name);
            if (remote != null) {
                String local = localDigest(u.source(), remote[0]);
                if (!local.equals(remote[1])) {
                    throw TransferException.builder(Reason.VERIFY_FAILED, name + " on the server has " + remote[0] + " " + remote[1]
                            + " but the source has " + local).hint("the file was damaged in transit or changed; it is retried")
                            .transcript(t).build();
                }
                t.note("verified " + remote[0] + " " + local);
                return Verification.CHECKSUM;
            }
            t.note("the server offers no checksum command (HASH, XSHA256, XMD5...); checking the size instead");
        }
        long size = conn.size(name);
        if (size == -2) {
            t.note("the server cannot report the size of " + name + "; relying on its transfer confirmation");
            return Verification.NONE;
        }
        if (size != expected) {
            throw TransferException.builder(Reason.VERIFY_FAILED, name + " has " + size + " bytes on the server, " + expected
                    + " were sent").serverReply(conn.reply()).hint("the transfer was cut or the server changed the file; it is retried")
                    .transcript(t).build();
        }
        return Verification.SIZE;
    }

    private static String localDigest(ContentSource source, String algorithm) throws TransferException {
        try (InputStream in = source.open()) {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            byte[] b = new byte[1 << 16];
            for (int n; (n = in.read(b)) > 0; ) {
                md.update(b, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new TransferException(Reason.BAD_INPUT, "cannot read the source for its checksum: " + e.getMessage(), e);
        }
    }

    private void publish(Upload u, String temp, String finalName, Transcript t) throws TransferException {
        if (u.existing() == ExistingFile.FAIL && conn.size(finalName) >= 0) {
            throw TransferException.builder(Reason.EXISTS, finalName + " appeared on the server during the upload")
                    .hint("another writer uses the same name").retryable(false).transcript(t).build();
        }
        try {
            conn.rename(temp, finalName);
        } catch (TransferException e) {
            // Some servers do not rename over an existing file: they accept RNFR and refuse RNTO for good while the final
            // name exists. Only then is the old file replaced in steps; any other refusal (RNFR refused, a temporary
            // error, a broken connection) leaves the old file alone.
            if (u.existing() != ExistingFile.OVERWRITE || conn.lastRenameToRefusal() < 500 || !conn.isOpen()
                    || conn.size(finalName) < 0) {
                throw e;
            }
            replaceInSteps(temp, finalName, e, t);
        }
    }

    /**
     * Replaces {@code finalName} on a server that does not rename over it: the old file is moved aside, the new one
     * renamed into place, and only then the old one removed. If the new one cannot be put in place, the old one is moved
     * back, so the final name never loses its file to a failed upload.
     */
    private void replaceInSteps(String temp, String finalName, TransferException refused, Transcript t) throws TransferException {
        String aside = asideName(finalName);
        try {
            conn.rename(finalName, aside);
        } catch (TransferException e) {
            t.note("the server does not rename over " + finalName + " and cannot move it aside either (" + e.getMessage()
                    + "); the old file is left in place");
            throw refused;
        }
        t.note("the server does not rename over an existing file; moved the old " + finalName + " aside to " + aside);
        try {
            conn.rename(temp, finalName);
        } catch (TransferException e) {
            try {
                conn.rename(aside, finalName);
            } catch (TransferException restore) {
                throw TransferException.builder(e.reason(), "cannot rename " + temp + " to " + finalName
                                + ", and cannot move the old version back from " + aside + ": " + e.getMessage())
                        .cause(e).serverReply(e.serverReply())
                        .hint("the old version is kept on the server as " + aside + "; rename it back to " + finalName)
                        .retryable(false).transcript(t).build();
            }
            t.note("could not put the new file in place; moved the old " + finalName + " back");
            throw e;
        }
        t.note(conn.delete(aside) ? "removed the old version " + aside : "could not remove the old version " + aside);
    }

    /** A name in the same directory for the old file while it is replaced; random, so it meets no other file. */
    private static String asideName(String finalName) {
        String suffix = ".ferry-old-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String name = finalName + suffix;
        // Over the length limit of a name, a shorter one without the final name (still unique, still recognisable).
        return name.getBytes(StandardCharsets.UTF_8).length <= RemotePath.MAX_NAME_BYTES ? name : suffix;
    }

    private String uniqueName(String name) throws TransferException {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        for (int i = 1; i <= 1000; i++) {
            String candidate = stem + "-" + i + ext;
            if (conn.size(candidate) == -1) {
                return candidate;
            }
        }
        throw new TransferException(Reason.EXISTS, "no free name like " + stem + "-N" + ext + " up to 1000");
    }

    @Override
    public boolean isUsable(Transcript transcript) {
        conn.useTranscript(transcript);
        // While the session sat in the pool its directory may have been removed: change into it again.
        conn.forgetWorkingDirectory();
        return conn.isOpen() && conn.noop();
    }

    @Override
    public boolean isOpen() {
        return conn.isOpen();
    }

    @Override
    public ConnectionInfo connectionInfo() {
        return conn.info();
    }

    @Override
    public void close() {
        conn.close();
    }
}
