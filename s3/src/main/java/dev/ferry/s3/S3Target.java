package dev.ferry.s3;

import dev.ferry.core.Credentials;
import dev.ferry.core.StorageTarget;
import dev.ferry.core.TargetBuilder;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TlsOptions;
import dev.ferry.core.TransferException;
import dev.ferry.s3.internal.S3Settings;
import dev.ferry.s3.internal.S3StorageTarget;

import java.net.URI;
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

    /**
     * Builds an S3 target; reusable. The options every target has (credentials, timeouts, retries, sessions) are those
     * of {@link TargetBuilder}; this adds the bucket, the key prefix (the base directory), TLS and S3's own. The port
     * belongs in the {@link #endpoint}.
     */
    public static final class Builder extends TargetBuilder<Builder> {
        private String bucket;
        private String region = S3Settings.DEFAULT_REGION;
        private URI endpoint;
        private URI plainEndpoint;
        private boolean pathStyle;
        private String storageClass;
        private String acl;
        private S3Encryption encryption = S3Encryption.bucketDefault();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private long multipartThreshold = S3Settings.DEFAULT_MULTIPART_THRESHOLD;
        private long partSize = S3Settings.DEFAULT_PART_SIZE;
        private int partsInFlight = S3Settings.DEFAULT_PARTS_IN_FLIGHT;

        private Builder() {
            credentials(Credentials.username(DEFAULT_CHAIN));
        }

        /** The bucket (required). */
        public Builder bucket(String name) {
            this.bucket = Objects.requireNonNull(name, "bucket");
            return host(name);
        }

        /** The key prefix, a "folder" ({@code studio-7/}); none by default. The same as {@link #baseDirectory}. */
        public Builder prefix(String keyPrefix) {
            return baseDirectory("/" + Objects.requireNonNull(keyPrefix, "prefix").replaceAll("^/+|/+$", ""));
        }

        /** The bucket's region (us-east-1 by default; for an S3-compatible endpoint, the one it signs with). */
        public Builder region(String region) {
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        /** An https endpoint of S3-compatible storage. */
        public Builder endpoint(URI httpsEndpoint) {
            this.endpoint = Objects.requireNonNull(httpsEndpoint, "endpoint");
            this.plainEndpoint = null;
            return this;
        }

        /**
         * INSECURE: a plain {@code http://} endpoint, which sends the data and the request signatures in clear. For tests
         * against a local server only; never available from a URI.
         */
        public Builder insecurePlainHttpEndpoint(URI httpEndpoint) {
            this.plainEndpoint = Objects.requireNonNull(httpEndpoint, "endpoint");
            this.endpoint = null;
            return this;
        }

        /** Path-style addressing ({@code endpoint/bucket/key}), which most S3-compatible servers need. */
        public Builder pathStyle(boolean on) {
            this.pathStyle = on;
            return this;
        }

        /** An access key id and secret access key (else the SDK's default chain: environment, profile, role). */
        public Builder credentials(String accessKeyId, char[] secretAccessKey) {
            return credentials(Credentials.password(Objects.requireNonNull(accessKeyId, "accessKeyId"),
                    Objects.requireNonNull(secretAccessKey, "secretAccessKey").clone()));
        }

        /** The SDK's default credential chain: environment, profile, container or instance role (the default). */
        public Builder defaultCredentialChain() {
            return credentials(Credentials.username(DEFAULT_CHAIN));
        }

        /** A storage class ({@code STANDARD_IA}, {@code INTELLIGENT_TIERING}, ...); the bucket's default otherwise. */
        public Builder storageClass(String storageClass) {
            this.storageClass = Objects.requireNonNull(storageClass, "storageClass");
            return this;
        }

        /** A canned ACL, e.g. {@code bucket-owner-full-control} for a bucket of another account. */
        public Builder acl(String cannedAcl) {
            this.acl = Objects.requireNonNull(cannedAcl, "acl");
            return this;
        }

        /** Server-side encryption (the bucket's default otherwise). */
        public Builder encryption(S3Encryption sse) {
            this.encryption = Objects.requireNonNull(sse, "encryption");
            return this;
        }

        /** User metadata on every object ({@code x-amz-meta-NAME}); printable ASCII. */
        public Builder metadata(String name, String value) {
            metadata.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Files larger than this go by multipart upload (100 MiB by default; 5 MiB to 5 TiB). */
        public Builder multipartThreshold(long bytes) {
            this.multipartThreshold = bytes;
            return this;
        }

        /** The smallest part size (16 MiB by default; 5 MiB to 5 GiB), raised so that a file fits in 10,000 parts. */
        public Builder partSize(long bytes) {
            this.partSize = bytes;
            return this;
        }

        /** How many parts of one file are sent at once (4 by default; 1 to 16). */
        public Builder partsInFlight(int n) {
            this.partsInFlight = n;
            return this;
        }

        /** Trust for an https endpoint with a private CA (trust store or certificates; pins are not supported). */
        @Override
        public Builder tls(TlsOptions options) {
            return super.tls(options);
        }

        /**
         * Validates and builds the target (no request yet).
         *
         * @throws TransferException {@code BAD_INPUT} for an invalid bucket, prefix or option
         * @throws IllegalStateException if the bucket is missing
         * @throws IllegalArgumentException if a port was set: it belongs in the endpoint
         */
        public StorageTarget build() throws TransferException {
            if (bucket == null) {
                throw new IllegalStateException("bucket is required");
            }
            // The bucket's own rules first: they say more than the host-name check of toConfig.
            S3Settings.validBucket(bucket);
            TargetConfig config = toConfig("s3");
            if (config.port() != -1) {
                throw new IllegalArgumentException("port is not an S3 option: give it in endpoint(URI)");
            }
            S3Settings settings = S3Settings.of(config, region, endpoint == null ? null : endpoint.toString(), pathStyle,
                    storageClass, acl, encryption, metadata, multipartThreshold, partSize, partsInFlight);
            if (plainEndpoint != null) {
                settings = settings.withPlainHttpEndpoint(plainEndpoint);
            }
            return new S3StorageTarget(config, settings);
        }
    }
}
