package dev.ferry.ftp;

import dev.ferry.testing.CaseRecorder;

import java.nio.file.Path;

/**
 * Appends each interop test's outcome to {@code target/interop-matrix.txt} ({@code server|tls|case|PASS or FAIL|detail}),
 * which {@code ftp/interop-matrix.sh} prints as a table. The test's display name is {@code server|tls|case}.
 */
public final class MatrixRecorder extends CaseRecorder {
    static final Path FILE = Path.of("target", "interop-matrix.txt");

    @Override
    protected Path file() {
        return FILE;
    }
}
