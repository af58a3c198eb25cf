/**
 * For provider modules, not for applications: the steps every provider shares (the session pool, retries, deadlines,
 * batches, the probe's recorder). A provider extends {@link dev.ferry.core.spi.AbstractStorageTarget} and supplies a
 * session that uploads one prepared file; see docs/ARCHITECTURE.md. Not covered by compatibility promises.
 */
package dev.ferry.core.spi;
