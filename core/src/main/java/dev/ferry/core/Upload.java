package dev.ferry.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One file to upload: where the bytes come from, where they go (relative to the target's base
 * directory), and how.
 *
 * <p>Defaults: {@link ExistingFile#OVERWRITE}, atomic publish on (the bytes go to a temporary name
 * in the same directory, are checked, then renamed into place, so no reader ever sees a partial
 * file at the final name), missing directories created, {@link Verification#SIZE}, resume on (a
 * retry continues the temporary file the interrupted attempt before it wrote; the temporary name has a random
 * token of this upload, so no other upload, concurrent or later, ever resumes or publishes it), no deadline.
 *
 * <pre>{@code
 * Upload up = Upload.builder()
 *         .source(Path.of("/data/rec-42.mp4"))
 *         .remotePath("2026/11/rec-42.mp4")
 *         .existing(ExistingFile.FAIL)
 *         .build();
 * }</pre>
 *
 * Immutable and thread-safe. The remote path is validated when the upload starts
 * ({@link TransferException.Reason#BAD_INPUT} before any connection is opened).
 */
public final class Upload {
    /** The suffix of the temporary name used for atomic publish: {@code name.<token>} + this. */
    public static final String TEMP_SUFFIX = ".ferry-part";

    private final ContentSource source;
    private final Path sourcePath;
    private final String remotePath;
    private final ExistingFile existing;
    private final boolean atomic;
    private final boolean createDirectories;
    private final Verification verification;
    private final boolean resume;
    private final ProgressListener progress;
    private final Duration deadline;

    private Upload(Builder b) {
        this.source = Objects.requireNonNull(b.source, "source: call source(Path) or source(ContentSource)");
        this.sourcePath = b.sourcePath;
        this.remotePath = Objects.requireNonNull(b.remotePath, "remotePath");
        this.existing = b.existing;
        this.atomic = b.atomic;
        this.createDirectories = b.createDirectories;
        this.verification = b.verification;
        this.resume = b.resume;
        this.progress = b.progress;
        this.deadline = b.deadline;
    }

    /** Uploads a local file to {@code remotePath} with the defaults. */
    public static Upload of(Path file, String remotePath) {
        return builder().source(file).remotePath(remotePath).build();
    }

    /** Uploads a local file under its own file name with the defaults. */
    public static Upload of(Path file) {
        return of(file, file.getFileName().toString());
    }

    /** A new builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this upload's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.source = source;
        b.sourcePath = sourcePath;
        b.remotePath = remotePath;
        b.existing = existing;
        b.atomic = atomic;
        b.createDirectories = createDirectories;
        b.verification = verification;
        b.resume = resume;
        b.progress = progress;
        b.deadline = deadline;
        return b;
    }

    public ContentSource source() { return source; }

    /** The local file, when the source is one. */
    public Optional<Path> sourcePath() { return Optional.ofNullable(sourcePath); }

    /** The remote path as given (validated when the upload starts). */
    public String remotePath() { return remotePath; }

    /** The validated remote path, relative to the base directory. */
    public RemotePath validatedRemotePath() throws TransferException { return RemotePath.relative(remotePath); }

    public ExistingFile existing() { return existing; }

    /** Whether the file is written under a temporary name and renamed into place. */
    public boolean atomic() { return atomic; }

    public boolean createDirectories() { return createDirectories; }

    public Verification verification() { return verification; }

    /** Whether a retry continues from what an interrupted attempt left in the temporary file. */
    public boolean resume() { return resume; }

    public ProgressListener progress() { return progress; }

    /** The longest the whole upload (all attempts) may take, if limited. */
    public Optional<Duration> deadline() { return Optional.ofNullable(deadline); }

    @Override
    public String toString() {
        return "Upload[" + source.describe() + " -> " + remotePath + ", existing=" + existing + ", atomic=" + atomic
                + ", verification=" + verification + "]";
    }

    /** Builds an {@link Upload}; reusable. */
    public static final class Builder {
        private ContentSource source;
        private Path sourcePath;
        private String remotePath;
        private ExistingFile existing = ExistingFile.OVERWRITE;
        private boolean atomic = true;
        private boolean createDirectories = true;
        private Verification verification = Verification.SIZE;
        private boolean resume = true;
        private ProgressListener progress = ProgressListener.NONE;
        private Duration deadline;

        private Builder() {
        }

        /** Upload this local file. */
        public Builder source(Path file) {
            this.source = ContentSource.ofPath(file);
            this.sourcePath = file;
            return this;
        }

        /** Upload this re-openable content. */
        public Builder source(ContentSource content) {
            this.source = Objects.requireNonNull(content, "source");
            this.sourcePath = null;
            return this;
        }

        /** Where, relative to the target's base directory ({@code a/b/file.mp4}). */
        public Builder remotePath(String path) {
            this.remotePath = Objects.requireNonNull(path, "remotePath");
            return this;
        }

        public Builder existing(ExistingFile policy) {
            this.existing = Objects.requireNonNull(policy, "existing");
            return this;
        }

        /** Whether to write a temporary name and rename into place (default {@code true}). */
        public Builder atomic(boolean atomicPublish) {
            this.atomic = atomicPublish;
            return this;
        }

        public Builder createDirectories(boolean create) {
            this.createDirectories = create;
            return this;
        }

        public Builder verification(Verification v) {
            this.verification = Objects.requireNonNull(v, "verification");
            return this;
        }

        public Builder resume(boolean resumeInterrupted) {
            this.resume = resumeInterrupted;
            return this;
        }

        public Builder progress(ProgressListener listener) {
            this.progress = Objects.requireNonNull(listener, "progress");
            return this;
        }

        /** The longest the whole upload may take, retries included. */
        public Builder deadline(Duration d) {
            Objects.requireNonNull(d, "deadline");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("deadline must be positive, was " + d);
            }
            this.deadline = d;
            return this;
        }

        /** Builds; the source and remote path are required. */
        public Upload build() {
            return new Upload(this);
        }
    }
}
