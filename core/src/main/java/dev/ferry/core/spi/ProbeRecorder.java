package dev.ferry.core.spi;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.TargetInfo;
import dev.ferry.core.TransferException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Helps a provider run a connection test: runs each step in order, times it, turns a
 * {@link TransferException} into a failed step with its reason, reply and hint, skips the steps after
 * a failure (except {@code QUIT}, which is always tried, and the clean-up steps run with
 * {@link #cleanUp(ProbeStep.Step, StepAction)}), and builds the {@link ProbeReport}. The first failure stays the
 * verdict: a clean-up step run after it is reported with its own outcome, after it.
 *
 * <pre>{@code
 * ProbeRecorder r = new ProbeRecorder(info(), transcript);
 * r.step(Step.DNS, () -> "resolved to " + InetAddress.getByName(host).getHostAddress());
 * r.step(Step.CONNECT, () -> ...);
 * ...
 * if (uploaded) r.cleanUp(Step.DELETE, () -> ...); // also after a failed VERIFY
 * r.step(Step.QUIT, () -> ...);
 * return r.report();
 * }</pre>
 * Not thread-safe: one probe, one thread.
 */
public final class ProbeRecorder {
    /** The work of one step; returns the reply or fact to show, or {@code null}. */
    @FunctionalInterface
    public interface StepAction {
        String run() throws Exception;
    }

    /** Maps an unexpected exception (not a TransferException) to one. */
    @FunctionalInterface
    public interface Classifier {
        TransferException classify(ProbeStep.Step step, Exception e);
    }

    private final TargetInfo target;
    private final Transcript transcript;
    private final Classifier classifier;
    private final Map<ProbeStep.Step, ProbeStep> steps = new EnumMap<>(ProbeStep.Step.class);
    private boolean failed;
    private ConnectionInfo connection;

    public ProbeRecorder(TargetInfo target, Transcript transcript) {
        this(target, transcript, (step, e) -> new TransferException(TransferException.Reason.PROTOCOL,
                step + " failed: " + e, e));
    }

    public ProbeRecorder(TargetInfo target, Transcript transcript, Classifier classifier) {
        this.target = target;
        this.transcript = transcript;
        this.classifier = classifier;
    }

    /**
     * Runs a step unless an earlier step failed (then it is recorded as skipped; {@code QUIT} always runs).
     *
     * @return whether the step passed
     */
    public boolean step(ProbeStep.Step step, StepAction action) {
        if (failed && step != ProbeStep.Step.QUIT) {
            skip(step, "skipped because an earlier step failed");
            return false;
        }
        return run(step, action);
    }

    /**
     * Runs a clean-up step even if an earlier step failed (e.g. {@code DELETE} of a test file that was uploaded but did
     * not verify). It is reported with its own outcome; an earlier failure stays the first one.
     *
     * @return whether the step passed
     */
    public boolean cleanUp(ProbeStep.Step step, StepAction action) {
        return run(step, action);
    }

    private boolean run(ProbeStep.Step step, StepAction action) {
        long start = System.nanoTime();
        try {
            String reply = mask(action.run());
            steps.put(step, new ProbeStep(step, ProbeStep.Status.PASSED, since(start), reply, null, null, null));
            return true;
        } catch (TransferException e) {
            fail(step, since(start), e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(step, since(start), new TransferException(TransferException.Reason.CANCELLED, "interrupted", e));
            return false;
        } catch (Exception e) {
            fail(step, since(start), classifier.classify(step, e));
            return false;
        }
    }

    /** Records a step as passed without running anything (e.g. DNS for an IP literal). */
    public void passed(ProbeStep.Step step, Duration elapsed, String reply) {
        steps.put(step, new ProbeStep(step, ProbeStep.Status.PASSED, elapsed, mask(reply), null, null, null));
    }

    /** Records a step as failed; the transcript's secrets are masked in what the step shows. */
    public void fail(ProbeStep.Step step, Duration elapsed, TransferException failure) {
        TransferException e = failure.masked(transcript);
        if (step != ProbeStep.Step.QUIT) {
            failed = true;
        }
        transcript.note(step + " failed: " + e.reason() + ": " + e.getMessage());
        steps.put(step, new ProbeStep(step, ProbeStep.Status.FAILED, elapsed, e.serverReply(), e.hint(), e.reason(),
                e.getMessage()));
    }

    /** Records a step as skipped with a note. */
    public void skip(ProbeStep.Step step, String why) {
        steps.put(step, new ProbeStep(step, ProbeStep.Status.SKIPPED, Duration.ZERO, null, null, null, why));
    }

    /** Whether a step (other than QUIT) failed. */
    public boolean failed() {
        return failed;
    }

    /** Remembers the connection facts for the report (call as soon as they are known). */
    public void connection(ConnectionInfo info) {
        this.connection = info;
    }

    /** The report; steps never run are recorded as skipped. */
    public ProbeReport report() {
        List<ProbeStep> out = new ArrayList<>();
        for (ProbeStep.Step s : ProbeStep.Step.values()) {
            ProbeStep p = steps.get(s);
            out.add(p != null ? p : new ProbeStep(s, ProbeStep.Status.SKIPPED, Duration.ZERO, null, null, null,
                    "not run"));
        }
        return new ProbeReport(target, out, connection, transcript.render());
    }

    /** A server's reply may echo a secret (the password it refused): the report shows none. */
    private String mask(String text) {
        return transcript == null ? text : transcript.mask(text);
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
