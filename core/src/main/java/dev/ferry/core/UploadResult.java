package dev.ferry.core;

import java.time.Duration;
import java.util.List;

/**
 * One file that was uploaded and published.
 *
 * @param remotePath the absolute path of the file on the server (base directory included)
 * @param bytes the size of the file on the server
 * @param elapsed the time the upload took, all attempts included
 * @param attempts how many attempts it took (1 if the first succeeded)
 * @param protocol {@code ftps}, {@code ftp}, {@code sftp} or {@code s3}
 * @param verification the check that was done ({@code NONE} if none could be)
 * @param location a URL of the file without any secret, e.g. {@code ftps://alice@host:21/in/a.mp4}
 * @param resumedFrom the byte offset the upload continued from, 0 if it started from the beginning
 * @param connection the security facts of the connection that carried it
 * @param transcript the masked transcript lines of this file's attempts: with the connection's set-up
 *        ({@code AUTH TLS}, {@code PBSZ}, {@code PROT}, login) when the file opened the connection; the
 *        whole conversation of a batch is {@link BatchResult#transcript()}
 * @param checksum the checksum that proved the file when {@code verification} is {@code CHECKSUM} ({@code CRC32C},
 *        {@code MD5}), or {@code null} where the provider does not name it
 */
public record UploadResult(String remotePath, long bytes, Duration elapsed, int attempts, String protocol,
                           Verification verification, String location, long resumedFrom, ConnectionInfo connection,
                           List<String> transcript, String checksum) {
    public UploadResult {
        transcript = List.copyOf(transcript);
    }

    /** A result whose checksum is not named. */
    public UploadResult(String remotePath, long bytes, Duration elapsed, int attempts, String protocol,
                        Verification verification, String location, long resumedFrom, ConnectionInfo connection,
                        List<String> transcript) {
        this(remotePath, bytes, elapsed, attempts, protocol, verification, location, resumedFrom, connection, transcript, null);
    }

    /** The file name (the last part of the remote path). */
    public String fileName() {
        int i = remotePath.lastIndexOf('/');
        return i < 0 ? remotePath : remotePath.substring(i + 1);
    }
}
