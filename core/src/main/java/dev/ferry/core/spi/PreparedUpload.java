package dev.ferry.core.spi;

import dev.ferry.core.RemotePath;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;

import java.security.SecureRandom;
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
 *        {@link Upload#TEMP_SUFFIX}, with a random 128-bit token of this upload, kept by every attempt of it (a retry resumes
 *        the file the attempt before it wrote) and used by no other upload: two uploads to one name, at the same
 *        time or one after a killed one, never write into or resume each other's file
 * @param sentBytes what this upload's attempts sent to its temporary file, shared by every attempt: a retry resumes the
 *        file only up to there ({@link #resumeOffset}), whatever size the server reports
 */
public record PreparedUpload(Upload upload, RemotePath relativePath, RemotePath absolutePath, long sourceLength,
                             int attempt, Instant deadline, String temporaryName, SentBytes sentBytes) {
    /**
     * What the attempts of one upload sent to its temporary file: the file's name and how many bytes it can hold from
     * them at most. Shared by the attempts ({@link #nextAttempt()} keeps it); thread-safe.
     */
    public static final class SentBytes {
        private String name;
        private long bytes;

        /** Nothing sent yet. */
        public SentBytes() {
        }

        synchronized void wrote(String file, long offset, long count) {
            if (offset == 0) {
                // Written from the start: the server truncated the file first.
                name = file;
                bytes = count;
            } else if (file.equals(name)) {
                // Appended (FTP APPE) or written at offset <= bytes (SFTP): the file ends at bytes + count at most.
                bytes += count;
            } else {
                name = file;
                bytes = 0;
            }
        }

        synchronized long to(String file) {
            return file.equals(name) ? bytes : 0;
        }

        @Override
        public synchronized String toString() {
            return name == null ? "SentBytes[none]" : "SentBytes[" + name + ": " + bytes + "]";
        }
    }

    /** The length of the random token in a temporary name: 128 bits in base 32. */
    public static final int TOKEN_CHARS = 26;

    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    // Shared and thread-safe. The token must not be guessable: whoever can write to the directory and guess it could
    // plant a file that the next attempt resumes and publishes.
    private static final SecureRandom TOKENS = new SecureRandom();

    /**
     * A new upload's temporary name for the final name {@code fileName}: {@code fileName.<token>.ferry-part}, where the
     * token is {@value #TOKEN_CHARS} characters of lower-case base 32 ({@code a-z2-7}) holding 128 random bits.
     */
    public static String newTemporaryName(String fileName) {
        byte[] random = new byte[16];
        TOKENS.nextBytes(random);
        return fileName + "." + base32(random) + Upload.TEMP_SUFFIX;
    }

    static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder(TOKEN_CHARS);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = buffer << 8 | b & 0xff;
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[buffer >>> bits - 5 & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[buffer << 5 - bits & 31]);
        }
        return out.toString();
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

    /**
     * Where this attempt continues the temporary file {@code name}, whose size the server reports as {@code reportedSize}
     * (-1 if there is none): that size if this upload's earlier attempts sent at least as many bytes to that file since
     * it was last written from the start, and it is not larger than the source; else 0, so the file is written again
     * from the start (the server truncates it). Bytes beyond what Ferry sent are not this upload's: a server or another
     * writer put them there, and they must never be published. The decision is noted in {@code t}.
     */
    public long resumeOffset(String name, long reportedSize, Transcript t) {
        if (reportedSize <= 0) {
            return 0;
        }
        if (sourceLength >= 0 && reportedSize > sourceLength) {
            t.note(name + " is larger than the source (" + reportedSize + " > " + sourceLength + "); starting over");
            return 0;
        }
        long ours = sentBytes.to(name);
        if (reportedSize > ours) {
            t.note(name + " has " + reportedSize + " bytes but this upload sent it " + ours + "; the rest is not this upload's: "
                    + "writing it again from the start");
            return 0;
        }
        t.note("resuming " + name + " at byte " + reportedSize + " of " + sourceLength);
        return reportedSize;
    }

    /**
     * Records that this attempt sent {@code count} bytes to the temporary file {@code name}, from {@code offset} (0: from
     * the start, after which the server truncated it). A provider calls it when an attempt that sent bytes fails, so the
     * next attempt's {@link #resumeOffset} knows how far the file can be this upload's.
     */
    public void recordSent(String name, long offset, long count) {
        sentBytes.wrote(name, offset, count);
    }

    /** This upload as its first attempt starts: its deadline (if it has one) counts from now. */
    public PreparedUpload startingNow() {
        return upload.deadline().map(d -> new PreparedUpload(upload, relativePath, absolutePath, sourceLength, attempt,
                Instant.now().plus(d), temporaryName, sentBytes)).orElse(this);
    }

    /** This upload for a further attempt. */
    public PreparedUpload nextAttempt() {
        return new PreparedUpload(upload, relativePath, absolutePath, sourceLength, attempt + 1, deadline, temporaryName, sentBytes);
    }
}
