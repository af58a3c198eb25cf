package dev.ferry.ftp;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Appends each interop test's outcome to {@code target/interop-matrix.txt} ({@code server|tls|case|PASS or FAIL|detail}),
 * which {@code ftp/interop-matrix.sh} prints as a table. The test's display name is {@code server|tls|case}.
 */
public final class MatrixRecorder implements TestWatcher {
    static final Path FILE = Path.of("target", "interop-matrix.txt");

    private static synchronized void record(ExtensionContext ctx, String outcome, String detail) {
        try {
            Files.createDirectories(FILE.getParent());
            String line = ctx.getDisplayName().replace("\"", "").replace("[", "").replaceAll("^\\d+\\] ", "") + "|" + outcome + "|"
                    + detail.replace('\n', ' ').replace('|', '/') + "\n";
            Files.writeString(FILE, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(context, "PASS", "");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        record(context, "FAIL", m.length() > 160 ? m.substring(0, 160) : m);
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        record(context, "SKIP", String.valueOf(cause.getMessage()));
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        record(context, "SKIP", reason.orElse(""));
    }
}
