package dev.ferry.s3;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.StorageTargetProvider;
import dev.ferry.core.TargetConfig;
import dev.ferry.core.TransferException;
import dev.ferry.s3.internal.S3Settings;
import dev.ferry.s3.internal.S3StorageTarget;

import java.util.Set;

/**
 * The provider of the {@code s3} URI scheme, found by {@link java.util.ServiceLoader}: {@code s3://BUCKET/prefix}, the
 * host being the bucket and the path the key prefix. Options in the query: {@code region}, {@code endpoint} (an
 * {@code https://} S3-compatible endpoint), {@code path-style}, {@code storage-class}, {@code acl} (a canned ACL),
 * {@code sse} ({@code AES256} or {@code aws:kms}) and {@code sse-kms-key-id}, {@code meta.NAME=value},
 * {@code multipart-threshold}, {@code part-size}, {@code parts-in-flight}. Credentials: {@code Credentials.password(
 * accessKeyId, secretAccessKey)}, or a user name without a secret for the SDK's default chain
 * ({@link S3Target#DEFAULT_CHAIN}). An option that would weaken security (a plain-HTTP endpoint) is never read from a
 * URI; see {@link S3Target.Builder#insecurePlainHttpEndpoint}.
 */
public final class S3Provider implements StorageTargetProvider {
    /** For {@link java.util.ServiceLoader}. */
    public S3Provider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    /**
     * @throws TransferException {@code BAD_INPUT} naming the bucket name or option that is wrong
     */
    @Override
    public StorageTarget open(TargetConfig config) throws TransferException {
        return new S3StorageTarget(config, S3Settings.from(config));
    }
}
