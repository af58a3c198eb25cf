package dev.ferry.core.spi;

import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;

import java.io.IOException;
import java.io.InputStream;

/**
 * Copies an upload's source to the server, the same way in every provider: at every buffer it stops on an interrupt
 * ({@code CANCELLED}) or a passed deadline ({@code TIMEOUT}), it refuses a source that grew or shrank since the upload
 * was prepared ({@code BAD_INPUT}, as nothing consistent can be published), and it reports progress a few times a
 * second and once at the end.
 *
 * <p>Failures of the source come out as {@link TransferException} (never retried: the source, not the network, is at
 * fault); failures of the sink come out as the sink's {@link IOException}, for the provider to classify.
 */
public final class TransferLoop {
    private static final long PROGRESS_EVERY_NANOS = 200_000_000L;

    /** Where the bytes go: a data connection, an SFTP handle, a request body. */
    @FunctionalInterface
    public interface Sink {
        void write(byte[] buffer, int offset, int length) throws IOException;
    }

    /** Runs after every buffer written, e.g. to feed a watchdog or send a keepalive. */
    @FunctionalInterface
    public interface AfterWrite {
        AfterWrite NONE = sent -> { };

        /** @param sent bytes written by this loop so far */
        void afterWrite(long sent) throws IOException;
    }

    private final PreparedUpload upload;
    private final long offset;
    private final Transcript transcript;
    private long sent;

    /**
     * @param offset the bytes of the source already on the server (a resumed upload starts after them)
     */
    public TransferLoop(PreparedUpload upload, long offset, Transcript transcript) {
        this.upload = upload;
        this.offset = offset;
        this.transcript = transcript;
    }

    /** The bytes this loop wrote so far (not counting the offset); still right after a failure. */
    public long sent() {
        return sent;
    }

    /**
     * Copies {@code in} (already positioned at the offset) to {@code out} until the source's length as prepared, or its
     * end when the length is unknown.
     *
     * @return the bytes written
     * @throws TransferException {@code BAD_INPUT} when the source cannot be read, grew or shrank; {@code CANCELLED} or
     *         {@code TIMEOUT} when the caller was interrupted or the deadline passed. Nothing of it may be published.
     * @throws IOException from the sink or {@code afterWrite}
     */
    public long copy(InputStream in, byte[] buffer, Sink out, AfterWrite afterWrite) throws TransferException, IOException {
        return copy(in, buffer, out, afterWrite, Long.MAX_VALUE);
    }

    /**
     * {@link #copy(InputStream, byte[], Sink, AfterWrite)} of at most {@code max} bytes: one slice of the source, for a
     * protocol that sends a file as several requests (a chunk of an upload session, a part). Make one loop per slice, at
     * the slice's offset. Whether the source grew is checked only by the slice that reaches the source's end.
     */
    public long copy(InputStream in, byte[] buffer, Sink out, AfterWrite afterWrite, long max) throws TransferException, IOException {
        long length = upload.sourceLength();
        String what = upload.upload().remotePath();
        long want = length < 0 ? max : Math.min(max, length - offset);
        // The first buffer is reported at once (a caller sees the transfer start), then a few times a second.
        long lastProgress = System.nanoTime() - PROGRESS_EVERY_NANOS - 1;
        while (sent < want) {
            int n = read(in, buffer, (int) Math.min(buffer.length, want - sent));
            if (n < 0) {
                if (length < 0) {
                    break;
                }
                throw sourceChanged("the source ended after " + (offset + sent) + " of " + length
                        + " bytes: it shrank while being uploaded");
            }
            out.write(buffer, 0, n);
            sent += n;
            afterWrite.afterWrite(sent);
            TransferException stop = PreparedUpload.transferStopped(upload.deadline(), what, offset + sent, length, transcript);
            if (stop != null) {
                throw stop;
            }
            long now = System.nanoTime();
            if (now - lastProgress > PROGRESS_EVERY_NANOS) {
                upload.upload().progress().onProgress(what, offset + sent, length);
                lastProgress = now;
            }
        }
        if (length >= 0 && offset + sent == length && read(in, buffer, 1) >= 0) {
            throw sourceChanged("the source has more than the " + length + " bytes it had when the upload started: "
                    + "it grew while being uploaded");
        }
        return sent;
    }

    /** Reports the final progress; call once the server has confirmed the bytes. */
    public void finished() {
        upload.upload().progress().onProgress(upload.upload().remotePath(), offset + sent, upload.sourceLength());
    }

    private int read(InputStream in, byte[] buffer, int max) throws TransferException {
        try {
            return in.read(buffer, 0, max);
        } catch (IOException e) {
            throw TransferException.builder(Reason.BAD_INPUT, "reading the source " + upload.upload().source().describe()
                    + " failed: " + e.getMessage()).cause(e).retryable(false).transcript(transcript).build();
        }
    }

    private TransferException sourceChanged(String what) {
        return TransferException.builder(Reason.BAD_INPUT, what + "; the partial upload was not published")
                .hint("upload a file only once it is complete (write it elsewhere and move it into place)")
                .retryable(false).transcript(transcript).build();
    }
}
