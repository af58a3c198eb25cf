package dev.ferry.s3.internal;

import dev.ferry.core.ContentSource;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import software.amazon.awssdk.http.ContentStreamProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.zip.CRC32C;

/**
 * The body of one request: a slice of the source, opened afresh for every pass the SDK makes (signing, sending, a
 * retry), so memory stays constant whatever the part size. Each pass computes the slice's CRC32C and MD5 on the way;
 * the last complete pass's values are what the server must report back. Every read checks whether the upload was
 * stopped (interrupt, deadline, another part failed), and a source shorter than planned fails with {@code BAD_INPUT}.
 */
final class PartBody implements ContentStreamProvider {
    /** Says whether the upload must stop now, and why. */
    @FunctionalInterface
    interface StopCheck {
        /** The error to stop with, or {@code null} to go on. */
        TransferException check(long bytesOfThisSlice);
    }

    private final ContentSource source;
    private final long offset;
    private final long size;
    private final Progress progress;
    private final StopCheck stop;
    private InputStream current;
    private long counted;
    private volatile int crc;
    private volatile byte[] md5;

    PartBody(ContentSource source, long offset, long size, Progress progress, StopCheck stop) {
        this.source = source;
        this.offset = offset;
        this.size = size;
        this.progress = progress;
        this.stop = stop;
    }

    long size() {
        return size;
    }

    /** The CRC32C of the slice, once a pass has read it whole. */
    int crc32c() {
        check();
        return crc;
    }

    /** The MD5 of the slice, once a pass has read it whole. */
    byte[] md5() {
        check();
        return md5.clone();
    }

    boolean complete() {
        return md5 != null;
    }

    private void check() {
        if (md5 == null) {
            throw new IllegalStateException("the slice at " + offset + " was not read whole");
        }
    }

    /** Reads the slice once, only for its checksums (a part already on the server is checked against them). */
    void digest() throws TransferException {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = newStream()) {
            while (in.read(buffer) >= 0) {
                // only the digests matter
            }
        } catch (UncheckedIOException e) {
            throw (TransferException) e.getCause();
        } catch (TransferException e) {
            throw e;
        } catch (IOException e) {
            throw readFailed(e);
        }
    }

    @Override
    public synchronized InputStream newStream() {
        closeCurrent();
        try {
            current = new SliceStream(offset == 0 ? source.open() : source.openAt(offset));
        } catch (IOException e) {
            throw new UncheckedIOException(e instanceof TransferException te ? te : readFailed(e));
        }
        return current;
    }

    synchronized void closeCurrent() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException ignored) {
                // a read-only file stream: nothing is lost
            }
            current = null;
        }
    }

    private TransferException readFailed(IOException e) {
        return TransferException.builder(Reason.BAD_INPUT, "reading the source " + source.describe() + " at " + offset
                + " failed: " + e.getMessage()).cause(e).retryable(false).build();
    }

    /** Counts bytes into the progress only past what an earlier pass over the slice counted. */
    private synchronized void reached(long position) {
        if (position > counted) {
            progress.add(position - counted);
            counted = position;
        }
    }

    private final class SliceStream extends InputStream {
        private final InputStream in;
        private final CRC32C crc32c = new CRC32C();
        private final MessageDigest digest = Checksums.md5();
        private long position;

        SliceStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            TransferException stopped = stop.check(position);
            if (stopped != null) {
                throw stopped;
            }
            if (position == size) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n;
            try {
                n = in.read(b, off, (int) Math.min(len, size - position));
            } catch (IOException e) {
                throw readFailed(e);
            }
            if (n < 0) {
                throw TransferException.builder(Reason.BAD_INPUT, "the source " + source.describe() + " ended at "
                        + (offset + position) + " bytes: it shrank while being uploaded; nothing was published")
                        .hint("upload a file only once it is complete (write it elsewhere and move it into place)")
                        .retryable(false).build();
            }
            crc32c.update(b, off, n);
            digest.update(b, off, n);
            position += n;
            reached(position);
            if (position == size) {
                crc = (int) crc32c.getValue();
                md5 = digest.digest();
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
