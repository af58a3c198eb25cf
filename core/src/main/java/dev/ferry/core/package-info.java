/**
 * Ferry's public API, the same for every protocol: open a {@link dev.ferry.core.StorageTarget} with
 * {@link dev.ferry.core.StorageTargets#open(dev.ferry.core.TargetConfig)} (or a provider's builder), upload
 * {@link dev.ferry.core.Upload}s, read {@link dev.ferry.core.UploadResult}s, catch {@link dev.ferry.core.TransferException}
 * and act on its {@link dev.ferry.core.TransferException.Reason}; {@link dev.ferry.core.StorageTarget#probe()} is the
 * step-by-step connection test.
 */
package dev.ferry.core;
