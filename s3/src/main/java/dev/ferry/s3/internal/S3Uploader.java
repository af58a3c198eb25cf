package dev.ferry.s3.internal;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.PreparedUpload;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Duration;
import java.util.List;

/**
 * Uploads one file to S3 on core's shared steps: one {@code PutObject} up to the multipart threshold
 * ({@link SinglePut}), else a multipart upload of parts streamed from slices of the file, several in flight
 * ({@link MultipartUpload}). An object appears only when complete (that is S3's nature), so there is no temporary
 * name to rename; {@link Upload#atomic()} changes nothing. The existing-object policy is a conditional write
 * ({@code If-None-Match: *}); the check after the upload compares S3's CRC32C (or, where the server gives none, the
 * MD5 ETag) with the source's.
 */
final class S3Uploader {
    /** What the check after the upload proved, and where the object is. */
    record Checked(String key, Proof proof, long resumedFrom) {
    }

    /** The check that proved an object, and the checksum it compared ({@code null} unless a checksum). */
    record Proof(Verification verification, String checksum) {
        static final Proof NONE = new Proof(Verification.NONE, null);
        static final Proof SIZE = new Proof(Verification.SIZE, null);
        static final Proof CRC32C = new Proof(Verification.CHECKSUM, "CRC32C");
        static final Proof MD5 = new Proof(Verification.CHECKSUM, "MD5");
    }

    private final S3StorageTarget target;
    private final S3Client s3;
    private final S3Objects objects;
    private final Transcript t;

    S3Uploader(S3StorageTarget target, S3Client s3, Transcript t) {
        this.target = target;
        this.s3 = s3;
        this.objects = new S3Objects(target, s3, t);
        this.t = t;
    }

    UploadResult upload(PreparedUpload p) throws TransferException {
        long start = System.nanoTime();
        S3Settings s = target.settings();
        String key = S3StorageTarget.key(p.absolutePath());
        Checked done = p.sourceLength() > s.multipartThreshold() ? new MultipartUpload(objects).upload(p, key)
                : new SinglePut(objects).upload(p, key);
        t.note("stored s3://" + s.bucket() + "/" + done.key() + ": " + p.sourceLength() + " bytes in "
                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms" + (done.resumedFrom() > 0
                ? " (" + done.resumedFrom() + " bytes were on the server from an earlier attempt)" : ""));
        return new UploadResult("/" + done.key(), p.sourceLength(), Duration.ZERO, p.attempt(), "s3",
                done.proof().verification(), s.objectUrl(done.key()), done.resumedFrom(), connection(), List.of(),
                done.proof().checksum());
    }

    private ConnectionInfo connection() {
        try (S3Session session = new S3Session(target, s3)) {
            return session.connectionInfo();
        }
    }
}
