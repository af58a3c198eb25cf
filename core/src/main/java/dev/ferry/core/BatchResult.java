package dev.ferry.core;

import java.time.Duration;
import java.util.List;

/**
 * The files of a batch (a recording's video, thumbnail and metadata) uploaded over one logged-in
 * connection, in order.
 *
 * @param files each file's result, in the order given
 * @param elapsed the time of the whole batch
 * @param attempts connections opened for the batch (more than 1 after a retry or a reconnect)
 * @param protocol {@code ftps}, {@code ftp} or {@code sftp}
 * @param connection the security facts of the (last) connection
 * @param transcript the masked transcript of the whole batch
 */
public record BatchResult(List<UploadResult> files, Duration elapsed, int attempts, String protocol,
                          ConnectionInfo connection, List<String> transcript) {
    public BatchResult {
        files = List.copyOf(files);
        transcript = List.copyOf(transcript);
    }

    /** The total bytes of all files. */
    public long totalBytes() {
        return files.stream().mapToLong(UploadResult::bytes).sum();
    }
}
