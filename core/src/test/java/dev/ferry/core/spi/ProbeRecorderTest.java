package dev.ferry.core.spi;

import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep;
import dev.ferry.core.ProbeStep.Status;
import dev.ferry.core.ProbeStep.Step;
import dev.ferry.core.TargetInfo;
import dev.ferry.core.TransferException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbeRecorderTest {
    static final TargetInfo INFO = new TargetInfo("ftp", "example.net", 21, "/in", "ftp://bob@example.net:21/in");

    @Test
    void aCleanUpStepRunsAfterAFailureAndTheFirstFailureStaysTheVerdict() {
        ProbeRecorder r = new ProbeRecorder(INFO, new Transcript());
        r.step(Step.UPLOAD, () -> "stored");
        r.step(Step.VERIFY, () -> {
            throw TransferException.builder(TransferException.Reason.VERIFY_FAILED, "1 byte instead of 40").hint("ASCII mode?").build();
        });
        boolean[] ran = {false};
        assertTrue(r.cleanUp(Step.DELETE, () -> {
            ran[0] = true;
            return "250 deleted";
        }));
        r.step(Step.QUIT, () -> "closed");
        ProbeReport report = r.report();
        assertTrue(ran[0]);
        assertFalse(report.ok());
        ProbeStep first = report.firstFailure().orElseThrow();
        assertEquals(Step.VERIFY, first.step());
        assertEquals(TransferException.Reason.VERIFY_FAILED, first.reason());
        assertEquals("ASCII mode?", first.hint());
        assertEquals(Status.PASSED, report.step(Step.DELETE).status());
        assertEquals("250 deleted", report.step(Step.DELETE).reply());
    }

    @Test
    void aFailedCleanUpStepIsReportedWithItsOwnHintAfterTheFirstFailure() {
        ProbeRecorder r = new ProbeRecorder(INFO, new Transcript());
        r.step(Step.UPLOAD, () -> {
            throw new TransferException(TransferException.Reason.DATA_CHANNEL, "426 transfer aborted");
        });
        assertFalse(r.cleanUp(Step.DELETE, () -> {
            throw TransferException.builder(TransferException.Reason.PERMISSION, "cannot delete x").hint("remove x by hand").build();
        }));
        ProbeReport report = r.report();
        assertEquals(Step.UPLOAD, report.firstFailure().orElseThrow().step());
        assertEquals(Status.SKIPPED, report.step(Step.VERIFY).status());
        assertEquals(Status.FAILED, report.step(Step.DELETE).status());
        assertEquals("remove x by hand", report.step(Step.DELETE).hint());
    }
}
