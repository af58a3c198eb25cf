package dev.ferry.core;

import java.util.List;

/**
 * One configured destination (an FTPS, FTP or SFTP server and a base directory) that files are
 * uploaded to.
 *
 * <pre>{@code
 * try (StorageTarget target = StorageTargets.open(
 *         URI.create("ftps://alice@ftp.example.com/incoming"),
 *         Credentials.password("alice", password))) {
 *     UploadResult r = target.upload(Upload.of(Path.of("rec-42.mp4")));
 *     System.out.println(r.location() + " " + r.bytes());
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> implementations are safe to share between threads. A target keeps a
 * bounded pool of logged-in sessions ({@link TargetConfig#maxSessions()}); each call borrows one,
 * so at most that many connections are open at once, and further callers wait for a free session.
 * <b>Closing:</b> {@link #close()} closes every idle session and refuses new work; calling it twice
 * is harmless.
 */
public interface StorageTarget extends AutoCloseable {
    /**
     * Uploads one file, retrying per the target's {@link RetryPolicy}.
     *
     * @throws TransferException with a {@link TransferException.Reason}; {@code BAD_INPUT} before any
     *         connection for an invalid path or a missing source
     */
    UploadResult upload(Upload upload) throws TransferException;

    /**
     * Uploads files in order over one logged-in connection (a recording's video, thumbnail and
     * metadata). Every path is validated before the connection is opened. A file that fails after
     * its retries stops the batch; the files before it stay published.
     *
     * @throws TransferException for the first file that could not be uploaded
     */
    BatchResult uploadAll(List<Upload> uploads) throws TransferException;

    /**
     * The connection test: connect, secure, log in, change to (or create) the base directory,
     * upload a small file, check its size, delete it, quit. Never throws: each step is reported.
     */
    ProbeReport probe();

    /** What this target is, without secrets. */
    TargetInfo info();

    /** Closes the pooled sessions. Idempotent. */
    @Override
    void close();
}
