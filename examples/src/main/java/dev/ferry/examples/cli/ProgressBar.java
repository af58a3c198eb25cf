package dev.ferry.examples.cli;

import dev.ferry.core.ProgressListener;

import java.io.PrintWriter;
import java.util.Locale;

/** A one-line progress bar on standard error, shown only when it is a terminal. */
final class ProgressBar implements ProgressListener {
    private final PrintWriter err;
    private long lastPrint;
    private boolean printed;

    private ProgressBar(PrintWriter err) {
        this.err = err;
    }

    /** A bar if standard error is a terminal and the output is not JSON; otherwise {@code null}. */
    static ProgressBar forTerminal(PrintWriter err, boolean json) {
        return !json && System.console() != null ? new ProgressBar(err) : null;
    }

    @Override
    public synchronized void onProgress(String remotePath, long sent, long total) {
        long now = System.nanoTime();
        if (now - lastPrint < 200_000_000L && sent != total) {
            return;
        }
        lastPrint = now;
        printed = true;
        if (total > 0) {
            int pct = (int) (sent * 100 / total);
            int filled = pct / 5;
            err.printf(Locale.ROOT, "\r%-30.30s [%-20s] %3d%% %,d / %,d bytes", remotePath, "#".repeat(filled), pct, sent, total);
        } else {
            err.printf(Locale.ROOT, "\r%-30.30s %,d bytes", remotePath, sent);
        }
        err.flush();
    }

    synchronized void finish() {
        if (printed) {
            err.println();
            err.flush();
        }
    }
}
