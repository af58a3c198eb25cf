package dev.ferry.faults;

import dev.ferry.testing.CaseRecorder;

import java.nio.file.Path;

/**
 * Appends each fault case's outcome to {@code target/faults/cases.txt} ({@code target|case|PASS or FAIL|what happened}),
 * which {@code faults/report.sh} prints as a table. A case names itself {@code target|case} and says what happened
 * with {@link CaseRecorder#detail(String)}.
 */
public final class FaultTable extends CaseRecorder {
    static Path cases() {
        return Path.of(System.getProperty("ferry.faults.dir", "target/faults")).resolve("cases.txt");
    }

    @Override
    protected Path file() {
        return cases();
    }
}
