package dev.ferry.ftp.internal;

import dev.ferry.core.ExistingFile;
import dev.ferry.core.RemotePath;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.ExistingFiles;
import dev.ferry.core.spi.PreparedUpload;
import dev.ferry.core.spi.TransferLoop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Uploads one file on an {@link FtpConnection}: the directory, the existing-file policy, the resume offset, the
 * transfer, the check by checksum or size, the publish under the final name, and the clean-up after a failure. One
 * instance per attempt.
 */
final class FtpUploader {
    private final FtpStorageTarget target;
    private final FtpConnection conn;
    private final Transcript t;

    FtpUploader(FtpStorageTarget target, FtpConnection conn, Transcript t) {
        this.target = target;
        this.conn = conn;
        this.t = t;
    }

    /**
     * Uploads and publishes {@code p}.
     *
     * @throws DataTransfer.Failure only when the server refused a data connection for lack of TLS session reuse and a
     *         new control connection can help: the caller reconnects and tries again at once
     */
    UploadResult upload(PreparedUpload p) throws TransferException, DataTransfer.Failure {
        Upload u = p.upload();
        RemotePath abs = p.absolutePath();
        conn.cd(abs.parent(), u.createDirectories());
        RemoteSize existing = ExistingFiles.needsLookup(u.existing()) ? conn.size(abs.fileName()) : RemoteSize.ABSENT;
        String publishAs = ExistingFiles.publishName(u.existing(), abs.toString(), existing.orNone(), this::takenSize, t);
        String finalName = publishAs.substring(publishAs.lastIndexOf('/') + 1);
        String storeName = u.atomic() ? target.temporaryName(p) : finalName;
        long offset = 0;
        // A temporary file that failed verification is never resumed, should it still be there.
        if (u.atomic() && u.resume() && p.sourceLength() > 0 && !target.takeUnresumable(p)) {
            offset = p.resumeOffset(storeName, conn.size(storeName).orNone(), t);
        }
        TransferLoop loop = new TransferLoop(p, offset, t);
        int accepted = conn.dataCommandsAccepted();
        try {
            return transferAndPublish(p, storeName, finalName, offset, loop);
        } catch (DataTransfer.Failure f) {
            boolean retriedHere = retriedHere(f);
            failed(p, storeName, offset, loop.sent(), f.error(), accepted, retriedHere);
            if (f.blocked() && f.error().reason() == Reason.TIMEOUT && u.atomic()) {
                target.temporaryBlocked(p);
                t.note("the server did not answer for the temporary file: a stalled session of an earlier attempt may still "
                        + "hold it; the next attempt writes " + target.temporaryName(p) + " from the start instead");
            }
            if (retriedHere) {
                throw f;
            }
            throw f.error();
        } catch (TransferException e) {
            failed(p, storeName, offset, loop.sent(), e, accepted, false);
            throw e;
        } catch (RuntimeException e) {
            cleanUp(u, storeName, false, conn.dataCommandsAccepted() > accepted);
            throw e;
        }
    }

    /**
     * For {@link ExistingFiles#uniqueName}: the size at {@code path} (in the current directory); a name the server cannot
     * tell about counts as taken.
     */
    private long takenSize(String path) throws TransferException {
        RemoteSize s = conn.size(path.substring(path.lastIndexOf('/') + 1));
        return s.present() ? s.bytes() : s.absent() ? -1 : 0;
    }

    /**
     * Whether the session tries again at once after this failure: the server refused a data connection for lack of TLS
     * session reuse, and reconnecting (maybe with the other TLS version) can help.
     */
    private boolean retriedHere(DataTransfer.Failure f) {
        return f.error().reason() == Reason.DATA_CHANNEL && f.reuseRefused()
                && (f.reuseChange() != FtpStorageTarget.ReuseChange.NONE || conn.transfers() >= 1);
    }

    /** Whether another attempt of the upload follows this failure: here, or by the target's retry policy. */
    private boolean attemptFollows(PreparedUpload p, TransferException e, boolean retriedHere) {
        if (retriedHere) {
            return true;
        }
        // As AbstractStorageTarget decides after this attempt.
        return !Thread.currentThread().isInterrupted() && target.config().retryPolicy().shouldRetry(e, p.attempt())
                && !p.pastDeadline();
    }

    /** After a failure: records what was sent (for a resume) and removes what no attempt will resume. */
    private void failed(PreparedUpload p, String storeName, long offset, long sent, TransferException e, int accepted,
                        boolean retriedHere) {
        Upload u = p.upload();
        if (u.atomic() && sent > 0) {
            p.recordSent(storeName, offset, sent);
        }
        // Keep a temporary file only when a retry will resume it: not when no attempt follows (it would stay on the
        // server), nor when it failed verification (its bytes are wrong; a retry starts from byte 0).
        boolean verifyFailed = e.reason() == Reason.VERIFY_FAILED;
        if (verifyFailed && u.atomic()) {
            target.unresumable(p);
        }
        cleanUp(u, storeName, u.resume() && e.retryable() && sent + offset > 0 && !verifyFailed
                && attemptFollows(p, e, retriedHere), conn.dataCommandsAccepted() > accepted);
    }

    private UploadResult transferAndPublish(PreparedUpload p, String storeName, String finalName, long offset, TransferLoop loop)
            throws TransferException, DataTransfer.Failure {
        Upload u = p.upload();
        long length = p.sourceLength();
        if (offset < length || length <= 0) {
            try (InputStream in = offset > 0 ? u.source().openAt(offset) : u.source().open()) {
                conn.store(offset > 0 ? "APPE" : "STOR", storeName, in, loop);
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
        long total = length >= 0 ? length : offset + loop.sent();
        Verification done = verify(u, storeName, total);
        RemotePath published = p.absolutePath().withFileName(finalName);
        if (u.atomic()) {
            publish(u, storeName, published);
            for (String held : target.publishedAfterBlocked(p)) {
                // Unlinking works even while the stalled session holds the file open.
                t.note(conn.delete(held) ? "removed " + held + ", left by the stalled attempt"
                        : "could not remove " + held + ", left by the stalled attempt");
            }
        }
        return new UploadResult(published.toString(), total, Duration.ZERO, p.attempt(), target.protocol(), done,
                target.location(published.toString()), offset, conn.info(), List.of());
    }

    /**
     * After a failure: nothing may be at the final name but a whole file. A temporary file is kept only
     * when a retry will resume it.
     *
     * @param stored whether the server accepted the data command, so it may have written to {@code storeName}
     */
    private void cleanUp(Upload u, String storeName, boolean keepForResume, boolean stored) {
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
        } else if (conn.delete(storeName)) {
            t.note("removed the temporary " + storeName);
        }
    }

    private Verification verify(Upload u, String name, long expected) throws TransferException {
        if (u.verification() == Verification.NONE) {
            return Verification.NONE;
        }
        if (u.verification() == Verification.CHECKSUM) {
            Optional<Checksums.Remote> remote = Checksums.ask(conn, name);
            if (remote.isPresent()) {
                Checksums.Remote r = remote.get();
                String local = Checksums.local(u.source(), r.algorithm());
                if (!local.equals(r.hex())) {
                    throw TransferException.builder(Reason.VERIFY_FAILED, name + " on the server has " + r.algorithm() + " "
                            + r.hex() + " but the source has " + local).hint("the file was damaged in transit or changed; it is retried")
                            .transcript(t).build();
                }
                t.note("verified " + r.algorithm() + " " + local);
                return Verification.CHECKSUM;
            }
            t.note("the server offers no checksum command (HASH, XSHA256, XMD5...); checking the size instead");
        }
        RemoteSize size = conn.size(name);
        if (size.unknown()) {
            t.note("the server cannot report the size of " + name + "; relying on its transfer confirmation");
            return Verification.NONE;
        }
        if (size.bytes() != expected) {
            throw TransferException.builder(Reason.VERIFY_FAILED, name + (size.present() ? " has " + size.bytes() + " bytes"
                    : " is not") + " on the server, " + expected + " were sent").serverReply(conn.reply())
                    .hint("the transfer was cut or the server changed the file; it is retried").transcript(t).build();
        }
        return Verification.SIZE;
    }

    private void publish(Upload u, String temp, RemotePath published) throws TransferException {
        String finalName = published.fileName();
        if (u.existing() == ExistingFile.FAIL && conn.size(finalName).present()) {
            throw ExistingFiles.appearedMeanwhile(published.toString(), t);
        }
        Rename r = conn.tryRename(temp, finalName);
        if (r.done()) {
            return;
        }
        // Some servers do not rename over an existing file: they accept RNFR and refuse RNTO for good while the final
        // name exists. Only then is the old file replaced in steps; any other refusal (RNFR refused, a temporary
        // error, a broken connection) leaves the old file alone.
        if (u.existing() != ExistingFile.OVERWRITE || !r.renameToRefusedForGood() || !conn.isOpen()
                || !conn.size(finalName).present()) {
            throw r.refusal();
        }
        replaceInSteps(temp, finalName, r.refusal());
    }

    /**
     * Replaces {@code finalName} on a server that does not rename over it: the old file is moved aside, the new one
     * renamed into place, and only then the old one removed. If the new one cannot be put in place, the old one is moved
     * back, so the final name never loses its file to a failed upload.
     */
    private void replaceInSteps(String temp, String finalName, TransferException refused) throws TransferException {
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
    static String asideName(String finalName) {
        String suffix = ".ferry-old-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String name = finalName + suffix;
        // Over the length limit of a name, a shorter one without the final name (still unique, still recognisable).
        return name.getBytes(StandardCharsets.UTF_8).length <= RemotePath.MAX_NAME_BYTES ? name : suffix;
    }
}
