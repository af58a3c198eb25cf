/**
 * Explicit FTPS (the default) and, by opt-in, plain FTP: {@link dev.ferry.ftp.FtpTarget#builder()} for typed
 * configuration, or an {@code ftps://} / {@code ftp://} URI through {@link dev.ferry.core.StorageTargets}.
 */
package dev.ferry.ftp;
