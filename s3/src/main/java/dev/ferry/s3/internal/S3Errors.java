package dev.ferry.s3.internal;

import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.Locale;

/**
 * Turns the SDK's exceptions into {@link TransferException}s with a {@link Reason} and a hint that names what to do:
 * the IAM permission an operation needs, the region a bucket is in, the clock, the credentials. S3's own words (code,
 * message, request id) are kept as the server reply.
 */
public final class S3Errors {
    private S3Errors() {
    }

    /** A classified S3 error. */
    public record Verdict(Reason reason, boolean retryable, String hint) {
    }

    /** The IAM permission an operation of the SDK needs. */
    static String permissionOf(String operation) {
        return switch (operation == null ? "" : operation) {
            case "PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload" -> "s3:PutObject";
            case "AbortMultipartUpload" -> "s3:AbortMultipartUpload";
            case "ListParts" -> "s3:ListMultipartUploadParts";
            case "ListMultipartUploads" -> "s3:ListBucketMultipartUploads";
            case "HeadObject", "GetObject" -> "s3:GetObject (and s3:ListBucket, or a missing object looks like a refusal)";
            case "DeleteObject" -> "s3:DeleteObject";
            case "HeadBucket", "ListObjectsV2" -> "s3:ListBucket";
            case "GetBucketLocation" -> "s3:GetBucketLocation";
            default -> "the permission for " + operation;
        };
    }

    /**
     * Classifies S3's answer.
     *
     * @param status the HTTP status
     * @param code S3's error code ({@code NoSuchBucket}), or {@code null} (a HEAD has no body)
     * @param operation the SDK operation ({@code PutObject})
     * @param bucketRegion the {@code x-amz-bucket-region} header, or {@code null}
     */
    public static Verdict classify(int status, String code, String operation, String bucket, String region,
                                   String bucketRegion) {
        String c = code == null ? "" : code;
        switch (c) {
            case "NoSuchBucket":
                return new Verdict(Reason.NOT_FOUND, false, "the bucket " + bucket + " does not exist at this endpoint"
                        + " (region " + region + "); check its name, or create it");
            case "InvalidAccessKeyId":
                return new Verdict(Reason.AUTH, false, "the access key id is not known to the server; check the key, "
                        + "and that the endpoint is the one the key belongs to");
            case "SignatureDoesNotMatch":
                return new Verdict(Reason.AUTH, false, "the request signature does not match: the secret access key is wrong "
                        + "(or a proxy changed the request)");
            case "ExpiredToken", "InvalidToken", "TokenRefreshRequired":
                return new Verdict(Reason.AUTH, false, "the session token has expired or is invalid; get new credentials");
            case "RequestTimeTooSkewed", "RequestExpired":
                return new Verdict(Reason.AUTH, false, "this machine's clock differs from the server's by more than 15 "
                        + "minutes; set it right (NTP) and try again");
            case "AccessDenied", "AllAccessDisabled", "AccountProblem":
                return new Verdict(Reason.PERMISSION, false, "the credentials may not do " + operation + " on bucket " + bucket
                        + ": grant " + permissionOf(operation) + " (for a bucket of another account, also in its bucket "
                        + "policy; with SSE-KMS, kms:GenerateDataKey on the key)");
            case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
                return new Verdict(Reason.PROTOCOL, false, bucketRegion != null
                        ? "the bucket " + bucket + " is in region " + bucketRegion + ", not " + region + ": set region="
                        + bucketRegion : "the bucket " + bucket + " is in another region than " + region
                        + "; set the region it is in");
            case "PreconditionFailed", "ConditionalRequestConflict":
                return new Verdict(Reason.EXISTS, false, "an object with this key already exists (or was written meanwhile)");
            case "NoSuchUpload":
                return new Verdict(Reason.PROTOCOL, true, "the multipart upload is gone (aborted, or removed by a lifecycle "
                        + "rule); the upload is started again");
            case "BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch", "XAmzContentChecksumMismatch", "InvalidPart":
                return new Verdict(Reason.VERIFY_FAILED, true, "S3 received other bytes than were sent; the part is sent again");
            case "SlowDown", "ServiceUnavailable", "Throttling", "RequestLimitExceeded", "InternalError",
                 "OperationAborted", "RequestTimeout":
                return new Verdict(Reason.PROTOCOL, true, "the server is busy or failed (" + c + "); retried with back-off");
            case "EntityTooLarge", "EntityTooSmall", "InvalidArgument", "InvalidRequest", "KeyTooLongError",
                 "InvalidBucketName", "InvalidStorageClass", "MetadataTooLarge":
                return new Verdict(Reason.BAD_INPUT, false, "S3 refused the request as invalid (" + c + "); check the options");
            case "QuotaExceeded", "ServiceQuotaExceeded", "XMinioStorageFull":
                return new Verdict(Reason.NO_SPACE, false, "the storage is full or the quota is used up");
            case "NotImplemented":
                return new Verdict(Reason.PROTOCOL, false, "this S3-compatible server does not implement a header Ferry sent "
                        + "for the options given; leave out the option it lacks (acl, storage-class, sse, meta.*)");
            case "NoSuchKey":
                return new Verdict(Reason.NOT_FOUND, false, "no such object");
            default:
                break;
        }
        if (status == 301 || status == 307) {
            return classify(status, "PermanentRedirect", operation, bucket, region, bucketRegion);
        }
        if (status == 403) {
            return classify(status, "AccessDenied", operation, bucket, region, bucketRegion);
        }
        if (status == 404 && "HeadBucket".equals(operation)) {
            return classify(status, "NoSuchBucket", operation, bucket, region, bucketRegion);
        }
        if (status == 412) {
            return classify(status, "PreconditionFailed", operation, bucket, region, bucketRegion);
        }
        if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
            return new Verdict(Reason.PROTOCOL, true, "the server is busy or failed (HTTP " + status + "); retried with back-off");
        }
        if (status == 404) {
            return new Verdict(Reason.NOT_FOUND, false, "the server does not know the bucket or object");
        }
        return new Verdict(Reason.PROTOCOL, false, "S3 refused " + operation + " (HTTP " + status + (c.isEmpty() ? "" : " " + c) + ")");
    }

    /** The exception for a failed SDK call. */
    static TransferException of(Exception e, String operation, String what, S3Settings s, Transcript t) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof TransferException te) {
                // Raised by our own request body (source changed, deadline, interrupt): it says it best.
                return te;
            }
        }
        if (e instanceof AwsServiceException ase) {
            String code = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorCode();
            String message = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorMessage();
            String bucketRegion = ase.awsErrorDetails() == null || ase.awsErrorDetails().sdkHttpResponse() == null ? null
                    : ase.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region").orElse(null);
            Verdict v = classify(ase.statusCode(), code, operation, s.bucket(), s.region(), bucketRegion);
            String reply = ase.statusCode() + (code != null ? " " + code : "") + (message != null ? ": " + message : "")
                    + (ase.requestId() != null ? " (request id " + ase.requestId() + ")" : "");
            return TransferException.builder(v.reason(), operation + " " + what + " failed: " + reply).serverReply(reply)
                    .hint(v.hint()).retryable(v.retryable()).cause(e).transcript(t).build();
        }
        return ofClient(e, operation, what, s, t);
    }

    private static TransferException ofClient(Exception e, String operation, String what, S3Settings s, Transcript t) {
        String host = s.serviceHost() + ":" + s.servicePort();
        Throwable root = e;
        Reason reason = Reason.CONNECT;
        String hint = "the connection to " + host + " failed; it is retried";
        for (Throwable c = e; c != null; c = c.getCause()) {
            root = c;
            if (c instanceof UnknownHostException) {
                reason = Reason.DNS;
                hint = "the host " + s.serviceHost() + " is not known; check the endpoint, region and bucket name";
                break;
            }
            if (c instanceof ConnectException) {
                reason = Reason.CONNECT;
                hint = "nothing answers at " + host + "; check the endpoint and the firewall";
                break;
            }
            if (c instanceof SocketTimeoutException || c instanceof InterruptedIOException && !(c instanceof java.nio.channels.ClosedByInterruptException)) {
                reason = Reason.TIMEOUT;
                hint = "the server at " + host + " did not answer in time; it is retried";
                break;
            }
            if (c instanceof CertificateException || c instanceof SSLHandshakeException && String.valueOf(c.getMessage())
                    .toLowerCase(Locale.ROOT).contains("certif")) {
                reason = Reason.CERTIFICATE;
                hint = "the server's certificate is not trusted for " + s.serviceHost() + "; for a private CA give it with "
                        + "TlsOptions.builder().trustCertificate(...)";
                break;
            }
            if (c instanceof SSLException) {
                reason = Reason.TLS_HANDSHAKE;
                hint = "the TLS handshake with " + host + " failed";
                break;
            }
        }
        String detail = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        boolean retryable = !(e instanceof SdkException se) || se.retryable() || reason.retryableByDefault();
        return TransferException.builder(reason, operation + " " + what + " failed: " + detail).hint(hint)
                .retryable(retryable && reason.retryableByDefault()).cause(e).transcript(t).build();
    }
}
