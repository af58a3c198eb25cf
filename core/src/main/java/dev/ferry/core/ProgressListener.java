package dev.ferry.core;

/**
 * Receives upload progress. Called from the uploading thread, at most a few times a second and once
 * at the end; keep it fast and do not throw.
 */
@FunctionalInterface
public interface ProgressListener {
    /** Does nothing. */
    ProgressListener NONE = (remotePath, sent, total) -> { };

    /**
     * @param remotePath the file being uploaded, as given
     * @param bytesSent bytes of the file on the server so far (including a resumed part)
     * @param totalBytes the size of the file, or -1 if not known
     */
    void onProgress(String remotePath, long bytesSent, long totalBytes);
}
