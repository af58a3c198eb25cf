package dev.ferry.examples.usage;

import dev.ferry.core.StorageTarget;
import dev.ferry.core.TransferException;
import dev.ferry.core.Upload;
import dev.ferry.core.UploadResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Many uploads from a thread pool through one shared target: the target is thread-safe and keeps at most
 * {@code maxSessions} logged-in connections, so the pool can be larger than that.
 */
public final class ManyUploads {
    private ManyUploads() {
    }

    /** Uploads every file with {@code threads} threads; returns the results in the order of {@code files}. */
    public static List<UploadResult> uploadAll(StorageTarget target, List<Path> files, int threads)
            throws InterruptedException, TransferException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<UploadResult>> futures = new ArrayList<>();
            for (Path f : files) {
                futures.add(pool.submit(() -> target.upload(Upload.of(f))));
            }
            List<UploadResult> results = new ArrayList<>();
            for (Future<UploadResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TransferException t) {
                        throw t;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdown();
        }
    }
}
