package dev.ferry.sftp.internal;

import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.ExistingFiles;
import dev.ferry.core.spi.PreparedUpload;
import dev.ferry.core.spi.TransferLoop;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

/**
 * Uploads one file on an {@link SftpSession}: directories, the existing-file policy, the resume offset, the pipelined
 * write, the size check, the publish under the final name, and the clean-up after a failure. One instance per upload.
 */
final class SftpUploader {
    private final SftpSession session;
    private final SftpClient sftp;
    private final SftpStorageTarget target;
    private final int writeSize;
    private final Transcript transcript;
    /** The uploading thread was interrupted during the transfer; its flag is set again once the upload cleaned up. */
    private boolean interruptedInTransfer;

    SftpUploader(SftpSession session, SftpStorageTarget target, Transcript transcript) {
        this.session = session;
        this.sftp = session.sftp();
        this.target = target;
        this.writeSize = target.writeSize();
        this.transcript = transcript;
    }

    UploadResult upload(PreparedUpload p) throws TransferException {
        Transcript t = transcript;
        Upload u = p.upload();
        String finalPath = session.path(p.absolutePath());
        int slash = finalPath.lastIndexOf('/');
        String dir = slash <= 0 ? "/" : finalPath.substring(0, slash);
        String tempPath = (dir.equals("/") ? "" : dir) + "/" + p.temporaryName();
        String writeTo = u.atomic() ? tempPath : finalPath;
        long length = p.sourceLength();
        long offset = 0;
        TransferLoop loop = null;
        ExistingFiles.Lookup lookup = path -> lookUp(path, finalPath);
        try {
            if (u.createDirectories()) {
                session.mkdirs(dir, t);
            }
            long existing = ExistingFiles.needsLookup(u.existing()) ? statSize(finalPath) : -1;
            String publishAs = ExistingFiles.publishName(u.existing(), finalPath, existing, lookup, t);
            if (u.atomic() && u.resume() && length > 0) {
                offset = p.resumeOffset(tempPath, statSize(tempPath), t);
            }
            long start = System.nanoTime();
            loop = new TransferLoop(p, offset, t);
            if (offset < length || length <= 0) {
                try {
                    write(u, writeTo, offset, loop);
                } catch (SftpException e) {
                    if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE || !u.createDirectories() || loop.sent() > 0
                            || !session.knowsDirectory(dir)) {
                        throw e;
                    }
                    // The directory was there for an earlier file of this connection and is gone: make it again.
                    session.forgetDirectories();
                    session.mkdirs(dir, t);
                    write(u, writeTo, offset, loop);
                }
            }
            long total = length >= 0 ? length : loop.sent();
            t.note("wrote " + writeTo + ": " + loop.sent() + " bytes" + (offset > 0 ? " from offset " + offset : "") + " in "
                    + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
            Verification done = Verification.NONE;
            if (u.verification() != Verification.NONE) {
                long size = statSize(writeTo);
                t.note("stat " + writeTo + ": " + size + " bytes");
                if (size != total) {
                    throw TransferException.builder(Reason.VERIFY_FAILED, writeTo + " has " + size + " bytes on the server, " + total
                            + " expected").hint("the transfer was cut or the file changed; it is retried").transcript(t).build();
                }
                done = Verification.SIZE;
            }
            if (u.atomic()) {
                publishAs = new SftpPublish(session, lookup, t).publish(tempPath, publishAs, finalPath, u.existing());
            }
            return new UploadResult(publishAs, total, Duration.ZERO, p.attempt(), "sftp", done, target.location(publishAs), offset,
                    session.connectionInfo(), List.of());
        } catch (TransferException e) {
            recordSent(p, tempPath, offset, written(loop));
            cleanUp(writeTo, u.resume() && e.retryable() && written(loop) + offset > 0);
            restoreInterrupt();
            throw e;
        } catch (IOException e) {
            TransferException te = session.io("upload " + finalPath, e, t);
            recordSent(p, tempPath, offset, written(loop));
            cleanUp(writeTo, u.resume() && te.retryable() && written(loop) + offset > 0);
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

    private long statSize(String path) throws IOException {
        return session.statSize(path);
    }

    /** For the existing-file policy: a failed look is the upload's failure, as any other failed request of it. */
    private long lookUp(String path, String finalPath) throws TransferException {
        try {
            return statSize(path);
        } catch (IOException e) {
            throw session.io("upload " + finalPath, e, transcript);
        }
    }

    private static long written(TransferLoop loop) {
        return loop == null ? 0 : loop.sent();
    }

    /** Writes the source from {@code offset} on to {@code target} by pipelined requests of the write size. */
    private void write(Upload u, String target, long offset, TransferLoop loop) throws IOException, TransferException {
        EnumSet<SftpClient.OpenMode> modes = offset > 0 ? EnumSet.of(SftpClient.OpenMode.Write)
                : EnumSet.of(SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate);
        try (InputStream in = offset > 0 ? u.source().openAt(offset) : u.source().open()) {
            OutputStream out = sftp.write(target, writeSize, modes);
            try {
                if (offset > 0 && out instanceof SftpOutputStreamAsync async) {
                    async.setOffset(offset);
                }
                loop.copy(in, new byte[writeSize], (buffer, from, n) -> {
                    try {
                        out.write(buffer, from, n);
                    } catch (IOException e) {
                        closeAfterWriteFailure(out, e);
                        throw e;
                    }
                }, TransferLoop.AfterWrite.NONE);
            } catch (TransferException | RuntimeException e) {
                if (e instanceof TransferException stop && stop.reason() == Reason.CANCELLED && Thread.interrupted()) {
                    // Cleared while the handle is closed and the temporary file removed (MINA's waits would give up
                    // at once), and set again when the upload has cleaned up.
                    interruptedInTransfer = true;
                }
                // The source failed or the caller stopped it, the connection is fine: close the file handle properly.
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
        loop.finished();
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
        session.abandon();
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

    private void restoreInterrupt() {
        if (interruptedInTransfer) {
            interruptedInTransfer = false;
            Thread.currentThread().interrupt();
        }
    }

    private void cleanUp(String target, boolean keepForResume) {
        if (!session.isOpen()) {
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
}
