package dev.ferry.sftp.internal;

import dev.ferry.core.ExistingFile;
import dev.ferry.core.spi.Transcript;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.Upload;
import dev.ferry.core.spi.ExistingFiles;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpException;

import java.io.IOException;

/**
 * Renames an uploaded temporary file into place under the {@link ExistingFile} policy: {@code posix-rename@openssh.com}
 * over an old file, or the old file moved aside where the server has no such rename; a plain rename that refuses an
 * existing file, with a new unique name when one appeared meanwhile.
 */
final class SftpPublish {
    /** How often a RENAME_UNIQUE upload takes a new name because another writer took the one it chose. */
    private static final int MAX_RENAME_TRIES = 10;

    private final SftpSession session;
    private final SftpClient sftp;
    private final ExistingFiles.Lookup lookup;
    private final Transcript t;

    SftpPublish(SftpSession session, ExistingFiles.Lookup lookup, Transcript t) {
        this.session = session;
        this.sftp = session.sftp();
        this.lookup = lookup;
        this.t = t;
    }

    /**
     * Renames {@code temp} to {@code publishAs} and returns the name it got. OVERWRITE replaces a file there
     * (posix-rename); FAIL and RENAME_UNIQUE never do: SFTP's own rename refuses an existing target (OpenSSH links,
     * then unlinks), so a file that appeared at the name after it was looked at is not replaced.
     *
     * @param finalPath the name the caller asked for, from which further unique names are made
     */
    String publish(String temp, String publishAs, String finalPath, ExistingFile policy) throws IOException, TransferException {
        if (policy != ExistingFile.OVERWRITE) {
            return renameToFreeName(temp, publishAs, finalPath, policy);
        }
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        if (posix != null && posix.isSupported()) {
            posix.posixRename(temp, publishAs);
            t.note("posix-rename@openssh.com " + temp + " -> " + publishAs);
            return publishAs;
        }
        return replaceWithoutPosixRename(temp, publishAs);
    }

    private String renameToFreeName(String temp, String publishAs, String finalPath, ExistingFile policy)
            throws IOException, TransferException {
        String name = publishAs;
        for (int tries = 1; ; tries++) {
            try {
                sftp.rename(temp, name);
                t.note("rename " + temp + " -> " + name);
                return name;
            } catch (SftpException e) {
                if (session.statSize(name) < 0) {
                    throw e; // not because of a file at the name
                }
                if (policy == ExistingFile.FAIL) {
                    throw ExistingFiles.appearedMeanwhile(name, t);
                }
                if (tries >= MAX_RENAME_TRIES) {
                    throw TransferException.builder(Reason.EXISTS, "every free name like " + name + " was taken before the "
                            + "upload could be renamed to it (" + tries + " tries)").retryable(false).transcript(t).build();
                }
                name = ExistingFiles.uniqueName(finalPath, lookup);
                t.note(temp + ": the name was taken meanwhile; publishing as " + name);
            }
        }
    }

    /**
     * No rename over a file: move the old one aside first and put it back if the new one cannot take its place,
     * so the old file is never lost (for a moment there is no file at the name, never a partial one).
     */
    private String replaceWithoutPosixRename(String temp, String publishAs) throws IOException {
        String aside = null;
        if (session.statSize(publishAs) >= 0) {
            aside = temp.substring(0, temp.length() - Upload.TEMP_SUFFIX.length()) + ".ferry-old";
            sftp.rename(publishAs, aside);
            t.note("moved the old " + publishAs + " to " + aside + " (the server has no atomic rename over a file)");
        }
        try {
            sftp.rename(temp, publishAs);
        } catch (IOException e) {
            if (aside != null) {
                try {
                    sftp.rename(aside, publishAs);
                    t.note("put the old " + publishAs + " back");
                } catch (IOException back) {
                    e.addSuppressed(back);
                    t.note("could not put the old " + publishAs + " back; it is at " + aside + ": " + back.getMessage());
                }
            }
            throw e;
        }
        t.note("rename " + temp + " -> " + publishAs);
        if (aside != null) {
            try {
                sftp.remove(aside);
            } catch (IOException e) {
                t.note("could not remove the old file at " + aside + ": " + e.getMessage());
            }
        }
        return publishAs;
    }
}
