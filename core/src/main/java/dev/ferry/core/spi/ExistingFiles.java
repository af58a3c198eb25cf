package dev.ferry.core.spi;

import dev.ferry.core.ExistingFile;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;

/**
 * The {@link ExistingFile} policy, the same in every provider: which name a file is published as when one is already
 * there, and the error when it may not be.
 */
public final class ExistingFiles {
    /** How many {@code name-N.ext} candidates {@link #uniqueName} tries before it gives up. */
    public static final int MAX_UNIQUE_TRIES = 1000;

    /** Asks the server whether something is at a path. */
    @FunctionalInterface
    public interface Lookup {
        /** The size of the file at {@code path}, or -1 if there is none. */
        long sizeOf(String path) throws TransferException;
    }

    private ExistingFiles() {
    }

    /**
     * Whether the policy needs to know what is at the final name before the upload. {@code OVERWRITE} does not: the
     * publish replaces whatever is there, and the look would cost a round trip per file.
     */
    public static boolean needsLookup(ExistingFile policy) {
        return policy != ExistingFile.OVERWRITE;
    }

    /**
     * The name to publish as, given what is at {@code path} now.
     *
     * @param existingSize the size of the file at {@code path}, or -1 if there is none
     * @throws TransferException {@code EXISTS} (not retried) under {@code FAIL} when a file is there, or when no free
     *         unique name is found
     */
    public static String publishName(ExistingFile policy, String path, long existingSize, Lookup lookup, Transcript t)
            throws TransferException {
        if (existingSize < 0 || policy == ExistingFile.OVERWRITE) {
            return path;
        }
        if (policy == ExistingFile.FAIL) {
            throw exists(path + " already exists on the server (" + existingSize + " bytes)", t);
        }
        String unique = uniqueName(path, lookup);
        t.note(path + " exists; publishing as " + unique);
        return unique;
    }

    /** The error for a file that appeared at the final name while the upload ran, under {@code FAIL}. */
    public static TransferException appearedMeanwhile(String path, Transcript t) {
        return TransferException.builder(Reason.EXISTS, path + " appeared on the server during the upload")
                .hint("another writer uses the same name; choose another name, or the ExistingFile.OVERWRITE or RENAME_UNIQUE policy")
                .retryable(false).transcript(t).build();
    }

    /**
     * The first free name of {@code stem-1.ext}, {@code stem-2.ext}, ... in the same directory as {@code path} (a path or
     * a bare name; the extension is what follows the last dot of the last segment, if it is not the first character).
     */
    public static String uniqueName(String path, Lookup lookup) throws TransferException {
        int slash = path.lastIndexOf('/');
        String dir = path.substring(0, slash + 1);
        String name = path.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        String stem = dir + (dot > 0 ? name.substring(0, dot) : name);
        String ext = dot > 0 ? name.substring(dot) : "";
        for (int i = 1; i <= MAX_UNIQUE_TRIES; i++) {
            String candidate = stem + "-" + i + ext;
            if (lookup.sizeOf(candidate) < 0) {
                return candidate;
            }
        }
        throw TransferException.builder(Reason.EXISTS, "no free name like " + stem + "-N" + ext + " up to " + MAX_UNIQUE_TRIES)
                .retryable(false).build();
    }

    private static TransferException exists(String message, Transcript t) {
        return TransferException.builder(Reason.EXISTS, message)
                .hint("choose another name, or the ExistingFile.OVERWRITE or RENAME_UNIQUE policy (CLI: --exists overwrite|rename)")
                .retryable(false).transcript(t).build();
    }
}
