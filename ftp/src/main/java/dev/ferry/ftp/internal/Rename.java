package dev.ferry.ftp.internal;

import dev.ferry.core.TransferException;

/**
 * How an {@code RNFR}/{@code RNTO} ended.
 *
 * @param refusal the error to throw, or {@code null} if the file was renamed
 * @param renameToCode the code of a refused {@code RNTO}, or 0 (renamed, or refused at {@code RNFR})
 */
record Rename(TransferException refusal, int renameToCode) {
    static final Rename DONE = new Rename(null, 0);

    boolean done() {
        return refusal == null;
    }

    /** Whether {@code RNTO} was refused for good (5xx): some servers do so while a file is at the new name. */
    boolean renameToRefusedForGood() {
        return renameToCode >= 500;
    }
}
