package dev.ferry.s3.internal;

import dev.ferry.core.ExistingFile;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.Verification;
import dev.ferry.core.spi.ExistingFiles;
import dev.ferry.core.spi.PreparedUpload;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;


/**
 * Uploads a file in one {@code PutObject}, streamed from the file, and checks S3's CRC32C (or the MD5 ETag) of the
 * object against the source's. Under {@code FAIL} or {@code RENAME_UNIQUE} the write is conditional
 * ({@code If-None-Match: *}), so a refused name is taken by no one else's bytes.
 */
final class SinglePut {
    private final S3Objects o;
    private final S3Settings s;
    private final Transcript t;

    SinglePut(S3Objects o) {
        this.o = o;
        this.s = o.s;
        this.t = o.t;
    }

    S3Uploader.Checked upload(PreparedUpload p, String key) throws TransferException {
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
                r = o.s3.putObject(b -> {
                    b.bucket(s.bucket()).key(k).contentLength(length).contentType(ContentTypes.of(p.absolutePath().fileName()))
                            .checksumAlgorithm(ChecksumAlgorithm.CRC32_C).overrideConfiguration(o.attributes());
                    if (u.existing() != ExistingFile.OVERWRITE) {
                        b.ifNoneMatch("*");
                    }
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
            o.sourceUnchanged(p, k, true);
            S3Uploader.Proof v = check(p, k, r, body);
            progress.finished();
            return new S3Uploader.Checked(k, v, 0);
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
        String unique = ExistingFiles.uniqueName(key, o::sizeOf);
        t.note(refused + " exists; writing " + unique + " instead, again only if it does not exist");
        return unique;
    }

    private S3Uploader.Proof check(PreparedUpload p, String key, PutObjectResponse r, PartBody body) throws TransferException {
        if (p.upload().verification() == Verification.NONE) {
            return S3Uploader.Proof.NONE;
        }
        String local = Checksums.crc32cBase64(body.crc32c());
        if (r.checksumCRC32C() != null) {
            if (!r.checksumCRC32C().equals(local)) {
                throw o.mismatch(key, "CRC32C " + r.checksumCRC32C(), "CRC32C " + local);
            }
            t.note("verified: S3's CRC32C " + local + " of " + key + " equals the source's");
            return S3Uploader.Proof.CRC32C;
        }
        String etag = Checksums.bareEtag(r.eTag());
        if (o.md5Etags() && etag != null && etag.matches("[0-9a-f]{32}")) {
            String md5 = Checksums.etagOf(body.md5());
            if (!etag.equals(md5)) {
                throw o.mismatch(key, "ETag " + etag, "MD5 " + md5);
            }
            t.note("verified: the ETag of " + key + " is the source's MD5 " + md5 + " (the server reported no CRC32C)");
            return S3Uploader.Proof.MD5;
        }
        o.checkSize(key, p.sourceLength());
        return S3Uploader.Proof.SIZE;
    }

}
