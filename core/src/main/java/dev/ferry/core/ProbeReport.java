package dev.ferry.core;

import java.util.List;
import java.util.Optional;

/**
 * The result of a connection test ({@link StorageTarget#probe()}): every step in order with its
 * outcome, and the masked transcript.
 *
 * @param target what was tested
 * @param steps the steps, in the order of {@link ProbeStep.Step}
 * @param connection the security facts seen (even when a later check failed), or {@code null}
 * @param transcript the masked transcript
 */
public record ProbeReport(TargetInfo target, List<ProbeStep> steps, ConnectionInfo connection, List<String> transcript) {
    public ProbeReport {
        steps = List.copyOf(steps);
        transcript = List.copyOf(transcript);
    }

    /** Whether every step except {@code QUIT} passed ({@code QUIT} failing does not fail the test). */
    public boolean ok() {
        return steps.stream().filter(s -> s.step() != ProbeStep.Step.QUIT)
                .allMatch(s -> s.status() == ProbeStep.Status.PASSED);
    }

    /** The first step that failed, if any. */
    public Optional<ProbeStep> firstFailure() {
        return steps.stream().filter(s -> s.status() == ProbeStep.Status.FAILED).findFirst();
    }

    /** The step of that kind. */
    public ProbeStep step(ProbeStep.Step step) {
        return steps.stream().filter(s -> s.step() == step).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no step " + step));
    }
}
