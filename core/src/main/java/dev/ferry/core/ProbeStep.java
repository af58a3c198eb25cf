package dev.ferry.core;

import java.time.Duration;
import java.util.Objects;

/**
 * One step of a connection test.
 *
 * @param step which step
 * @param status passed, failed or skipped
 * @param elapsed how long it took (zero if skipped)
 * @param reply the server's reply or a fact (TLS version, host key fingerprint), or {@code null}
 * @param hint what to do about a failure, or {@code null}
 * @param reason why it failed, or {@code null} if it did not
 * @param message what happened, for a human
 */
public record ProbeStep(Step step, Status status, Duration elapsed, String reply, String hint,
                        TransferException.Reason reason, String message) {
    public ProbeStep {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** The steps of a connection test, in order. */
    public enum Step {
        /** Resolve the host name. */
        DNS,
        /** Open the control (or SSH) connection. */
        CONNECT,
        /** TLS handshake and certificate check, or SSH key exchange and host key check. */
        SECURE,
        /** Log in. */
        LOGIN,
        /** Change to (or create) the base directory. */
        DIRECTORY,
        /** Upload a small test file. */
        UPLOAD,
        /** Check the test file's size. */
        VERIFY,
        /** Delete the test file. */
        DELETE,
        /** Log out and close. */
        QUIT
    }

    /** The outcome of a step. */
    public enum Status {
        PASSED, FAILED, SKIPPED
    }
}
