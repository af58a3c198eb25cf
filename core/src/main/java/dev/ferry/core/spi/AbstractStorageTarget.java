package dev.ferry.core.spi;

import dev.ferry.core.BatchResult;
import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.RemotePath;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TargetInfo;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The part of a {@link StorageTarget} that is the same for every protocol: input validation before
 * any connection, the bounded pool of logged-in sessions, retries from a clean state, deadlines and
 * batches. A provider supplies {@link #connect(Transcript)} and a {@link Session} that uploads one
 * prepared file.
 *
 * <p>Thread-safe: at most {@link TargetConfig#maxSessions()} sessions exist at once; a caller
 * waits for a free one. Idle sessions are checked with {@link Session#isUsable(Transcript)} before
 * reuse and closed after {@link #IDLE_EVICTION} of idleness.
 */
public abstract class AbstractStorageTarget implements StorageTarget {
    /** How long an idle session is kept in the pool. */
    public static final Duration IDLE_EVICTION = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(AbstractStorageTarget.class);

    /** A logged-in connection to the server, at its base directory. Used by one thread at a time. */
    public interface Session extends AutoCloseable {
        /**
         * Uploads and publishes one file (atomically if asked), resuming a temporary file left by an
         * earlier attempt when the upload allows it. Writes its protocol lines to {@code transcript}.
         * The result's {@code attempts}, {@code elapsed} and {@code transcript} (the lines of this file's
         * attempts) are filled in by the caller, so a session returns an empty transcript.
         *
         * @throws TransferException on failure; if the session can no longer be used, {@link #isOpen()} must
         *         then return false
         */
        UploadResult upload(PreparedUpload upload, Transcript transcript) throws TransferException;

        /** A cheap health check before reuse ({@code NOOP}, keepalive); false if the session is broken. */
        boolean isUsable(Transcript transcript);

        /** Whether the session may still be used (not known to be broken or closed). */
        boolean isOpen();

        /** The security facts of this connection. */
        ConnectionInfo connectionInfo();

        /** Logs out and closes; never throws; idempotent. */
        @Override
        void close();
    }

    private final TargetConfig config;
    private final String protocol;
    private final int defaultPort;
    private final SessionPool pool;

    /**
     * @param protocol    the protocol name used in results ({@code ftps}, {@code sftp}, ...)
     * @param defaultPort the protocol's port when the configuration gives none
     */
    protected AbstractStorageTarget(TargetConfig config, String protocol, int defaultPort) {
        this.config = Objects.requireNonNull(config, "config");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.defaultPort = defaultPort;
        this.pool = new SessionPool(config.maxSessions(), IDLE_EVICTION,
                Duration.ofMillis(config.connectTimeout().toMillis() + config.replyTimeout().toMillis() * 4),
                config.redactedUri(), this::connect);
    }

    /**
     * Opens, secures and logs in a new session, at the base directory (created if missing). Writes
     * its lines to {@code transcript}.
     */
    protected abstract Session connect(Transcript transcript) throws TransferException;

    /** The configuration. */
    public TargetConfig config() {
        return config;
    }

    /** The protocol name used in results ({@code ftps}, {@code ftp}, {@code sftp}). */
    public String protocol() {
        return protocol;
    }

    /** The port connected to: the configured one, or the protocol's default. */
    public int port() {
        return config.portOr(defaultPort);
    }

    @Override
    public TargetInfo info() {
        return new TargetInfo(protocol, config.host(), port(), config.baseDirectory().toString(), config.redactedUri(port()));
    }

    /**
     * Where a published file is, as a URI without secrets ({@code sftp://alice@host:22/in/rec.mp4}), for results and
     * webhooks.
     *
     * @param path the file's absolute path on the server
     */
    public String location(String path) {
        try {
            return new URI(protocol, config.credentials().username(), config.host(), port(), path, null, null).toASCIIString();
        } catch (URISyntaxException e) {
            return config.redactedUri(port()) + path;
        }
    }

    /** Sessions open now (idle or in use). */
    public int openSessions() {
        return pool.openSessions();
    }

    /** The most sessions that were open at once. */
    public int peakSessions() {
        return pool.peakSessions();
    }

    /** A new transcript with this target's secrets registered. */
    protected Transcript newTranscript() {
        Transcript t = new Transcript();
        t.addSecretsOf(config.credentials());
        return t;
    }

    @Override
    public UploadResult upload(Upload upload) throws TransferException {
        return uploadAll(List.of(upload)).files().get(0);
    }

    @Override
    public BatchResult uploadAll(List<Upload> uploads) throws TransferException {
        Objects.requireNonNull(uploads, "uploads");
        if (uploads.isEmpty()) {
            throw new TransferException(Reason.BAD_INPUT, "the batch has no files");
        }
        Transcript transcript = newTranscript();
        long start = System.nanoTime();
        List<PreparedUpload> prepared = new ArrayList<>(uploads.size());
        for (Upload u : uploads) {
            prepared.add(prepare(u));
        }
        ensureOpen();
        List<UploadResult> results = new ArrayList<>(prepared.size());
        int connections = 0;
        Session session = null;
        ConnectionInfo info = null;
        try {
            for (PreparedUpload next : prepared) {
                // A file's deadline counts from when its upload starts, not from the start of the batch.
                PreparedUpload p = next.startingNow();
                long fileStart = System.nanoTime();
                long fileMark = transcript.mark();
                RetryPolicy policy = config.retryPolicy();
                while (true) {
                    if (Thread.currentThread().isInterrupted()) {
                        // Before every file and attempt: an interrupted caller gets no further transfer.
                        throw TransferException.builder(Reason.CANCELLED, "interrupted before the upload of " + p.relativePath()
                                + (p.attempt() > 1 ? " (attempt " + p.attempt() + ")" : "")).retryable(false)
                                .transcript(transcript).build();
                    }
                    try {
                        checkDeadline(p, transcript);
                        if (session == null || !session.isOpen()) {
                            if (session != null) {
                                pool.release(session);
                                session = null;
                            }
                            session = pool.acquire(transcript, p.deadline());
                            connections++;
                        }
                        info = session.connectionInfo();
                        UploadResult r = session.upload(p, transcript);
                        results.add(new UploadResult(r.remotePath(), r.bytes(), Duration.ofNanos(System.nanoTime() - fileStart),
                                p.attempt(), r.protocol(), r.verification(), r.location(), r.resumedFrom(), r.connection(),
                                transcript.renderSince(fileMark), r.checksum()));
                        break;
                    } catch (TransferException caught) {
                        // A provider may have built it from a reply that echoes a secret; nothing below may show that.
                        TransferException e = caught.masked(transcript);
                        if (session != null && !session.isOpen()) {
                            pool.release(session);
                            session = null;
                        }
                        if (Thread.currentThread().isInterrupted()) {
                            throw cancelled(e, transcript);
                        }
                        if (!policy.shouldRetry(e, p.attempt()) || p.pastDeadline()) {
                            throw e.transcript().isEmpty() ? e.withTranscript(transcript) : e;
                        }
                        Duration pause = policy.backoff(p.attempt());
                        transcript.note("attempt " + p.attempt() + " of " + p.relativePath() + " failed (" + e.reason() + ": "
                                + e.getMessage() + "); retrying in " + pause.toMillis() + " ms");
                        LOG.debug("retrying {} after {}: {}", p.relativePath(), e.reason(), e.getMessage());
                        if (session != null) {
                            // Retry from a clean state: a new connection. The session's slot goes back to the pool.
                            pool.discardAndRelease(session);
                            session = null;
                        }
                        sleep(pause, p, transcript, e);
                        p = p.nextAttempt();
                    }
                }
            }
        } finally {
            if (session != null) {
                pool.release(session);
            }
        }
        return new BatchResult(results, Duration.ofNanos(System.nanoTime() - start), Math.max(1, connections), protocol, info,
                transcript.render());
    }

    /** Validates an upload before any connection: path, temporary name, source. */
    protected PreparedUpload prepare(Upload u) throws TransferException {
        RemotePath rel = u.validatedRemotePath();
        RemotePath abs = config.baseDirectory().resolve(rel);
        String temporary = PreparedUpload.newTemporaryName(abs.fileName());
        if (u.atomic() && temporary.getBytes(StandardCharsets.UTF_8).length > RemotePath.MAX_NAME_BYTES) {
            throw TransferException.builder(Reason.BAD_INPUT, "the file name of " + rel + " is too long for atomic publish "
                    + "(its temporary name would exceed " + RemotePath.MAX_NAME_BYTES + " bytes)")
                    .hint("shorten the name, or turn atomic publish off").build();
        }
        long length;
        try {
            length = u.source().length();
        } catch (TransferException e) {
            throw e;
        } catch (IOException e) {
            throw new TransferException(Reason.BAD_INPUT, "cannot read the source " + u.source().describe() + ": " + e.getMessage(), e);
        }
        if (u.sourcePath().isPresent() && !java.nio.file.Files.isRegularFile(u.sourcePath().get())) {
            throw new TransferException(Reason.BAD_INPUT, "the source " + u.sourcePath().get() + " is not a regular file");
        }
        Instant deadline = u.deadline().map(d -> Instant.now().plus(d)).orElse(null);
        return new PreparedUpload(u, rel, abs, length, 1, deadline, temporary, new PreparedUpload.SentBytes());
    }

    private void ensureOpen() throws TransferException {
        pool.ensureOpen();
    }

    /**
     * Whether {@link #close()} has begun: a provider starts nothing new after it (a client, a transfer's watchdog), so it
     * needs no closed flag of its own. Subclasses call {@code super.close()} first in their {@code close()}, so a check of
     * this under the lock their {@code close()} takes next sees either the target open, and its work is then stopped by
     * that {@code close()}, or closed.
     */
    protected final boolean isClosed() {
        return pool.isClosed();
    }

    private static void checkDeadline(PreparedUpload p, Transcript t) throws TransferException {
        if (p.pastDeadline()) {
            throw TransferException.builder(Reason.TIMEOUT, "the deadline of the upload of " + p.relativePath()
                    + " passed after " + (p.attempt() - 1) + " attempt(s)").retryable(false).transcript(t).build();
        }
    }

    private static void sleep(Duration pause, PreparedUpload p, Transcript t, TransferException last) throws TransferException {
        long millis = pause.toMillis();
        if (p.deadline() != null) {
            millis = Math.min(millis, Math.max(0, Duration.between(Instant.now(), p.deadline()).toMillis()));
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelled(last, t);
        }
    }

    private static TransferException cancelled(TransferException last, Transcript t) {
        return TransferException.builder(Reason.CANCELLED, "interrupted; the last error was: " + last.getMessage())
                .cause(last).serverReply(last.serverReply()).transcript(t).build();
    }

    @Override
    public void close() {
        pool.close();
    }
}
