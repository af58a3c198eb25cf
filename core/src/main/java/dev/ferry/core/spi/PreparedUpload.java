package dev.ferry.core.spi;

import dev.ferry.core.RemotePath;
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
 */
public record PreparedUpload(Upload upload, RemotePath relativePath, RemotePath absolutePath, long sourceLength,
                             int attempt, Instant deadline) {
    /** The temporary name used for atomic publish: {@code <final name>} + {@link Upload#TEMP_SUFFIX}. */
    public String temporaryName() {
        return absolutePath.fileName() + Upload.TEMP_SUFFIX;
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

    /** This upload for a further attempt. */
    public PreparedUpload nextAttempt() {
        return new PreparedUpload(upload, relativePath, absolutePath, sourceLength, attempt + 1, deadline);
    }
}
