package dev.ferry.s3.internal;

import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.PreparedUpload;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import dev.ferry.s3.S3Encryption;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The calls and checks that a single PUT and a multipart upload share: the object's size, the size check, removal of an
 * object that does not match its source, and the request attributes that route SDK events to this upload's transcript.
 */
final class S3Objects {
    final S3StorageTarget target;
    final S3Client s3;
    final S3Settings s;
    final Transcript t;

    S3Objects(S3StorageTarget target, S3Client s3, Transcript t) {
        this.target = target;
        this.s3 = s3;
        this.s = target.settings();
        this.t = t;
    }

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

    /** Checks the object has the source's size; removes it if not. */
    void checkSize(String key, long length) throws TransferException {
        long size = sizeOf(key);
        if (size != length) {
            deleteBad(key);
            throw TransferException.builder(Reason.VERIFY_FAILED, key + " has " + size + " bytes on the server, " + length
                    + " expected").hint("the object was removed; it is uploaded again").transcript(t).build();
        }
        t.note("verified: " + key + " has " + size + " bytes as sent (the server reported no checksum Ferry can compare)");
    }

    TransferException mismatch(String key, String server, String local) {
        deleteBad(key);
        return TransferException.builder(Reason.VERIFY_FAILED, "S3 reports " + server + " for " + key + " but the source has "
                + local).hint("the object was removed; it is uploaded again").transcript(t).build();
    }

    void deleteBad(String key) {
        try {
            s3.deleteObject(DeleteObjectRequest.builder().bucket(s.bucket()).key(key).overrideConfiguration(attributes()).build());
            t.note("deleted " + key + ": it did not match the source");
        } catch (SdkException e) {
            t.note("could not delete " + key + " which does not match the source: " + e.getMessage());
        }
    }

    /** The source must still have the length it had when prepared; else nothing consistent can be published. */
    void sourceUnchanged(PreparedUpload p, String key, boolean published) throws TransferException {
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
    boolean md5Etags() {
        return s.encryption().kind() != S3Encryption.Kind.KMS;
    }

    void sse(Consumer<ServerSideEncryption> kind, Consumer<String> keyId) {
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

    AwsRequestOverrideConfiguration attributes() {
        return AwsRequestOverrideConfiguration.builder().putExecutionAttribute(TranscriptInterceptor.TRANSCRIPT, t).build();
    }

    static String fileName(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    static String abbreviate(String id) {
        return id.length() > 16 ? id.substring(0, 12) + "..." : id;
    }
}
