/**
 * Amazon S3 and S3-compatible storage: {@link dev.ferry.s3.S3Target#builder()} for typed configuration, or an
 * {@code s3://BUCKET/prefix} URI through {@link dev.ferry.core.StorageTargets}.
 */
package dev.ferry.s3;
