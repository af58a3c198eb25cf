package dev.ferry.core.spi;

import dev.ferry.core.RemotePath;
import dev.ferry.core.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;

import java.time.Instant;

/**
 * An {@link Upload} whose input was validated before any connection: its path relative to the base
 * directory and the absolute one, the source's length at the start, and the deadline.
 *
 * @param upload the upload as the caller gave it
 * @param relativePath the validated path relative to the base directory
 * @param absolutePath the base directory joined with it
 * @param sourceLength the source's length when validated, or -1 if unknown
 * @param attempt which attempt this is (1 for the first)
 * @param deadline when the whole upload must end, or {@code null}
 * @param temporaryName the name an atomic upload writes before it is renamed into place: {@code <final name>.<token>}
 *        {@link Upload#TEMP_SUFFIX}, with a random token of this upload, kept by every attempt of it (a retry resumes
 *        the file the attempt before it wrote) and used by no other upload: two uploads to one name, at the same
 *        time or one after a killed one, never write into or resume each other's file
 */
public record PreparedUpload(Upload upload, RemotePath relativePath, RemotePath absolutePath, long sourceLength,
                             int attempt, Instant deadline, String temporaryName) {
    /** A new upload's temporary name for the final name {@code fileName}: {@code fileName.<8 hex digits>.ferry-part}. */
    public static String newTemporaryName(String fileName) {
        String token = Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt());
        return fileName + "." + "00000000".substring(token.length()) + token + Upload.TEMP_SUFFIX;
    }

    /** The temporary path, in the same directory as the final one. */
    public RemotePath temporaryPath() {
        try {
            return absolutePath.withFileName(temporaryName());
        } catch (dev.ferry.core.TransferException e) {
            // The final name was validated; only its length can make the temporary one invalid.
            throw new IllegalStateException(e);
        }
    }

    /** Whether this upload's deadline (if it has one) has passed. */
    public boolean pastDeadline() {
        return deadline != null && Instant.now().isAfter(deadline);
    }

    /**
     * For a provider's transfer loop, at every buffer (socket writes notice neither an interrupt nor a deadline): the
     * error to end the transfer with, or {@code null} to go on. {@code CANCELLED} if this thread was interrupted (its
     * flag stays set), {@code TIMEOUT} if {@code deadline} (if not null) has passed; neither is retried, and nothing
     * of the transfer may be published.
     *
     * @param what the file, for the message
     * @param bytes the bytes on the server so far
     * @param total the source's length, or -1 if unknown
     */
    public static TransferException transferStopped(Instant deadline, String what, long bytes, long total, Transcript t) {
        String sofar = bytes + (total >= 0 ? " of " + total : "") + " bytes";
        if (Thread.currentThread().isInterrupted()) {
            return TransferException.builder(Reason.CANCELLED, "interrupted after " + sofar + " of " + what
                    + "; the partial upload was not published").retryable(false).transcript(t).build();
        }
        if (deadline != null && Instant.now().isAfter(deadline)) {
            return TransferException.builder(Reason.TIMEOUT, "the deadline of the upload of " + what + " passed after " + sofar
                    + "; the partial upload was not published").hint("give the upload a longer deadline (Upload.Builder.deadline)")
                    .retryable(false).transcript(t).build();
        }
        return null;
    }

    /** This upload as its first attempt starts: its deadline (if it has one) counts from now. */
    public PreparedUpload startingNow() {
        return upload.deadline().map(d -> new PreparedUpload(upload, relativePath, absolutePath, sourceLength, attempt,
                Instant.now().plus(d), temporaryName)).orElse(this);
    }

    /** This upload for a further attempt. */
    public PreparedUpload nextAttempt() {
        return new PreparedUpload(upload, relativePath, absolutePath, sourceLength, attempt + 1, deadline, temporaryName);
    }
}
