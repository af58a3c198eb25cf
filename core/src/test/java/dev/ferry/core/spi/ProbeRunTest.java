package dev.ferry.core.spi;

import dev.ferry.core.ConnectionInfo;
import dev.ferry.core.ProbeReport;
import dev.ferry.core.ProbeStep.Status;
import dev.ferry.core.ProbeStep.Step;
import dev.ferry.core.TargetInfo;
import dev.ferry.core.TransferException;
import dev.ferry.core.TransferException.Reason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connection test's order and clean-up rules, which every provider gets from {@link ProbeRun}. */
class ProbeRunTest {
    private static final TargetInfo INFO = new TargetInfo("fake", "127.0.0.1", 21, "/in", "fake://bob@127.0.0.1:21/in");

    /** Steps that record their calls and fail where told. */
    private static final class Scripted implements ProbeRun.Steps {
        final List<String> calls = new ArrayList<>();
        final Set<String> failing;
        boolean mayExist;
        String uploadedName;

        Scripted(String... failing) {
            this.failing = Set.of(failing);
        }

        private String call(String what) throws TransferException {
            calls.add(what);
            if (failing.contains(what)) {
                throw new TransferException(Reason.PROTOCOL, what + " failed");
            }
            return what + " ok";
        }

        @Override public String connect() throws Exception { return call("connect"); }
        @Override public String secure() throws Exception { return call("secure"); }
        @Override public ConnectionInfo connectionInfo() {
            calls.add("info");
            return new ConnectionInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", "sha256:ab", "seen even after a failure");
        }
        @Override public String login() throws Exception { return call("login"); }
        @Override public String directory() throws Exception { return call("directory"); }
        @Override public String upload(String name, byte[] content) throws Exception {
            uploadedName = name;
            return call("upload");
        }
        @Override public String verify(String name, long expectedSize) throws Exception { return call("verify"); }
        @Override public boolean testFileMayExist(String name) {
            calls.add("mayExist");
            return mayExist;
        }
        @Override public String delete(String name, boolean uploaded) throws Exception {
            return call("delete(" + uploaded + ")");
        }
        @Override public String quit() throws Exception { return call("quit"); }
    }

    @Test
    void allStepsPassInOrder() {
        Scripted s = new Scripted();
        ProbeReport r = ProbeRun.run(INFO, new Transcript(), s);
        assertTrue(r.ok(), r.toString());
        assertEquals(List.of("connect", "secure", "info", "login", "directory", "upload", "verify", "delete(true)", "quit"), s.calls);
        assertTrue(s.uploadedName.startsWith(".ferry-probe-") && s.uploadedName.endsWith(".txt"), s.uploadedName);
        assertEquals(Status.PASSED, r.step(Step.DNS).status());
        assertEquals("TLSv1.3", r.connection().securityProtocol());
    }

    @Test
    void aFailedSecureStepStillReportsWhatItSawAndQuitRuns() {
        Scripted s = new Scripted("secure");
        ProbeReport r = ProbeRun.run(INFO, new Transcript(), s);
        assertEquals(Step.SECURE, r.firstFailure().orElseThrow().step());
        assertEquals("seen even after a failure", r.connection().serverBanner());
        assertEquals(List.of("connect", "secure", "info", "quit"), s.calls);
        assertEquals(Status.SKIPPED, r.step(Step.DELETE).status());
    }

    @Test
    void theTestFileIsDeletedAfterAFailedVerify() {
        Scripted s = new Scripted("verify");
        ProbeReport r = ProbeRun.run(INFO, new Transcript(), s);
        assertEquals(Step.VERIFY, r.firstFailure().orElseThrow().step());
        assertTrue(s.calls.contains("delete(true)"), s.calls.toString());
        assertEquals(Status.PASSED, r.step(Step.DELETE).status());
    }

    @Test
    void afterAFailedUploadTheTestFileIsDeletedOnlyIfItMayExist() {
        Scripted may = new Scripted("upload");
        may.mayExist = true;
        ProbeRun.run(INFO, new Transcript(), may);
        assertTrue(may.calls.contains("delete(false)"), may.calls.toString());

        Scripted not = new Scripted("upload");
        ProbeReport r = ProbeRun.run(INFO, new Transcript(), not);
        assertFalse(not.calls.stream().anyMatch(c -> c.startsWith("delete")), not.calls.toString());
        assertEquals(Status.SKIPPED, r.step(Step.DELETE).status());
        assertTrue(r.step(Step.DELETE).reply() == null || !r.step(Step.DELETE).reply().isEmpty());
    }

    @Test
    void aFailedLoginSkipsEverythingButQuit() {
        Scripted s = new Scripted("login");
        ProbeReport r = ProbeRun.run(INFO, new Transcript(), s);
        assertEquals(List.of("connect", "secure", "info", "login", "quit"), s.calls);
        for (Step step : List.of(Step.DIRECTORY, Step.UPLOAD, Step.VERIFY, Step.DELETE)) {
            assertEquals(Status.SKIPPED, r.step(step).status(), step.toString());
        }
        assertEquals(Status.PASSED, r.step(Step.QUIT).status());
    }
}
