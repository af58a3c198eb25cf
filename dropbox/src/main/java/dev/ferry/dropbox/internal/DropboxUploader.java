package dev.ferry.dropbox.internal;

import com.dropbox.core.DbxException;
import com.dropbox.core.DbxUploader;
import com.dropbox.core.InvalidAccessTokenException;
import com.dropbox.core.RateLimitException;
import com.dropbox.core.RetryException;
import com.dropbox.core.ServerException;
import com.dropbox.core.v2.DbxClientV2;
import com.dropbox.core.v2.files.CommitInfo;
import com.dropbox.core.v2.files.FileMetadata;
import com.dropbox.core.v2.files.UploadSessionAppendErrorException;
import com.dropbox.core.v2.files.UploadSessionCursor;
import com.dropbox.core.v2.files.UploadSessionFinishErrorException;
import com.dropbox.core.v2.files.WriteMode;
import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ExistingFile;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.PreparedUpload;
import dev.ferry.core.spi.TransferLoop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One file on one session: a single {@code files/upload} for a small file, else an upload session (start, append_v2 per
 * chunk, finish with the last chunk), streamed from the source through {@link TransferLoop} while the content hash is
 * computed; then Dropbox's {@code content_hash} is compared with it. Each request is retried here after a 429 or 503
 * (waiting what the server asks) or a 5xx (backing off), and once after a refresh of an expired token; a broken
 * connection fails the attempt, and the next one continues the upload session at the offset Dropbox has.
 */
final class DropboxUploader {
    /** Tries of one request for 429, 503 and 5xx answers. */
    static final int MAX_TRIES = 5;
    /** The longest wait for one Retry-After: beyond it the attempt fails (and core's retry policy decides). */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    /** How often one attempt follows Dropbox's {@code correct_offset} before it gives up (a lost answer needs one). */
    static final int MAX_CORRECTIONS = 3;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final int BUFFER = 256 * 1024;

    /** One API request; may be run again. */
    private interface Request<T> {
        T run() throws DbxException, IOException, TransferException;
    }

    /** The answer to a chunk: the file (after finish), or the offset Dropbox said it has instead. */
    private record Chunk(FileMetadata file, long correctOffset) {
    }

    private final DropboxStorageTarget target;
    private final DbxClientV2 client;
    private final Transcript t;
    private final ConnectionInfo connection;
    private final byte[] buffer = new byte[BUFFER];
    private ContentHash hash = new ContentHash();
    private PreparedUpload p;

    DropboxUploader(DropboxStorageTarget target, DbxClientV2 client, Transcript t, ConnectionInfo connection) {
        this.target = target;
        this.client = client;
        this.t = t;
        this.connection = connection;
    }

    UploadResult upload(PreparedUpload upload) throws TransferException {
        this.p = upload;
        String path = upload.absolutePath().toString();
        long resumedFrom = 0;
        FileMetadata file;
        if (upload.sourceLength() <= target.settings().singleUploadLimit()) {
            file = single(path);
        } else {
            long[] from = new long[1];
            file = session(path, from);
            resumedFrom = from[0];
        }
        String ours = hash.hex();
        if (!ours.equals(file.getContentHash())) {
            deleteQuietly(file.getPathDisplay());
            throw TransferException.builder(Reason.VERIFY_FAILED, "Dropbox's content hash of " + file.getPathDisplay() + " ("
                    + file.getContentHash() + ") differs from the source's (" + ours + "); the file was deleted")
                    .serverReply("content_hash " + file.getContentHash()).transcript(t).build();
        }
        if (!file.getPathDisplay().toLowerCase(Locale.ROOT).equals(path.toLowerCase(Locale.ROOT))) {
            t.note(path + " exists; Dropbox published the file as " + file.getPathDisplay());
        }
        t.note("content_hash " + ours + " matches the source");
        return new UploadResult(file.getPathDisplay(), file.getSize(), Duration.ZERO, upload.attempt(), "dropbox",
                Verification.CHECKSUM, target.location(file.getPathDisplay()), resumedFrom, connection, List.of(), "CONTENT_HASH");
    }

    private WriteMode mode() {
        return p.upload().existing() == ExistingFile.OVERWRITE ? WriteMode.OVERWRITE : WriteMode.ADD;
    }

    private boolean autorename() {
        return p.upload().existing() == ExistingFile.RENAME_UNIQUE;
    }

    private FileMetadata single(String path) throws TransferException {
        return call("files/upload " + path, () -> {
            ContentHash h = new ContentHash();
            try (DbxUploader<FileMetadata, ?, ?> up = client.files().uploadBuilder(path).withMode(mode())
                    .withAutorename(autorename()).start(); InputStream in = p.upload().source().open()) {
                stream(up, in, 0, p.sourceLength(), h);
                FileMetadata f = up.finish();
                hash = h;
                return f;
            }
        });
    }

    private FileMetadata session(String path, long[] resumedFrom) throws TransferException {
        String key = p.temporaryName();
        long length = p.sourceLength();
        long chunk = target.settings().chunkSize();
        DropboxStorageTarget.Pending left = target.pending(key);
        String id;
        long offset;
        if (left != null) {
            id = left.sessionId();
            offset = left.confirmed();
            t.note("continuing upload session " + shortId(id) + " at byte " + offset);
        } else {
            id = start(path);
            offset = 0;
        }
        target.remember(key, new DropboxStorageTarget.Pending(id, offset));
        hash = prefix(offset);
        resumedFrom[0] = offset;
        int corrections = 0;
        try {
            while (true) {
                boolean last = length - offset <= chunk;
                long n = last ? length - offset : chunk;
                Chunk c = chunk(path, id, offset, n, last);
                if (c.correctOffset() >= 0) {
                    if (++corrections > MAX_CORRECTIONS) {
                        throw TransferException.builder(Reason.PROTOCOL, "Dropbox corrected the offset of upload session "
                                + shortId(id) + " " + MAX_CORRECTIONS + " times in one attempt (last: " + c.correctOffset()
                                + ")").serverReply("incorrect_offset, correct_offset " + c.correctOffset()).transcript(t).build();
                    }
                    long at = p.resumeOffset(id, c.correctOffset(), t);
                    if (at != c.correctOffset()) {
                        // Dropbox holds bytes this upload cannot vouch for: a new session, from the start.
                        id = start(path);
                        at = 0;
                    }
                    offset = at;
                    hash = prefix(offset);
                    resumedFrom[0] = offset;
                    target.remember(key, new DropboxStorageTarget.Pending(id, offset));
                    continue;
                }
                p.recordSent(id, offset, n);
                if (last) {
                    target.forget(key);
                    return c.file();
                }
                offset += n;
                target.remember(key, new DropboxStorageTarget.Pending(id, offset));
            }
        } catch (TransferException e) {
            if (!e.retryable()) {
                target.forget(key);
            }
            throw e;
        }
    }

    private String start(String path) throws TransferException {
        // An empty start: every chunk then goes by append_v2 or finish, which say where Dropbox's offset is.
        return call("files/upload_session/start " + path, () -> {
            try (DbxUploader<com.dropbox.core.v2.files.UploadSessionStartResult, ?, ?> up = client.files().uploadSessionStart()) {
                return up.finish().getSessionId();
            }
        });
    }

    private Chunk chunk(String path, String id, long offset, long n, boolean last) throws TransferException {
        ContentHash base = hash;
        UploadSessionCursor cursor = new UploadSessionCursor(id, offset);
        String call = (last ? "files/upload_session/finish " : "files/upload_session/append_v2 ") + path + " at byte " + offset;
        return call(call, () -> {
            ContentHash h = base.copy();
            long[] written = new long[1];
            try (InputStream in = p.upload().source().openAt(offset)) {
                if (last) {
                    CommitInfo commit = CommitInfo.newBuilder(path).withMode(mode()).withAutorename(autorename()).build();
                    try (DbxUploader<FileMetadata, ?, ?> up = client.files().uploadSessionFinish(cursor, commit)) {
                        written[0] = stream(up, in, offset, n, h);
                        FileMetadata f = up.finish();
                        hash = h;
                        return new Chunk(f, -1);
                    }
                }
                try (DbxUploader<Void, ?, ?> up = client.files().uploadSessionAppendV2(cursor)) {
                    written[0] = stream(up, in, offset, n, h);
                    up.finish();
                    hash = h;
                    return new Chunk(null, -1);
                }
            } catch (UploadSessionAppendErrorException e) {
                if (e.errorValue.isIncorrectOffset()) {
                    return corrected(e.errorValue.getIncorrectOffsetValue().getCorrectOffset(), offset);
                }
                throw e;
            } catch (UploadSessionFinishErrorException e) {
                if (e.errorValue.isLookupFailed() && e.errorValue.getLookupFailedValue().isIncorrectOffset()) {
                    return corrected(e.errorValue.getLookupFailedValue().getIncorrectOffsetValue().getCorrectOffset(), offset);
                }
                throw e;
            } catch (PartialWrite e) {
                // The server may have taken what was written before the break: the next attempt's bound.
                p.recordSent(id, offset, e.sent);
                throw e;
            } catch (IOException | com.dropbox.core.NetworkIOException e) {
                // Broken after the whole body (the answer was lost), or before any of it.
                p.recordSent(id, offset, written[0]);
                throw e;
            }
        });
    }

    private Chunk corrected(long correct, long offset) {
        t.note("Dropbox has the upload session at byte " + correct + ", not " + offset + " (incorrect_offset)");
        return new Chunk(null, correct);
    }

    /** Writes {@code n} bytes of the source (from {@code offset}) as the request body, hashing them. */
    private long stream(DbxUploader<?, ?, ?> up, InputStream in, long offset, long n, ContentHash h)
            throws TransferException, IOException {
        OutputStream body = up.getOutputStream();
        TransferLoop loop = new TransferLoop(p, offset, t);
        try {
            loop.copy(in, buffer, (b, o, l) -> {
                body.write(b, o, l);
                h.update(b, o, l);
            }, TransferLoop.AfterWrite.NONE, n);
        } catch (IOException e) {
            throw new PartialWrite(loop.sent(), e);
        }
        if (offset + loop.sent() == p.sourceLength()) {
            loop.finished();
        }
        return loop.sent();
    }

    /** A body that broke off after {@code sent} bytes. */
    private static final class PartialWrite extends IOException {
        private static final long serialVersionUID = 1L;
        final long sent;

        PartialWrite(long sent, IOException cause) {
            super(cause.getMessage(), cause);
            this.sent = sent;
        }
    }

    /** The content hash of the source's first {@code offset} bytes, which an earlier attempt sent. */
    private ContentHash prefix(long offset) throws TransferException {
        ContentHash h = new ContentHash();
        if (offset == 0) {
            return h;
        }
        try (InputStream in = p.upload().source().open()) {
            long left = offset;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw TransferException.builder(Reason.BAD_INPUT, "the source " + p.upload().source().describe()
                            + " ended before byte " + offset + ": it shrank").retryable(false).transcript(t).build();
                }
                h.update(buffer, 0, n);
                left -= n;
                TransferException stop = PreparedUpload.transferStopped(p.deadline(), p.relativePath().toString(), 0, -1, t);
                if (stop != null) {
                    throw stop;
                }
            }
        } catch (IOException e) {
            throw TransferException.builder(Reason.BAD_INPUT, "reading the source " + p.upload().source().describe()
                    + " failed: " + e.getMessage()).retryable(false).transcript(t).build();
        }
        return h;
    }

    /** Runs a request, retrying it after 429, 503 and 5xx answers and once after refreshing an expired token. */
    private <T> T call(String what, Request<T> request) throws TransferException {
        boolean refreshed = false;
        for (int tries = 1; ; tries++) {
            try {
                return request.run();
            } catch (RetryException e) {
                // 429 (RateLimitException) and 503: Dropbox says how long to wait (Retry-After).
                if (tries >= MAX_TRIES) {
                    throw DropboxErrors.map(e, what, t, refreshed);
                }
                long wait = e.getBackoffMillis() > 0 ? e.getBackoffMillis() : backoff(tries);
                if (wait > MAX_WAIT.toMillis()) {
                    throw DropboxErrors.map(e, what, t, refreshed);
                }
                t.note(what + ": " + (e instanceof RateLimitException ? "rate limited (429)" : "unavailable (503)")
                        + "; waiting " + wait + " ms as Dropbox asked");
                pause(wait, e, what, refreshed);
            } catch (ServerException e) {
                if (tries >= MAX_TRIES) {
                    throw DropboxErrors.map(e, what, t, refreshed);
                }
                long wait = backoff(tries);
                t.note(what + ": server error; trying again in " + wait + " ms");
                pause(wait, e, what, refreshed);
            } catch (InvalidAccessTokenException e) {
                // The SDK reads an empty 401 body as invalid_access_token, with no message.
                boolean unreadable = e.getAuthError() == null || e.getMessage() == null || e.getMessage().isEmpty();
                boolean expired = unreadable || e.getAuthError().isExpiredAccessToken();
                if (refreshed || !target.canRefresh() || !expired) {
                    throw unreadable ? diagnose(e, what, refreshed) : DropboxErrors.map(e, what, t, refreshed);
                }
                // The SDK refreshes before a call when it knows the token is old; the server may know better.
                refreshed = true;
                t.note(unreadable ? "401 to " + what + " without a readable reason (HttpURLConnection drops the body of a 401 "
                        + "to a streamed request); getting a new access token from the refresh token"
                        : "the access token expired; getting a new one from the refresh token");
                try {
                    client.refreshAccessToken();
                } catch (DbxException r) {
                    throw DropboxErrors.map(r, what + " (token refresh)", t, true);
                }
            } catch (DbxException e) {
                throw DropboxErrors.map(e, what, t, refreshed);
            } catch (IOException e) {
                throw DropboxErrors.io(e instanceof PartialWrite pw ? pw.getCause() : e, what, t);
            }
        }
    }

    /**
     * A 401 to an upload whose reason could not be read: an RPC call with the same token (its 401 has a readable body)
     * tells an invalid or expired token from a valid one that lacks the upload's scope.
     */
    private TransferException diagnose(InvalidAccessTokenException e, String what, boolean refreshed) {
        try {
            client.check().user("ferry");
        } catch (InvalidAccessTokenException rpc) {
            return DropboxErrors.map(rpc.getAuthError() == null ? e : rpc, what, t, refreshed);
        } catch (DbxException other) {
            return DropboxErrors.map(e, what, t, refreshed);
        }
        InvalidAccessTokenException scope = new InvalidAccessTokenException(e.getRequestId(), "401 to " + what
                + " while the token is valid for check/user", com.dropbox.core.v2.auth.AuthError.missingScope(
                new com.dropbox.core.v2.auth.TokenScopeError(DropboxErrors.WRITE_SCOPE)));
        return DropboxErrors.map(scope, what, t, refreshed);
    }

    private static long backoff(int tries) {
        return FIRST_BACKOFF.toMillis() << Math.min(tries - 1, 6);
    }

    private void pause(long millis, DbxException last, String what, boolean refreshed) throws TransferException {
        long wait = millis;
        if (p.deadline() != null) {
            long left = Duration.between(Instant.now(), p.deadline()).toMillis();
            if (left < wait) {
                throw DropboxErrors.map(last, what + " (the upload's deadline comes before the wait ends)", t, refreshed);
            }
        }
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TransferException.builder(Reason.CANCELLED, "interrupted while waiting to retry " + what)
                    .retryable(false).transcript(t).build();
        }
    }

    private void deleteQuietly(String path) {
        try {
            client.files().deleteV2(path);
        } catch (DbxException e) {
            t.note("could not delete " + path + " after the failed check: " + e.getMessage());
        }
    }

    private static String shortId(String id) {
        return id.length() <= 12 ? id : id.substring(0, 12) + "...";
    }
}
