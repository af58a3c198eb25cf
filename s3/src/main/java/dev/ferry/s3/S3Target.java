package dev.ferry.s3;

import dev.ferry.core.Credentials;
import dev.ferry.core.RetryPolicy;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.s3.internal.S3Settings;
import dev.ferry.s3.internal.S3StorageTarget;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds an S3 {@link StorageTarget} without a URI: Amazon S3, or S3-compatible storage (MinIO, Wasabi, DigitalOcean
 * Spaces, Backblaze B2, Cloudflare R2) at an endpoint of its own.
 *
 * <pre>{@code
 * try (StorageTarget target = S3Target.builder()
 *         .bucket("recordings")
 *         .prefix("studio-7/")
 *         .region("eu-central-1")
 *         .acl("bucket-owner-full-control")  // pushing into another account's bucket
 *         .build()) {                         // credentials: the SDK's default chain
 *     UploadResult r = target.upload(Upload.of(Path.of("rec-42.mp4")));
 *     r.location();  // https://recordings.s3.eu-central-1.amazonaws.com/studio-7/rec-42.mp4
 * }
 * }</pre>
 *
 * <p>Files up to the multipart threshold (100 MiB) go in one {@code PutObject}; larger ones by multipart upload, the
 * parts streamed from the file (memory stays constant) and several in flight. An object appears only when complete;
 * a multipart upload that fails for good is aborted (a bucket lifecycle rule with {@code AbortIncompleteMultipartUpload}
 * cleans up after a killed process). The result's {@code verification} is {@code CHECKSUM} when S3's CRC32C (or the
 * MD5 ETag, where the server gives no CRC32C) equals the source's, {@code SIZE} when only the size could be compared.
 * {@code ExistingFile.FAIL} and {@code RENAME_UNIQUE} use conditional writes ({@code If-None-Match: *}). The IAM user
 * needs {@code s3:PutObject} and {@code s3:AbortMultipartUpload}; resuming needs {@code s3:ListMultipartUploadParts},
 * {@code RENAME_UNIQUE} and the size check {@code s3:GetObject}. The built target is thread-safe; see
 * {@link StorageTarget}.
 */
public final class S3Target {
    /** The user name that stands for "the SDK's default credential chain" in a {@link TargetConfig}. */
    public static final String DEFAULT_CHAIN = "aws-default-chain";

    private S3Target() {
    }

    /** A new builder: region us-east-1, the default credential chain, no prefix. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an S3 target; reusable. */
    public static final class Builder {
        private String bucket;
        private String prefix = "";
        private String accessKeyId;
        private char[] secretKey;
        private URI plainEndpoint;
        private TlsOptions tls = TlsOptions.defaults();
        private Duration connectTimeout = TargetConfig.DEFAULT_CONNECT_TIMEOUT;
        private Duration replyTimeout = TargetConfig.DEFAULT_REPLY_TIMEOUT;
        private Duration dataTimeout = TargetConfig.DEFAULT_DATA_TIMEOUT;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private int maxSessions = TargetConfig.DEFAULT_MAX_SESSIONS;
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder() {
        }

        /** The bucket (required). */
        public Builder bucket(String name) {
            this.bucket = Objects.requireNonNull(name, "bucket");
            return this;
        }

        /** The key prefix, a "folder" ({@code studio-7/}); none by default. */
        public Builder prefix(String keyPrefix) {
            this.prefix = Objects.requireNonNull(keyPrefix, "prefix");
            return this;
        }

        /** The bucket's region (us-east-1 by default; for an S3-compatible endpoint, the one it signs with). */
        public Builder region(String region) {
            return option("region", region);
        }

        /** An https endpoint of S3-compatible storage. */
        public Builder endpoint(URI httpsEndpoint) {
            this.plainEndpoint = null;
            return option("endpoint", Objects.requireNonNull(httpsEndpoint, "endpoint").toString());
        }

        /**
         * INSECURE: a plain {@code http://} endpoint, which sends the data and the request signatures in clear. For tests
         * against a local server only; never available from a URI.
         */
        public Builder insecurePlainHttpEndpoint(URI httpEndpoint) {
            this.plainEndpoint = Objects.requireNonNull(httpEndpoint, "endpoint");
            options.remove("endpoint");
            return this;
        }

        /** Path-style addressing ({@code endpoint/bucket/key}), which most S3-compatible servers need. */
        public Builder pathStyle(boolean on) {
            return option("path-style", Boolean.toString(on));
        }

        /** An access key id and secret access key (else the SDK's default chain: environment, profile, role). */
        public Builder credentials(String accessKeyId, char[] secretAccessKey) {
            this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
            this.secretKey = Objects.requireNonNull(secretAccessKey, "secretAccessKey").clone();
            return this;
        }

        /** The SDK's default credential chain: environment, profile, container or instance role (the default). */
        public Builder defaultCredentialChain() {
            this.accessKeyId = null;
            if (secretKey != null) {
                Arrays.fill(secretKey, '\0');
            }
            this.secretKey = null;
            return this;
        }

        /** A storage class ({@code STANDARD_IA}, {@code INTELLIGENT_TIERING}, ...); the bucket's default otherwise. */
        public Builder storageClass(String storageClass) {
            return option("storage-class", storageClass);
        }

        /** A canned ACL, e.g. {@code bucket-owner-full-control} for a bucket of another account. */
        public Builder acl(String cannedAcl) {
            return option("acl", cannedAcl);
        }

        /** Server-side encryption (the bucket's default otherwise). */
        public Builder encryption(S3Encryption sse) {
            Objects.requireNonNull(sse, "encryption");
            options.remove("sse");
            options.remove("sse-kms-key-id");
            switch (sse.kind()) {
                case S3_MANAGED -> options.put("sse", "AES256");
                case KMS -> {
                    options.put("sse", "aws:kms");
                    sse.kmsKeyId().ifPresent(k -> options.put("sse-kms-key-id", k));
                }
                default -> {
                }
            }
            return this;
        }

        /** User metadata on every object ({@code x-amz-meta-NAME}); printable ASCII. */
        public Builder metadata(String name, String value) {
            return option("meta." + Objects.requireNonNull(name, "name"), value);
        }

        /** Files larger than this go by multipart upload (100 MiB by default; 5 MiB to 5 TiB). */
        public Builder multipartThreshold(long bytes) {
            return option("multipart-threshold", Long.toString(bytes));
        }

        /** The smallest part size (16 MiB by default; 5 MiB to 5 GiB), raised so that a file fits in 10,000 parts. */
        public Builder partSize(long bytes) {
            return option("part-size", Long.toString(bytes));
        }

        /** How many parts of one file are sent at once (4 by default; 1 to 16). */
        public Builder partsInFlight(int n) {
            return option("parts-in-flight", Integer.toString(n));
        }

        /** Trust for an https endpoint with a private CA (trust store or certificates; pins are not supported). */
        public Builder tls(TlsOptions options) {
            this.tls = Objects.requireNonNull(options, "tls");
            return this;
        }

        /** Sets the connect and data (socket read) timeouts at once. */
        public Builder timeouts(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d, "timeouts");
            this.replyTimeout = d;
            this.dataTimeout = d;
            return this;
        }

        /** Retries of failed uploads (a retry resumes the multipart upload). */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
            return this;
        }

        /** The most files uploaded at once (default 4). */
        public Builder maxSessions(int n) {
            this.maxSessions = n;
            return this;
        }

        private Builder option(String name, String value) {
            options.put(name, Objects.requireNonNull(value, name));
            return this;
        }

        /**
         * Validates and builds the target (no request yet).
         *
         * @throws TransferException {@code BAD_INPUT} for an invalid bucket, prefix or option
         * @throws IllegalStateException if the bucket is missing
         */
        public StorageTarget build() throws TransferException {
            if (bucket == null) {
                throw new IllegalStateException("bucket is required");
            }
            URI uri;
            try {
                uri = new URI("s3", bucket, "/" + prefix.replaceAll("^/+|/+$", ""), null);
            } catch (URISyntaxException e) {
                throw new TransferException(TransferException.Reason.BAD_INPUT, "invalid bucket " + bucket + ": " + e.getReason(), e);
            }
            Credentials credentials = accessKeyId == null ? Credentials.username(DEFAULT_CHAIN)
                    : Credentials.password(accessKeyId, secretKey);
            TargetConfig.Builder b = TargetConfig.builder(uri).credentials(credentials).tls(tls).connectTimeout(connectTimeout)
                    .replyTimeout(replyTimeout).dataTimeout(dataTimeout).retryPolicy(retryPolicy).maxSessions(maxSessions);
            options.forEach(b::property);
            TargetConfig config = b.build();
            S3Settings settings = S3Settings.from(config);
            if (plainEndpoint != null) {
                settings = settings.withPlainHttpEndpoint(plainEndpoint);
            }
            return new S3StorageTarget(config, settings);
        }
    }
}
