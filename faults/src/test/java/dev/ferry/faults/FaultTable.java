package dev.ferry.faults;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Appends each case's outcome to {@code target/faults/cases.txt} ({@code target|case|PASS or FAIL|what happened}),
 * which {@code faults/report.sh} prints as a table. A test names itself {@code target|case} and says what happened
 * with {@link #detail(String)}.
 */
public final class FaultTable implements TestWatcher, BeforeEachCallback {
    private static volatile String detail = "";

    /** What the running case observed (its outcome, the checks that held); shown in the table. */
    static void detail(String text) {
        detail = text;
    }

    static Path file() {
        return Path.of(System.getProperty("ferry.faults.dir", "target/faults")).resolve("cases.txt");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        detail = "";
    }

    private static synchronized void record(ExtensionContext ctx, String outcome, String text) {
        try {
            Files.createDirectories(file().getParent());
            String name = ctx.getDisplayName().replaceAll("^\\[\\d+\\] ", "");
            String line = name + "|" + outcome + "|" + text.replaceAll("[\r\n]+", " ").replace('|', '/') + "\n";
            Files.writeString(file(), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(context, "PASS", detail);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        record(context, "FAIL", (detail.isEmpty() ? "" : detail + "; ") + (m.length() > 200 ? m.substring(0, 200) : m));
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
