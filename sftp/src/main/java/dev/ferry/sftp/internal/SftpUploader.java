package dev.ferry.sftp.internal;

import dev.ferry.core.ExistingFile;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.PreparedUpload;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
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
    private final TargetConfig config;
    private final int writeSize;
    private final Transcript transcript;
    /** The uploading thread was interrupted during the transfer; its flag is set again once the upload cleaned up. */
    private boolean interruptedInTransfer;

    SftpUploader(SftpSession session, TargetConfig config, int writeSize, Transcript transcript) {
        this.session = session;
        this.sftp = session.sftp();
        this.config = config;
        this.writeSize = writeSize;
        this.transcript = transcript;
    }

    UploadResult upload(PreparedUpload p) throws TransferException {
        Transcript t = transcript;
        Upload u = p.upload();
        String finalPath = session.path(p.absolutePath());
        int slash = finalPath.lastIndexOf('/');
        String dir = slash <= 0 ? "/" : finalPath.substring(0, slash);
        String tempPath = (dir.equals("/") ? "" : dir) + "/" + p.temporaryName();
        String target = u.atomic() ? tempPath : finalPath;
        long length = p.sourceLength();
        long offset = 0;
        long[] sent = {0};
        try {
            if (u.createDirectories()) {
                session.mkdirs(dir, t);
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
                long partial = statSize(tempPath);
                if (partial > 0 && partial <= length) {
                    offset = partial;
                    t.note("resuming " + tempPath + " at byte " + offset + " of " + length);
                }
            }
            long start = System.nanoTime();
            if (offset < length || length <= 0) {
                try {
                    write(u, target, offset, length, sent, p.deadline());
                } catch (SftpException e) {
                    if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE || !u.createDirectories() || sent[0] > 0
                            || !session.knowsDirectory(dir)) {
                        throw e;
                    }
                    // The directory was there for an earlier file of this connection and is gone: make it again.
                    session.forgetDirectories();
                    session.mkdirs(dir, t);
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
            return new UploadResult(publishAs, total, Duration.ZERO, p.attempt(), "sftp", done, location(publishAs), offset,
                    session.connectionInfo(), List.of());
        } catch (TransferException e) {
            cleanUp(target, u.resume() && e.retryable() && sent[0] + offset > 0);
            restoreInterrupt();
            throw e;
        } catch (IOException e) {
            TransferException te = session.io("upload " + finalPath, e, t);
            cleanUp(target, u.resume() && te.retryable() && sent[0] + offset > 0);
            restoreInterrupt();
            throw te;
        }
    }

    private long statSize(String path) throws IOException {
        return session.statSize(path);
    }

    private void write(Upload u, String target, long offset, long length, long[] sent, java.time.Instant deadline)
            throws IOException, TransferException {
        EnumSet<SftpClient.OpenMode> modes = offset > 0 ? EnumSet.of(SftpClient.OpenMode.Write)
                : EnumSet.of(SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate);
        byte[] buf = new byte[writeSize];
        long last = 0;
        try (InputStream in = offset > 0 ? u.source().openAt(offset) : u.source().open()) {
            OutputStream out = sftp.write(target, writeSize, modes);
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

    private String location(String path) {
        try {
            return new URI("sftp", config.credentials().username(), config.host(), config.portOr(22), path, null, null).toASCIIString();
        } catch (URISyntaxException e) {
            return config.redactedUri() + path;
        }
    }
}
