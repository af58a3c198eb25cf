package dev.ferry.s3.internal;

import dev.ferry.core.ExistingFile;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.ExistingFiles;
import dev.ferry.core.spi.PreparedUpload;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
import dev.ferry.s3.S3Encryption;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Uploads one file to S3 on core's shared steps: one {@code PutObject} up to the multipart threshold, else a multipart
 * upload of parts streamed from slices of the file, several in flight. An object appears only when complete (that is
 * S3's nature), so there is no temporary name to rename; {@link Upload#atomic()} changes nothing. The existing-object
 * policy is a conditional write ({@code If-None-Match: *}); the check after the upload compares S3's CRC32C (or, where
 * the server gives none, the MD5 ETag) with the source's.
 */
final class S3Uploader {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final S3StorageTarget target;
    private final S3Client s3;
    private final S3Settings s;
    private final Transcript t;

    S3Uploader(S3StorageTarget target, S3Client s3, Transcript t) {
        this.target = target;
        this.s3 = s3;
        this.s = target.settings();
        this.t = t;
    }

    UploadResult upload(PreparedUpload p) throws TransferException {
        long start = System.nanoTime();
        String key = S3StorageTarget.key(p.absolutePath());
        Checked done = p.sourceLength() > s.multipartThreshold() ? multipart(p, key) : single(p, key);
        t.note("stored s3://" + s.bucket() + "/" + done.key + ": " + p.sourceLength() + " bytes in "
                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms" + (done.resumedFrom > 0
                ? " (" + done.resumedFrom + " bytes were on the server from an earlier attempt)" : ""));
        return new UploadResult("/" + done.key, p.sourceLength(), Duration.ZERO, p.attempt(), "s3", done.verification,
                s.objectUrl(done.key), done.resumedFrom, connection(), List.of());
    }

    private dev.ferry.core.ConnectionInfo connection() {
        try (S3Session session = new S3Session(target, s3)) {
            return session.connectionInfo();
        }
    }

    /** What the check after the upload proved, and where the object is. */
    private record Checked(String key, Verification verification, long resumedFrom) {
    }

    // ---- one PutObject ----

    private Checked single(PreparedUpload p, String key) throws TransferException {
        Upload u = p.upload();
        long length = p.sourceLength();
        String name = key;
        for (int race = 0; ; race++) {
            Progress progress = new Progress(u.progress(), u.remotePath(), length);
            PartBody body = new PartBody(u.source(), 0, length, progress, position -> {
                progress.reportIfDue(); // the SDK reads the body on this thread
                return PreparedUpload.transferStopped(p.deadline(), u.remotePath(), position, length, t);
            });
            String k = name;
            PutObjectResponse r;
            try {
                r = s3.putObject(b -> {
                    b.bucket(s.bucket()).key(k).contentLength(length).contentType(ContentTypes.of(p.absolutePath().fileName()))
                            .checksumAlgorithm(ChecksumAlgorithm.CRC32_C).overrideConfiguration(attributes());
                    if (u.existing() != ExistingFile.OVERWRITE) {
                        b.ifNoneMatch("*");
                    }
                    if (s.storageClass() != null) {
                        b.storageClass(s.storageClass());
                    }
                    if (s.acl() != null) {
                        b.acl(s.acl());
                    }
                    sse(b::serverSideEncryption, b::ssekmsKeyId);
                    if (!s.metadata().isEmpty()) {
                        b.metadata(s.metadata());
                    }
                }, RequestBody.fromContentProvider(body, length, ContentTypes.of(p.absolutePath().fileName())));
            } catch (SdkException e) {
                TransferException te = S3Errors.of(e, "PutObject", "s3://" + s.bucket() + "/" + k, s, t);
                if (te.reason() != Reason.EXISTS || u.existing() == ExistingFile.OVERWRITE) {
                    throw te;
                }
                name = otherName(u.existing(), key, k, race, te);
                continue;
            } finally {
                body.closeCurrent();
            }
            sourceUnchanged(p, k, true);
            Verification v = checkSingle(p, k, r, body);
            progress.finished();
            return new Checked(k, v, 0);
        }
    }

    /** After a refused conditional write: the error under FAIL, else the next free name (another writer may take it first). */
    private String otherName(ExistingFile policy, String key, String refused, int race, TransferException te)
            throws TransferException {
        if (policy == ExistingFile.FAIL) {
            throw TransferException.builder(Reason.EXISTS, "s3://" + s.bucket() + "/" + refused + " already exists (the "
                    + "conditional write If-None-Match: * was refused)").serverReply(te.serverReply())
                    .hint("choose another name, or the ExistingFile.OVERWRITE or RENAME_UNIQUE policy (CLI: --exists overwrite|rename)")
                    .retryable(false).transcript(t).build();
        }
        if (race >= 10) {
            throw ExistingFiles.appearedMeanwhile(refused, t);
        }
        String unique = ExistingFiles.uniqueName(key, this::sizeOf);
        t.note(refused + " exists; writing " + unique + " instead, again only if it does not exist");
        return unique;
    }

    private Verification checkSingle(PreparedUpload p, String key, PutObjectResponse r, PartBody body) throws TransferException {
        if (p.upload().verification() == Verification.NONE) {
            return Verification.NONE;
        }
        String local = Checksums.crc32cBase64(body.crc32c());
        if (r.checksumCRC32C() != null) {
            if (!r.checksumCRC32C().equals(local)) {
                throw mismatch(key, "CRC32C " + r.checksumCRC32C(), "CRC32C " + local);
            }
            t.note("verified: S3's CRC32C " + local + " of " + key + " equals the source's");
            return Verification.CHECKSUM;
        }
        String etag = Checksums.bareEtag(r.eTag());
        if (md5Etags() && etag != null && etag.matches("[0-9a-f]{32}")) {
            String md5 = Checksums.etagOf(body.md5());
            if (!etag.equals(md5)) {
                throw mismatch(key, "ETag " + etag, "MD5 " + md5);
            }
            t.note("verified: the ETag of " + key + " is the source's MD5 " + md5 + " (the server reported no CRC32C)");
            return Verification.CHECKSUM;
        }
        return checkSize(key, p.sourceLength());
    }

    // ---- multipart ----

    private Checked multipart(PreparedUpload p, String key) throws TransferException {
        Upload u = p.upload();
        long length = p.sourceLength();
        long partSize = partSize(length, s.partSize());
        int count = (int) ((length + partSize - 1) / partSize);
        String name = key;
        if (u.existing() != ExistingFile.OVERWRITE) {
            // Before sending gigabytes: the conditional completion below still guards against a writer meanwhile.
            long size = sizeOf(key);
            if (size >= 0) {
                name = ExistingFiles.publishName(u.existing(), key, size, this::sizeOf, t);
            }
        }
        S3StorageTarget.Multipart m = target.pending(p.temporaryName());
        Map<Integer, Part> stored = Map.of();
        if (m != null && u.resume() && m.key().equals(name) && m.partSize() == partSize) {
            stored = listParts(m);
            if (stored == null) {
                target.forget(p.temporaryName());
                m = null;
                stored = Map.of();
            }
        } else if (m != null) {
            abort(m, "it was for another key or part size");
            target.forget(p.temporaryName());
            m = null;
        }
        if (m == null) {
            m = create(u, name, partSize);
            target.remember(p.temporaryName(), m);
            t.note("multipart upload of " + length + " bytes in " + count + " parts of " + partSize + " bytes, " + Math.min(
                    count, s.partsInFlight()) + " at a time");
        }
        try {
            return sendAndComplete(p, m, count, stored);
        } catch (TransferException e) {
            boolean again = u.resume() && e.retryable() && target.config().retryPolicy().shouldRetry(e, p.attempt())
                    && !p.pastDeadline() && !Thread.currentThread().isInterrupted();
            if (again) {
                t.note("kept multipart upload " + abbreviate(m.uploadId()) + " so the next attempt resumes its stored parts");
            } else {
                abort(m, "the upload failed for good");
                target.forget(p.temporaryName());
            }
            throw e;
        }
    }

    /** The part size: at least the configured one, rounded up to whole MiB so that the file fits in 10,000 parts. */
    static long partSize(long length, long configured) {
        long needed = (length + S3Settings.MAX_PARTS - 1) / S3Settings.MAX_PARTS;
        long mib = 1L << 20;
        return Math.max(configured, (needed + mib - 1) / mib * mib);
    }

    private Checked sendAndComplete(PreparedUpload p, S3StorageTarget.Multipart m, int count, Map<Integer, Part> stored)
            throws TransferException {
        Upload u = p.upload();
        long length = p.sourceLength();
        Progress progress = new Progress(u.progress(), u.remotePath(), length);
        AtomicReference<TransferException> failed = new AtomicReference<>();
        PartBody[] bodies = new PartBody[count];
        for (int i = 0; i < count; i++) {
            long offset = i * m.partSize();
            long size = Math.min(m.partSize(), length - offset);
            bodies[i] = new PartBody(u.source(), offset, size, progress, position -> {
                TransferException other = failed.get();
                if (other != null) {
                    return TransferException.builder(other.reason(), "stopped: another part failed").retryable(other.retryable())
                            .build();
                }
                return PreparedUpload.transferStopped(p.deadline(), u.remotePath(), position, length, t);
            });
        }
        int threads = Math.min(count, s.partsInFlight());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread th = new Thread(r, "ferry-s3-part-" + THREADS.incrementAndGet());
            th.setDaemon(true);
            return th;
        });
        CompletionService<PartDone> done = new ExecutorCompletionService<>(pool);
        long reused = 0;
        CompletedPart[] parts = new CompletedPart[count];
        try {
            for (int i = 0; i < count; i++) {
                int number = i + 1;
                PartBody body = bodies[i];
                Part old = stored.get(number);
                done.submit(() -> old != null ? reuseOrSend(m, number, body, old) : new PartDone(send(m, number, body), false));
            }
            for (int left = count; left > 0; ) {
                Future<PartDone> f;
                try {
                    f = done.poll(200, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    f = null;
                }
                TransferException stop = PreparedUpload.transferStopped(p.deadline(), u.remotePath(), progress.bytes(), length, t);
                if (stop != null) {
                    failed.compareAndSet(null, stop);
                    throw stop;
                }
                progress.reportIfDue();
                if (f == null) {
                    continue;
                }
                left--;
                try {
                    PartDone part = f.get();
                    parts[part.part().partNumber() - 1] = part.part();
                    if (part.reused()) {
                        reused += bodies[part.part().partNumber() - 1].size();
                    }
                } catch (ExecutionException e) {
                    TransferException te = e.getCause() instanceof TransferException x ? x
                            : S3Errors.of((Exception) e.getCause(), "UploadPart", m.key(), s, t);
                    failed.compareAndSet(null, te);
                    throw te;
                } catch (InterruptedException | CancellationException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            pool.shutdownNow();
            awaitParts(pool);
            for (PartBody b : bodies) {
                b.closeCurrent();
            }
        }
        sourceUnchanged(p, m.key(), false);
        int full = bodies[0].crc32c();
        for (int i = 1; i < count; i++) {
            full = Checksums.combine(full, bodies[i].crc32c(), bodies[i].size());
        }
        String fullCrc = Checksums.crc32cBase64(full);
        CompleteMultipartUploadResponse r;
        try {
            r = s3.completeMultipartUpload(b -> {
                b.bucket(s.bucket()).key(m.key()).uploadId(m.uploadId()).multipartUpload(mu -> mu.parts(parts))
                        .checksumCRC32C(fullCrc).checksumType(ChecksumType.FULL_OBJECT).overrideConfiguration(attributes());
                if (u.existing() != ExistingFile.OVERWRITE) {
                    b.ifNoneMatch("*");
                }
            });
        } catch (SdkException e) {
            TransferException te = S3Errors.of(e, "CompleteMultipartUpload", "s3://" + s.bucket() + "/" + m.key(), s, t);
            if (te.reason() == Reason.EXISTS) {
                throw ExistingFiles.appearedMeanwhile(m.key(), t);
            }
            throw te;
        }
        target.forget(p.temporaryName());
        Verification v = checkMultipart(p, m.key(), r, fullCrc, bodies);
        progress.finished();
        return new Checked(m.key(), v, reused);
    }

    private void awaitParts(ExecutorService pool) {
        try {
            // A part still being written when the upload is aborted could leave a part behind (S3's abort notes).
            if (!pool.awaitTermination(target.config().dataTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                t.note("a part's request did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A part on the server, and whether an earlier attempt had stored it. */
    private record PartDone(CompletedPart part, boolean reused) {
    }

    private CompletedPart send(S3StorageTarget.Multipart m, int number, PartBody body) throws TransferException {
        UploadPartResponse r;
        try {
            r = s3.uploadPart(b -> b.bucket(s.bucket()).key(m.key()).uploadId(m.uploadId()).partNumber(number)
                    .contentLength(body.size()).checksumAlgorithm(ChecksumAlgorithm.CRC32_C).overrideConfiguration(attributes()),
                    RequestBody.fromContentProvider(body, body.size(), ContentTypes.DEFAULT));
        } catch (SdkException e) {
            throw S3Errors.of(e, "UploadPart", "part " + number + " of s3://" + s.bucket() + "/" + m.key(), s, t);
        } finally {
            body.closeCurrent();
        }
        String local = Checksums.crc32cBase64(body.crc32c());
        if (r.checksumCRC32C() != null && !r.checksumCRC32C().equals(local)) {
            throw mismatch(m.key() + " part " + number, "CRC32C " + r.checksumCRC32C(), "CRC32C " + local);
        }
        return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumCRC32C(local).build();
    }

    /**
     * A part an earlier attempt stored: kept if its checksum (CRC32C, else an MD5 ETag) equals the one of this slice of
     * the source now, so parts of a changed source are never mixed in; else sent again.
     */
    private PartDone reuseOrSend(S3StorageTarget.Multipart m, int number, PartBody body, Part old) throws TransferException {
        if (old.size() != null && old.size() == body.size()) {
            body.digest();
            String crc = Checksums.crc32cBase64(body.crc32c());
            String etag = Checksums.bareEtag(old.eTag());
            boolean same = old.checksumCRC32C() != null ? old.checksumCRC32C().equals(crc)
                    : md5Etags() && etag != null && etag.equals(Checksums.etagOf(body.md5()));
            if (same) {
                t.note("part " + number + " is on the server already (" + (old.checksumCRC32C() != null ? "CRC32C " + crc
                        : "ETag " + etag) + " as the source's)");
                return new PartDone(CompletedPart.builder().partNumber(number).eTag(old.eTag()).checksumCRC32C(crc).build(), true);
            }
            t.note("part " + number + " on the server differs from the source's; sending it again");
        }
        return new PartDone(send(m, number, body), false);
    }

    private Verification checkMultipart(PreparedUpload p, String key, CompleteMultipartUploadResponse r, String fullCrc,
                                        PartBody[] bodies) throws TransferException {
        if (p.upload().verification() == Verification.NONE) {
            return Verification.NONE;
        }
        if (r.checksumCRC32C() != null && (r.checksumType() == null || r.checksumType() == ChecksumType.FULL_OBJECT)) {
            if (!r.checksumCRC32C().equals(fullCrc)) {
                throw mismatch(key, "full-object CRC32C " + r.checksumCRC32C(), "CRC32C " + fullCrc);
            }
            t.note("verified: S3's full-object CRC32C " + fullCrc + " of " + key + " equals the source's");
            return Verification.CHECKSUM;
        }
        String etag = Checksums.bareEtag(r.eTag());
        if (md5Etags() && etag != null && etag.matches("[0-9a-f]{32}-\\d+")) {
            List<byte[]> md5s = new ArrayList<>();
            for (PartBody b : bodies) {
                md5s.add(b.md5());
            }
            String expected = Checksums.multipartEtagOf(md5s);
            if (!etag.equals(expected)) {
                throw mismatch(key, "ETag " + etag, "parts' MD5s " + expected);
            }
            t.note("verified: the ETag " + etag + " of " + key + " is the MD5 of the source's parts' MD5s (the server "
                    + "reported no full-object CRC32C)");
            return Verification.CHECKSUM;
        }
        return checkSize(key, p.sourceLength());
    }

    private S3StorageTarget.Multipart create(Upload u, String key, long partSize) throws TransferException {
        try {
            String id = s3.createMultipartUpload(b -> {
                b.bucket(s.bucket()).key(key).contentType(ContentTypes.of(fileName(key)))
                        .checksumAlgorithm(ChecksumAlgorithm.CRC32_C).checksumType(ChecksumType.FULL_OBJECT)
                        .overrideConfiguration(attributes());
                if (s.storageClass() != null) {
                    b.storageClass(s.storageClass());
                }
                if (s.acl() != null) {
                    b.acl(s.acl());
                }
                sse(b::serverSideEncryption, b::ssekmsKeyId);
                if (!s.metadata().isEmpty()) {
                    b.metadata(s.metadata());
                }
            }).uploadId();
            return new S3StorageTarget.Multipart(key, id, partSize);
        } catch (SdkException e) {
            throw S3Errors.of(e, "CreateMultipartUpload", "s3://" + s.bucket() + "/" + key, s, t);
        }
    }

    /** The parts stored so far, by number; {@code null} if the upload is gone. */
    private Map<Integer, Part> listParts(S3StorageTarget.Multipart m) throws TransferException {
        Map<Integer, Part> out = new HashMap<>();
        try {
            Integer marker = null;
            for (int page = 0; page < 11; page++) {
                Integer from = marker;
                var r = s3.listParts(b -> {
                    b.bucket(s.bucket()).key(m.key()).uploadId(m.uploadId()).overrideConfiguration(attributes());
                    if (from != null) {
                        b.partNumberMarker(from);
                    }
                });
                r.parts().forEach(part -> out.put(part.partNumber(), part));
                if (!Boolean.TRUE.equals(r.isTruncated()) || r.nextPartNumberMarker() == null) {
                    break;
                }
                marker = r.nextPartNumberMarker();
            }
        } catch (SdkException e) {
            TransferException te = S3Errors.of(e, "ListParts", "s3://" + s.bucket() + "/" + m.key(), s, t);
            if (e instanceof AwsServiceException ase && ase.statusCode() == 404) {
                t.note("the multipart upload " + abbreviate(m.uploadId()) + " is gone; starting a new one");
                return null;
            }
            throw te;
        }
        t.note("resuming multipart upload " + abbreviate(m.uploadId()) + ": " + out.size() + " parts on the server");
        return out;
    }

    private void abort(S3StorageTarget.Multipart m, String why) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(s.bucket()).key(m.key()).uploadId(m.uploadId())
                    .overrideConfiguration(attributes()));
            t.note("aborted multipart upload " + abbreviate(m.uploadId()) + " of " + m.key() + ": " + why);
        } catch (SdkException e) {
            TransferException te = S3Errors.of(e, "AbortMultipartUpload", "s3://" + s.bucket() + "/" + m.key(), s, t);
            t.note("could not abort multipart upload " + abbreviate(m.uploadId()) + " (" + te.getMessage() + "); "
                    + "a lifecycle rule (AbortIncompleteMultipartUpload) removes it. " + te.hint());
        }
    }

    // ---- shared ----

    /** The size of the object {@code key}, or -1 if there is none. */
    long sizeOf(String key) throws TransferException {
        try {
            return s3.headObject(HeadObjectRequest.builder().bucket(s.bucket()).key(key).overrideConfiguration(attributes())
                    .build()).contentLength();
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404) {
                return -1;
            }
            throw S3Errors.of(e, "HeadObject", "s3://" + s.bucket() + "/" + key, s, t);
        } catch (SdkException e) {
            throw S3Errors.of(e, "HeadObject", "s3://" + s.bucket() + "/" + key, s, t);
        }
    }

    private Verification checkSize(String key, long length) throws TransferException {
        long size = sizeOf(key);
        if (size != length) {
            deleteBad(key);
            throw TransferException.builder(Reason.VERIFY_FAILED, key + " has " + size + " bytes on the server, " + length
                    + " expected").hint("the object was removed; it is uploaded again").transcript(t).build();
        }
        t.note("verified: " + key + " has " + size + " bytes as sent (the server reported no checksum Ferry can compare)");
        return Verification.SIZE;
    }

    private TransferException mismatch(String key, String server, String local) {
        deleteBad(key);
        return TransferException.builder(Reason.VERIFY_FAILED, "S3 reports " + server + " for " + key + " but the source has "
                + local).hint("the object was removed; it is uploaded again").transcript(t).build();
    }

    private void deleteBad(String key) {
        try {
            s3.deleteObject(DeleteObjectRequest.builder().bucket(s.bucket()).key(key).overrideConfiguration(attributes()).build());
            t.note("deleted " + key + ": it did not match the source");
        } catch (SdkException e) {
            t.note("could not delete " + key + " which does not match the source: " + e.getMessage());
        }
    }

    /** The source must still have the length it had when prepared; else nothing consistent can be published. */
    private void sourceUnchanged(PreparedUpload p, String key, boolean published) throws TransferException {
        long now;
        try {
            now = p.upload().source().length();
        } catch (IOException e) {
            now = -2;
        }
        if (now != p.sourceLength()) {
            if (published) {
                deleteBad(key);
            }
            throw TransferException.builder(Reason.BAD_INPUT, "the source " + p.upload().source().describe() + " changed from "
                    + p.sourceLength() + " to " + now + " bytes while being uploaded; nothing was published")
                    .hint("upload a file only once it is complete (write it elsewhere and move it into place)")
                    .retryable(false).transcript(t).build();
        }
    }

    /** Whether ETags are MD5s of the content: not under SSE-KMS. */
    private boolean md5Etags() {
        return s.encryption().kind() != S3Encryption.Kind.KMS;
    }

    private void sse(Consumer<ServerSideEncryption> kind, Consumer<String> keyId) {
        switch (s.encryption().kind()) {
            case S3_MANAGED -> kind.accept(ServerSideEncryption.AES256);
            case KMS -> {
                kind.accept(ServerSideEncryption.AWS_KMS);
                s.encryption().kmsKeyId().ifPresent(keyId);
            }
            default -> {
            }
        }
    }

    private AwsRequestOverrideConfiguration attributes() {
        return AwsRequestOverrideConfiguration.builder().putExecutionAttribute(TranscriptInterceptor.TRANSCRIPT, t).build();
    }

    private static String fileName(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    private static String abbreviate(String id) {
        return id.length() > 16 ? id.substring(0, 12) + "..." : id;
    }
}
