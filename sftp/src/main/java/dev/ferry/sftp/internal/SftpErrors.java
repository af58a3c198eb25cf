package dev.ferry.sftp.internal;

import dev.ferry.core.TransferException.Reason;
import org.apache.sshd.sftp.common.SftpConstants;

/** Maps SFTP status codes to {@link Reason}s and hints; pure functions. */
public final class SftpErrors {
    private SftpErrors() {
    }

    /** A classified status. */
    public record Verdict(Reason reason, String hint) {
    }

    /** Classifies an SFTP status code. */
    public static Verdict classify(int status) {
        return switch (status) {
            case SftpConstants.SSH_FX_PERMISSION_DENIED, SftpConstants.SSH_FX_WRITE_PROTECT, SftpConstants.SSH_FX_LOCK_CONFLICT ->
                    new Verdict(Reason.PERMISSION, "the user may not write there; check the server's permissions");
            case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH ->
                    new Verdict(Reason.NOT_FOUND, "the file or directory does not exist on the server");
            case SftpConstants.SSH_FX_NO_SPACE_ON_FILESYSTEM, SftpConstants.SSH_FX_QUOTA_EXCEEDED ->
                    new Verdict(Reason.NO_SPACE, "the server has no space (or the quota is used up)");
            case SftpConstants.SSH_FX_FILE_ALREADY_EXISTS -> new Verdict(Reason.EXISTS, "the file already exists on the server");
            case SftpConstants.SSH_FX_INVALID_FILENAME -> new Verdict(Reason.BAD_INPUT, "the server refused the file name");
            case SftpConstants.SSH_FX_CONNECTION_LOST, SftpConstants.SSH_FX_NO_CONNECTION ->
                    new Verdict(Reason.CONNECT, "the connection was lost; it is retried");
            default -> new Verdict(Reason.PROTOCOL, "the server refused the operation (SFTP status " + status + ")");
        };
    }
}
