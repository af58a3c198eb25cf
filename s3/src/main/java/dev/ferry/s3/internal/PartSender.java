package dev.ferry.s3.internal;

import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.spi.PreparedUpload;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

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

/**
 * Streams the parts of one multipart upload, each from its slice of the file, several at once on threads of its own;
 * a part an earlier attempt stored is kept when its checksum equals this slice's. Memory stays constant: a part is
 * never held in memory, only read as the SDK sends it.
 */
final class PartSender {
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** The parts on the server, in order, the bodies they were read through, and how many bytes were already there. */
    record Sent(CompletedPart[] parts, PartBody[] bodies, long reused, Progress progress) {
    }

    private final S3Objects o;
    private final S3Settings s;
    private final Transcript t;
    private final PreparedUpload p;
    private final S3StorageTarget.Multipart m;

    PartSender(S3Objects o, PreparedUpload p, S3StorageTarget.Multipart m) {
        this.o = o;
        this.s = o.s;
        this.t = o.t;
        this.p = p;
        this.m = m;
    }

    /**
     * Sends every part not in {@code stored} (or stored with other bytes), {@link S3Settings#partsInFlight()} at a
     * time; the first failure stops the others.
     */
    Sent sendAll(int count, Map<Integer, Part> stored) throws TransferException {
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
                done.submit(() -> {
                    // A part that failed for good stops the upload: the parts queued behind it must not start (with
                    // parts in flight = 1, which parts are on the server for the next attempt is then certain).
                    TransferException other = failed.get();
                    if (other != null) {
                        throw TransferException.builder(other.reason(), "part " + number + " not sent: another part failed")
                                .retryable(other.retryable()).build();
                    }
                    try {
                        return old != null ? reuseOrSend(number, body, old) : new PartDone(send(number, body), false);
                    } catch (TransferException e) {
                        failed.compareAndSet(null, e);
                        throw e;
                    }
                });
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
        return new Sent(parts, bodies, reused, progress);
    }

    private void awaitParts(ExecutorService pool) {
        try {
            // A part still being written when the upload is aborted could leave a part behind (S3's abort notes).
            if (!pool.awaitTermination(o.target.config().dataTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                t.note("a part's request did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A part on the server, and whether an earlier attempt had stored it. */
    private record PartDone(CompletedPart part, boolean reused) {
    }

    private CompletedPart send(int number, PartBody body) throws TransferException {
        UploadPartResponse r;
        try {
            r = o.s3.uploadPart(b -> b.bucket(s.bucket()).key(m.key()).uploadId(m.uploadId()).partNumber(number)
                    .contentLength(body.size()).checksumAlgorithm(ChecksumAlgorithm.CRC32_C).overrideConfiguration(o.attributes()),
                    RequestBody.fromContentProvider(body, body.size(), ContentTypes.DEFAULT));
        } catch (SdkException e) {
            throw S3Errors.of(e, "UploadPart", "part " + number + " of s3://" + s.bucket() + "/" + m.key(), s, t);
        } finally {
            body.closeCurrent();
        }
        String local = Checksums.crc32cBase64(body.crc32c());
        if (r.checksumCRC32C() != null && !r.checksumCRC32C().equals(local)) {
            throw o.mismatch(m.key() + " part " + number, "CRC32C " + r.checksumCRC32C(), "CRC32C " + local);
        }
        return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumCRC32C(local).build();
    }

    /**
     * A part an earlier attempt stored: kept if its checksum (CRC32C, else an MD5 ETag) equals the one of this slice of
     * the source now, so parts of a changed source are never mixed in; else sent again.
     */
    private PartDone reuseOrSend(int number, PartBody body, Part old) throws TransferException {
        if (old.size() != null && old.size() == body.size()) {
            body.digest();
            String crc = Checksums.crc32cBase64(body.crc32c());
            String etag = Checksums.bareEtag(old.eTag());
            boolean same = old.checksumCRC32C() != null ? old.checksumCRC32C().equals(crc)
                    : o.md5Etags() && etag != null && etag.equals(Checksums.etagOf(body.md5()));
            if (same) {
                t.note("part " + number + " is on the server already (" + (old.checksumCRC32C() != null ? "CRC32C " + crc
                        : "ETag " + etag) + " as the source's)");
                return new PartDone(CompletedPart.builder().partNumber(number).eTag(old.eTag()).checksumCRC32C(crc).build(), true);
            }
            t.note("part " + number + " on the server differs from the source's; sending it again");
        }
        return new PartDone(send(number, body), false);
    }

}
