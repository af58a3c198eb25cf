/**
 * Dropbox: {@link dev.ferry.dropbox.DropboxTarget#builder()} for typed configuration, or a {@code dropbox:/PATH} URI
 * through {@link dev.ferry.core.StorageTargets}.
 */
package dev.ferry.dropbox;
