package dev.ferry.core;

/** What to do when a file already exists at the remote name. */
public enum ExistingFile {
    /** Replace it (atomically, when atomic publish is on). */
    OVERWRITE,
    /** Fail with {@link TransferException.Reason#EXISTS}, leaving it untouched. */
    FAIL,
    /** Keep it and publish under a new unique name ({@code name-1.ext}, {@code name-2.ext}, ...). */
    RENAME_UNIQUE
}
