package dev.ferry.core;

/** How an upload is checked after the server confirms it. */
public enum Verification {
    /** No check beyond the server's own confirmation. */
    NONE,
    /** The remote size equals the bytes sent (the default). */
    SIZE,
    /** A checksum computed by the server equals the source's, where the server offers one; otherwise {@link #SIZE}. */
    CHECKSUM
}
