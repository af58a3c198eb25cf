package dev.ferry.s3.internal;

import dev.ferry.core.ExistingFile;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.ExistingFiles;
import dev.ferry.core.spi.PreparedUpload;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.Part;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Uploads a file by multipart upload: starts one (or resumes the one an earlier attempt of the same upload left, if
 * its key and part size still fit), has {@link PartSender} send the parts, completes it with the full-object CRC32C and
 * checks what S3 reports. An upload that fails for good is aborted; one that will be retried is kept for the retry.
 */
final class MultipartUpload {
    private final S3Objects o;
    private final S3Settings s;
    private final Transcript t;

    MultipartUpload(S3Objects o) {
        this.o = o;
        this.s = o.s;
        this.t = o.t;
    }

    S3Uploader.Checked upload(PreparedUpload p, String key) throws TransferException {
        Upload u = p.upload();
        long length = p.sourceLength();
        long partSize = partSize(length, s.partSize());
        int count = (int) ((length + partSize - 1) / partSize);
        String name = key;
        if (u.existing() != ExistingFile.OVERWRITE) {
            // Before sending gigabytes: the conditional completion below still guards against a writer meanwhile.
            long size = o.sizeOf(key);
            if (size >= 0) {
                name = ExistingFiles.publishName(u.existing(), key, size, o::sizeOf, t);
            }
        }
        S3StorageTarget.Multipart m = o.target.pending(p.temporaryName());
        Map<Integer, Part> stored = Map.of();
        if (m != null && u.resume() && m.key().equals(name) && m.partSize() == partSize) {
            stored = listParts(m);
            if (stored == null) {
                o.target.forget(p.temporaryName());
                m = null;
                stored = Map.of();
            }
        } else if (m != null) {
            abort(m, "it was for another key or part size");
            o.target.forget(p.temporaryName());
            m = null;
        }
        if (m == null) {
            m = create(u, name, partSize);
            o.target.remember(p.temporaryName(), m);
            t.note("multipart upload of " + length + " bytes in " + count + " parts of " + partSize + " bytes, " + Math.min(
                    count, s.partsInFlight()) + " at a time");
        }
        try {
            return complete(p, m, new PartSender(o, p, m).sendAll(count, stored));
        } catch (TransferException e) {
            boolean again = u.resume() && e.retryable() && o.target.config().retryPolicy().shouldRetry(e, p.attempt())
                    && !p.pastDeadline() && !Thread.currentThread().isInterrupted();
            if (again) {
                t.note("kept multipart upload " + S3Objects.abbreviate(m.uploadId()) + " so the next attempt resumes its stored parts");
            } else {
                abort(m, "the upload failed for good");
                o.target.forget(p.temporaryName());
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

    private S3Uploader.Checked complete(PreparedUpload p, S3StorageTarget.Multipart m, PartSender.Sent sent)
            throws TransferException {
        Upload u = p.upload();
        PartBody[] bodies = sent.bodies();
        int count = bodies.length;
        o.sourceUnchanged(p, m.key(), false);
        int full = bodies[0].crc32c();
        for (int i = 1; i < count; i++) {
            full = Checksums.combine(full, bodies[i].crc32c(), bodies[i].size());
        }
        String fullCrc = Checksums.crc32cBase64(full);
        CompleteMultipartUploadResponse r;
        try {
            r = o.s3.completeMultipartUpload(b -> {
                b.bucket(s.bucket()).key(m.key()).uploadId(m.uploadId()).multipartUpload(mu -> mu.parts(sent.parts()))
                        .checksumCRC32C(fullCrc).checksumType(ChecksumType.FULL_OBJECT).overrideConfiguration(o.attributes());
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
        o.target.forget(p.temporaryName());
        S3Uploader.Proof v = checkMultipart(p, m.key(), r, fullCrc, bodies);
        sent.progress().finished();
        return new S3Uploader.Checked(m.key(), v, sent.reused());
    }

    private S3Uploader.Proof checkMultipart(PreparedUpload p, String key, CompleteMultipartUploadResponse r, String fullCrc,
                                        PartBody[] bodies) throws TransferException {
        if (p.upload().verification() == Verification.NONE) {
            return S3Uploader.Proof.NONE;
        }
        if (r.checksumCRC32C() != null && (r.checksumType() == null || r.checksumType() == ChecksumType.FULL_OBJECT)) {
            if (!r.checksumCRC32C().equals(fullCrc)) {
                throw o.mismatch(key, "full-object CRC32C " + r.checksumCRC32C(), "CRC32C " + fullCrc);
            }
            t.note("verified: S3's full-object CRC32C " + fullCrc + " of " + key + " equals the source's");
            return S3Uploader.Proof.CRC32C;
        }
        String etag = Checksums.bareEtag(r.eTag());
        if (o.md5Etags() && etag != null && etag.matches("[0-9a-f]{32}-\\d+")) {
            List<byte[]> md5s = new ArrayList<>();
            for (PartBody b : bodies) {
                md5s.add(b.md5());
            }
            String expected = Checksums.multipartEtagOf(md5s);
            if (!etag.equals(expected)) {
                throw o.mismatch(key, "ETag " + etag, "parts' MD5s " + expected);
            }
            t.note("verified: the ETag " + etag + " of " + key + " is the MD5 of the source's parts' MD5s (the server "
                    + "reported no full-object CRC32C)");
            return S3Uploader.Proof.MD5;
        }
        o.checkSize(key, p.sourceLength());
        return S3Uploader.Proof.SIZE;
    }

    private S3StorageTarget.Multipart create(Upload u, String key, long partSize) throws TransferException {
        try {
            String id = o.s3.createMultipartUpload(b -> {
                b.bucket(s.bucket()).key(key).contentType(ContentTypes.of(S3Objects.fileName(key)))
                        .checksumAlgorithm(ChecksumAlgorithm.CRC32_C).checksumType(ChecksumType.FULL_OBJECT)
                        .overrideConfiguration(o.attributes());
                if (s.storageClass() != null) {
                    b.storageClass(s.storageClass());
                }
                if (s.acl() != null) {
                    b.acl(s.acl());
                }
                o.sse(b::serverSideEncryption, b::ssekmsKeyId);
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
                var r = o.s3.listParts(b -> {
                    b.bucket(s.bucket()).key(m.key()).uploadId(m.uploadId()).overrideConfiguration(o.attributes());
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
                t.note("the multipart upload " + S3Objects.abbreviate(m.uploadId()) + " is gone; starting a new one");
                return null;
            }
            throw te;
        }
        t.note("resuming multipart upload " + S3Objects.abbreviate(m.uploadId()) + ": " + out.size() + " parts on the server");
        return out;
    }

    private void abort(S3StorageTarget.Multipart m, String why) {
        try {
            o.s3.abortMultipartUpload(b -> b.bucket(s.bucket()).key(m.key()).uploadId(m.uploadId())
                    .overrideConfiguration(o.attributes()));
            t.note("aborted multipart upload " + S3Objects.abbreviate(m.uploadId()) + " of " + m.key() + ": " + why);
        } catch (SdkException e) {
            TransferException te = S3Errors.of(e, "AbortMultipartUpload", "s3://" + s.bucket() + "/" + m.key(), s, t);
            t.note("could not abort multipart upload " + S3Objects.abbreviate(m.uploadId()) + " (" + te.getMessage() + "); "
                    + "a lifecycle rule (AbortIncompleteMultipartUpload) removes it. " + te.hint());
        }
    }

}
