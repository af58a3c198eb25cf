/**
 * SFTP over SSH with host-key verification: {@link dev.ferry.sftp.SftpTarget#builder()} for typed configuration, or an
 * {@code sftp://} URI through {@link dev.ferry.core.StorageTargets} with {@link dev.ferry.core.HostKeys} set.
 */
package dev.ferry.sftp;
