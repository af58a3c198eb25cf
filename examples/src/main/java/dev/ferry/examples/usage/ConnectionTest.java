package dev.ferry.examples.usage;

import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.StorageTarget;

/** The "Test FTP" button: run the connection test and show each step, and what to do about a failure. */
public final class ConnectionTest {
    private ConnectionTest() {
    }

    /** Prints the steps of a probe of {@code target}; returns whether all passed. */
    public static boolean show(StorageTarget target) {
        ProbeReport report = target.probe();
        for (ProbeStep s : report.steps()) {
            System.out.printf("%-9s %-7s %5d ms %s%n", s.step(), s.status(), s.elapsed().toMillis(), s.reply() == null ? "" : s.reply());
        }
        report.firstFailure().ifPresent(f -> System.out.println(f.reason() + ": " + f.message() + "\nwhat to do: " + f.hint()));
        return report.ok();
    }
}
