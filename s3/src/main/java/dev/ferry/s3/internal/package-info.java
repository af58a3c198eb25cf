/**
 * Implementation of the S3 provider on the AWS SDK for Java v2. Not API: any type here may change or go away in any
 * release.
 */
package dev.ferry.s3.internal;
