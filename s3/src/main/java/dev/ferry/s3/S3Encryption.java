package dev.ferry.s3;

import java.util.Objects;
import java.util.Optional;

/**
 * Server-side encryption of the objects Ferry writes: none asked for (the bucket's default applies), SSE-S3 (keys
 * managed by S3, {@code AES256}) or SSE-KMS (a KMS key, by id or ARN, or the account's default {@code aws/s3} key).
 * Immutable.
 */
public final class S3Encryption {
    private static final S3Encryption BUCKET_DEFAULT = new S3Encryption(Kind.BUCKET_DEFAULT, null);
    private static final S3Encryption S3_MANAGED = new S3Encryption(Kind.S3_MANAGED, null);
    private static final S3Encryption KMS_DEFAULT = new S3Encryption(Kind.KMS, null);

    /** The kinds of server-side encryption. */
    public enum Kind {
        /** No header: the bucket's default encryption applies. */
        BUCKET_DEFAULT,
        /** SSE-S3 ({@code x-amz-server-side-encryption: AES256}). */
        S3_MANAGED,
        /** SSE-KMS ({@code aws:kms}), with a key id or the account's default key. */
        KMS
    }

    private final Kind kind;
    private final String kmsKeyId;

    private S3Encryption(Kind kind, String kmsKeyId) {
        this.kind = kind;
        this.kmsKeyId = kmsKeyId;
    }

    /** No encryption header: whatever the bucket's default encryption says (the default). */
    public static S3Encryption bucketDefault() {
        return BUCKET_DEFAULT;
    }

    /** SSE-S3: S3 encrypts with keys it manages. */
    public static S3Encryption s3Managed() {
        return S3_MANAGED;
    }

    /** SSE-KMS with the account's default {@code aws/s3} key. */
    public static S3Encryption kms() {
        return KMS_DEFAULT;
    }

    /**
     * SSE-KMS with a given key (id, alias or ARN; not a secret). The writer needs {@code kms:GenerateDataKey} on it,
     * and ETags of such objects are not MD5s, so only S3's CRC32C checksum can prove them.
     */
    public static S3Encryption kms(String keyId) {
        Objects.requireNonNull(keyId, "keyId");
        if (keyId.isBlank() || keyId.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("the KMS key id must be printable ASCII without spaces: " + keyId.strip());
        }
        return new S3Encryption(Kind.KMS, keyId);
    }

    /** Which kind. */
    public Kind kind() {
        return kind;
    }

    /** The KMS key, if one was named. */
    public Optional<String> kmsKeyId() {
        return Optional.ofNullable(kmsKeyId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof S3Encryption e && kind == e.kind && Objects.equals(kmsKeyId, e.kmsKeyId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, kmsKeyId);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case BUCKET_DEFAULT -> "S3Encryption[bucket default]";
            case S3_MANAGED -> "S3Encryption[SSE-S3]";
            case KMS -> "S3Encryption[SSE-KMS" + (kmsKeyId != null ? " " + kmsKeyId : "") + "]";
        };
    }
}
