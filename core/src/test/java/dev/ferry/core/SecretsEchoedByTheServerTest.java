package dev.ferry.core;

import dev.ferry.core.spi.Transcript;

import dev.ferry.core.TransferException.Reason;
import dev.ferry.core.spi.ProbeRecorder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server that echoes the password ("530 Login incorrect for PASS ...") must not make Ferry repeat it anywhere. */
class SecretsEchoedByTheServerTest {
    private static final String PW = "Echoed-Pw-4f1c9";
    private static final String PHRASE = "Echoed-Phrase-8d2e";

    private static FakeProvider.FakeTarget target(int attempts) throws TransferException {
        Credentials c = Credentials.password("u", PW.toCharArray()).withPrivateKey(Path.of("/k/id"), PHRASE.toCharArray());
        return (FakeProvider.FakeTarget) StorageTargets.open(TargetConfig.builder("fake://u@h/base").credentials(c)
                .retryPolicy(RetryPolicy.builder().maxAttempts(attempts).initialBackoff(Duration.ofMillis(1)).jitter(0)
                        .build()).build());
    }

    private static Upload upload() {
        return Upload.builder().source(ContentSource.ofBytes("x".getBytes(StandardCharsets.UTF_8))).remotePath("a.bin").build();
    }

    private static void assertClean(TransferException e) {
        for (String text : List.of(e.getMessage(), String.valueOf(e.serverReply()), String.valueOf(e.hint()), e.toString(),
                String.join("\n", e.transcript()))) {
            assertFalse(text.contains(PW) || text.contains(PHRASE), text);
        }
    }

    private static void assertLogsClean() {
        for (String event : CapturedLogs.events()) {
            assertFalse(event.contains(PW) || event.contains(PHRASE), event);
        }
    }

    @Test
    void aLoginReplyThatEchoesThePasswordIsMaskedInTheException() throws Exception {
        CapturedLogs.clear();
        try (FakeProvider.FakeTarget t = target(1)) {
            t.loginRefusal = "530 Login incorrect for PASS " + PW;
            TransferException e = assertThrows(TransferException.class, () -> t.upload(upload()));
            assertEquals(Reason.AUTH, e.reason());
            assertEquals("530 Login incorrect for PASS ****", e.serverReply());
            assertTrue(e.getMessage().contains("530 Login incorrect for PASS ****"), e.getMessage());
            assertTrue(e.hint().endsWith("PASS ****"), e.hint());
            assertTrue(e.transcript().contains("< 530 Login incorrect for PASS ****"), e.transcript().toString());
            assertClean(e);
        }
        assertLogsClean();
    }

    /** Built without the transcript (as `new TransferException(reason, reply)`), the core still masks it before anyone sees it. */
    @Test
    void anExceptionBuiltWithoutTheTranscriptIsMaskedByTheTargetAndInItsRetryLog() throws Exception {
        CapturedLogs.clear();
        try (FakeProvider.FakeTarget t = target(2)) {
            t.failures.add(new TransferException(Reason.DATA_CHANNEL, "451 cannot store for user u with PASS " + PW));
            t.failures.add(TransferException.builder(Reason.DATA_CHANNEL, "451 again, key phrase " + PHRASE)
                    .serverReply("451 " + PW + " / " + PHRASE).hint(PW).build());
            TransferException e = assertThrows(TransferException.class, () -> t.upload(upload()));
            assertEquals(Reason.DATA_CHANNEL, e.reason());
            assertEquals("451 again, key phrase ****", e.getMessage());
            assertEquals("451 **** / ****", e.serverReply());
            assertEquals("****", e.hint());
            assertClean(e);
            assertTrue(String.join("\n", e.transcript()).contains("451 cannot store for user u with PASS ****"), e.transcript().toString());
        }
        assertTrue(CapturedLogs.events().stream().anyMatch(l -> l.contains("retrying a.bin after DATA_CHANNEL: 451 cannot store")),
                "the retry is logged: " + CapturedLogs.events());
        assertLogsClean();
    }

    @Test
    void aProbeStepShowsNoEchoedSecret() {
        Transcript transcript = new Transcript();
        transcript.addSecretsOf(Credentials.password("u", PW.toCharArray()));
        ProbeRecorder r = new ProbeRecorder(new TargetInfo("fake", "h", 21, "/", "fake://u@h/"), transcript);
        r.step(ProbeStep.Step.CONNECT, () -> "220 welcome " + PW);
        r.step(ProbeStep.Step.LOGIN, () -> {
            throw new TransferException(Reason.AUTH, "530 Login incorrect for PASS " + PW);
        });
        ProbeReport report = r.report();
        assertEquals("220 welcome ****", report.step(ProbeStep.Step.CONNECT).reply());
        assertEquals("530 Login incorrect for PASS ****", report.step(ProbeStep.Step.LOGIN).message());
        assertFalse(report.toString().contains(PW) || String.join("\n", report.transcript()).contains(PW), report.toString());
    }

    @Test
    void theBuilderMasksWithCredentialsAndAMaskedCopyKeepsTheStackTrace() {
        Credentials c = Credentials.password("u", PW.toCharArray()).withPrivateKey(Path.of("/k/id"), PHRASE.toCharArray());
        TransferException e = TransferException.builder(Reason.AUTH, "refused " + PW).serverReply(PHRASE + " bad")
                .transcript(List.of("< 530 " + PW)).mask(c).build();
        assertEquals("refused ****", e.getMessage());
        assertEquals("**** bad", e.serverReply());
        assertEquals(List.of("< 530 ****"), e.transcript());
        assertClean(e);

        TransferException raw = new TransferException(Reason.AUTH, "530 for " + PW);
        Transcript t = new Transcript();
        t.addSecretsOf(c);
        TransferException masked = raw.masked(t);
        assertEquals("530 for ****", masked.getMessage());
        assertEquals(Reason.AUTH, masked.reason());
        assertEquals(raw.retryable(), masked.retryable());
        assertEquals(List.of(raw.getStackTrace()), List.of(masked.getStackTrace()), "where it was thrown is kept");
        TransferException clean = new TransferException(Reason.AUTH, "530 Login incorrect.");
        assertTrue(clean == clean.masked(t), "nothing to mask: the same exception");
    }
}
