package dev.ferry.testing;

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
 * Appends each test's outcome to a file, one line {@code <display name>|PASS, FAIL or SKIP|<detail>}, for a script that
 * prints the results as a table (the FTP interop matrix, the fault-injection table). A test names itself with
 * {@code |}-separated columns (e.g. {@code server|tls|case}) and may say what it observed with {@link #detail(String)}.
 * Subclasses say which file. Tests that use it run one at a time.
 */
public abstract class CaseRecorder implements TestWatcher, BeforeEachCallback {
    private static volatile String detail = "";

    /** What the running test observed (its outcome, the checks that held); shown in the detail column. */
    public static void detail(String text) {
        detail = text;
    }

    /** The file the lines are appended to. */
    protected abstract Path file();

    @Override
    public void beforeEach(ExtensionContext context) {
        detail = "";
    }

    private synchronized void record(ExtensionContext ctx, String outcome, String text) {
        try {
            Path f = file();
            Files.createDirectories(f.toAbsolutePath().getParent());
            String name = ctx.getDisplayName().replace("\"", "").replace("[", "").replaceAll("^\\d+\\] ", "");
            String line = name + "|" + outcome + "|" + text.replaceAll("[\r\n]+", " ").replace('|', '/') + "\n";
            Files.writeString(f, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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
